import { imageToCanvasPx, type ImageToCanvas } from '../core/geometry';
import { drawnEdges, type KeypointLayout } from '../core/layouts';
import type { Pose } from '../core/types';

/** Any 2D context: the on-screen canvas and the export's OffscreenCanvas share this code. */
export type Canvas2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

export interface PoseLayer {
  poses: readonly Pose[];
  skeleton: KeypointLayout;
  colour: string;
}

export interface DrawPosesOptions {
  transform: ImageToCanvas;
  /** Keypoints (and bones touching them) below this score are not drawn. */
  minScore: number;
  /** Dot radius in canvas pixels; bones are drawn at 0.6 of it. */
  pointRadiusPx: number;
}

/** A dense mesh's on-screen size (canvas px, larger side) from which the whole mesh, and then its dots, are drawn. */
const MESH_DETAIL_FROM_PX = 240;
const MESH_DOTS_FROM_PX = 640;
/** An instance is at least this many dot radii across: below that, dots shrink with it. */
const SMALL_INSTANCE_DOTS_ACROSS = 25;

/**
 * Draws skeletons then keypoints of one model's poses. Dense layouts (face meshes) are drawn thin: their contours
 * when small on screen, the whole mesh when large, and dots only when zoomed in far enough to tell them apart.
 * A per-instance label such as handedness is written beside the instance.
 */
export function drawPoseLayer(ctx: Canvas2D, layer: PoseLayer, options: DrawPosesOptions): void {
  const { transform, minScore, pointRadiusPx } = options;
  const { skeleton } = layer;
  ctx.save();
  ctx.lineCap = 'round';
  for (const pose of layer.poses) {
    const points = pose.keypoints.map((k) => ({ ...imageToCanvasPx(transform, k.x, k.y), visible: k.score >= minScore }));
    const extentPx = canvasExtentPx(points);
    // A small instance (a hand in a wide photo) gets smaller dots, so its joints and bones stay apart.
    const radiusPx = Math.max(1.5, Math.min(pointRadiusPx, extentPx / SMALL_INSTANCE_DOTS_ACROSS));
    ctx.strokeStyle = layer.colour;
    ctx.lineWidth = skeleton.dense ? 1 : Math.max(1, radiusPx * 0.6);
    ctx.beginPath();
    for (const [a, b] of drawnEdges(skeleton, extentPx >= MESH_DETAIL_FROM_PX)) {
      const pa = points[a];
      const pb = points[b];
      if (!pa || !pb || !pa.visible || !pb.visible) continue;
      ctx.moveTo(pa.x, pa.y);
      ctx.lineTo(pb.x, pb.y);
    }
    ctx.stroke();
    const dotRadiusPx = skeleton.dense ? Math.max(1, radiusPx * 0.3) : radiusPx;
    if (!skeleton.dense || extentPx >= MESH_DOTS_FROM_PX) {
      for (const p of points) {
        if (!p.visible) continue;
        ctx.beginPath();
        ctx.arc(p.x, p.y, dotRadiusPx, 0, Math.PI * 2);
        ctx.fillStyle = layer.colour;
        ctx.fill();
        ctx.lineWidth = Math.max(1, dotRadiusPx * 0.35);
        ctx.strokeStyle = 'rgba(0,0,0,0.8)';
        ctx.stroke();
      }
    }
    drawInstanceLabel(ctx, pose, points, layer.colour, pointRadiusPx);
  }
  ctx.restore();
}

function canvasExtentPx(points: readonly { x: number; y: number; visible: boolean }[]): number {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    if (!p.visible) continue;
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  return maxX >= minX ? Math.max(maxX - minX, maxY - minY) : 0;
}

/** "left hand" / "right hand" beside the instance's first visible keypoint, from the model's per-instance labels. */
function drawInstanceLabel(ctx: Canvas2D, pose: Pose, points: readonly { x: number; y: number; visible: boolean }[], colour: string, pointRadiusPx: number): void {
  const labels = pose.labels ? Object.values(pose.labels) : [];
  const anchor = points.find((p) => p.visible);
  if (labels.length === 0 || !anchor) return;
  const text = labels.map((l) => l.value).join(' · ');
  const fontPx = Math.max(11, Math.round(pointRadiusPx * 3));
  ctx.font = `${fontPx}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';
  ctx.lineWidth = 3;
  ctx.strokeStyle = 'rgba(0,0,0,0.85)';
  ctx.strokeText(text, anchor.x + pointRadiusPx * 1.5, anchor.y - pointRadiusPx);
  ctx.fillStyle = colour;
  ctx.fillText(text, anchor.x + pointRadiusPx * 1.5, anchor.y - pointRadiusPx);
}

/** Draws an image (or video frame) into the canvas through the same transform the poses use. */
export function drawImage(
  ctx: Canvas2D,
  source: CanvasImageSource,
  sourceSizePx: { width: number; height: number },
  imageSizePx: { width: number; height: number },
  transform: ImageToCanvas,
): void {
  const widthCanvasPx = imageSizePx.width * transform.scale;
  const heightCanvasPx = imageSizePx.height * transform.scale;
  ctx.save();
  if (transform.mirrorWidthPx !== undefined) {
    ctx.translate(transform.offsetXPx + widthCanvasPx, transform.offsetYPx);
    ctx.scale(-1, 1);
    ctx.drawImage(source, 0, 0, sourceSizePx.width, sourceSizePx.height, 0, 0, widthCanvasPx, heightCanvasPx);
  } else {
    ctx.drawImage(source, 0, 0, sourceSizePx.width, sourceSizePx.height, transform.offsetXPx, transform.offsetYPx, widthCanvasPx, heightCanvasPx);
  }
  ctx.restore();
}

/** Dot radius that reads well at any display size. */
export function pointRadiusFor(widthCanvasPx: number, heightCanvasPx: number): number {
  return Math.max(2, Math.min(6, Math.min(widthCanvasPx, heightCanvasPx) / 90));
}
