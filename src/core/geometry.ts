import type { ImageSizePx, Pose } from './types';

/** Multiplies every keypoint coordinate by `factor` (e.g. from a downscaled bitmap back to original pixels). */
export function scalePoses(poses: Pose[], factor: number): Pose[] {
  if (factor === 1) return poses;
  return poses.map((pose) => ({
    ...pose,
    // z is in the same pixel scale as x (MediaPipe's convention), so it scales with it; world keypoints are metres.
    keypoints: pose.keypoints.map((k) => ({ ...k, x: k.x * factor, y: k.y * factor, ...(k.z !== undefined ? { z: k.z * factor } : {}) })),
  }));
}

/**
 * Maps image pixels to canvas pixels: uniform scale then offset, optionally mirrored
 * horizontally (webcam selfie view). The one place the two spaces are converted.
 */
export interface ImageToCanvas {
  scale: number;
  offsetXPx: number;
  offsetYPx: number;
  /** When set, x is mirrored inside an image of this width before scaling. */
  mirrorWidthPx?: number;
}

/** Largest uniform scale that fits `image` inside `box`, centred (letterboxed). Never upscales beyond `maxScale`. */
export function fitImage(image: ImageSizePx, box: ImageSizePx, maxScale = Number.POSITIVE_INFINITY): ImageToCanvas {
  const scale = Math.min(box.width / image.width, box.height / image.height, maxScale);
  return {
    scale,
    offsetXPx: (box.width - image.width * scale) / 2,
    offsetYPx: (box.height - image.height * scale) / 2,
  };
}

export function imageToCanvasPx(t: ImageToCanvas, xImagePx: number, yImagePx: number): { x: number; y: number } {
  const x = t.mirrorWidthPx !== undefined ? t.mirrorWidthPx - xImagePx : xImagePx;
  return { x: t.offsetXPx + x * t.scale, y: t.offsetYPx + yImagePx * t.scale };
}

export function canvasToImagePx(t: ImageToCanvas, xCanvasPx: number, yCanvasPx: number): { x: number; y: number } {
  const x = (xCanvasPx - t.offsetXPx) / t.scale;
  return { x: t.mirrorWidthPx !== undefined ? t.mirrorWidthPx - x : x, y: (yCanvasPx - t.offsetYPx) / t.scale };
}

/** Scale that makes an image's longer side at most `maxSidePx` (1 when it already fits). */
export function downscaleFactor(image: ImageSizePx, maxSidePx: number): number {
  return Math.min(1, maxSidePx / Math.max(image.width, image.height));
}

export interface KeypointHit<T> {
  owner: T;
  poseIndex: number;
  keypointIndex: number;
  distanceCanvasPx: number;
}

/**
 * The keypoint nearest to a canvas point within `radiusCanvasPx`, over several models' poses;
 * only keypoints at or above `minScore` count (the ones drawn).
 */
export function nearestKeypoint<T>(
  posesByOwner: readonly { owner: T; poses: readonly Pose[] }[],
  t: ImageToCanvas,
  pointCanvasPx: { x: number; y: number },
  radiusCanvasPx: number,
  minScore: number,
): KeypointHit<T> | null {
  let best: KeypointHit<T> | null = null;
  for (const { owner, poses } of posesByOwner) {
    poses.forEach((pose, poseIndex) => {
      pose.keypoints.forEach((keypoint, keypointIndex) => {
        if (keypoint.score < minScore) return;
        const p = imageToCanvasPx(t, keypoint.x, keypoint.y);
        const distanceCanvasPx = Math.hypot(p.x - pointCanvasPx.x, p.y - pointCanvasPx.y);
        if (distanceCanvasPx <= radiusCanvasPx && (!best || distanceCanvasPx < best.distanceCanvasPx)) {
          best = { owner, poseIndex, keypointIndex, distanceCanvasPx };
        }
      });
    });
  }
  return best;
}

/** A zoom of a fitted view: `factor` × the fitted scale, centred on a point of the image (original pixels). */
export interface ZoomView {
  factor: number;
  centerImagePx: { x: number; y: number };
}

/**
 * The zoomed transform: `factor` × the fitted scale, centred on `centerImagePx`, clamped so the image still fills
 * the box. The screen (ui/PoseCanvas) and the screenshot export both use it, so an export shows what was on screen.
 */
export function zoomedTransform(fit: ImageToCanvas, zoom: ZoomView, box: { width: number; height: number }, image: { width: number; height: number }): ImageToCanvas {
  const scale = fit.scale * zoom.factor;
  const clamp = (value: number, size: number, viewport: number) => {
    const half = viewport / (2 * scale);
    return size * scale <= viewport ? size / 2 : Math.min(size - half, Math.max(half, value));
  };
  const cx = clamp(zoom.centerImagePx.x, image.width, box.width);
  const cy = clamp(zoom.centerImagePx.y, image.height, box.height);
  return { scale, offsetXPx: box.width / 2 - cx * scale, offsetYPx: box.height / 2 - cy * scale };
}
