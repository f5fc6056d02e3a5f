/**
 * One model's predictions on images without ground truth, as a COCO keypoints file in the model's own layout:
 * `images`, one `categories` entry carrying the layout (keypoint names and the 1-based skeleton COCO uses), and
 * `annotations` with the keypoints `[x, y, 2]` and the detection `score`. Every keypoint a model gives is placed, so
 * its COCO visibility is 2 and the model's confidence goes to `keypoint_scores`: the file then loads as COCO ground
 * truth (pycocotools' COCO(), this app's parser, a labelling tool starting from it) and its annotations as a COCO
 * results list (which never reads v). What COCO has no field for travels in extra keys: `keypoint_scores`,
 * `keypoints_z` (the model's relative depth), `world_keypoints` (metric 3D, with `world_unit`) and per-instance
 * labels such as `handedness`.
 */

import type { KeypointLayout } from '../layouts';
import type { ImageSizePx, Pose } from '../types';

export interface PredictedImage {
  /** The file name as the user has it (relative to the images folder). */
  fileName: string;
  sizePx: ImageSizePx;
  poses: readonly Pose[];
}

export interface PredictionsFileInput {
  modelId: string;
  modelName: string;
  runtime: string;
  backend: string;
  layout: KeypointLayout;
  images: readonly PredictedImage[];
  /** Provenance fields (app version, date, weights) copied into `info`. */
  info: Record<string, unknown>;
}

interface PredictionAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  keypoints: number[];
  keypoint_scores: number[];
  num_keypoints: number;
  score: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0;
  keypoints_z?: number[];
  world_keypoints?: number[];
  world_unit?: string;
  [label: string]: unknown;
}

/** COCO's category names (its people are 'person'); a layout of another kind is named after itself. */
const CATEGORY_NAME_OF_KIND: Partial<Record<KeypointLayout['kind'], string>> = { body: 'person', hand: 'hand', face: 'face' };

/** COCO's keypoint round-off: two decimals are far below a pixel and keep files small. */
const round2 = (v: number): number => Math.round(v * 100) / 100;
const round4 = (v: number): number => Math.round(v * 1e4) / 1e4;

/** The tight box around a pose's keypoints, COCO `[x, y, w, h]`; its area stands in for the segmentation area. */
function keypointBox(pose: Pose): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const k of pose.keypoints) {
    if (!Number.isFinite(k.x) || !Number.isFinite(k.y)) continue;
    minX = Math.min(minX, k.x);
    maxX = Math.max(maxX, k.x);
    minY = Math.min(minY, k.y);
    maxY = Math.max(maxY, k.y);
  }
  if (maxX < minX) return [0, 0, 0, 0];
  return [round2(minX), round2(minY), round2(maxX - minX), round2(maxY - minY)];
}

/**
 * The file as a plain object (JSON.stringify it). Poses with a non-finite score or coordinate are left out, as
 * in every COCO export of the app (JSON cannot carry NaN). Image ids are 1… in the given order.
 */
export function predictionsFile(input: PredictionsFileInput): Record<string, unknown> {
  const { layout } = input;
  const categoryId = 1;
  const annotations: PredictionAnnotation[] = [];
  input.images.forEach((image, index) => {
    const imageId = index + 1;
    for (const pose of image.poses) {
      if (!Number.isFinite(pose.score) || pose.keypoints.length !== layout.keypointNames.length) continue;
      if (pose.keypoints.some((k) => !Number.isFinite(k.x) || !Number.isFinite(k.y))) continue;
      const bbox = keypointBox(pose);
      const annotation: PredictionAnnotation = {
        id: annotations.length + 1,
        image_id: imageId,
        category_id: categoryId,
        keypoints: pose.keypoints.flatMap((k) => [round2(k.x), round2(k.y), 2]),
        keypoint_scores: pose.keypoints.map((k) => round4(Number.isFinite(k.score) ? k.score : 0)),
        num_keypoints: pose.keypoints.length,
        score: round4(pose.score),
        bbox,
        area: round2(bbox[2] * bbox[3]),
        iscrowd: 0,
      };
      if (pose.keypoints.some((k) => k.z !== undefined)) annotation.keypoints_z = pose.keypoints.map((k) => round2(k.z ?? 0));
      if (pose.world) {
        annotation.world_keypoints = pose.world.keypoints.flatMap((k) => [round4(k.x), round4(k.y), round4(k.z)]);
        annotation.world_unit = pose.world.unit;
      }
      for (const [name, label] of Object.entries(pose.labels ?? {})) {
        annotation[name] = label.value;
        annotation[`${name}_score`] = round4(label.score);
      }
      annotations.push(annotation);
    }
  });
  return {
    info: { description: `${input.modelName} predictions (Keypoint Bench)`, model: input.modelId, runtime: input.runtime, backend: input.backend, ...input.info },
    images: input.images.map((image, index) => ({ id: index + 1, file_name: image.fileName, width: image.sizePx.width, height: image.sizePx.height })),
    categories: [
      {
        id: categoryId,
        name: CATEGORY_NAME_OF_KIND[layout.kind] ?? layout.displayName,
        supercategory: layout.kind,
        keypoint_layout: layout.id,
        keypoints: [...layout.keypointNames],
        skeleton: layout.edges.map(([a, b]) => [a + 1, b + 1]),
      },
    ],
    annotations,
  };
}
