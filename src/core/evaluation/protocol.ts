/**
 * The two ways Keypoint Bench scores a model against COCO ground truth, and the person crops of the
 * 'crops' protocol. Coordinates are original-image pixels (upright, EXIF applied).
 */

import type { CocoKeypointsGroundTruth } from '../coco/cocoTypes';
import { annotationsOfImage, datasetLookup } from '../coco/datasetLookup';
import { PERSON_CROP_MARGIN_FRACTION, personCrop, type PersonRegion } from '../crops';
import type { ImageSizePx } from '../types';

/**
 * - `'whole'`: one estimate per image on the full frame; scores detection and keypoints together.
 * - `'crops'`: one estimate per ground-truth person on its enlarged box (what single-person models are built
 *   for). Two-stage models still run their own person detector inside the crop, unless they are a
 *   "landmarks given the box" variant (`personInput: 'box'`), which is given the ground-truth box instead.
 */
export type EvaluationProtocol = 'whole' | 'crops';

export const EVALUATION_PROTOCOLS: readonly EvaluationProtocol[] = ['whole', 'crops'];

const marginPercent = Math.round(PERSON_CROP_MARGIN_FRACTION * 100);

/** One sentence per protocol, printed in every report so a number is never read without its protocol. */
export const PROTOCOL_DESCRIPTIONS: Record<EvaluationProtocol, string> = {
  whole:
    'Whole image: each model runs once on the full image and every pose it returns is scored against all ' +
    'ground-truth persons (COCO OKS/AP), so single-person models can find at most one person per image. ' +
    '"Landmarks given the box" models are not run: they need the ground-truth boxes of person crops.',
  crops:
    `Person crops: each model runs once per ground-truth person (not crowd, with labelled keypoints) on that ` +
    `person's box grown by ${marginPercent}% of its width and height on every side and clamped to the image, and ` +
    'the best pose of each crop is scored (COCO OKS/AP). Single-stage models (MoveNet, PoseNet) see the padded ' +
    'crop: keypoint accuracy given a perfect person box. Two-stage models run their whole pipeline in the crop, ' +
    'their own person detector included, so a crop where it finds nobody counts as a missed person; their ' +
    '"landmarks given the box" variants skip the detector and run the landmark network on the region derived ' +
    'from the ground-truth box (on the full image), as their pipeline does once it tracks a person.',
};

export function isEvaluationProtocol(value: string): value is EvaluationProtocol {
  return (EVALUATION_PROTOCOLS as readonly string[]).includes(value);
}

/** One person of the 'crops' protocol: its crop and its ground-truth box, in original-image pixels. */
export interface CropTarget extends PersonRegion {
  annotationId: number;
}

/**
 * Ground-truth persons that get a crop under 'crops', in annotation file order: not crowd, with
 * `num_keypoints > 0`. The others are ignored by the COCO evaluation anyway (pycocotools sets their `ignore`),
 * so running a model on them would only cost time. Crop index i of the worker protocol is entry i here.
 *
 * @param imageSizePx the decoded (upright) image size to clamp the crops to. Defaults to the ground truth's
 *   `width`/`height`; pass the decoded size when you have it (it is what the model will be cropping). Without
 *   either, crops are clamped only at the top-left and the caller must clamp them to the image.
 */
export function cropTargets(
  gt: CocoKeypointsGroundTruth,
  imageId: number,
  imageSizePx?: ImageSizePx,
): CropTarget[] {
  const image = datasetLookup(gt).imageById.get(imageId);
  const size: ImageSizePx = imageSizePx ?? {
    width: image?.width ?? Number.POSITIVE_INFINITY,
    height: image?.height ?? Number.POSITIVE_INFINITY,
  };
  return annotationsOfImage(gt, imageId)
    .filter((ann) => ann.iscrowd === 0 && ann.num_keypoints > 0)
    .map((ann) => ({ annotationId: ann.id, crop: personCrop(ann.bbox, size), boxPx: ann.bbox }));
}
