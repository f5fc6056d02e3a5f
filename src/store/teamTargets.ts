/**
 * A team's own verdict targets, kept in this browser (localStorage) and used for every new session instead of the
 * built-in defaults. Small and synchronous on purpose: the store's first state needs it before anything renders.
 */
import type { VerdictTargetsState } from './evaluationSlice';

const KEY = 'keypoint-bench.team-targets.v1';

const targetOrNull = (value: unknown): number | null | undefined =>
  value === null ? null : typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

export function savedTeamTargets(): VerdictTargetsState | null {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const apMin = targetOrNull(parsed.apMin);
    const pckMin = targetOrNull(parsed.pckMin);
    const latencyMaxMs = targetOrNull(parsed.latencyMaxMs);
    if (apMin === undefined || pckMin === undefined || latencyMaxMs === undefined) return null;
    return { apMin, pckMin, latencyMaxMs };
  } catch {
    return null; // storage off (private mode) or an unreadable entry: the built-in defaults apply
  }
}

/** Saves `targets` as the team's; false where this browser keeps nothing (then the caller says so). */
export function saveTeamTargets(targets: VerdictTargetsState): boolean {
  try {
    globalThis.localStorage.setItem(KEY, JSON.stringify(targets));
    return true;
  } catch {
    return false;
  }
}

export function clearTeamTargets(): void {
  try {
    globalThis.localStorage.removeItem(KEY);
  } catch {
    // Nothing was kept.
  }
}
