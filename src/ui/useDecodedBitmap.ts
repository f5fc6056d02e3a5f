import { useEffect, useState } from 'react';
import { decodeForInference } from '../media/imageFiles';
import type { ImageItem } from '../store/types';

/**
 * The image decoded upright at most `maxSidePx` on its longer side, for a large view; null while it decodes.
 * The bitmap is closed when the image changes or the view goes, so large photos do not pile up in memory.
 *
 * The bitmap is returned only for the image it was decoded from: in the render where `image` changes, the old one
 * is still in state, and its effect cleanup closes it before the next draw (drawing a closed bitmap throws).
 */
export function useDecodedBitmap(image: ImageItem | undefined, maxSidePx: number): ImageBitmap | null {
  const [decoded, setDecoded] = useState<{ image: ImageItem; maxSidePx: number; bitmap: ImageBitmap } | null>(null);
  useEffect(() => {
    if (!image || image.status !== 'ready') return;
    let cancelled = false;
    let bitmap: ImageBitmap | null = null;
    void decodeForInference(image.file, image, maxSidePx).then(({ bitmap: b }) => {
      if (cancelled) b.close();
      else {
        bitmap = b;
        setDecoded({ image, maxSidePx, bitmap: b });
      }
    });
    return () => {
      cancelled = true;
      bitmap?.close();
      setDecoded(null);
    };
  }, [image, maxSidePx]);
  return decoded && decoded.image === image && decoded.maxSidePx === maxSidePx ? decoded.bitmap : null;
}
