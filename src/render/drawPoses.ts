import { imageToCanvasPx, type ImageToCanvas } from '../core/geometry';
import type { SkeletonLayout } from '../core/skeletons';
import type { Pose } from '../core/types';

/** Any 2D context: the on-screen canvas and the export's OffscreenCanvas share this code. */
export type Canvas2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

export interface PoseLayer {
  poses: readonly Pose[];
  skeleton: SkeletonLayout;
  colour: string;
}

export interface DrawPosesOptions {
  transform: ImageToCanvas;
  /** Keypoints (and bones touching them) below this score are not drawn. */
  minScore: number;
  /** Dot radius in canvas pixels; bones are drawn at 0.6 of it. */
  pointRadiusPx: number;
}

/** Draws skeletons then keypoints of one model's poses. */
export function drawPoseLayer(ctx: Canvas2D, layer: PoseLayer, options: DrawPosesOptions): void {
  const { transform, minScore, pointRadiusPx } = options;
  ctx.save();
  ctx.lineCap = 'round';
  for (const pose of layer.poses) {
    const points = pose.keypoints.map((k) => ({ ...imageToCanvasPx(transform, k.x, k.y), visible: k.score >= minScore }));
    ctx.strokeStyle = layer.colour;
    ctx.lineWidth = Math.max(1, pointRadiusPx * 0.6);
    ctx.beginPath();
    for (const [a, b] of layer.skeleton.edges) {
      const pa = points[a];
      const pb = points[b];
      if (!pa || !pb || !pa.visible || !pb.visible) continue;
      ctx.moveTo(pa.x, pa.y);
      ctx.lineTo(pb.x, pb.y);
    }
    ctx.stroke();
    for (const p of points) {
      if (!p.visible) continue;
      ctx.beginPath();
      ctx.arc(p.x, p.y, pointRadiusPx, 0, Math.PI * 2);
      ctx.fillStyle = layer.colour;
      ctx.fill();
      ctx.lineWidth = Math.max(1, pointRadiusPx * 0.35);
      ctx.strokeStyle = 'rgba(0,0,0,0.8)';
      ctx.stroke();
    }
  }
  ctx.restore();
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
