import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { fitImage, nearestKeypoint, zoomedTransform, type ImageToCanvas, type ZoomView } from '../core/geometry';
import type { KeypointLayout } from '../core/layouts';
import type { Pose } from '../core/types';
import { drawErrorLines, drawGroundTruthLayer, type ErrorLine, type GroundTruthLayer } from '../render/drawGroundTruth';
import { drawImage, drawPoseLayer, pointRadiusFor } from '../render/drawPoses';

export interface CanvasLayer {
  modelId: string;
  label: string;
  colour: string;
  poses: readonly Pose[];
  skeleton: KeypointLayout;
}

export type Zoom = ZoomView;

interface PoseCanvasProps {
  image: CanvasImageSource | null;
  /** Size of `image` itself (thumbnail or full bitmap). */
  sourceSizePx: { width: number; height: number };
  /** Original image size: the space keypoints are in. */
  imageSizePx: { width: number; height: number };
  layers: readonly CanvasLayer[];
  /** Drawn under the predictions, in the ground-truth style. */
  groundTruth?: GroundTruthLayer | null;
  /** Lines from predicted keypoints to their true positions. */
  errorLines?: readonly ErrorLine[];
  threshold: number;
  zoom?: Zoom | null;
  /** Called with the clicked point in original-image pixels. */
  onImageClick?: (pointImagePx: { x: number; y: number }) => void;
  maxHeightPx?: number;
  label: string;
}

interface Hover {
  xCssPx: number;
  yCssPx: number;
  text: string;
}

/** An image with pose layers, fitted to its container; hover a keypoint for its name, score and model. */
export function PoseCanvas(props: PoseCanvasProps) {
  const { image, sourceSizePx, imageSizePx, layers, groundTruth, errorLines, threshold, zoom, onImageClick, maxHeightPx, label } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const transformRef = useRef<ImageToCanvas | null>(null);
  const [widthCssPx, setWidthCssPx] = useState(0);
  const [hover, setHover] = useState<Hover | null>(null);

  // Measure before the first paint so a row never lays out at zero height and then jumps.
  useLayoutEffect(() => {
    const element = containerRef.current;
    if (element) setWidthCssPx(Math.floor(element.getBoundingClientRect().width));
  }, []);

  useEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidthCssPx(Math.floor(entry?.contentRect.width ?? 0)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const aspect = imageSizePx.height / Math.max(1, imageSizePx.width);
  const heightCssPx = Math.round(Math.min(widthCssPx * aspect, maxHeightPx ?? Number.POSITIVE_INFINITY));

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || widthCssPx === 0 || heightCssPx === 0) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(widthCssPx * dpr);
    canvas.height = Math.round(heightCssPx * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, widthCssPx, heightCssPx);
    const box = { width: widthCssPx, height: heightCssPx };
    const fit = fitImage(imageSizePx, box);
    const transform = zoom ? zoomedTransform(fit, zoom, box, imageSizePx) : fit;
    transformRef.current = transform;
    if (image) drawImage(ctx, image, sourceSizePx, imageSizePx, transform);
    const radius = pointRadiusFor(imageSizePx.width * fit.scale, imageSizePx.height * fit.scale);
    if (groundTruth) drawGroundTruthLayer(ctx, groundTruth, transform, radius);
    if (errorLines && errorLines.length > 0) drawErrorLines(ctx, errorLines, transform, radius);
    for (const layer of layers) drawPoseLayer(ctx, layer, { transform, minScore: threshold, pointRadiusPx: radius });
  }, [image, sourceSizePx, imageSizePx, layers, groundTruth, errorLines, threshold, zoom, widthCssPx, heightCssPx]);

  const onMouseMove = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const transform = transformRef.current;
    if (!transform) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const point = { x: event.clientX - rect.left, y: event.clientY - rect.top };
    const hit = nearestKeypoint(layers.map((layer) => ({ owner: layer, poses: layer.poses })), transform, point, 10, threshold);
    if (!hit) {
      setHover(null);
      return;
    }
    const keypoint = hit.owner.poses[hit.poseIndex]?.keypoints[hit.keypointIndex];
    if (!keypoint) return;
    const person = hit.owner.poses.length > 1 ? ` · person ${hit.poseIndex + 1}` : '';
    setHover({
      xCssPx: point.x,
      yCssPx: point.y,
      text: `${keypoint.name} · score ${keypoint.score.toFixed(2)} · ${hit.owner.label}${person} · (${keypoint.x.toFixed(0)}, ${keypoint.y.toFixed(0)}) px`,
    });
  };

  const onClick = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const transform = transformRef.current;
    if (!transform || !onImageClick) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const x = (event.clientX - rect.left - transform.offsetXPx) / transform.scale;
    const y = (event.clientY - rect.top - transform.offsetYPx) / transform.scale;
    onImageClick({ x, y });
  };

  return (
    <div ref={containerRef} className="pose-canvas">
      <canvas
        ref={canvasRef}
        style={{ width: widthCssPx, height: heightCssPx, cursor: onImageClick ? (zoom ? 'zoom-out' : 'zoom-in') : 'default' }}
        role="img"
        aria-label={label}
        onMouseMove={onMouseMove}
        onMouseLeave={() => setHover(null)}
        onClick={onClick}
      />
      {hover && (
        <div className="tooltip" role="tooltip" style={{ left: hover.xCssPx + 12, top: hover.yCssPx + 12 }}>
          {hover.text}
        </div>
      )}
    </div>
  );
}
