import { useEffect, useRef } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.color = '#c8ccd4';
Chart.defaults.borderColor = '#2c313c';
Chart.defaults.font.family = 'system-ui, sans-serif';

interface ChartCanvasProps {
  config: ChartConfiguration;
  label: string;
  heightPx: number;
  /** Receives the canvas so exports can draw the chart as shown. */
  onCanvas?: (canvas: HTMLCanvasElement | null) => void;
}

/** A chart.js chart owned by React: created once, updated in place when the config changes. */
export function ChartCanvas({ config, label, heightPx, onCanvas }: ChartCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    chartRef.current = new Chart(canvas, { ...config, options: { ...config.options, animation: false, maintainAspectRatio: false } });
    onCanvas?.(canvas);
    return () => {
      chartRef.current?.destroy();
      chartRef.current = null;
      onCanvas?.(null);
    };
    // The chart is created once per mount; data changes go through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    chart.data = config.data;
    chart.options = { ...config.options, animation: false, maintainAspectRatio: false };
    chart.update();
  }, [config]);

  return (
    <div className="chart" style={{ height: heightPx }}>
      <canvas ref={canvasRef} role="img" aria-label={label} />
    </div>
  );
}
