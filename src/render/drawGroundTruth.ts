import { imageToCanvasPx, type ImageToCanvas } from '../core/geometry';
import type { KeypointLayout } from '../core/layouts';
import type { Canvas2D } from './drawPoses';

/** One ground-truth person: COCO flat keypoints [x, y, v, …] in image pixels; v = 0 means unlabelled. */
export interface GroundTruthPerson {
  keypoints: readonly number[];
  /** Crowd / no-keypoint annotations, drawn fainter: the evaluation ignores them. */
  ignored: boolean;
}

export interface GroundTruthLayer {
  persons: readonly GroundTruthPerson[];
  skeleton: KeypointLayout;
}

/** A line from a predicted keypoint to its true position, in image pixels. */
export interface ErrorLine {
  fromImagePx: { x: number; y: number };
  toImagePx: { x: number; y: number };
  colour: string;
}

/**
 * Ground truth in a style no model uses: white dashed bones and hollow white diamonds with a dark
 * outline, so it reads as "the answer" next to coloured predictions.
 */
export function drawGroundTruthLayer(ctx: Canvas2D, layer: GroundTruthLayer, transform: ImageToCanvas, pointRadiusPx: number): void {
  ctx.save();
  for (const person of layer.persons) {
    const point = (i: number) => {
      const v = person.keypoints[i * 3 + 2] ?? 0;
      if (v <= 0) return null;
      return imageToCanvasPx(transform, person.keypoints[i * 3] ?? 0, person.keypoints[i * 3 + 1] ?? 0);
    };
    ctx.globalAlpha = person.ignored ? 0.45 : 1;
    ctx.setLineDash([pointRadiusPx * 1.2, pointRadiusPx]);
    ctx.lineWidth = Math.max(1, pointRadiusPx * 0.45);
    ctx.strokeStyle = '#ffffff';
    ctx.beginPath();
    for (const [a, b] of layer.skeleton.edges) {
      const pa = point(a);
      const pb = point(b);
      if (!pa || !pb) continue;
      ctx.moveTo(pa.x, pa.y);
      ctx.lineTo(pb.x, pb.y);
    }
    ctx.stroke();
    ctx.setLineDash([]);
    const size = pointRadiusPx * 1.1;
    for (let i = 0; i < layer.skeleton.keypointNames.length; i++) {
      const p = point(i);
      if (!p) continue;
      ctx.beginPath();
      ctx.moveTo(p.x, p.y - size);
      ctx.lineTo(p.x + size, p.y);
      ctx.lineTo(p.x, p.y + size);
      ctx.lineTo(p.x - size, p.y);
      ctx.closePath();
      ctx.lineWidth = Math.max(1.5, pointRadiusPx * 0.6);
      ctx.strokeStyle = '#000000';
      ctx.stroke();
      ctx.lineWidth = Math.max(1, pointRadiusPx * 0.35);
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** Thin lines from each predicted keypoint to the true position it should have hit. */
export function drawErrorLines(ctx: Canvas2D, lines: readonly ErrorLine[], transform: ImageToCanvas, pointRadiusPx: number): void {
  ctx.save();
  ctx.lineWidth = Math.max(1, pointRadiusPx * 0.4);
  for (const line of lines) {
    const from = imageToCanvasPx(transform, line.fromImagePx.x, line.fromImagePx.y);
    const to = imageToCanvasPx(transform, line.toImagePx.x, line.toImagePx.y);
    ctx.strokeStyle = line.colour;
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  }
  ctx.restore();
}
