import type { ImageSizePx } from './types';

/** EXIF Orientation tag values. 5–8 swap width and height. */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** Size of the upright image that a stored image of `storedSize` shows as. */
export function orientedSize(storedSize: ImageSizePx, orientation: ExifOrientation): ImageSizePx {
  return orientation >= 5 ? { width: storedSize.height, height: storedSize.width } : { ...storedSize };
}
