import type { ChartConfiguration } from 'chart.js';
import { useId, useMemo, useState } from 'react';
import type { ColumnErrorAnalysis } from '../../analysis/analysisProtocol';
import { CLASS_LABELS, ERROR_LABELS, ERRORS_METHOD, KEYPOINT_CLASSES, type ColumnErrors } from '../../core/evaluation/errorSummary';
import type { HeatmapSpec } from '../../render/heatmap';
import type { EvaluationSnapshot } from '../../store/evaluationResults';
import { useCurrentErrors, useIntervals } from '../../store/intervals';
import { ChartCanvas } from '../../ui/ChartCanvas';
import { errorBarsPlugin } from '../../ui/chartErrorBars';
import { HeatmapCanvas } from '../../ui/HeatmapCanvas';

/** Class colours: good green, then the errors from mild (jitter) to severe (miss). */
const CLASS_COLOURS: Record<(typeof KEYPOINT_CLASSES)[number], string> = { good: '#34c759', jitter: '#ffd60a', inversion: '#ff9f0a', swap: '#bf5af2', miss: '#ff453a' };

const analysed = (errors: readonly ColumnErrorAnalysis[]) => errors.filter((e): e is ColumnErrorAnalysis & { summary: ColumnErrors & { analysis: NonNullable<ColumnErrors['analysis']> } } => e.summary.analysis !== null);

/** Per column, the share of its labelled keypoints in each class (stacked to 100%). */
function classChart(errors: readonly ColumnErrorAnalysis[]): ChartConfiguration {
  const columns = analysed(errors);
  return {
    type: 'bar',
    data: {
      labels: columns.map((c) => c.summary.displayName),
      datasets: KEYPOINT_CLASSES.map((cls) => ({
        label: CLASS_LABELS[cls],
        data: columns.map((c) => (c.summary.analysis.labelledKeypoints > 0 ? c.summary.analysis.counts[cls] / c.summary.analysis.labelledKeypoints : Number.NaN)),
        backgroundColor: CLASS_COLOURS[cls],
      })),
    },
    options: {
      indexAxis: 'y',
      plugins: { legend: { position: 'bottom' } },
      scales: { x: { stacked: true, min: 0, max: 1, title: { display: true, text: 'share of the labelled keypoints of matched people' } }, y: { stacked: true } },
    },
  };
}

/** The AP each error type would gain if fixed (area all, mean over OKS .50:.95 with its ± std), per column. */
function gainChart(errors: readonly ColumnErrorAnalysis[], colours: ReadonlyMap<string, string>): ChartConfiguration {
  const columns = analysed(errors);
  const types = columns[0]?.summary.analysis.apGain.map((g) => g.errorType) ?? [];
  return {
    type: 'bar',
    data: {
      labels: types.map((t) => ERROR_LABELS[t]),
      datasets: columns.map((c) => {
        const gains = c.summary.analysis.apGain;
        return {
          label: c.summary.displayName,
          data: gains.map((g) => g.meanOverThresholds ?? Number.NaN),
          backgroundColor: colours.get(c.summary.columnId) ?? '#888',
          errorBars: gains.map((g) => (g.meanOverThresholds === null || g.stdOverThresholds === null ? null : ([g.meanOverThresholds - g.stdOverThresholds, g.meanOverThresholds + g.stdOverThresholds] as [number, number]))),
        };
      }),
    },
    options: {
      plugins: { legend: { position: 'bottom' } },
      scales: { y: { min: 0, title: { display: true, text: 'AP gained if fixed (mean ± std over OKS .50:.95)' } } },
    },
    plugins: [errorBarsPlugin as never],
  };
}

/** Keypoint × class for one column: where its keypoints go wrong. */
function keypointHeatmap(column: ColumnErrors & { analysis: NonNullable<ColumnErrors['analysis']> }): HeatmapSpec {
  const rows = column.analysis.perKeypoint;
  return {
    rowLabels: rows.map((r) => r.keypoint.replace('_', ' ')),
    columnLabels: KEYPOINT_CLASSES.filter((c) => c !== 'good').map((c) => CLASS_LABELS[c]),
    values: rows.map((r) => KEYPOINT_CLASSES.filter((c) => c !== 'good').map((c) => (r.labelled > 0 ? r.counts[c] / r.labelled : null))),
    maxValue: 0.5,
    higherIsBetter: false,
    format: (v) => `${(100 * v).toFixed(0)}%`,
  };
}

/**
 * Why it fails (Ronchi & Perona's analysis, as their coco-analyze tool computes it): each matched person's keypoints
 * classed Good / Jitter / Inversion / Swap / Miss, background false positives and misses, and the AP each kind of
 * error costs.
 */
export function ErrorTaxonomyPanel({ snapshot, onCanvas }: { snapshot: EvaluationSnapshot; onCanvas: (slot: number, canvas: HTMLCanvasElement | null) => void }) {
  const errors = useCurrentErrors();
  const status = useIntervals((s) => s.status);
  const colours = useMemo(() => new Map(snapshot.columns.map((c) => [c.column.id, c.column.colour])), [snapshot]);
  const classes = useMemo(() => (errors ? classChart(errors) : null), [errors]);
  const gains = useMemo(() => (errors ? gainChart(errors, colours) : null), [errors, colours]);
  const columns = useMemo(() => (errors ? analysed(errors) : []), [errors]);
  const [chosenId, setChosenId] = useState<string | null>(null);
  const chosen = useMemo(() => columns.find((c) => c.summary.columnId === chosenId) ?? columns[0], [columns, chosenId]);
  const heatmap = useMemo(() => (chosen ? keypointHeatmap(chosen.summary) : null), [chosen]);
  const selectId = useId();
  if (!errors) {
    return (
      <section className="taxonomy" aria-label="Why it fails" data-testid="taxonomy" data-status="pending">
        <h3>Why it fails</h3>
        <p className="hint">{status === 'running' ? 'Classifying the errors (after the intervals)…' : 'Nothing to analyse yet.'}</p>
      </section>
    );
  }
  const unavailable = errors.filter((e) => e.summary.analysis === null);
  return (
    <section className="taxonomy" aria-label="Why it fails" data-testid="taxonomy" data-status="done">
      <h3>Why it fails</h3>
      <p className="hint">{ERRORS_METHOD}</p>
      <table className="metrics-table" data-testid="taxonomy-table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Labelled keypoints</th>
            {KEYPOINT_CLASSES.map((c) => (
              <th key={c} scope="col">
                {CLASS_LABELS[c]}
              </th>
            ))}
            <th scope="col" title="Detections matched to nobody at any OKS .50:.95">Background FP</th>
            <th scope="col" title="Annotations matched by no detection at any OKS .50:.95">Missed people</th>
            <th scope="col" title="The error type whose fix gains the most AP (mean over OKS .50:.95)">Costliest error</th>
          </tr>
        </thead>
        <tbody>
          {columns.map(({ summary }) => {
            const a = summary.analysis;
            const costliest = [...a.apGain].filter((g) => g.meanOverThresholds !== null).sort((x, y) => (y.meanOverThresholds ?? 0) - (x.meanOverThresholds ?? 0))[0];
            return (
              <tr key={summary.columnId} data-column-id={summary.columnId}>
                <th scope="row">{summary.displayName}</th>
                <td data-stat="labelled">{a.labelledKeypoints}</td>
                {KEYPOINT_CLASSES.map((c) => (
                  <td key={c} data-stat={c}>
                    {a.counts[c]}
                    <span className="ci">{a.labelledKeypoints > 0 ? `${((100 * a.counts[c]) / a.labelledKeypoints).toFixed(1)}%` : '—'}</span>
                  </td>
                ))}
                <td data-stat="background-fp">{a.background.falsePositivesAtAllThresholds.length}</td>
                <td data-stat="false-negatives">{a.background.falseNegativesWithKeypointsAtAllThresholds}</td>
                <td data-stat="costliest">{costliest ? `${ERROR_LABELS[costliest.errorType]} +${(costliest.meanOverThresholds ?? 0).toFixed(3)} AP` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {unavailable.length > 0 && (
        <p className="warning">
          {unavailable.map((e) => `${e.summary.displayName}: not analysed (${e.summary.unavailable ?? 'no detections'})`).join(' · ')}
        </p>
      )}
      <div className="charts">
        {classes && (
          <figure>
            <figcaption>Keypoint classes per model</figcaption>
            <ChartCanvas config={classes} label="Keypoint error classes per model" heightPx={Math.max(160, 60 + 34 * columns.length)} onCanvas={(c) => onCanvas(4, c)} />
          </figure>
        )}
        {gains && (
          <figure>
            <figcaption>AP gained by fixing each error type</figcaption>
            <ChartCanvas config={gains} label="AP gained by fixing each error type, per model" heightPx={280} onCanvas={(c) => onCanvas(5, c)} />
          </figure>
        )}
        {chosen && heatmap && (
          <figure>
            <figcaption>
              <label htmlFor={selectId}>Per keypoint, share of errors: </label>
              <select id={selectId} value={chosen.summary.columnId} onChange={(e) => setChosenId(e.target.value)}>
                {columns.map((c) => (
                  <option key={c.summary.columnId} value={c.summary.columnId}>
                    {c.summary.displayName}
                  </option>
                ))}
              </select>
            </figcaption>
            <HeatmapCanvas spec={heatmap} label={`Per-keypoint error classes of ${chosen.summary.displayName}`} onCanvas={(c) => onCanvas(6, c)} />
          </figure>
        )}
      </div>
    </section>
  );
}
