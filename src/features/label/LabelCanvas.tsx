import { useEffect, useLayoutEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { canvasToImagePx, fitImage, imageToCanvasPx, zoomedTransform, type ImageToCanvas, type ZoomView } from '../../core/geometry';
import type { LabelBox, LabelPerson } from '../../core/labelling/labelTypes';

/** Within this many CSS pixels of a keypoint or a box corner, a press grabs it. */
const GRAB_RADIUS_CSS_PX = 9;
/** A press that moves less than this is a click (place a keypoint), not a drag. */
const CLICK_SLOP_CSS_PX = 3;
export const MAX_ZOOM_FACTOR = 16;

export interface LabelCanvasProps {
  image: CanvasImageSource | null;
  sourceSizePx: { width: number; height: number };
  imageSizePx: { width: number; height: number };
  persons: readonly LabelPerson[];
  edges: readonly (readonly [number, number])[];
  keypointNames: readonly string[];
  currentPersonKey: string | null;
  currentKeypointIndex: number;
  drawingBox: boolean;
  zoom: ZoomView | null;
  onZoom: (zoom: ZoomView | null) => void;
  onSelect: (personKey: string, keypointIndex: number | null) => void;
  onMoveKeypoint: (personKey: string, keypointIndex: number, pointImagePx: { x: number; y: number }) => void;
  /** A click where no keypoint is: places the current keypoint there when it is absent. */
  onPlace: (pointImagePx: { x: number; y: number }) => void;
  onBox: (personKey: string | null, box: LabelBox) => void;
  heightCssPx: number;
  /**
   * Set at every draw to the image → CSS pixel transform (zoom included) and the canvas size: for steps given on
   * screen (keyboard nudges) and for keeping the current keypoint in view when zoomed.
   */
  viewRef?: { current: LabelCanvasView };
  /** Which picture `image` is (the decoded photo, or its thumbnail while that decodes), for tests and the bench. */
  pictureKind?: 'full' | 'thumbnail' | 'none';
}

export interface LabelCanvasView {
  transform: ImageToCanvas;
  widthCssPx: number;
  heightCssPx: number;
}

/** Whether an image point shows on the canvas, `marginCssPx` inside its edges. */
export function inView(view: LabelCanvasView, pointImagePx: { x: number; y: number }, marginCssPx: number): boolean {
  const p = imageToCanvasPx(view.transform, pointImagePx.x, pointImagePx.y);
  return p.x >= marginCssPx && p.y >= marginCssPx && p.x <= view.widthCssPx - marginCssPx && p.y <= view.heightCssPx - marginCssPx;
}

type Drag =
  | { kind: 'keypoint'; personKey: string; index: number; startCss: { x: number; y: number }; moved: boolean; atImagePx: { x: number; y: number } }
  | { kind: 'corner'; personKey: string; fixedImagePx: { x: number; y: number }; atImagePx: { x: number; y: number } }
  | { kind: 'newBox'; startImagePx: { x: number; y: number }; atImagePx: { x: number; y: number } }
  | { kind: 'pan'; startCss: { x: number; y: number }; startCenter: { x: number; y: number }; moved: boolean };

const boxFromCorners = (a: { x: number; y: number }, b: { x: number; y: number }): LabelBox => [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(a.x - b.x), Math.abs(a.y - b.y)];

/** The image to label with its persons: drag keypoints and box corners, click to place, drag a new box, wheel to zoom, drag to pan. */
export function LabelCanvas(props: LabelCanvasProps) {
  const { image, sourceSizePx, imageSizePx, persons, edges, keypointNames, currentPersonKey, currentKeypointIndex, drawingBox, zoom, onZoom, heightCssPx } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [widthCssPx, setWidthCssPx] = useState(0);
  const [drag, setDragState] = useState<Drag | null>(null);
  // Pointer events can come faster than renders: the handlers read the drag from here, not from the last render.
  const dragRef = useRef<Drag | null>(null);
  const setDrag = (next: Drag | null) => {
    dragRef.current = next;
    setDragState(next);
  };

  useLayoutEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidthCssPx(el.clientWidth));
    observer.observe(el);
    setWidthCssPx(el.clientWidth);
    return () => observer.disconnect();
  }, []);

  const box = { width: Math.max(1, widthCssPx), height: heightCssPx };
  const fit = fitImage(imageSizePx, box);
  const transform: ImageToCanvas = zoom ? zoomedTransform(fit, zoom, box, imageSizePx) : fit;
  const { viewRef } = props;
  useLayoutEffect(() => {
    if (viewRef) viewRef.current = { transform, widthCssPx: box.width, heightCssPx: box.height };
  });

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || widthCssPx === 0) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(box.width * dpr);
    canvas.height = Math.round(box.height * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#1b1f24';
    ctx.fillRect(0, 0, box.width, box.height);
    const t = transform;
    if (image) {
      ctx.imageSmoothingEnabled = t.scale * (imageSizePx.width / sourceSizePx.width) < 4;
      ctx.drawImage(image, 0, 0, sourceSizePx.width, sourceSizePx.height, t.offsetXPx, t.offsetYPx, imageSizePx.width * t.scale, imageSizePx.height * t.scale);
    }
    const radius = 4.5;
    for (const person of persons) {
      const current = person.key === currentPersonKey;
      const colour = current ? '#ffd400' : '#4fc3f7';
      const points = person.keypoints.map((k, i) => {
        const live = drag?.kind === 'keypoint' && drag.personKey === person.key && drag.index === i ? { ...k, x: drag.atImagePx.x, y: drag.atImagePx.y, v: k.v === 0 ? 2 : k.v } : k;
        return { ...imageToCanvasPx(t, live.x, live.y), v: live.v, reviewed: person.reviewed[i] ?? false };
      });
      let [bx, by, bw, bh] = person.box;
      if (drag?.kind === 'corner' && drag.personKey === person.key) [bx, by, bw, bh] = boxFromCorners(drag.fixedImagePx, drag.atImagePx);
      const tl = imageToCanvasPx(t, bx, by);
      ctx.setLineDash(person.origin.kind === 'prelabel' && !person.reviewed.some(Boolean) ? [5, 4] : []);
      ctx.strokeStyle = colour;
      ctx.lineWidth = current ? 2 : 1;
      ctx.strokeRect(tl.x, tl.y, bw * t.scale, bh * t.scale);
      ctx.setLineDash([]);
      if (current) {
        ctx.fillStyle = colour;
        for (const [cx, cy] of [[bx, by], [bx + bw, by], [bx, by + bh], [bx + bw, by + bh]] as const) {
          const c = imageToCanvasPx(t, cx, cy);
          ctx.fillRect(c.x - 3, c.y - 3, 6, 6);
        }
      }
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = colour;
      for (const [a, b] of edges) {
        const pa = points[a], pb = points[b];
        if (!pa || !pb || pa.v === 0 || pb.v === 0) continue;
        ctx.beginPath();
        ctx.moveTo(pa.x, pa.y);
        ctx.lineTo(pb.x, pb.y);
        ctx.stroke();
      }
      points.forEach((p, i) => {
        if (p.v === 0) return;
        ctx.beginPath();
        ctx.arc(p.x, p.y, radius, 0, Math.PI * 2);
        // Visible: filled; occluded: a ring. Unreviewed pre-labels are orange until someone looks at them.
        const fill = p.reviewed ? colour : '#ff9800';
        if (p.v === 2) {
          ctx.fillStyle = fill;
          ctx.fill();
          ctx.strokeStyle = '#000';
          ctx.lineWidth = 1;
          ctx.stroke();
        } else {
          ctx.strokeStyle = fill;
          ctx.lineWidth = 2;
          ctx.stroke();
        }
        if (current && i === currentKeypointIndex) {
          ctx.beginPath();
          ctx.arc(p.x, p.y, radius + 4, 0, Math.PI * 2);
          ctx.strokeStyle = '#fff';
          ctx.lineWidth = 2;
          ctx.stroke();
        }
      });
    }
    if (drag?.kind === 'newBox') {
      const [x, y, w, h] = boxFromCorners(drag.startImagePx, drag.atImagePx);
      const tl = imageToCanvasPx(t, x, y);
      ctx.strokeStyle = '#ffd400';
      ctx.setLineDash([4, 3]);
      ctx.strokeRect(tl.x, tl.y, w * t.scale, h * t.scale);
      ctx.setLineDash([]);
    }
    // Keypoints and boxes live in image space; the canvas is redrawn whenever any of them changes.
  }, [image, sourceSizePx, imageSizePx, persons, edges, currentPersonKey, currentKeypointIndex, drag, widthCssPx, heightCssPx, transform.scale, transform.offsetXPx, transform.offsetYPx]); // eslint-disable-line react-hooks/exhaustive-deps

  const cssPoint = (event: ReactPointerEvent | WheelEvent) => {
    const rect = canvasRef.current!.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };
  const toImage = (css: { x: number; y: number }) => {
    const p = canvasToImagePx(transform, css.x, css.y);
    return { x: Math.min(imageSizePx.width, Math.max(0, p.x)), y: Math.min(imageSizePx.height, Math.max(0, p.y)) };
  };

  /** The labelled keypoint under a point: the current person's first, so its points win over an overlapping person's. */
  const keypointAt = (css: { x: number; y: number }): { personKey: string; index: number } | null => {
    const ordered = [...persons].sort((a, b) => Number(b.key === currentPersonKey) - Number(a.key === currentPersonKey));
    let best: { personKey: string; index: number; d: number } | null = null;
    for (const person of ordered) {
      person.keypoints.forEach((k, index) => {
        if (k.v === 0) return;
        const p = imageToCanvasPx(transform, k.x, k.y);
        const d = Math.hypot(p.x - css.x, p.y - css.y);
        if (d <= GRAB_RADIUS_CSS_PX && (!best || d < best.d - 0.5)) best = { personKey: person.key, index, d };
      });
      if (best) break;
    }
    return best;
  };

  const cornerAt = (css: { x: number; y: number }): Drag | null => {
    const person = persons.find((p) => p.key === currentPersonKey);
    if (!person) return null;
    const [x, y, w, h] = person.box;
    const corners = [
      [{ x, y }, { x: x + w, y: y + h }],
      [{ x: x + w, y }, { x, y: y + h }],
      [{ x, y: y + h }, { x: x + w, y }],
      [{ x: x + w, y: y + h }, { x, y }],
    ] as const;
    for (const [corner, opposite] of corners) {
      const p = imageToCanvasPx(transform, corner.x, corner.y);
      if (Math.hypot(p.x - css.x, p.y - css.y) <= GRAB_RADIUS_CSS_PX) return { kind: 'corner', personKey: person.key, fixedImagePx: opposite, atImagePx: corner };
    }
    return null;
  };

  const onPointerDown = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const css = cssPoint(event);
    if (drawingBox) {
      const start = toImage(css);
      setDrag({ kind: 'newBox', startImagePx: start, atImagePx: start });
      return;
    }
    const hit = keypointAt(css);
    if (hit) {
      props.onSelect(hit.personKey, hit.index);
      const k = persons.find((p) => p.key === hit.personKey)!.keypoints[hit.index]!;
      setDrag({ kind: 'keypoint', personKey: hit.personKey, index: hit.index, startCss: css, moved: false, atImagePx: { x: k.x, y: k.y } });
      return;
    }
    const corner = cornerAt(css);
    if (corner) {
      setDrag(corner);
      return;
    }
    const t = transform;
    // From the centre shown, not the one asked for: a centre near an edge is clamped, and panning from the asked one
    // would do nothing until the drag made up the difference.
    setDrag({ kind: 'pan', startCss: css, startCenter: { x: (box.width / 2 - t.offsetXPx) / t.scale, y: (box.height / 2 - t.offsetYPx) / t.scale }, moved: false });
  };

  const onPointerMove = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    const current = dragRef.current;
    if (!current) return;
    const css = cssPoint(event);
    if (current.kind === 'keypoint') {
      const moved = current.moved || Math.hypot(css.x - current.startCss.x, css.y - current.startCss.y) > CLICK_SLOP_CSS_PX;
      setDrag({ ...current, moved, atImagePx: moved ? toImage(css) : current.atImagePx });
    } else if (current.kind === 'corner' || current.kind === 'newBox') {
      setDrag({ ...current, atImagePx: toImage(css) });
    } else {
      const dx = css.x - current.startCss.x, dy = css.y - current.startCss.y;
      if (!current.moved && Math.hypot(dx, dy) <= CLICK_SLOP_CSS_PX) return;
      setDrag({ ...current, moved: true });
      // Panning only means something when zoomed in: the fitted view shows the whole image.
      if (zoom) onZoom({ factor: zoom.factor, centerImagePx: { x: current.startCenter.x - dx / transform.scale, y: current.startCenter.y - dy / transform.scale } });
    }
  };

  const onPointerUp = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    const current = dragRef.current;
    setDrag(null);
    if (!current) return;
    if (current.kind === 'keypoint') {
      if (current.moved) props.onMoveKeypoint(current.personKey, current.index, current.atImagePx);
    } else if (current.kind === 'corner') {
      props.onBox(current.personKey, boxFromCorners(current.fixedImagePx, current.atImagePx));
    } else if (current.kind === 'newBox') {
      const b = boxFromCorners(current.startImagePx, current.atImagePx);
      if (b[2] * transform.scale >= 4 && b[3] * transform.scale >= 4) props.onBox(null, b);
    } else if (!current.moved) {
      props.onPlace(toImage(cssPoint(event)));
    }
  };

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    // Not React's onWheel: it is passive, and the page must not scroll while the image zooms.
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const css = cssPoint(event);
      const at = canvasToImagePx(transform, css.x, css.y);
      const factor = Math.min(MAX_ZOOM_FACTOR, Math.max(1, (zoom?.factor ?? 1) * (event.deltaY < 0 ? 1.25 : 0.8)));
      if (factor === 1) return onZoom(null);
      // Keep the image point under the pointer where it is.
      const scale = fit.scale * factor;
      onZoom({ factor, centerImagePx: { x: at.x + (box.width / 2 - css.x) / scale, y: at.y + (box.height / 2 - css.y) / scale } });
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  });

  const current = persons.find((p) => p.key === currentPersonKey);
  const currentName = keypointNames[currentKeypointIndex] ?? '';
  return (
    <div ref={containerRef} className="label-canvas" style={{ height: heightCssPx }}>
      <canvas
        ref={canvasRef}
        data-testid="label-canvas"
        data-scale={transform.scale}
        data-picture={props.pictureKind ?? (image ? 'full' : 'none')}
        data-offset-x={transform.offsetXPx}
        data-offset-y={transform.offsetYPx}
        style={{ width: box.width, height: box.height, cursor: drawingBox ? 'crosshair' : drag?.kind === 'pan' ? 'grabbing' : 'default', touchAction: 'none' }}
        aria-label={`Image to label${current ? `; current keypoint ${currentName}` : ''}`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => setDrag(null)}
      />
    </div>
  );
}
