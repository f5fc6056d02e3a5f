import { useId, useState } from 'react';
import { METRIC_LABELS, pairText } from '../../core/evaluation/intervalText';
import type { BootstrapMetricName } from '../../core/metrics/bootstrap';
import { MAX_BOOTSTRAP_RESAMPLES, MIN_BOOTSTRAP_RESAMPLES, useCurrentReport, useIntervals } from '../../store/intervals';

const COMPARED_METRICS: BootstrapMetricName[] = ['AP', 'PCK', 'medianImageLatencyMs'];

/** How the intervals are computed (resamples, seed, progress), and every column against the best one. */
export function IntervalsPanel() {
  const report = useCurrentReport();
  const { status, progress, resamples, seed, imagesResampled, imagesScoredMax, error, setResampling } = useIntervals();
  const [metric, setMetric] = useState<BootstrapMetricName>('AP');
  const resamplesId = useId();
  const seedId = useId();
  const metricId = useId();
  const progressText =
    status === 'running'
      ? progress === null
        ? 'waiting for the results to settle…'
        : progress.phase === 'resampling'
          ? `resampling ${progress.done.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')}…`
          : progress.phase === 'errors'
            ? `intervals done; classifying errors, column ${Math.min(progress.total, progress.done + 1)} of ${progress.total}…`
            : `scoring column ${progress.done + 1} of ${progress.total} for resampling…`
      : status === 'error'
        ? `failed: ${error ?? 'unknown error'}`
        : status === 'done'
          ? `${report?.resamples.toLocaleString('en-US') ?? resamples} resamples done`
          : 'nothing to resample yet';
  const ranked = report ? [...report.columns].filter((c) => c.intervals[metric].point !== null).sort((a, b) => {
    const pa = a.intervals[metric].point!;
    const pb = b.intervals[metric].point!;
    return metric === 'medianImageLatencyMs' ? pa - pb : pb - pa;
  }) : [];
  const best = ranked[0];
  return (
    <section className="intervals" aria-label="How sure" data-testid="intervals">
      <h3>How sure</h3>
      <div className="targets">
        <span className="target">
          <label htmlFor={resamplesId}>Resamples</label>
          <input id={resamplesId} type="number" min={MIN_BOOTSTRAP_RESAMPLES} max={MAX_BOOTSTRAP_RESAMPLES} step={1000} defaultValue={resamples} onBlur={(e) => setResampling({ resamples: Number(e.target.value) })} onKeyDown={(e) => e.key === 'Enter' && setResampling({ resamples: Number(e.currentTarget.value) })} />
        </span>
        <span className="target">
          <label htmlFor={seedId}>Seed</label>
          <input id={seedId} type="number" min={0} step={1} defaultValue={seed} onBlur={(e) => setResampling({ seed: Number(e.target.value) })} onKeyDown={(e) => e.key === 'Enter' && setResampling({ seed: Number(e.currentTarget.value) })} />
        </span>
        <span className="hint" role="status" data-testid="intervals-status" data-status={status}>
          95% bootstrap intervals, images resampled with replacement: {progressText}
        </span>
      </div>
      {report && imagesResampled < imagesScoredMax && (
        <p className="warning" data-testid="intervals-common-images">
          Intervals and differences use the {imagesResampled} images every column has scored (some columns have scored up to {imagesScoredMax}); the numbers in the table are on each column’s own images.
        </p>
      )}
      {report && best && ranked.length > 1 && (
        <div data-testid="pair-differences">
          <label htmlFor={metricId}>Compared on </label>
          <select id={metricId} value={metric} onChange={(e) => setMetric(e.target.value as BootstrapMetricName)}>
            {COMPARED_METRICS.map((m) => (
              <option key={m} value={m}>
                {METRIC_LABELS[m]}
              </option>
            ))}
          </select>
          <ul>
            {ranked.slice(1).map((other) => (
              <li key={other.columnId} data-column-id={other.columnId}>
                {pairText(report, best.columnId, other.columnId, metric)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
