/** Longest side, in pixels, of the thumbnail kept per image for the gallery grid. */
export const THUMBNAIL_MAX_SIDE_PX = 512;
/**
 * Longest side, in pixels, of the pixels given to the models. Every model resizes to ≤385 px
 * (BlazePose crops a person first), so a larger image costs decoding and memory, not accuracy;
 * keypoints are scaled back to original pixels.
 */
export const INFERENCE_MAX_SIDE_PX = 1600;

/** The inference size of an upright image of `sizePx`: at most INFERENCE_MAX_SIDE_PX on its longer side. */
export function inferenceSizePx(sizePx: { widthPx: number; heightPx: number }, maxSidePx = INFERENCE_MAX_SIDE_PX): { widthPx: number; heightPx: number; scaleToImagePx: number } {
  const scale = Math.min(1, maxSidePx / Math.max(sizePx.widthPx, sizePx.heightPx));
  if (scale === 1) return { ...sizePx, scaleToImagePx: 1 };
  const widthPx = Math.max(1, Math.round(sizePx.widthPx * scale));
  const heightPx = Math.max(1, Math.round(sizePx.heightPx * scale));
  return { widthPx, heightPx, scaleToImagePx: sizePx.widthPx / widthPx };
}
