import { SKELETONS } from '../../core/skeletons';
import { MODEL_IDS } from '../../inference/modelCatalogue';
import { decodeForInference } from '../../media/imageFiles';
import { modelColour } from '../../render/palette';
import { SCREENSHOT_LAYOUT, type ScreenshotRow, type ScreenshotSpec } from '../../render/screenshot';
import type { AppState } from '../../store/appStore';
import { medianLatencyByModel, selectedModels } from '../../store/selectors';
import { cellKey } from '../../store/types';

/** At most this many rows go into a grid export (the rows on screen, in order). */
const MAX_GRID_ROWS = 12;

/**
 * The current comparison as a screenshot spec: the side-by-side view's image when one is open,
 * otherwise the gallery rows on screen. Returns the bitmaps it decoded so the caller can close them.
 */
export async function buildScreenshotSpec(state: AppState): Promise<{ spec: ScreenshotSpec; ownedBitmaps: ImageBitmap[]; fileStem: string }> {
  const models = selectedModels(state);
  if (models.length === 0) throw new Error('select at least one model to export');
  const focused = state.focusedImageId ? state.images.find((im) => im.id === state.focusedImageId) : undefined;
  const ready = state.images.filter((im) => im.status === 'ready');
  const visible = state.visibleImageIds.map((id) => ready.find((im) => im.id === id)).filter((im) => im !== undefined);
  const chosen = focused ? [focused] : (visible.length > 0 ? visible : ready).slice(0, MAX_GRID_ROWS);
  if (chosen.length === 0) throw new Error('add images before exporting');
  const ownedBitmaps: ImageBitmap[] = [];
  const rows: ScreenshotRow[] = [];
  for (const image of chosen) {
    let source: ImageBitmap | null = image.thumbnail;
    if (focused) {
      const { bitmap } = await decodeForInference(image.file, image, 1600);
      ownedBitmaps.push(bitmap);
      source = bitmap;
    }
    if (!source) continue;
    rows.push({
      imageName: image.name,
      image: source,
      sourceSizePx: { width: source.width, height: source.height },
      imageSizePx: { width: image.widthPx, height: image.heightPx },
      cells: models.map((model) => {
        const cell = state.results[cellKey(image.id, model.id)];
        if (!cell || cell.status !== 'done') {
          return { layer: null, latencyMs: null, note: cell?.status === 'error' ? 'error' : 'not run yet' };
        }
        return {
          layer: { poses: cell.poses, skeleton: SKELETONS[model.keypointLayout], colour: modelColour(model.id, MODEL_IDS) },
          latencyMs: cell.latencyMs,
        };
      }),
    });
  }
  const medians = medianLatencyByModel(state);
  const spec: ScreenshotSpec = {
    title: focused ? `Keypoint Bench — ${focused.name}` : `Keypoint Bench — ${rows.length} image${rows.length === 1 ? '' : 's'} × ${models.length} model${models.length === 1 ? '' : 's'}`,
    columns: models.map((m) => ({ label: m.displayName, colour: modelColour(m.id, MODEL_IDS), medianLatencyMs: medians.get(m.id) ?? null })),
    rows,
    backendLabel: `${state.backend.active ?? 'none'}${state.backend.choice === 'auto' ? ' (Auto)' : ''}`,
    confidenceThreshold: state.confidenceThreshold,
    createdAt: new Date(),
    cellWidthPx: focused ? SCREENSHOT_LAYOUT.singleCellWidthPx : SCREENSHOT_LAYOUT.gridCellWidthPx,
  };
  const stamp = spec.createdAt.toISOString().replace(/[:T]/g, '-').slice(0, 19);
  return { spec, ownedBitmaps, fileStem: `keypoint-bench-${stamp}` };
}
