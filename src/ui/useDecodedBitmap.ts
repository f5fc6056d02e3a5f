import { useEffect, useRef, useState } from 'react';
import { decodeForInference } from '../media/imageFiles';
import type { ImageItem } from '../store/types';

/**
 * The image decoded upright at most `maxSidePx` (fixed for the view's life) on its longer side, for a large view;
 * null while it decodes.
 * `neighbours` (the images one step away) are decoded too, after it, so stepping to one shows it at once; every
 * other bitmap is closed as soon as it is not wanted, so large photos do not pile up in memory (at most three live).
 *
 * A bitmap is returned only for the image it was decoded from: in the render where `image` changes, an old one may
 * still be in state, closed by the effect before the next draw (drawing a closed bitmap throws).
 */
export function useDecodedBitmap(image: ImageItem | undefined, maxSidePx: number, neighbours: { previous?: ImageItem | undefined; next?: ImageItem | undefined } = {}): ImageBitmap | null {
  const { previous, next } = neighbours;
  const [decoded, setDecoded] = useState<ReadonlyMap<ImageItem, ImageBitmap>>(new Map());
  /** Decodes started and not closed, by image: `cancelled` once the image is no longer wanted. */
  const inFlight = useRef(new Map<ImageItem, { cancelled: boolean; bitmap: ImageBitmap | null }>());

  useEffect(() => {
    const entries = inFlight.current;
    const drop = (im: ImageItem) => {
      const entry = entries.get(im);
      if (!entry) return;
      entry.cancelled = true;
      entry.bitmap?.close();
      entries.delete(im);
    };
    const wanted = [image, next, previous].filter((im): im is ImageItem => im !== undefined && im.status === 'ready');
    const gone = [...entries.keys()].filter((im) => !wanted.includes(im));
    for (const im of gone) drop(im);
    if (gone.length > 0) setDecoded((map) => new Map([...map].filter(([im]) => !gone.includes(im))));
    // The image on screen is asked for first.
    for (const im of wanted) {
      if (entries.has(im)) continue;
      const entry = { cancelled: false, bitmap: null as ImageBitmap | null };
      entries.set(im, entry);
      void decodeForInference(im.file, im, maxSidePx)
        .then(({ bitmap }) => {
          if (entry.cancelled) return bitmap.close();
          entry.bitmap = bitmap;
          setDecoded((map) => new Map(map).set(im, bitmap));
        })
        // Undecodable here: the view keeps the thumbnail (the file's error is shown where it was added).
        .catch(() => entries.delete(im));
    }
  }, [image, next, previous, maxSidePx]);

  useEffect(() => {
    const entries = inFlight.current;
    return () => {
      for (const entry of entries.values()) {
        entry.cancelled = true;
        entry.bitmap?.close();
      }
      entries.clear();
    };
  }, []);

  return image ? (decoded.get(image) ?? null) : null;
}
