import type { ImageSizePx } from './types';

/**
 * "Person crops" protocol: each ground-truth person box grown by this fraction of its width and
 * height on every side, clamped to the image. The margin keeps the whole person, with the context
 * around the limbs that the models were trained with, while keeping neighbours mostly out: at 50%
 * neighbours enter the crop and single-person models lock onto them. (An earlier note blamed small
 * margins for MoveNet pulling head and ankles inward; the cause was pose-detection's centre-square
 * first-frame crop, which cut every tall crop: see docs/model-input-audit.md.)
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

/** A COCO bbox `[x, y, width, height]` in pixels. */
export type BoxPx = readonly [number, number, number, number];

/**
 * One person of the person-crops protocol, in the pixels of the image it is given with: the crop that
 * models running their full pipeline see, and the person's box, which "landmarks given the box" models
 * turn into their landmark region (on the full image) instead of running their own detector.
 */
export interface PersonRegion {
  crop: CropPx;
  boxPx: BoxPx;
}

/** A person region scaled into a downscaled bitmap's pixels (`scaleToImagePx` = original px per bitmap px). */
export function personRegionInBitmapPx(region: PersonRegion, scaleToImagePx: number, bitmapSize: ImageSizePx): PersonRegion {
  const [x, y, width, height] = region.boxPx;
  return {
    crop: cropInBitmapPx(region.crop, scaleToImagePx, bitmapSize),
    boxPx: [x / scaleToImagePx, y / scaleToImagePx, width / scaleToImagePx, height / scaleToImagePx],
  };
}

/** A crop scaled into a downscaled bitmap's pixels (`scaleToImagePx` = original px per bitmap px), kept inside it. */
export function cropInBitmapPx(crop: CropPx, scaleToImagePx: number, bitmapSize: ImageSizePx): CropPx {
  const x = Math.max(0, Math.floor(crop.xPx / scaleToImagePx));
  const y = Math.max(0, Math.floor(crop.yPx / scaleToImagePx));
  const right = Math.min(bitmapSize.width, Math.ceil((crop.xPx + crop.widthPx) / scaleToImagePx));
  const bottom = Math.min(bitmapSize.height, Math.ceil((crop.yPx + crop.heightPx) / scaleToImagePx));
  return { xPx: x, yPx: y, widthPx: Math.max(1, right - x), heightPx: Math.max(1, bottom - y) };
}
