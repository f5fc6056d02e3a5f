import { useId } from 'react';
import { useAppStore } from '../../store/appStore';

export function ThresholdSlider() {
  const threshold = useAppStore((s) => s.confidenceThreshold);
  const setThreshold = useAppStore((s) => s.setConfidenceThreshold);
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Confidence threshold</label>
      <input
        id={id}
        type="range"
        min={0}
        max={1}
        step={0.05}
        value={threshold}
        onChange={(event) => setThreshold(Number(event.target.value))}
      />
      <output htmlFor={id}>{threshold.toFixed(2)}</output>
    </div>
  );
}
