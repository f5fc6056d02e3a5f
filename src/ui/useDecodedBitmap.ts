import { useEffect, useState } from 'react';
import { decodeForInference } from '../media/imageFiles';
import type { ImageItem } from '../store/types';

/**
 * The image decoded upright at most `maxSidePx` on its longer side, for a large view; null while it decodes.
 * The bitmap is closed when the image changes or the view goes, so large photos do not pile up in memory.
 */
export function useDecodedBitmap(image: ImageItem | undefined, maxSidePx: number): ImageBitmap | null {
  const [bitmap, setBitmap] = useState<ImageBitmap | null>(null);
  useEffect(() => {
    if (!image || image.status !== 'ready') return;
    let cancelled = false;
    let decoded: ImageBitmap | null = null;
    void decodeForInference(image.file, image, maxSidePx).then(({ bitmap: b }) => {
      if (cancelled) b.close();
      else {
        decoded = b;
        setBitmap(b);
      }
    });
    return () => {
      cancelled = true;
      decoded?.close();
      setBitmap(null);
    };
  }, [image, maxSidePx]);
  return bitmap;
}
