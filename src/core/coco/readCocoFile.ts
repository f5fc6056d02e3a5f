/**
 * One dropped JSON file, read to what the app does with it: COCO keypoints ground truth, a COCO results list
 * (a column of imported predictions), a results list waiting for ground truth, or a refusal with its reasons.
 * Pure, with progress: the JSON worker (src/media/jsonParseWorker.ts) runs it off the page's thread, and
 * Node (tests) runs it directly; both hand back plain data.
 */

import type { CocoKeypointCategory, CocoKeypointResult, CocoKeypointsGroundTruth, ParseProblem } from './cocoTypes';
import { isRecord, parseJsonText, type ProgressCallback } from './jsonInput';
import { parseGroundTruth } from './parseGroundTruth';
import { parseResults } from './parseResults';

/** What a results file is checked against: the ground truth's image ids and categories (not its annotations). */
export interface ResultsContext {
  readonly imageIds: readonly number[];
  readonly categories: readonly CocoKeypointCategory[];
}

export function resultsContextOf(gt: CocoKeypointsGroundTruth): ResultsContext {
  return { imageIds: gt.images.map((image) => image.id), categories: gt.categories };
}

export type CocoFileReading =
  /** Nothing is used; each message is a full sentence (the caller puts the file name in front). */
  | { kind: 'refused'; messages: string[] }
  | { kind: 'groundTruth'; dataset: CocoKeypointsGroundTruth; problems: ParseProblem[] }
  /** `results`: the file's own entries that passed (see fileEntriesOf); `problems`: the skipped ones. */
  | { kind: 'results'; results: CocoKeypointResult[]; problems: ParseProblem[] }
  /** A results list read before any ground truth: its entries as in the file, checked once ground truth comes. */
  | { kind: 'pendingResults'; entries: unknown[] };

export type CocoReadProgress = { phase: 'parsing' } | { phase: 'validating'; done: number; total: number };

const NEITHER =
  'neither COCO keypoints ground truth (an object with "images" and "annotations") nor a COCO results list (an array of detections)';

/** Reads JSON text (Python's NaN/Infinity accepted, see jsonInput). */
export function readCocoText(text: string, context: ResultsContext | null, onProgress?: (progress: CocoReadProgress) => void): CocoFileReading {
  onProgress?.({ phase: 'parsing' });
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { kind: 'refused', messages: [`not JSON (${parsed.error})`] };
  return readCocoValue(parsed.value, context, onProgress);
}

/** Reads an already-parsed JSON value. */
export function readCocoValue(json: unknown, context: ResultsContext | null, onProgress?: (progress: CocoReadProgress) => void): CocoFileReading {
  const validating: ProgressCallback | undefined = onProgress ? (done, total) => onProgress({ phase: 'validating', done, total }) : undefined;
  if (Array.isArray(json)) {
    if (!context) return { kind: 'pendingResults', entries: json };
    return readResults(json, context, validating);
  }
  if (isRecord(json) && ('annotations' in json || 'images' in json)) {
    const outcome = parseGroundTruth(json, { onProgress: validating });
    if (!outcome.value) return { kind: 'refused', messages: outcome.problems.map((p) => p.message) };
    return { kind: 'groundTruth', dataset: outcome.value, problems: [...outcome.problems] };
  }
  return { kind: 'refused', messages: [NEITHER] };
}

/**
 * A results list against its ground truth. Refused as a whole (no column) when no detection is valid, or, as
 * pycocotools (and so `keypoint-bench score`) refuses it, when the first detection has a bbox and others have none.
 */
function readResults(entries: unknown[], context: ResultsContext, onProgress: ProgressCallback | undefined): CocoFileReading {
  const groundTruth: CocoKeypointsGroundTruth = { images: context.imageIds.map((id) => ({ id })), annotations: [], categories: context.categories };
  const outcome = parseResults(entries, { groundTruth, ...(onProgress ? { onProgress } : {}) });
  if (!outcome.value) return { kind: 'refused', messages: outcome.problems.map((p) => p.message) };
  const fileProblems = outcome.problems.filter((p) => p.where === 'file');
  if (outcome.value.length === 0) {
    if (entries.length === 0) return { kind: 'refused', messages: fileProblems.map((p) => `${p.message}; not imported`) };
    const first = outcome.problems.find((p) => p.where !== 'file');
    const others = outcome.problems.filter((p) => p.where !== 'file').length - 1;
    return {
      kind: 'refused',
      messages: [
        `none of its ${entries.length} detection${entries.length === 1 ? ' is' : 's is'} valid, so no column was added ` +
          `(${first?.message ?? 'no detection passed'}${others > 0 ? `; and ${others} more problem${others === 1 ? '' : 's'}` : ''}); ` +
          'check that it is a COCO keypoint results list for this ground truth',
      ],
    };
  }
  const firstResult = outcome.value[0];
  if (firstResult?.bbox && firstResult.bbox.length > 0 && outcome.value.some((r) => !r.bbox || r.bbox.length === 0)) {
    const messages = fileProblems.length > 0 ? fileProblems.map((p) => p.message) : ['the first detection has a bbox but others have none: the COCO evaluation refuses this list'];
    return { kind: 'refused', messages: messages.map((m) => `${m}; not imported`) };
  }
  return { kind: 'results', results: fileEntriesOf(entries, outcome.value), problems: [...outcome.problems] };
}

/** True when `entry` (a value of the results file) holds exactly the validated fields of `result`. */
function holdsResult(entry: unknown, result: CocoKeypointResult): boolean {
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as Record<string, unknown>;
  const sameNumbers = (raw: unknown, parsed: readonly number[]): boolean =>
    Array.isArray(raw) && raw.length === parsed.length && parsed.every((n, i) => raw[i] === n);
  return (
    e['image_id'] === result.image_id &&
    e['category_id'] === result.category_id &&
    e['score'] === result.score &&
    sameNumbers(e['keypoints'], result.keypoints) &&
    (result.bbox === undefined ? e['bbox'] === undefined : sameNumbers(e['bbox'], result.bbox))
  );
}

/**
 * The file's own entries behind the parsed results, in file order: the objects as JSON.parse made them, with
 * `bbox`, `area` and every other field, and the keypoint triples as written. The column is scored and exported
 * from these, so the app scores what `keypoint-bench score` scores (the evaluation reads only the validated
 * fields, which hold the same numbers) and "Export COCO results" gives the file back.
 *
 * parseResults keeps accepted entries in file order as new objects of the fields it checked, with the file's own
 * numbers (the only values it converts are non-finite markers, which it rejects). So each parsed result is the
 * next entry holding exactly its fields: an entry it skipped always differs in one of them. Should none hold
 * it, the parsed object stands in, so scoring never loses a detection.
 */
export function fileEntriesOf(entries: readonly unknown[], parsed: readonly CocoKeypointResult[]): CocoKeypointResult[] {
  const out: CocoKeypointResult[] = [];
  let next = 0;
  for (const result of parsed) {
    let found = -1;
    for (let i = next; i < entries.length; i++) {
      if (holdsResult(entries[i], result)) {
        found = i;
        break;
      }
    }
    if (found < 0) {
      out.push(result);
      continue;
    }
    // Validated above: every field the evaluation reads is there with the parsed value.
    out.push(entries[found] as CocoKeypointResult);
    next = found + 1;
  }
  return out;
}
