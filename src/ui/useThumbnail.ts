import { useEffect, useState } from 'react';
import { thumbnailCache } from '../media/thumbnailCache';

/**
 * The decoded thumbnail of `file` while the calling view is mounted (pinned in the page's bounded cache), or null
 * until it is decoded or where there is none. A thumbnail already at hand is there on the first render.
 */
export function useThumbnail(file: Blob | null): ImageBitmap | null {
  const [shown, setShown] = useState<{ file: Blob | null; bitmap: ImageBitmap | null }>(() => ({ file, bitmap: file ? thumbnailCache.peek(file) : null }));
  useEffect(() => {
    if (!file) return;
    let live = true;
    void thumbnailCache.acquire(file).then((bitmap) => {
      if (live) setShown((current) => (current.file === file && current.bitmap === bitmap ? current : { file, bitmap }));
    });
    return () => {
      live = false;
      thumbnailCache.release(file);
    };
  }, [file]);
  // A new file: its bitmap if at hand, never the previous file's.
  if (shown.file !== file) return file ? thumbnailCache.peek(file) : null;
  return shown.bitmap;
}
