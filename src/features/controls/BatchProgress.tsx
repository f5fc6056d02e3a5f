import { useAppStore } from '../../store/appStore';
import { batchSecondsLeft } from '../../store/selectors';

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

export function BatchProgress() {
  const batch = useAppStore((s) => s.batch);
  const secondsLeft = useAppStore(batchSecondsLeft);
  if (batch.total === 0) return null;
  const finished = batch.done >= batch.total;
  return (
    <div className="batch" role="status" aria-live="polite">
      <progress max={batch.total} value={batch.done} aria-label="Batch progress" />
      <span data-testid="batch-progress">
        Processed {batch.done} of {batch.total} images
        {!finished && secondsLeft !== null ? ` · about ${formatSeconds(secondsLeft)} left` : ''}
        {finished ? ' · done' : ''}
      </span>
    </div>
  );
}
