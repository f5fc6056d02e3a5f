import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { KeypointLayout } from '../core/layouts';
import { DEPTH_SOURCE_TEXT, EXPORT_ORBIT, depthSourceOf, orbitDrag, orbitKey, orbitWheel, pose3dGeometry, type Orbit, type Pose3DGeometry } from '../core/pose3d';
import type { Pose } from '../core/types';
import type { Pose3DScene } from '../render/pose3dScene';

/** three.js (~600 kB) loads with the first 3D view, not with the page. */
const loadScene = () => import('../render/pose3dScene');
type Held = { scene: Pose3DScene; renderer: ReturnType<Awaited<ReturnType<typeof loadScene>>['acquireRenderer']>; release: () => void };

/** Device pixels per CSS pixel at most: software WebGL (SwiftShader) pays for every pixel. */
const MAX_PIXEL_RATIO = 1.5;

export const POSE3D_STYLE = { backgroundColour: '#0b0c0f', gridColour: '#3a3f4a' } as const;

interface Pose3DViewProps {
  geometry: Pose3DGeometry | null;
  colour: string;
  /** The accessible name: model and units. */
  label: string;
  heightCssPx?: number;
}

/**
 * One model's poses in 3D (core/pose3d geometry through render/pose3dScene). Drag rotates, the wheel zooms; while the
 * canvas has the focus, arrow keys rotate, +/− zoom and Home resets. Those keys are taken (preventDefault) only when
 * the view uses them, so the side-by-side view's ←/→ see them as handled and Esc always reaches it.
 * Drawn on demand (a change of geometry, angle or size), never in a loop.
 */
export function Pose3DView({ geometry, colour, label, heightCssPx = 320 }: Pose3DViewProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const sceneRef = useRef<Held | null>(null);
  const geometryRef = useRef(geometry);
  const [orbit, setOrbit] = useState<Orbit>(EXPORT_ORBIT);
  const orbitRef = useRef(orbit);
  const [widthCssPx, setWidthCssPx] = useState(0);
  const frameRef = useRef<number | null>(null);
  const rendersRef = useRef(0);
  const dragRef = useRef<{ x: number; y: number; pointerId: number } | null>(null);

  const draw = useCallback(() => {
    frameRef.current = null;
    const canvas = canvasRef.current;
    const held = sceneRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !held || !ctx || canvas.width < 2) return;
    held.scene.renderTo(held.renderer, ctx, orbitRef.current, canvas.width, canvas.height);
    rendersRef.current++;
    canvas.dataset.renders = String(rendersRef.current);
  }, []);
  const schedule = useCallback(() => {
    if (frameRef.current === null) frameRef.current = requestAnimationFrame(draw);
  }, [draw]);

  // The scene and the shared renderer live as long as the view.
  useEffect(() => {
    let cancelled = false;
    let held: Held | null = null;
    void loadScene().then((module) => {
      if (cancelled) return;
      held = { scene: new module.Pose3DScene({ colour, ...POSE3D_STYLE }), renderer: module.acquireRenderer(), release: module.releaseRenderer };
      sceneRef.current = held;
      held.scene.setGeometry(geometryRef.current);
      if (canvasRef.current) canvasRef.current.dataset.allocations = String(held.scene.allocations);
      schedule();
    });
    return () => {
      cancelled = true;
      if (frameRef.current !== null) cancelAnimationFrame(frameRef.current);
      frameRef.current = null;
      sceneRef.current = null;
      if (held) {
        held.scene.dispose();
        held.release();
      }
    };
  }, [colour, schedule]);

  useEffect(() => {
    geometryRef.current = geometry;
    sceneRef.current?.scene.setGeometry(geometry);
    if (canvasRef.current) canvasRef.current.dataset.allocations = String(sceneRef.current?.scene.allocations ?? 0);
    schedule();
  }, [geometry, colour, schedule]);

  useEffect(() => {
    orbitRef.current = orbit;
    const canvas = canvasRef.current;
    if (canvas) {
      canvas.dataset.azimuth = orbit.azimuthDeg.toFixed(1);
      canvas.dataset.elevation = orbit.elevationDeg.toFixed(1);
      canvas.dataset.distance = orbit.distance.toFixed(3);
    }
    schedule();
  }, [orbit, schedule]);

  useLayoutEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    setWidthCssPx(Math.floor(element.getBoundingClientRect().width));
    const observer = new ResizeObserver(([entry]) => setWidthCssPx(Math.floor(entry?.contentRect.width ?? 0)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || widthCssPx <= 0) return;
    const ratio = Math.min(MAX_PIXEL_RATIO, window.devicePixelRatio || 1);
    canvas.width = Math.round(widthCssPx * ratio);
    canvas.height = Math.round(heightCssPx * ratio);
    schedule();
  }, [widthCssPx, heightCssPx, schedule]);

  // The wheel needs a non-passive listener to keep the page from scrolling while zooming.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      setOrbit((o) => orbitWheel(o, event.deltaY));
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, []);

  return (
    <div ref={containerRef} className="pose3d-view">
      <canvas
        ref={canvasRef}
        className="pose3d-canvas"
        tabIndex={0}
        role="img"
        aria-label={`${label} — 3D view (drag or arrow keys to rotate, wheel or +/− to zoom, Home to reset)`}
        style={{ width: '100%', height: heightCssPx, display: 'block', touchAction: 'none', cursor: 'grab' }}
        onPointerDown={(event) => {
          if (event.button !== 0) return;
          event.currentTarget.setPointerCapture(event.pointerId);
          event.currentTarget.focus();
          dragRef.current = { x: event.clientX, y: event.clientY, pointerId: event.pointerId };
        }}
        onPointerMove={(event) => {
          const drag = dragRef.current;
          if (!drag || drag.pointerId !== event.pointerId) return;
          const dx = event.clientX - drag.x;
          const dy = event.clientY - drag.y;
          drag.x = event.clientX;
          drag.y = event.clientY;
          if (dx !== 0 || dy !== 0) setOrbit((o) => orbitDrag(o, dx, dy));
        }}
        onPointerUp={() => (dragRef.current = null)}
        onPointerCancel={() => (dragRef.current = null)}
        onKeyDown={(event) => {
          if (event.altKey || event.ctrlKey || event.metaKey) return;
          const next = orbitKey(orbitRef.current, event.key);
          if (!next) return;
          // Handled: the side-by-side view's window listener leaves a prevented key alone.
          event.preventDefault();
          setOrbit(next);
        }}
      />
    </div>
  );
}

interface Pose3DPanelProps {
  /** The model's name. */
  title: string;
  colour: string;
  poses: readonly Pose[] | null;
  layout: Pick<KeypointLayout, 'kind' | 'edges' | 'triangles'>;
  threshold: number;
  /** Why there is nothing to show yet (e.g. "not run yet"), when `poses` is null. */
  pendingText?: string;
  heightCssPx?: number;
  /** Updated per frame (webcam, video): the view stays mounted once shown. */
  live?: boolean;
}

/**
 * One slot of a 3D row: the model's name and the units over its 3D view, or a sentence saying why there is none
 * (a 2D model, no pose found, not run yet).
 */
export function Pose3DPanel({ title, colour, poses, layout, threshold, pendingText, heightCssPx, live = false }: Pose3DPanelProps) {
  const geometry = useMemo(() => (poses ? pose3dGeometry(poses, layout, threshold) : null), [poses, layout, threshold]);
  const source = poses ? depthSourceOf(poses) : null;
  // Live, a view once shown stays (empty, with the reason over it) while the person leaves and comes back: its
  // angle is kept and nothing is rebuilt per frame.
  const [stayMounted, setStayMounted] = useState(false);
  if (live && geometry && !stayMounted) setStayMounted(true);
  const status = !poses ? 'pending' : !source ? (poses.length === 0 ? 'no-pose' : 'no-3d') : geometry ? 'shown' : 'below-threshold';
  const message =
    status === 'pending'
      ? (pendingText ?? 'not run yet')
      : status === 'no-pose'
        ? 'No pose found: nothing to show in 3D'
        : status === 'no-3d'
          ? 'No 3D output: this model gives 2D keypoints only'
          : 'No keypoint above the confidence threshold';
  return (
    <figure className="cell pose3d-panel" data-status={status} data-depth-source={source ?? ''}>
      <figcaption className="pose3d-caption">
        <span className="caption-swatch" style={{ background: colour }} aria-hidden="true" /> <strong>{title}</strong>
        {source && <span className="pose3d-units"> · {DEPTH_SOURCE_TEXT[source]}</span>}
      </figcaption>
      {status === 'shown' || stayMounted ? (
        <div className="pose3d-holder">
          <Pose3DView geometry={geometry} colour={colour} label={`${title}, ${source ? DEPTH_SOURCE_TEXT[source] : ''}`} heightCssPx={heightCssPx} />
          {status !== 'shown' && <p className="pose3d-overlay">{message}</p>}
        </div>
      ) : (
        <p className="pose3d-empty" style={{ height: heightCssPx ?? 320 }}>
          {message}
        </p>
      )}
    </figure>
  );
}
