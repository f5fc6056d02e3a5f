import type { ImageSizePx, Pose } from './types';

/**
 * "Person crops" protocol: each ground-truth person box grown by this fraction of its width and
 * height on every side, clamped to the image. Measured on the test photos: at 0–10% MoveNet pulls
 * head and ankles inward (~60 px); at 50% neighbours enter the crop and single-person models lock
 * onto them; 25% keeps the person whole and mostly alone.
 */
export const PERSON_CROP_MARGIN_FRACTION = 0.25;

/** Integer pixel rectangle inside an image, in original-image pixels. */
export interface CropPx {
  xPx: number;
  yPx: number;
  widthPx: number;
  heightPx: number;
}

/** A COCO bbox [x, y, w, h] grown by `marginFraction` on each side, clamped to the image, snapped outward to whole pixels. */
export function personCrop(
  bbox: readonly [number, number, number, number],
  imageSize: ImageSizePx,
  marginFraction = PERSON_CROP_MARGIN_FRACTION,
): CropPx {
  const [x, y, width, height] = bbox;
  const left = Math.max(0, Math.floor(x - marginFraction * width));
  const top = Math.max(0, Math.floor(y - marginFraction * height));
  const right = Math.min(imageSize.width, Math.ceil(x + width + marginFraction * width));
  const bottom = Math.min(imageSize.height, Math.ceil(y + height + marginFraction * height));
  return { xPx: left, yPx: top, widthPx: Math.max(1, right - left), heightPx: Math.max(1, bottom - top) };
}

/** Poses found inside a crop, moved into full-image pixels. */
export function posesFromCrop(poses: readonly Pose[], crop: CropPx): Pose[] {
  return poses.map((pose) => ({
    score: pose.score,
    keypoints: pose.keypoints.map((k) => ({ ...k, x: k.x + crop.xPx, y: k.y + crop.yPx })),
  }));
}

/** A crop scaled into a downscaled bitmap's pixels (`scaleToImagePx` = original px per bitmap px), kept inside it. */
export function cropInBitmapPx(crop: CropPx, scaleToImagePx: number, bitmapSize: ImageSizePx): CropPx {
  const x = Math.max(0, Math.floor(crop.xPx / scaleToImagePx));
  const y = Math.max(0, Math.floor(crop.yPx / scaleToImagePx));
  const right = Math.min(bitmapSize.width, Math.ceil((crop.xPx + crop.widthPx) / scaleToImagePx));
  const bottom = Math.min(bitmapSize.height, Math.ceil((crop.yPx + crop.heightPx) / scaleToImagePx));
  return { xPx: x, yPx: y, widthPx: Math.max(1, right - x), heightPx: Math.max(1, bottom - y) };
}
