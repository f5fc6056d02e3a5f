import { useShallow } from 'zustand/react/shallow';
import { cropTargets } from '../core/evaluation/protocol';
import { pairPosesWithAnnotations } from '../core/gtMatching';
import { groundTruthLayout, layoutMapping, mapPose } from '../core/layouts';
import { useAppStore, type AppState } from '../store/appStore';
import type { Column } from '../store/columns';
import { effectiveProtocol } from '../store/evaluationSlice';
import { groundTruthIndex } from '../store/groundTruthIndex';
import type { CellResult, ImageItem } from '../store/types';
import type { ErrorLine, GroundTruthLayer } from '../render/drawGroundTruth';
import type { CanvasLayer } from './PoseCanvas';

export type OverlayState = Pick<AppState, 'groundTruth' | 'images' | 'showGroundTruth' | 'confidenceThreshold' | 'evaluationProtocol'>;

/** What cellOverlay reads from the store, as one stable object (changes only when one of its fields does). */
export function useOverlayState(options: { forceGroundTruth?: boolean } = {}): OverlayState {
  const forceGroundTruth = options.forceGroundTruth ?? false;
  return useAppStore(
    useShallow((s) => ({
      groundTruth: s.groundTruth,
      images: s.images,
      showGroundTruth: forceGroundTruth || s.showGroundTruth,
      confidenceThreshold: s.confidenceThreshold,
      evaluationProtocol: s.evaluationProtocol,
    })),
  );
}

export interface CellOverlay {
  layer: CanvasLayer | null;
  groundTruth: GroundTruthLayer | null;
  errorLines: ErrorLine[];
}

/** Everything drawn in one image × column cell: the prediction, and with ground truth the answer and the error lines. */
export function cellOverlay(
  state: OverlayState,
  image: ImageItem,
  column: Column,
  cell: CellResult | undefined,
): CellOverlay {
  const layer: CanvasLayer | null =
    cell && cell.status === 'done'
      ? { modelId: column.id, label: column.label, colour: column.colour, poses: cell.poses, skeleton: column.layout }
      : null;
  const index = state.showGroundTruth ? groundTruthIndex(state.groundTruth, state.images) : null;
  const gtImage = index?.gtImageByAppImageId.get(image.id);
  if (!index || !gtImage) return { layer, groundTruth: null, errorLines: [] };
  const annotations = index.annotationsByGtImageId.get(gtImage.id) ?? [];
  const gtLayout = groundTruthLayout(index.dataset).layout;
  const groundTruth: GroundTruthLayer = {
    skeleton: gtLayout,
    persons: annotations.map((a) => ({ keypoints: a.keypoints, ignored: a.iscrowd === 1 || a.num_keypoints === 0 })),
  };
  // Error lines join each keypoint to its labelled point, so they need the poses in the ground truth's layout.
  const mapping = layer ? layoutMapping(column.layout, gtLayout) : null;
  if (!layer || !mapping) return { layer, groundTruth, errorLines: [] };
  const posesCoco = layer.poses.map((pose) => mapPose(pose, mapping, gtLayout.keypointNames));
  let poseIndexByAnnotation: (number | null)[];
  if (column.kind === 'model' && effectiveProtocol(state) === 'crops') {
    // Under person crops each pose already knows its person.
    const targets = cropTargets(index.dataset, gtImage.id);
    poseIndexByAnnotation = annotations.map((a) => {
      const cropIndex = targets.findIndex((t) => t.annotationId === a.id);
      const poseIndex = posesCoco.findIndex((p) => p.cropIndex === cropIndex);
      return cropIndex >= 0 && poseIndex >= 0 ? poseIndex : null;
    });
  } else {
    poseIndexByAnnotation = pairPosesWithAnnotations(posesCoco, annotations);
  }
  const errorLines: ErrorLine[] = [];
  annotations.forEach((annotation, annotationIndex) => {
    const pose = posesCoco[poseIndexByAnnotation[annotationIndex] ?? -1];
    if (!pose) return;
    pose.keypoints.forEach((keypoint, i) => {
      if ((annotation.keypoints[i * 3 + 2] ?? 0) <= 0 || keypoint.score < state.confidenceThreshold) return;
      errorLines.push({
        fromImagePx: { x: keypoint.x, y: keypoint.y },
        toImagePx: { x: annotation.keypoints[i * 3] ?? 0, y: annotation.keypoints[i * 3 + 1] ?? 0 },
        colour: column.colour,
      });
    });
  });
  return { layer, groundTruth, errorLines };
}

/** The PoseCanvas props that draw an overlay (prediction, ground truth, error lines). */
export function overlayCanvasProps(overlay: CellOverlay | undefined): { layers: CanvasLayer[]; groundTruth: GroundTruthLayer | null; errorLines: ErrorLine[] } {
  return { layers: overlay?.layer ? [overlay.layer] : [], groundTruth: overlay?.groundTruth ?? null, errorLines: overlay?.errorLines ?? [] };
}
