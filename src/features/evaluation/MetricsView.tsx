import type { ChartConfiguration } from 'chart.js';
import { zipSync, strToU8 } from 'fflate';
import { useMemo, useRef, useState } from 'react';
import { withoutPoseText } from '../../core/evaluation/evaluateColumn';
import { metricsToCsv, metricsToJson, type ExportContext } from '../../core/evaluation/exportMetrics';
import { PROTOCOL_DESCRIPTIONS } from '../../core/evaluation/protocol';
import { PUBLISHED_NOTE, publishedByColumn, publishedConditionsText } from '../../core/evaluation/published';
import type { PublishedFigure } from '../../core/types';
import { MODELS } from '../../inference/modelCatalogue';
import { renderMetricsReportPng } from '../../render/metricsReport';
import { useAppStore } from '../../store/appStore';
import { useEvaluationSnapshot, type EvaluationSnapshot } from '../../store/evaluationResults';
import { groundTruthLayoutOf } from '../../store/columns';
import { currentErrors, currentReport, useCurrentReport, useIntervals, useIntervalsDemand } from '../../store/intervals';
import { intervalBrackets } from '../../core/evaluation/intervalText';
import type { BootstrapMetricName, BootstrapReport } from '../../core/metrics/bootstrap';
import { IntervalsPanel } from './IntervalsPanel';
import { VerdictPanel } from './VerdictPanel';
import { ErrorTaxonomyPanel } from './ErrorTaxonomyPanel';
import { exportProvenance, exportPublished } from '../../store/exportProvenance';
import { ChartCanvas } from '../../ui/ChartCanvas';
import { errorBarsPlugin } from '../../ui/chartErrorBars';
import { HeatmapCanvas } from '../../ui/HeatmapCanvas';
import type { HeatmapSpec } from '../../render/heatmap';
import { downloadBlob, safeFileStem, timestampStem } from '../../ui/download';
import { buildMetricsReportSpec, fmtMs, fmtStat as fmt } from './metricsReportSpec';

/** Every model's published figure, by model id (= column id of a model column). */
const PUBLISHED = publishedByColumn(MODELS);
const NO_PUBLISHED_FIGURE = 'No published figure for this column (none found for the model, or imported predictions).';

function pckCurveConfig(snapshot: EvaluationSnapshot): ChartConfiguration {
  const first = snapshot.columns[0]?.metrics.pckCurve.alphas ?? [];
  return {
    type: 'line',
    data: {
      labels: first.map((a) => a.toFixed(2)),
      datasets: snapshot.columns.map((c) => ({
        label: c.column.label,
        data: c.metrics.pckCurve.values.map((v) => (v === null ? Number.NaN : v)),
        borderColor: c.column.colour,
        backgroundColor: c.column.colour,
        pointRadius: 0,
        borderWidth: 2,
        spanGaps: true,
      })),
    },
    options: {
      plugins: { legend: { position: 'bottom' }, tooltip: { mode: 'index', intersect: false } },
      scales: {
        x: { title: { display: true, text: 'α (fraction of person size)' }, ticks: { maxTicksLimit: 11 } },
        y: { min: 0, max: 1, title: { display: true, text: 'PCK' } },
      },
    },
  };
}

const INTERVAL_CHART_METRICS: BootstrapMetricName[] = ['AP', 'AP50', 'AP75', 'AR', 'PCK'];

/** AP, AP50, AP75, AR and PCK per column with their 95% intervals as error bars (once computed). */
function intervalChartConfig(snapshot: EvaluationSnapshot, report: BootstrapReport | null, pckAlpha: number): ChartConfiguration {
  const value = (m: EvaluationSnapshot['columns'][number]['metrics'], metric: BootstrapMetricName) => {
    const v = metric === 'PCK' ? m.pck.value : metric === 'medianImageLatencyMs' ? m.medianImageLatencyMs : m.stats[metric];
    return v === null || v < 0 ? Number.NaN : v;
  };
  return {
    type: 'bar',
    data: {
      labels: INTERVAL_CHART_METRICS.map((m) => (m === 'PCK' ? `PCK@${pckAlpha}` : m)),
      datasets: snapshot.columns.map((c) => {
        const intervals = report?.columns.find((r) => r.columnId === c.column.id)?.intervals;
        const errorBars = INTERVAL_CHART_METRICS.map((metric) => {
          const interval = intervals?.[metric];
          return interval && interval.lower !== null && interval.upper !== null ? ([interval.lower, interval.upper] as [number, number]) : null;
        });
        return { label: c.column.label, data: INTERVAL_CHART_METRICS.map((metric) => value(c.metrics, metric)), backgroundColor: c.column.colour, errorBars };
      }),
    },
    options: {
      plugins: { legend: { position: 'bottom' } },
      scales: { y: { min: 0, max: 1, title: { display: true, text: report ? 'value, with its 95% bootstrap interval' : 'value (intervals being computed)' } } },
    },
    plugins: [errorBarsPlugin as never],
  };
}

/** Keypoint × column heatmap of one per-keypoint figure. */
function perKeypointHeatmap(
  snapshot: EvaluationSnapshot,
  value: (k: EvaluationSnapshot['columns'][number]['metrics']['perKeypoint'][number]) => number | null,
  higherIsBetter: boolean,
): HeatmapSpec {
  const names = snapshot.columns[0]?.metrics.perKeypoint.map((k) => k.name.replace('_', ' ')) ?? [];
  const values = names.map((_, k) => snapshot.columns.map((c) => {
    const entry = c.metrics.perKeypoint[k];
    return entry ? value(entry) : null;
  }));
  const measured = values.flat().filter((v): v is number => v !== null);
  return {
    rowLabels: names,
    columnLabels: snapshot.columns.map((c) => c.column.label),
    values,
    maxValue: higherIsBetter ? 1 : Math.max(0.05, ...measured),
    higherIsBetter,
    format: (v) => v.toFixed(higherIsBetter ? 2 : 3),
  };
}

/** A cell's 95% interval under its value; nothing while the intervals are computed or where it is undefined. */
function Ci({ report, columnId, metric }: { report: BootstrapReport | null; columnId: string; metric: BootstrapMetricName }) {
  const interval = report?.columns.find((c) => c.columnId === columnId)?.intervals[metric];
  if (!interval || interval.lower === null || interval.upper === null) return null;
  return (
    <span className="ci" data-ci={`${interval.lower},${interval.upper}`} title={`95% bootstrap interval (${report.resamples.toLocaleString('en-US')} resamples of ${report.imageCount} images, seed ${report.seed})`}>
      {intervalBrackets(interval, metric)}
    </span>
  );
}

/** A table value with its interval under it (span.value, span.ci: what tests and exports read). */
function StatCell({ stat, value, report, columnId, metric }: { stat: string; value: string; report: BootstrapReport | null; columnId: string; metric: BootstrapMetricName }) {
  return (
    <td data-stat={stat}>
      <span className="value">{value}</span>
      <Ci report={report} columnId={columnId} metric={metric} />
    </td>
  );
}

/** The file of the COCO results zip that says where the results came from. */
const PROVENANCE_FILE_NAME = 'provenance.json';

/** The published figure beside the measured AP: the figure and where it was measured, everything else on hover. */
function PublishedCell({ figure }: { figure: PublishedFigure | null }) {
  if (!figure) return <td data-stat="published" title={NO_PUBLISHED_FIGURE}>—</td>;
  return (
    <td data-stat="published" title={publishedConditionsText(figure)}>
      {figure.value.toFixed(3)}
      <span className="hint"> ({figure.conditionsShort})</span>
    </td>
  );
}

/** The decision view: metrics per model, PCK curve, per-keypoint detection rate, verdict against targets, exports. */
/** Which keypoints are scored and how strict OKS is on each: a uniform guess of the sigmas is a warning, not a footnote. */
function ScoringLayoutNote() {
  const groundTruth = useAppStore((s) => s.groundTruth);
  if (!groundTruth) return null;
  const layout = groundTruthLayoutOf(groundTruth);
  const uniform = layout.sigmaSource.kind === 'uniform';
  return (
    // A div, not a p: the protocol description stays the view's one hint paragraph.
    <div className={uniform ? 'warning' : 'hint'} data-testid="scoring-layout">
      Scored in the ground truth&apos;s keypoints: {layout.displayName} ({layout.keypointNames.length}) · OKS sigmas: {layout.sigmaSource.reference}
      {uniform ? '. AP and the error taxonomy depend on them: give the dataset\'s own sigmas (a "sigmas" list in its category) for numbers that compare with published ones.' : ''}
    </div>
  );
}

export function MetricsView() {
  const snapshot = useEvaluationSnapshot();
  useIntervalsDemand();
  const report = useCurrentReport();
  const hasGroundTruth = useAppStore((s) => s.groundTruth !== null);
  const targets = useAppStore((s) => s.verdictTargets);
  const pckAlpha = useAppStore((s) => s.pckAlpha);
  const pckNormalizer = useAppStore((s) => s.pckNormalizer);
  const pushNotice = useAppStore((s) => s.pushNotice);
  // Slots: 0 PCK curve, 1–2 per-keypoint heatmaps, 3 intervals, 4–6 error taxonomy (ErrorTaxonomyPanel).
  const chartCanvases = useRef<(HTMLCanvasElement | null)[]>([null, null, null, null, null, null, null]);
  const [status, setStatus] = useState('');
  const curveConfig = useMemo(() => (snapshot ? pckCurveConfig(snapshot) : null), [snapshot]);
  const intervalConfig = useMemo(() => (snapshot ? intervalChartConfig(snapshot, report, pckAlpha) : null), [snapshot, report, pckAlpha]);
  const keypointHeatmap = useMemo(() => (snapshot ? perKeypointHeatmap(snapshot, (k) => k.detectionRate, true) : null), [snapshot]);
  const keypointErrorHeatmap = useMemo(() => (snapshot ? perKeypointHeatmap(snapshot, (k) => k.meanNormalisedError, false) : null), [snapshot]);

  if (!hasGroundTruth) {
    return (
      <div className="empty">
        <p>
          Metrics need ground truth: drop a COCO keypoints <code>annotations.json</code> (images match by <code>file_name</code>), or use “Try sample
          images”, which brings its annotations.
        </p>
      </div>
    );
  }
  if (!snapshot) return <div className="empty"><p>None of the added images is listed in the ground truth yet.</p></div>;

  const metrics = snapshot.columns.map((c) => c.metrics);
  const showNme = metrics.some((m) => m.nme !== null);
  const stem = `keypoint-bench-${timestampStem()}`;
  // Read at click time, so the record says what the export was made from (backend, threshold, date) at that moment.
  const exportContext = (): ExportContext => {
    const state = useAppStore.getState();
    const intervals = useIntervals.getState();
    return { provenance: exportProvenance(state, metrics), published: exportPublished(state), intervals: currentReport(intervals, state), errors: currentErrors(intervals, state)?.map((e) => e.summary) ?? null };
  };
  const exportPng = async () => {
    try {
      const { provenance, published } = exportContext();
      const charts = chartCanvases.current.filter((c): c is HTMLCanvasElement => c !== null).map((c) => ({ image: c, widthPx: c.width, heightPx: c.height }));
      const spec = buildMetricsReportSpec({ snapshot, provenance, published, pckAlpha, pckNormalizer, charts, intervals: currentReport(useIntervals.getState(), useAppStore.getState()), targets });
      downloadBlob(await renderMetricsReportPng(spec), `${stem}-metrics.png`);
      setStatus(`Saved ${stem}-metrics.png`);
    } catch (error) {
      pushNotice('evaluation', `Metrics PNG failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const exportZip = () => {
    const files: Record<string, Uint8Array> = {};
    for (const c of snapshot.columns) files[`${safeFileStem(c.column.label)}.results.json`] = strToU8(JSON.stringify(c.results));
    // The results files stay plain COCO arrays (pycocotools loads them); where they came from travels beside them.
    files[PROVENANCE_FILE_NAME] = strToU8(JSON.stringify(exportContext().provenance, null, 2) + '\n');
    downloadBlob(new Blob([zipSync(files) as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), `${stem}-coco-results.zip`);
  };

  return (
    <section className="metrics" aria-label="Metrics">
      <p className="hint">{PROTOCOL_DESCRIPTIONS[snapshot.protocol]}</p>
      <ScoringLayoutNote />
      {snapshot.notScored.length > 0 && (
        <ul className="notice-list" data-testid="not-scored" aria-label="Shown but not scored">
          {snapshot.notScored.map(({ column, reason }) => (
            <li key={column.id}>
              <strong>{column.label}</strong>: shown, not scored. {reason}.
            </li>
          ))}
        </ul>
      )}
      <table className="metrics-table" data-testid="metrics-table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" title="COCO keypoint AP, OKS 0.50:0.95">AP</th>
            <th scope="col" title={PUBLISHED_NOTE}>
              Published*
            </th>
            <th scope="col">AP50</th>
            <th scope="col">AP75</th>
            <th scope="col" title="COCO keypoint AR, OKS 0.50:0.95">AR</th>
            <th scope="col">PCK@{pckAlpha}</th>
            <th scope="col" title="Area under the PCK curve over α 0–0.5, normalised: 1 = every labelled keypoint within any α">
              PCK AUC
            </th>
            {showNme && (
              <th scope="col" title="Normalised mean error: mean keypoint distance ÷ the ground truth's outer-eye-corner distance, mean over detected faces (lower is better)">
                NME
              </th>
            )}
            <th scope="col" title="Median model time per image: every inference the image needed (one per person crop under person crops)">
              ms/image
            </th>
            <th scope="col" title="Model time of one inference (one whole image, or one person crop): each image's time ÷ its inferences, median over the images">
              ms/inference
            </th>
            <th scope="col">Images</th>
            <th scope="col" title="Inputs the model returned no pose for: person crops under person crops, else images">
              No pose
            </th>
            <th scope="col">COCO results</th>
          </tr>
        </thead>
        <tbody>
          {snapshot.columns.map((c) => (
            <tr key={c.column.id} data-column-id={c.column.id}>
              <th scope="row">
                <span className="swatch" style={{ background: c.column.colour }} aria-hidden="true" />
                {c.column.label}
              </th>
              <StatCell stat="AP" value={fmt(c.metrics.stats.AP)} report={report} columnId={c.column.id} metric="AP" />
              <PublishedCell figure={c.column.kind === 'model' ? (PUBLISHED[c.column.id] ?? null) : null} />
              <StatCell stat="AP50" value={fmt(c.metrics.stats.AP50)} report={report} columnId={c.column.id} metric="AP50" />
              <StatCell stat="AP75" value={fmt(c.metrics.stats.AP75)} report={report} columnId={c.column.id} metric="AP75" />
              <StatCell stat="AR" value={fmt(c.metrics.stats.AR)} report={report} columnId={c.column.id} metric="AR" />
              <StatCell stat="PCK" value={fmt(c.metrics.pck.value)} report={report} columnId={c.column.id} metric="PCK" />
              <td data-stat="pck-auc">{fmt(c.metrics.pckCurve.auc)}</td>
              {showNme && <td data-stat="nme">{c.metrics.nme ? fmt(c.metrics.nme.value) : '—'}</td>}
              <StatCell stat="ms-per-image" value={fmtMs(c.metrics.medianImageLatencyMs)} report={report} columnId={c.column.id} metric="medianImageLatencyMs" />
              <td data-stat="ms-per-inference">{fmtMs(c.metrics.medianInferenceLatencyMs)}</td>
              <td data-stat="images">
                {c.metrics.imagesEvaluated}/{c.metrics.imagesTotal}
              </td>
              <td data-stat="no-pose">{withoutPoseText(c.metrics.withoutPose)}</td>
              <td>
                <button
                  type="button"
                  onClick={() => downloadBlob(new Blob([JSON.stringify(c.results)], { type: 'application/json' }), `${safeFileStem(c.column.label)}.results.json`)}
                >
                  results.json
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="hint" data-testid="published-note">
        * {PUBLISHED_NOTE} Hover a figure for its dataset, conditions and source.
      </div>
      <IntervalsPanel />
      <VerdictPanel snapshot={snapshot} />
      <ErrorTaxonomyPanel snapshot={snapshot} onCanvas={(slot, canvas) => (chartCanvases.current[slot] = canvas)} />
      <div className="row-buttons">
        <button type="button" onClick={() => downloadBlob(new Blob([metricsToCsv(metrics, exportContext())], { type: 'text/csv' }), `${stem}-metrics.csv`)}>
          Export metrics CSV
        </button>
        <button type="button" onClick={() => downloadBlob(new Blob([metricsToJson(metrics, { ...exportContext(), targets })], { type: 'application/json' }), `${stem}-metrics.json`)}>
          Export metrics JSON
        </button>
        <button type="button" onClick={exportZip}>
          Export all COCO results (.zip)
        </button>
        <button type="button" onClick={() => void exportPng()}>
          Export metrics PNG
        </button>
        <span className="hint" role="status">{status}</span>
      </div>
      <div className="charts">
        {intervalConfig && (
          <figure>
            <figcaption>Scores with their 95% intervals</figcaption>
            <ChartCanvas config={intervalConfig} label="Scores per model with 95% bootstrap intervals" heightPx={280} onCanvas={(c) => (chartCanvases.current[3] = c)} />
          </figure>
        )}
        {curveConfig && (
          <figure>
            <figcaption>PCK curve ({pckNormalizer === 'bbox' ? 'bounding-box size' : 'torso diameter'})</figcaption>
            <ChartCanvas config={curveConfig} label="PCK curve per model" heightPx={280} onCanvas={(c) => (chartCanvases.current[0] = c)} />
          </figure>
        )}
        {keypointHeatmap && (
          <figure>
            <figcaption>Per-keypoint detection rate (PCK@{pckAlpha}; green is better)</figcaption>
            <HeatmapCanvas spec={keypointHeatmap} label="Per-keypoint detection rate per model" onCanvas={(c) => (chartCanvases.current[1] = c)} />
          </figure>
        )}
        {keypointErrorHeatmap && (
          <figure>
            <figcaption>Per-keypoint mean error, fraction of the {pckNormalizer === 'bbox' ? 'bounding-box size' : 'torso diameter'} (red is worse)</figcaption>
            <HeatmapCanvas spec={keypointErrorHeatmap} label="Per-keypoint mean normalised error per model" onCanvas={(c) => (chartCanvases.current[2] = c)} />
          </figure>
        )}
      </div>
    </section>
  );
}
