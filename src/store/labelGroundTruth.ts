/**
 * From an error to its fix: worst-first surfaces an image whose ground truth looks wrong; this opens it in Label
 * mode, starting the labels from the ground truth in use when nothing is being labelled yet. The labels, scored
 * as the new ground truth, update the metrics from the results already computed: no model runs again (under
 * person crops, only crops whose box changed are new work).
 */
import { parseGroundTruth } from '../core/coco/parseGroundTruth';
import { exportCoco, importCoco } from '../core/labelling';
import { useAppStore } from './appStore';
import { groundTruthFile } from './jsonImport';

const readyImages = () =>
  useAppStore
    .getState()
    .images.filter((im) => im.status === 'ready')
    .map((im) => ({ fileName: im.name, widthPx: im.widthPx, heightPx: im.heightPx }));

/** Opens `fileName` in Label mode; starts labelling from the ground truth in use if there are no labels yet. */
export async function openInLabelMode(fileName: string): Promise<void> {
  const store = useAppStore.getState();
  if (!store.labelHistory && store.groundTruth) {
    const file = groundTruthFile(store.groundTruth);
    // The file itself keeps every field; a session restored after a reload holds only what the evaluation reads.
    const raw: unknown = file ? JSON.parse(await file.text()) : { ...store.groundTruth.dataset };
    const { doc, problems } = importCoco(raw, readyImages());
    if (!doc) {
      store.pushNotice('evaluation', `${store.groundTruth.fileName}: cannot be labelled here (${problems.map((p) => p.message).join('; ')})`);
      return;
    }
    useAppStore.getState().startLabelling(doc);
    if (!file) {
      store.pushNotice(
        'evaluation',
        `Labelling ${store.groundTruth.fileName} from the copy saved with this session, which keeps what the evaluation reads (images, keypoints, boxes, areas, categories) but not segmentation, info or licenses: add the file again before labelling to keep them in the export.`,
      );
    }
  }
  useAppStore.getState().setLabelCursor({ fileName, personKey: null, keypointIndex: 0 });
  useAppStore.getState().setMainView('label');
}

/** The labels become the ground truth the metrics are computed against (a named copy, not the imported file). */
export function scoreAgainstLabels(): boolean {
  const store = useAppStore.getState();
  const doc = store.labelHistory?.present;
  if (!doc) return false;
  const parsed = parseGroundTruth(exportCoco(doc));
  if (!parsed.value) {
    store.pushNotice('evaluation', `The labels cannot be read as ground truth: ${parsed.problems.map((p) => p.message).join('; ')}`);
    return false;
  }
  store.setGroundTruth({ fileName: 'labels made here', sha256: null, dataset: parsed.value, problems: parsed.problems });
  return true;
}
