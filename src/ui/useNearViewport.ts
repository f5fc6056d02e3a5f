import { useEffect, useState, type RefObject } from 'react';

/**
 * True while the element is within `marginPx` of the viewport. Gallery rows far off screen render
 * no canvases (hundreds of images × several models would otherwise hold thousands of bitmaps).
 */
export function useNearViewport(ref: RefObject<Element | null>, marginPx = 800): boolean {
  const [near, setNear] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new IntersectionObserver(([entry]) => setNear(entry?.isIntersecting ?? false), { rootMargin: `${marginPx}px 0px` });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, marginPx]);
  return near;
}
