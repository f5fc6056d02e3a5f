import type { CocoKeypointResult } from '../core/coco/cocoTypes';
import { DEFAULT_COCO_LAYOUT, groundTruthLayout, layoutById, type KeypointLayout } from '../core/layouts';
import type { Pose } from '../core/types';
import { MODEL_IDS, MODELS } from '../inference/modelCatalogue';
import { modelColour } from '../render/palette';
import { useAppStore, type AppState } from './appStore';
import { effectiveProtocol, type ExternalColumn } from './evaluationSlice';
import { groundTruthIndex } from './groundTruthIndex';
import { cellKey, type CellResult } from './types';

/** A gallery/metrics column: a built-in model, or predictions imported from a COCO results file. */
export interface Column {
  id: string;
  kind: 'model' | 'external';
  label: string;
  colour: string;
  /** The layout its poses are in: the model's, or for imported predictions the ground truth's. */
  layout: KeypointLayout;
}

const modelById = new Map(MODELS.map((m) => [m.id, m]));

/** Colours continue after the built-in models, so imported columns never share a model's colour. */
function externalColour(index: number): string {
  return modelColour(`ext-${index}`, [...MODEL_IDS, ...Array.from({ length: index + 1 }, (_, i) => `ext-${i}`)]);
}

let columnsCache: {
  selectedModelIds: AppState['selectedModelIds'];
  externalColumns: AppState['externalColumns'];
  groundTruth: AppState['groundTruth'];
  columns: Column[];
} | null = null;

/** The layout the ground truth labels (imported predictions are read in it), or COCO's person without one. */
export function groundTruthLayoutOf(groundTruth: AppState['groundTruth']): KeypointLayout {
  return groundTruth ? groundTruthLayout(groundTruth.dataset).layout : DEFAULT_COCO_LAYOUT;
}

/** Columns in display order; the same array (and objects) until the selection, the imports or the ground truth change. */
export function columnsOf(state: Pick<AppState, 'selectedModelIds' | 'externalColumns' | 'groundTruth'>): Column[] {
  if (
    columnsCache &&
    columnsCache.selectedModelIds === state.selectedModelIds &&
    columnsCache.externalColumns === state.externalColumns &&
    (state.externalColumns.length === 0 || columnsCache.groundTruth === state.groundTruth)
  ) {
    return columnsCache.columns;
  }
  const columns: Column[] = [];
  for (const id of state.selectedModelIds) {
    const model = modelById.get(id);
    if (model) columns.push({ id, kind: 'model', label: model.displayName, colour: modelColour(id, MODEL_IDS), layout: layoutById(model.keypointLayout) });
  }
  const externalLayout = groundTruthLayoutOf(state.groundTruth);
  state.externalColumns.forEach((external, index) => {
    columns.push({ id: external.id, kind: 'external', label: external.name, colour: externalColour(index), layout: externalLayout });
  });
  columnsCache = { selectedModelIds: state.selectedModelIds, externalColumns: state.externalColumns, groundTruth: state.groundTruth, columns };
  return columns;
}

export function useColumns(): Column[] {
  return useAppStore(columnsOf);
}

/**
 * A COCO result triple's third value may be a visibility flag (0/1/2) or a score; either way map it to [0, 1] for
 * the confidence threshold of the drawing. Only drawing reads this: imported columns are scored and exported from
 * the file's own entries (evaluationResults), which this never changes.
 */
function keypointScore(x: number, y: number, v: number): number {
  if (v > 0) return Math.min(1, v);
  return x === 0 && y === 0 ? 0 : 1;
}

/** One imported detection as a pose to draw (not to score: the conversion drops `bbox` and rescales v). */
export function resultToPose(result: CocoKeypointResult, keypointNames: readonly string[]): Pose {
  const keypoints = keypointNames.map((name, i) => {
    const x = result.keypoints[i * 3] ?? 0;
    const y = result.keypoints[i * 3 + 1] ?? 0;
    return { name, x, y, score: keypointScore(x, y, result.keypoints[i * 3 + 2] ?? 0) };
  });
  return { keypoints, score: result.score };
}

let externalCache: { externalColumns: ExternalColumn[]; gt: AppState['groundTruth']; images: AppState['images']; cells: Map<string, CellResult> } | null = null;

/** Cells of imported-prediction columns, keyed like model cells (protocol 'whole'): poses to draw per added image. */
export function externalCells(state: Pick<AppState, 'externalColumns' | 'groundTruth' | 'images'>): Map<string, CellResult> {
  if (externalCache && externalCache.externalColumns === state.externalColumns && externalCache.gt === state.groundTruth && externalCache.images === state.images) {
    return externalCache.cells;
  }
  const cells = new Map<string, CellResult>();
  const index = groundTruthIndex(state.groundTruth, state.images);
  if (index) {
    const { keypointNames } = groundTruthLayout(index.dataset).layout;
    for (const column of state.externalColumns) {
      const posesByImage = new Map<string, Pose[]>();
      for (const result of column.results) {
        const appImageId = index.appImageIdByGtImageId.get(result.image_id);
        if (!appImageId) continue;
        const list = posesByImage.get(appImageId) ?? [];
        list.push(resultToPose(result, keypointNames));
        posesByImage.set(appImageId, list);
      }
      for (const [imageId] of index.gtImageByAppImageId) {
        cells.set(cellKey(imageId, column.id), {
          status: 'done',
          poses: (posesByImage.get(imageId) ?? []).sort((a, b) => b.score - a.score),
          imageLatencyMs: null,
          inferences: null,
          backend: null,
          requestId: null,
          error: null,
        });
      }
    }
  }
  externalCache = { externalColumns: state.externalColumns, gt: state.groundTruth, images: state.images, cells };
  return cells;
}

/** The result shown for one image in one column under the current protocol. */
export function cellOf(state: AppState, imageId: string, column: Column): CellResult | undefined {
  if (column.kind === 'external') return externalCells(state).get(cellKey(imageId, column.id));
  return state.results[cellKey(imageId, column.id, effectiveProtocol(state))];
}
