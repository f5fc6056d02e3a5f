import { useLayoutEffect, useRef } from 'react';
import { layoutHeatmap, paintHeatmap, type HeatmapSpec } from '../render/heatmap';

/** A heatmap drawn at its own pixel size (it scrolls sideways on a narrow screen instead of shrinking its text). */
export function HeatmapCanvas({ spec, label, onCanvas }: { spec: HeatmapSpec; label: string; onCanvas?: (canvas: HTMLCanvasElement | null) => void }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const size = layoutHeatmap(ctx, spec);
    canvas.width = size.widthPx;
    canvas.height = size.heightPx;
    paintHeatmap(ctx, spec);
    onCanvas?.(canvas);
  }, [spec, onCanvas]);
  useLayoutEffect(() => () => onCanvas?.(null), [onCanvas]);
  return (
    <div className="heatmap">
      <canvas ref={canvasRef} role="img" aria-label={label} />
    </div>
  );
}
