import { parseJsonText } from '../core/coco/jsonInput';
import { parseGroundTruth } from '../core/coco/parseGroundTruth';
import { parseResults } from '../core/coco/parseResults';
import { sha256Hex } from '../core/evaluation/provenance';
import type { CocoKeypointResult } from '../core/coco/cocoTypes';
import { useAppStore } from './appStore';
import type { PendingPredictions } from './evaluationSlice';

let externalCounter = 0;

/** "hrnet_w32.results.json" → "hrnet_w32": a default column name the user can change. */
function columnNameFromFile(fileName: string): string {
  return fileName.replace(/\.json$/i, '').replace(/[._-]?(results|predictions|preds|dets|detections)$/i, '') || fileName;
}

function addPredictions(fileName: string, json: unknown): void {
  const state = useAppStore.getState();
  const gt = state.groundTruth;
  if (!gt) return;
  const outcome = parseResults(json, { groundTruth: gt.dataset });
  if (!outcome.value) {
    for (const problem of outcome.problems) state.pushNotice('evaluation', `${fileName}: ${problem.message}`);
    return;
  }
  // pycocotools (and so `keypoint-bench score`) refuses such a list; the app refuses the file the same way rather
  // than score something neither of them would.
  const first = outcome.value[0];
  if (first?.bbox && first.bbox.length > 0 && outcome.value.some((r) => !r.bbox || r.bbox.length === 0)) {
    const fileProblems = outcome.problems.filter((p) => p.where === 'file');
    const messages = fileProblems.length > 0 ? fileProblems.map((p) => p.message) : ['the first detection has a bbox but others have none: the COCO evaluation refuses this list'];
    for (const message of messages) state.pushNotice('evaluation', `${fileName}: ${message}; not imported`);
    return;
  }
  state.addExternalColumn({
    id: `ext-${++externalCounter}`,
    name: columnNameFromFile(fileName),
    fileName,
    results: Array.isArray(json) ? fileEntriesOf(json, outcome.value) : outcome.value,
    problems: outcome.problems,
  });
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

/**
 * Reads a dropped/picked JSON file: an object with images/annotations is ground truth (replacing
 * any earlier one); an array is a COCO results file from another model, which becomes a column
 * (held until ground truth arrives, since its image ids refer to it). Problems are reported with
 * the file name and entry; good entries are kept.
 */
export async function importJsonFile(file: Blob, fileName: string): Promise<void> {
  const store = useAppStore.getState();
  // Bytes first: the ground truth's sha256 must be of the file exactly as loaded (provenance in every export).
  const bytes = new Uint8Array(await file.arrayBuffer());
  const parsed = parseJsonText(new TextDecoder().decode(bytes));
  if (!parsed.ok) {
    store.pushNotice('evaluation', `${fileName}: not JSON (${parsed.error})`);
    return;
  }
  const json = parsed.value;
  if (Array.isArray(json)) {
    if (store.groundTruth) addPredictions(fileName, json);
    else {
      store.setPendingPredictions([...store.pendingPredictions, { fileName, json }]);
      store.pushNotice('evaluation', `${fileName}: predictions kept; add the ground-truth annotations.json to match their image ids`);
    }
    return;
  }
  if (json && typeof json === 'object' && ('annotations' in json || 'images' in json)) {
    const outcome = parseGroundTruth(json);
    if (!outcome.value) {
      for (const problem of outcome.problems) store.pushNotice('evaluation', `${fileName}: ${problem.message}`);
      return;
    }
    const sha256 = await sha256Hex(bytes);
    useAppStore.getState().setGroundTruth({ fileName, sha256, dataset: outcome.value, problems: outcome.problems });
    const pending: PendingPredictions[] = useAppStore.getState().pendingPredictions;
    useAppStore.getState().setPendingPredictions([]);
    for (const entry of pending) addPredictions(entry.fileName, entry.json);
    return;
  }
  store.pushNotice(
    'evaluation',
    `${fileName}: neither COCO keypoints ground truth (an object with "images" and "annotations") nor a COCO results list (an array of detections)`,
  );
}
