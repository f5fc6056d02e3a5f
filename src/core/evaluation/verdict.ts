/** "Is this model good enough?": each column checked against the user's targets. */

import type { ModelMetrics } from './evaluateColumn';

/** Targets; null = not set. AP and PCK are fractions in [0, 1]; latency is the median model time per image (all its inferences), milliseconds. */
export interface VerdictTargets {
  apMin: number | null;
  pckMin: number | null;
  latencyMaxMs: number | null;
}

export interface VerdictCheck {
  target: 'AP' | 'PCK' | 'latency';
  /** e.g. `≥ 0.700`, `≤ 50.0 ms`. */
  required: string;
  /** e.g. `0.652`, `31.2 ms`, or `not measured`. */
  measured: string;
  /** null = not measurable (no latency for imported predictions, no ground-truth person for AP/PCK). */
  pass: boolean | null;
}

export interface VerdictRow {
  columnId: string;
  displayName: string;
  /** One check per target that is set, in the order AP, PCK, latency. */
  checks: VerdictCheck[];
  /** false if any check fails; otherwise null if any check is not measurable or no target is set; else true. */
  pass: boolean | null;
}

const NOT_MEASURED = 'not measured';

/** A set target: finite numbers only (a NaN from an empty form field means "not set", not "fail everything"). */
function targetValue(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/**
 * Formats `measured` and `required` with `decimals` digits, adding digits (up to 6) while they would print the
 * same yet compare differently, so a fail never reads "0.700 ≥ 0.700".
 */
function formatPair(measured: number, required: number, decimals: number): [string, string] {
  let d = decimals;
  while (d < 6 && measured !== required && measured.toFixed(d) === required.toFixed(d)) d++;
  return [measured.toFixed(d), required.toFixed(d)];
}

/**
 * Checks every column against the targets. Comparisons use the unrounded values: AP ≥ apMin, PCK ≥ pckMin,
 * median latency per image ≤ latencyMaxMs. An AP of -1 (no ground-truth person) and a null PCK/latency are not measurable.
 */
export function verdict(metrics: readonly ModelMetrics[], targets: VerdictTargets): VerdictRow[] {
  const apMin = targetValue(targets.apMin);
  const pckMin = targetValue(targets.pckMin);
  const latencyMaxMs = targetValue(targets.latencyMaxMs);
  return metrics.map((m) => {
    const checks: VerdictCheck[] = [];
    if (apMin !== null) {
      const ap = m.stats.AP;
      if (ap < 0 || !Number.isFinite(ap)) {
        checks.push({ target: 'AP', required: `≥ ${apMin.toFixed(3)}`, measured: NOT_MEASURED, pass: null });
      } else {
        const [measured, required] = formatPair(ap, apMin, 3);
        checks.push({ target: 'AP', required: `≥ ${required}`, measured, pass: ap >= apMin });
      }
    }
    if (pckMin !== null) {
      const label = `PCK@${m.pck.alpha}`;
      const value = m.pck.value;
      if (value === null) {
        checks.push({ target: 'PCK', required: `${label} ≥ ${pckMin.toFixed(3)}`, measured: NOT_MEASURED, pass: null });
      } else {
        const [measured, required] = formatPair(value, pckMin, 3);
        checks.push({ target: 'PCK', required: `${label} ≥ ${required}`, measured, pass: value >= pckMin });
      }
    }
    if (latencyMaxMs !== null) {
      const latency = m.medianImageLatencyMs;
      if (latency === null) {
        checks.push({ target: 'latency', required: `≤ ${latencyMaxMs.toFixed(1)} ms/image`, measured: NOT_MEASURED, pass: null });
      } else {
        const [measured, required] = formatPair(latency, latencyMaxMs, 1);
        checks.push({ target: 'latency', required: `≤ ${required} ms/image`, measured: `${measured} ms/image`, pass: latency <= latencyMaxMs });
      }
    }
    let pass: boolean | null = checks.length > 0 ? true : null;
    if (checks.some((c) => c.pass === false)) pass = false;
    else if (checks.some((c) => c.pass === null)) pass = null;
    return { columnId: m.columnId, displayName: m.displayName, checks, pass };
  });
}
