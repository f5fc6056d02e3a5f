import type { ChartConfiguration } from 'chart.js';
import { zipSync, strToU8 } from 'fflate';
import { useId, useMemo, useRef, useState } from 'react';
import { withoutPoseText } from '../../core/evaluation/evaluateColumn';
import { metricsToCsv, metricsToJson, type ExportContext } from '../../core/evaluation/exportMetrics';
import { PROTOCOL_DESCRIPTIONS } from '../../core/evaluation/protocol';
import { PUBLISHED_NOTE, publishedByColumn, publishedConditionsText } from '../../core/evaluation/published';
import type { PublishedFigure } from '../../core/types';
import { MODELS } from '../../inference/modelCatalogue';
import { renderMetricsReportPng } from '../../render/metricsReport';
import { useAppStore } from '../../store/appStore';
import { useEvaluationSnapshot, verdictText, type EvaluationSnapshot } from '../../store/evaluationResults';
import { exportProvenance, exportPublished } from '../../store/exportProvenance';
import { ChartCanvas } from '../../ui/ChartCanvas';
import { downloadBlob, safeFileStem, timestampStem } from '../../ui/download';
import { buildMetricsReportSpec, fmtMs, fmtStat as fmt } from './metricsReportSpec';

/** Every model's published figure, by model id (= column id of a model column). */
const PUBLISHED = publishedByColumn(MODELS);
const NO_PUBLISHED_FIGURE = 'No published figure for this column (none found for the model, or imported predictions).';

function TargetInput({ label, value, onChange, step, unit }: { label: string; value: number | null; onChange: (v: number | null) => void; step: number; unit?: string }) {
  const id = useId();
  return (
    <span className="target">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        step={step}
        min={0}
        value={value ?? ''}
        placeholder="off"
        onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
      />
      {unit}
    </span>
  );
}

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

/** A grouped bar chart over the 17 COCO keypoints, one bar per column. */
function perKeypointConfig(
  snapshot: EvaluationSnapshot,
  value: (k: EvaluationSnapshot['columns'][number]['metrics']['perKeypoint'][number]) => number | null,
  axisTitle: string,
  yMax?: number,
): ChartConfiguration {
  const names = snapshot.columns[0]?.metrics.perKeypoint.map((k) => k.name.replace('_', ' ')) ?? [];
  return {
    type: 'bar',
    data: {
      labels: names,
      datasets: snapshot.columns.map((c) => ({
        label: c.column.label,
        data: c.metrics.perKeypoint.map((k) => value(k) ?? Number.NaN),
        backgroundColor: c.column.colour,
      })),
    },
    options: {
      plugins: { legend: { position: 'bottom' } },
      scales: { y: { min: 0, ...(yMax !== undefined ? { max: yMax } : {}), title: { display: true, text: axisTitle } } },
    },
  };
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
export function MetricsView() {
  const snapshot = useEvaluationSnapshot();
  const hasGroundTruth = useAppStore((s) => s.groundTruth !== null);
  const targets = useAppStore((s) => s.verdictTargets);
  const setTargets = useAppStore((s) => s.setVerdictTargets);
  const pckAlpha = useAppStore((s) => s.pckAlpha);
  const pckNormalizer = useAppStore((s) => s.pckNormalizer);
  const pushNotice = useAppStore((s) => s.pushNotice);
  const chartCanvases = useRef<(HTMLCanvasElement | null)[]>([null, null, null]);
  const [status, setStatus] = useState('');
  const curveConfig = useMemo(() => (snapshot ? pckCurveConfig(snapshot) : null), [snapshot]);
  const keypointConfig = useMemo(() => (snapshot ? perKeypointConfig(snapshot, (k) => k.detectionRate, 'detection rate (PCK@α)', 1) : null), [snapshot]);
  const keypointErrorConfig = useMemo(() => (snapshot ? perKeypointConfig(snapshot, (k) => k.meanNormalisedError, 'mean error / person size') : null), [snapshot]);

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
  const stem = `keypoint-bench-${timestampStem()}`;
  // Read at click time, so the record says what the export was made from (backend, threshold, date) at that moment.
  const exportContext = (): ExportContext => {
    const state = useAppStore.getState();
    return { provenance: exportProvenance(state, metrics), published: exportPublished(state) };
  };
  const exportPng = async () => {
    try {
      const { provenance, published } = exportContext();
      const charts = chartCanvases.current.filter((c): c is HTMLCanvasElement => c !== null).map((c) => ({ image: c, widthPx: c.width, heightPx: c.height }));
      const spec = buildMetricsReportSpec({ snapshot, provenance, published, pckAlpha, pckNormalizer, charts });
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
              <td data-stat="AP">{fmt(c.metrics.stats.AP)}</td>
              <PublishedCell figure={c.column.kind === 'model' ? (PUBLISHED[c.column.id] ?? null) : null} />
              <td>{fmt(c.metrics.stats.AP50)}</td>
              <td>{fmt(c.metrics.stats.AP75)}</td>
              <td data-stat="AR">{fmt(c.metrics.stats.AR)}</td>
              <td data-stat="PCK">{fmt(c.metrics.pck.value)}</td>
              <td data-stat="ms-per-image">{fmtMs(c.metrics.medianImageLatencyMs)}</td>
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
      <div className="verdict" data-testid="verdict">
        <h3>Verdict</h3>
        <div className="targets">
          <TargetInput label="AP ≥" value={targets.apMin} step={0.05} onChange={(v) => setTargets({ apMin: v })} />
          <TargetInput label={`PCK@${pckAlpha} ≥`} value={targets.pckMin} step={0.05} onChange={(v) => setTargets({ pckMin: v })} />
          <TargetInput label="Median latency per image ≤" value={targets.latencyMaxMs} step={5} unit="ms" onChange={(v) => setTargets({ latencyMaxMs: v })} />
        </div>
        <ul>
          {snapshot.verdict.map((row) => (
            <li key={row.columnId} className={row.pass === true ? 'pass' : row.pass === false ? 'fail' : 'undecided'} data-column-id={row.columnId} data-pass={String(row.pass)}>
              {verdictText(row)}
            </li>
          ))}
        </ul>
      </div>
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
        {curveConfig && (
          <figure>
            <figcaption>PCK curve ({pckNormalizer === 'bbox' ? 'bounding-box size' : 'torso diameter'})</figcaption>
            <ChartCanvas config={curveConfig} label="PCK curve per model" heightPx={280} onCanvas={(c) => (chartCanvases.current[0] = c)} />
          </figure>
        )}
        {keypointConfig && (
          <figure>
            <figcaption>Per-keypoint detection rate (PCK@{pckAlpha})</figcaption>
            <ChartCanvas config={keypointConfig} label="Per-keypoint detection rate per model" heightPx={280} onCanvas={(c) => (chartCanvases.current[1] = c)} />
          </figure>
        )}
        {keypointErrorConfig && (
          <figure>
            <figcaption>Per-keypoint mean normalised error ({pckNormalizer === 'bbox' ? 'bounding-box size' : 'torso diameter'})</figcaption>
            <ChartCanvas config={keypointErrorConfig} label="Per-keypoint mean normalised error per model" heightPx={280} onCanvas={(c) => (chartCanvases.current[2] = c)} />
          </figure>
        )}
      </div>
    </section>
  );
}
