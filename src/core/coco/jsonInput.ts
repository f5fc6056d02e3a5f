/**
 * Helpers shared by the COCO parsers: lenient JSON text parsing and readable descriptions of bad values.
 * Internal to src/core/coco.
 */

import type { ParseProblem } from './cocoTypes';

/**
 * Python's `json.dump` writes non-finite floats as the bare tokens NaN, Infinity and -Infinity, which
 * `JSON.parse` rejects. A model that predicts NaN for one keypoint should cost one detection, not the
 * whole file, so such tokens (outside strings) are turned into these marker strings and reported per entry.
 */
const NON_FINITE_MARKERS: ReadonlyMap<string, number> = new Map([
  ['\u0000NaN', Number.NaN],
  ['\u0000Infinity', Number.POSITIVE_INFINITY],
  ['\u0000-Infinity', Number.NEGATIVE_INFINITY],
]);

function replacePythonNonFiniteTokens(text: string): string | null {
  let out = '';
  let copiedUpTo = 0;
  let inString = false;
  let replaced = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    for (const token of ['NaN', 'Infinity', '-Infinity']) {
      if (text.startsWith(token, i)) {
        out += `${text.slice(copiedUpTo, i)}"\\u0000${token}"`;
        i += token.length - 1;
        copiedUpTo = i + 1;
        replaced = true;
        break;
      }
    }
  }
  return replaced ? out + text.slice(copiedUpTo) : null;
}

/** Parses JSON text (accepting Python's NaN/Infinity tokens, see above); `error` is set when it is not JSON. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (first) {
    const patched = replacePythonNonFiniteTokens(text);
    if (patched !== null) {
      try {
        return { ok: true, value: JSON.parse(patched) as unknown };
      } catch {
        // Fall through: report the error of the text as given.
      }
    }
    return { ok: false, error: first instanceof Error ? first.message : String(first) };
  }
}

/** The number a value stands for: a number, or one of the non-finite markers above; otherwise undefined. */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return NON_FINITE_MARKERS.get(value);
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Short human description of a value for messages: `the string "12"`, `null`, `an object`, `NaN`. */
export function describeValue(value: unknown): string {
  const n = numericValue(value);
  if (n !== undefined) return String(n);
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'boolean') return String(value);
  return `a${typeof value === 'object' ? 'n' : ''} ${typeof value}`;
}

/** Collects the problems of one entry; the entry is kept only if `failed` stays false. */
export class EntryReport {
  failed = false;

  constructor(
    private readonly problems: ParseProblem[],
    public where: string,
  ) {}

  /** Records a problem that makes the entry unusable. */
  fail(detail: string): void {
    this.failed = true;
    this.note(detail);
  }

  /** Records a problem that does not drop the entry (e.g. an ignored optional field). */
  note(detail: string): void {
    this.problems.push({ where: this.where, message: `${this.where}: ${detail}` });
  }

  /** A required finite number field; undefined (and a recorded problem) when absent or not a finite number. */
  finiteNumber(record: Record<string, unknown>, key: string): number | undefined {
    const raw = record[key];
    if (raw === undefined) {
      this.fail(`missing "${key}"`);
      return undefined;
    }
    const n = numericValue(raw);
    if (n === undefined) {
      this.fail(`${key} must be a number, got ${describeValue(raw)}`);
      return undefined;
    }
    if (!Number.isFinite(n)) {
      this.fail(`${key} is ${describeValue(raw)}, expected a finite number`);
      return undefined;
    }
    return n;
  }
}

/** Formats an id for an entry label; ids are shown only when they are numbers. */
export function idLabel(record: Record<string, unknown>, key: string, label: string): string {
  const raw = record[key];
  return typeof raw === 'number' && Number.isFinite(raw) ? ` (${label} ${raw})` : '';
}

/** Ordinal description of flat keypoint index `i`, e.g. `y of left_eye`. */
export function keypointSlotName(i: number, names: readonly string[]): string {
  const which = ['x', 'y', 'v'][i % 3] ?? '?';
  return `${which} of ${names[Math.floor(i / 3)] ?? `keypoint ${Math.floor(i / 3) + 1}`}`;
}

/**
 * Reads a flat COCO keypoint array `[x1, y1, v1, …]` of exactly 3 × `names.length` finite numbers.
 * `checkValue` adds the caller's rules (visibility flags, non-negative coordinates): it returns a
 * problem text for the value at index `i`, or null. Reports the first problem and returns undefined.
 */
export function readKeypointArray(
  raw: unknown,
  names: readonly string[],
  report: EntryReport,
  checkValue: (value: number, index: number) => string | null,
): number[] | undefined {
  if (raw === undefined) {
    report.fail('missing "keypoints"');
    return undefined;
  }
  if (!Array.isArray(raw)) {
    report.fail(`keypoints must be an array, got ${describeValue(raw)}`);
    return undefined;
  }
  const expected = names.length * 3;
  if (raw.length !== expected) {
    report.fail(`keypoints has ${raw.length} numbers, expected ${expected} (3 × ${names.length} keypoints)`);
    return undefined;
  }
  const out = new Array<number>(expected);
  for (let i = 0; i < expected; i++) {
    const value = raw[i] as unknown;
    const n = numericValue(value);
    const slot = `keypoints[${i}] (${keypointSlotName(i, names)})`;
    if (n === undefined || !Number.isFinite(n)) {
      report.fail(`${slot} is ${describeValue(value)}, expected a finite number`);
      return undefined;
    }
    const problem = checkValue(n, i);
    if (problem !== null) {
      report.fail(`${slot} is ${n}, ${problem}`);
      return undefined;
    }
    out[i] = n;
  }
  return out;
}

/** `(done, total)`: entries checked so far out of all of them. */
export type ProgressCallback = (done: number, total: number) => void;

/** Entries between two progress calls: often enough for a smooth bar, rare enough to cost nothing. */
export const PROGRESS_EVERY = 2000;

export interface ProgressCounter {
  readonly total: number;
  tick(): void;
}

/** Counts entries and calls `onProgress` every PROGRESS_EVERY of them. */
export function progressCounter(total: number, onProgress: ProgressCallback | undefined): ProgressCounter {
  let done = 0;
  return {
    total,
    tick: () => {
      done++;
      if (onProgress && done % PROGRESS_EVERY === 0) onProgress(done, total);
    },
  };
}
