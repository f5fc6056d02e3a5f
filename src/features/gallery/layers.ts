import { SKELETONS } from '../../core/skeletons';
import type { ModelInfo } from '../../core/types';
import { MODEL_IDS } from '../../inference/modelCatalogue';
import { modelColour } from '../../render/palette';
import { cellKey, type CellResult } from '../../store/types';
import type { CanvasLayer } from '../../ui/PoseCanvas';

/** The drawable layer of one model's result on one image, or null when there is nothing to draw yet. */
export function layerFor(model: ModelInfo, cell: CellResult | undefined): CanvasLayer | null {
  if (!cell || cell.status !== 'done') return null;
  return {
    modelId: model.id,
    label: model.displayName,
    colour: modelColour(model.id, MODEL_IDS),
    poses: cell.poses,
    skeleton: SKELETONS[model.keypointLayout],
  };
}

export function cellFor(results: Record<string, CellResult>, imageId: string, modelId: string): CellResult | undefined {
  return results[cellKey(imageId, modelId)];
}

export function cellCaption(cell: CellResult | undefined): string {
  if (!cell) return 'waiting';
  switch (cell.status) {
    case 'pending':
    case 'running':
      return 'running…';
    case 'error':
      return `error: ${cell.error ?? 'unknown'}`;
    case 'done': {
      const people = cell.poses.length === 1 ? '1 pose' : `${cell.poses.length} poses`;
      return `${cell.latencyMs === null ? '—' : cell.latencyMs.toFixed(1)} ms · ${people}`;
    }
  }
}
