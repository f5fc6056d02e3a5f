/** Longest side, in pixels, of the thumbnail kept per image for the gallery grid. */
export const THUMBNAIL_MAX_SIDE_PX = 512;

/** The thumbnail size of an upright image of `sizePx`: what the image worker makes, so the page knows it before decoding. */
export function thumbnailSizePx(sizePx: { widthPx: number; heightPx: number }, maxSidePx = THUMBNAIL_MAX_SIDE_PX): { width: number; height: number } {
  const scale = Math.min(1, maxSidePx / Math.max(sizePx.widthPx, sizePx.heightPx));
  return { width: Math.max(1, Math.round(sizePx.widthPx * scale)), height: Math.max(1, Math.round(sizePx.heightPx * scale)) };
}
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

/**
 * Largest image, in pixels, the app decodes: 100 megapixels (e.g. 12000×8333), four times a 24 MP camera's and
 * twice a 50 MP phone's. Decoded, an image takes 4 bytes per pixel, in the thumbnail decoder and again in the
 * inference worker: 400 MB each at this limit, 1.6 GB each for a 20000×20000 image, which can take the tab's
 * memory. The size is read from the file's header, so a larger image is refused before anything decodes it.
 */
export const MAX_IMAGE_PIXELS = 100_000_000;

/** "100 megapixels": the limit as the messages name it. */
export function megapixelsText(pixels: number): string {
  const mp = pixels / 1_000_000;
  return `${mp >= 10 ? mp.toFixed(0) : mp.toFixed(1)} megapixels`;
}
