import { parseJsonText } from '../core/coco/jsonInput';
import { parseGroundTruth } from '../core/coco/parseGroundTruth';
import { parseResults } from '../core/coco/parseResults';
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
  state.addExternalColumn({
    id: `ext-${++externalCounter}`,
    name: columnNameFromFile(fileName),
    fileName,
    results: outcome.value,
    problems: outcome.problems,
  });
}

/**
 * Reads a dropped/picked JSON file: an object with images/annotations is ground truth (replacing
 * any earlier one); an array is a COCO results file from another model, which becomes a column
 * (held until ground truth arrives, since its image ids refer to it). Problems are reported with
 * the file name and entry; good entries are kept.
 */
export async function importJsonFile(file: Blob, fileName: string): Promise<void> {
  const store = useAppStore.getState();
  const parsed = parseJsonText(await file.text());
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
    store.setGroundTruth({ fileName, dataset: outcome.value, problems: outcome.problems });
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
