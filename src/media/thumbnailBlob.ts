/**
 * Thumbnails as files: the page holds a thousand of them in ~50 MB instead of ~1 GB of pixels, a restored
 * session shows its gallery without decoding every full-size photo again, and they are saved as they are.
 * JPEG: thumbnails have no alpha, and it is a tenth of a PNG's size.
 */
const THUMBNAIL_JPEG_QUALITY = 0.9;

export async function thumbnailToBlob(bitmap: ImageBitmap): Promise<Blob> {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas to encode the thumbnail');
  context.drawImage(bitmap, 0, 0);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: THUMBNAIL_JPEG_QUALITY });
}
