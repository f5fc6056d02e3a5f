/**
 * Where a model looks inside its input image, as its authors' single-image recipes define it. Pure
 * geometry: the adapters turn these regions into crops, and map keypoints back with the same numbers.
 * See docs/model-input-audit.md for what each model's reference implementation does.
 */

import type { ImageSizePx } from './types';

/**
 * A crop box in coordinates normalised to the image (0 = top/left edge, 1 = bottom/right edge), as
 * `tf.image.cropAndResize` takes it. Values outside [0, 1] reach past the image: those samples are padding.
 */
export interface NormalizedBox {
  yMin: number;
  xMin: number;
  yMax: number;
  xMax: number;
}

/**
 * The square that holds the whole image, centred, with the short side padded equally on both sides:
 * MoveNet SinglePose's reference single-image recipe (`tf.image.resize_with_pad` to the square model
 * input, in Google's MoveNet tutorial). pose-detection's own first-frame crop is instead the centre
 * square of side min(width, height), which cuts a standing person's head and feet off.
 */
export function paddedSquareBox(image: ImageSizePx): NormalizedBox {
  const sidePx = Math.max(image.width, image.height);
  const padXFraction = (sidePx - image.width) / 2 / image.width;
  const padYFraction = (sidePx - image.height) / 2 / image.height;
  return { yMin: -padYFraction, xMin: -padXFraction, yMax: 1 + padYFraction, xMax: 1 + padXFraction };
}

/** A point given in [0, 1] coordinates of `box` (the model's output space), in image pixels. */
export function boxPointToImagePx(box: NormalizedBox, image: ImageSizePx, xInBox: number, yInBox: number): { x: number; y: number } {
  return {
    x: (box.xMin + xInBox * (box.xMax - box.xMin)) * image.width,
    y: (box.yMin + yInBox * (box.yMax - box.yMin)) * image.height,
  };
}

/**
 * BlazePose's region of interest in MediaPipe's normalised rect form (centre, size, rotation in radians),
 * the form its landmark stage takes (pose-detection's `Rect`).
 */
export interface NormalizedRect {
  xCenter: number;
  yCenter: number;
  width: number;
  height: number;
  rotation: number;
}

/**
 * MediaPipe's margin around the person region before the landmark network: `RectTransformationCalculator`
 * with scale 1.25 and `square_long` in `pose_detection_to_roi.pbtxt` / `pose_landmarks_to_roi.pbtxt`.
 */
export const BLAZEPOSE_ROI_SCALE = 1.25;

/**
 * "Landmarks given the box": the region BlazePose's landmark network gets when the person's box is known,
 * in place of the one its own detector would produce. MediaPipe's detector gives two alignment points, the
 * body's centre (mid-hips) and a point on the circle that circumscribes the whole body; the region is the
 * square on that circle's diameter, grown by 1.25 (`AlignmentPointsRectsCalculator` + `RectTransformation`).
 * From a box the same construction is the circle that circumscribes the box: centred on the box, with its
 * diagonal as diameter, × 1.25, upright (a box carries no body orientation, so rotation is 0).
 * Measured on the 121 labelled persons of the dev photos, BlazePose full / heavy found a pose on 71 / 91 of
 * them this way against 60 / 92 with the box's long side instead of its diagonal, and 67 / 72 with their own
 * detector in the crop.
 * @param boxPx `[x, y, width, height]` in image pixels (a COCO bbox)
 */
export function blazePoseRoiFromBox(boxPx: readonly [number, number, number, number], image: ImageSizePx): NormalizedRect {
  const [x, y, width, height] = boxPx;
  const sidePx = Math.max(Math.hypot(width, height), 1) * BLAZEPOSE_ROI_SCALE;
  return {
    xCenter: (x + width / 2) / image.width,
    yCenter: (y + height / 2) / image.height,
    width: sidePx / image.width,
    height: sidePx / image.height,
    rotation: 0,
  };
}
