/**
 * Gathers what "Export report" shows from the app's own sources (the evaluation snapshot, the bootstrap report, the
 * error taxonomy, the provenance record), worded by the same functions the screen uses, and draws the worst cases'
 * thumbnails with their overlays offscreen. The page itself is laid out by render/reportHtml.
 */
import { CLASS_LABELS, ERROR_LABELS, ERRORS_METHOD, KEYPOINT_CLASSES } from '../../core/evaluation/errorSummary';
import { median, withoutPoseText } from '../../core/evaluation/evaluateColumn';
import { intervalBasisText, intervalBrackets, intervalVerdictText, pairText } from '../../core/evaluation/intervalText';
import { PROTOCOL_DESCRIPTIONS } from '../../core/evaluation/protocol';
import { provenanceLines } from '../../core/evaluation/provenance';
import { PUBLISHED_NOTE, formatPublished } from '../../core/evaluation/published';
import { fitImage } from '../../core/geometry';
import type { BootstrapMetricName, BootstrapReport } from '../../core/metrics/bootstrap';
import { drawErrorLines, drawGroundTruthLayer } from '../../render/drawGroundTruth';
import { drawImage, drawPoseLayer, pointRadiusFor } from '../../render/drawPoses';
import type { ReportChart, ReportHtmlInput, ReportTableRow, ReportTaxonomy, ReportWorstColumn } from '../../render/reportHtml';
import type { AppState } from '../../store/appStore';
import { cellOf, columnsOf } from '../../store/columns';
import { evaluationSnapshot, verdictText, type EvaluationSnapshot } from '../../store/evaluationResults';
import { exportProvenance, exportPublished } from '../../store/exportProvenance';
import { groundTruthIndex } from '../../store/groundTruthIndex';
import { currentErrors, currentReport, intervalVerdictRows, type IntervalsState } from '../../store/intervals';
import { cellOverlay } from '../../ui/overlays';

/** Worst cases per column: a row of thumbnails a reader takes in at a glance, a page of them per model at most. */
export const WORST_CASES_PER_COLUMN = 6;
/** Longest side of a drawn thumbnail: sharp at the 220 CSS px it is shown at, also printed at 2× (A4 at 300 dpi). */
const CASE_MAX_SIDE_PX = 440;
const CASE_JPEG_QUALITY = 0.82;

const fmtStat = (value: number | null | undefined, digits = 3) =>
  value === null || value === undefined || !Number.isFinite(value) ? '—' : value < 0 ? 'n/a' : value.toFixed(digits);
const fmtMs = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)} ms`);
const fmtSigned = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`;

/** What the report reads from the stores: the app's state now and the intervals store's. */
export interface ReportSources {
  state: AppState;
  intervals: Pick<IntervalsState, 'status' | 'report' | 'errors' | 'inputs' | 'error'>;
}

interface Gathered {
  snapshot: EvaluationSnapshot | null;
  report: BootstrapReport | null;
}

function intervalOf(report: BootstrapReport | null, columnId: string, metric: BootstrapMetricName) {
  return report?.columns.find((c) => c.columnId === columnId)?.intervals[metric] ?? null;
}

function bracketsOf(report: BootstrapReport | null, columnId: string, metric: BootstrapMetricName): string | null {
  const interval = intervalOf(report, columnId, metric);
  return interval && interval.lower !== null && interval.upper !== null ? intervalBrackets(interval, metric) : null;
}

function verdictPart(sources: ReportSources, { snapshot, report }: Gathered): ReportHtmlInput['verdict'] {
  if (!snapshot) return null;
  const { state, intervals } = sources;
  const pckLabel = `PCK@${state.pckAlpha}`;
  const colourOf = (columnId: string) => snapshot.columns.find((c) => c.column.id === columnId)?.column.colour ?? '#888888';
  const rows = intervalVerdictRows(report, state.verdictTargets);
  const basis = report
    ? intervalBasisText(report)
    : intervals.status === 'running'
      ? 'Intervals pending: they were still being computed when this report was made; the lines below are point estimates.'
      : 'Point estimates (no intervals: nothing to resample yet).';
  return {
    heading: 'Verdict — whole dataset',
    basis,
    lines: rows
      ? rows.map((row) => ({ columnId: row.columnId, colour: colourOf(row.columnId), outcome: row.outcome ?? 'undecided', text: intervalVerdictText(row, pckLabel) }))
      : snapshot.verdict.map((row) => ({ columnId: row.columnId, colour: colourOf(row.columnId), outcome: 'pending' as const, text: `${verdictText(row)} (point estimate)` })),
  };
}

/**
 * Without scores, what needs no ground truth: per column, the images it has processed and its median time per
 * image, so a report made before the annotations are in still says what ran and how fast.
 */
function runsPart(state: AppState): ReportHtmlInput['metrics'] {
  const ready = state.images.filter((image) => image.status === 'ready');
  const columns = columnsOf(state);
  if (columns.length === 0 || ready.length === 0) return null;
  return {
    title: 'Models run (not scored)',
    header: ['Model', 'Images processed', 'ms/image'],
    rows: columns.map((column): ReportTableRow => {
      const cells = ready.map((image) => cellOf(state, image.id, column)).filter((cell) => cell?.status === 'done');
      const latencies = cells.map((cell) => cell?.imageLatencyMs).filter((ms): ms is number => typeof ms === 'number');
      return {
        columnId: column.id,
        colour: column.colour,
        cells: [{ text: column.label }, { text: `${cells.length}/${ready.length}`, stat: 'images' }, { text: fmtMs(median(latencies)), stat: 'ms-per-image' }],
      };
    }),
    notes: ['Not scored: scores, intervals and the verdict need ground truth.'],
  };
}

function metricsPart(state: AppState, { snapshot, report }: Gathered): ReportHtmlInput['metrics'] {
  if (!snapshot) return runsPart(state);
  const published = exportPublished(state);
  const rows = snapshot.columns.map((c): ReportTableRow => {
    const m = c.metrics;
    const id = c.column.id;
    const figure = published[id];
    return {
      columnId: id,
      colour: c.column.colour,
      cells: [
        { text: c.column.label },
        { text: fmtStat(m.stats.AP), stat: 'AP', interval: bracketsOf(report, id, 'AP') },
        { text: figure ? formatPublished(figure) : '—', stat: 'published' },
        { text: fmtStat(m.stats.AP50), stat: 'AP50', interval: bracketsOf(report, id, 'AP50') },
        { text: fmtStat(m.stats.AP75), stat: 'AP75', interval: bracketsOf(report, id, 'AP75') },
        { text: fmtStat(m.stats.AR), stat: 'AR', interval: bracketsOf(report, id, 'AR') },
        { text: fmtStat(m.pck.value), stat: 'PCK', interval: bracketsOf(report, id, 'PCK') },
        { text: fmtMs(m.medianImageLatencyMs), stat: 'ms-per-image', interval: bracketsOf(report, id, 'medianImageLatencyMs') },
        { text: fmtMs(m.medianInferenceLatencyMs), stat: 'ms-per-inference' },
        { text: `${m.imagesEvaluated}/${m.imagesTotal}`, stat: 'images' },
        { text: withoutPoseText(m.withoutPose), stat: 'no-pose' },
      ],
    };
  });
  const notes = snapshot.columns.flatMap(({ column }) => {
    const figure = published[column.id];
    return figure ? [`${column.label}: published ${formatPublished(figure)}, ${figure.conditionsShort}; source: ${figure.source.title}`] : [];
  });
  return {
    header: ['Model', 'AP', 'Published*', 'AP50', 'AP75', 'AR', `PCK@${state.pckAlpha}`, 'ms/image', 'ms/inference', 'Images', 'No pose'],
    rows,
    notes: [
      ...(report ? [`Brackets: ${intervalBasisText(report)}.`] : []),
      ...(notes.length > 0 ? [`* ${PUBLISHED_NOTE}`, ...notes] : []),
    ],
  };
}

/** Every pair of columns, AP and PCK, worded as the app words them. */
function pairsPart({ report }: Gathered): string[] {
  if (!report) return [];
  return report.pairs.flatMap((pair) => (['AP', 'PCK'] as const).map((metric) => pairText(report, pair.columnIdA, pair.columnIdB, metric)).filter((t): t is string => t !== null));
}

function chartsPart(state: AppState, { snapshot, report }: Gathered): ReportChart[] {
  if (!snapshot || snapshot.columns.length === 0) return [];
  const columns = snapshot.columns;
  const scoreMetrics: { metric: BootstrapMetricName; label: string; value: (c: (typeof columns)[number]) => number | null }[] = [
    { metric: 'AP', label: 'AP', value: (c) => c.metrics.stats.AP },
    { metric: 'AP50', label: 'AP50', value: (c) => c.metrics.stats.AP50 },
    { metric: 'AP75', label: 'AP75', value: (c) => c.metrics.stats.AP75 },
    { metric: 'AR', label: 'AR', value: (c) => c.metrics.stats.AR },
    { metric: 'PCK', label: `PCK@${state.pckAlpha}`, value: (c) => c.metrics.pck.value },
  ];
  const nonNegative = (v: number | null) => (v === null || v < 0 ? null : v);
  const errors = columns.map((c) => c.metrics.perKeypoint.map((k) => k.meanNormalisedError));
  const maxError = Math.max(0.01, ...errors.flat().filter((v): v is number => v !== null));
  const keypoints = columns[0]!.metrics.perKeypoint.map((k) => k.name.replace('_', ' '));
  return [
    {
      kind: 'bars',
      title: 'Scores per model',
      maxValue: 1,
      caption: report ? `bars: the value on every image; whiskers: ${intervalBasisText(report)}` : 'bars: the value on every image (intervals pending or not computed)',
      groups: scoreMetrics.map(({ metric, label, value }) => ({
        label,
        bars: columns.map((c) => {
          const interval = intervalOf(report, c.column.id, metric);
          return { label: c.column.label, colour: c.column.colour, value: nonNegative(value(c)), lower: interval?.lower ?? null, upper: interval?.upper ?? null };
        }),
      })),
    },
    {
      kind: 'lines',
      title: 'PCK curve',
      xLabel: `α (fraction of ${state.pckNormalizer === 'bbox' ? 'bounding-box size' : 'torso diameter'})`,
      yLabel: 'PCK',
      xMax: Math.max(0.01, ...columns.flatMap((c) => c.metrics.pckCurve.alphas)),
      yMax: 1,
      caption: 'fraction of labelled keypoints within α × person size, per model',
      series: columns.map((c) => ({ label: c.column.label, colour: c.column.colour, points: c.metrics.pckCurve.alphas.map((x, i) => ({ x, y: c.metrics.pckCurve.values[i] ?? null })) })),
    },
    {
      kind: 'heatmap',
      title: `Per-keypoint PCK@${state.pckAlpha}`,
      rowLabels: keypoints,
      columnLabels: columns.map((c) => c.column.label),
      values: keypoints.map((_, k) => columns.map((c) => c.metrics.perKeypoint[k]?.detectionRate ?? null)),
      maxValue: 1,
      higherIsBetter: true,
      digits: 2,
      caption: 'per keypoint, the fraction of labelled ones the model placed within α × person size (darker green is better)',
    },
    {
      kind: 'heatmap',
      title: 'Per-keypoint mean normalised error',
      rowLabels: keypoints,
      columnLabels: columns.map((c) => c.column.label),
      values: keypoints.map((_, k) => errors.map((e) => e[k] ?? null)),
      maxValue: maxError,
      higherIsBetter: false,
      digits: 3,
      caption: 'mean distance to the labelled keypoint ÷ person size (darker red is worse)',
    },
  ];
}

function taxonomyPart(sources: ReportSources, { snapshot }: Gathered): ReportHtmlInput['taxonomy'] {
  if (!snapshot) return null;
  const errors = currentErrors(sources.intervals, sources.state);
  if (!errors) return sources.intervals.status === 'running' ? 'pending' : null;
  const colourOf = (columnId: string) => snapshot.columns.find((c) => c.column.id === columnId)?.column.colour ?? '#888888';
  const taxonomy: ReportTaxonomy = {
    method: ERRORS_METHOD,
    columns: errors.map(({ summary }) => {
      const a = summary.analysis;
      const thresholdIndex = (oks: number) => a?.background.oksThresholds.findIndex((t) => Math.abs(t - oks) < 1e-9) ?? -1;
      const at50 = thresholdIndex(0.5);
      const at95 = thresholdIndex(0.95);
      return {
        columnId: summary.columnId,
        displayName: summary.displayName,
        colour: colourOf(summary.columnId),
        unavailable: summary.unavailable ?? (a ? null : 'no analysis'),
        labelledKeypoints: a?.labelledKeypoints ?? 0,
        classes: KEYPOINT_CLASSES.map((key) => ({ key, label: CLASS_LABELS[key], count: a?.counts[key] ?? 0 })),
        facts: a
          ? [
              `${a.detections} detections analysed; ${a.matchedDetections} matched to a person at OKS 0.1; ${a.analysedDetections} with labelled keypoints (${a.labelledKeypoints} keypoints classed)`,
              ...(at50 >= 0 && at95 >= 0
                ? [`Background false positives: ${a.background.falsePositives[at50] ?? 0} at OKS .50, ${a.background.falsePositives[at95] ?? 0} at OKS .95 · false negatives: ${a.background.falseNegatives[at50] ?? 0} at OKS .50, ${a.background.falseNegatives[at95] ?? 0} at OKS .95`]
                : []),
            ]
          : [],
        apGain: (a?.apGain ?? []).map((g) => {
          const at = (t: number) => g.perThreshold[t];
          const detail = [0, 5].map((t) => {
            const gain = at(t);
            return gain === null || gain === undefined ? null : `${t === 0 ? '.50' : '.75'} ${fmtSigned(gain)}`;
          });
          const text =
            g.meanOverThresholds === null
              ? 'undefined'
              : `${fmtSigned(g.meanOverThresholds)} ± ${(g.stdOverThresholds ?? 0).toFixed(3)}${detail.some((d) => d) ? ` (at OKS ${detail.filter((d): d is string => d !== null).join(', ')})` : ''}`;
          return { label: ERROR_LABELS[g.errorType], value: g.meanOverThresholds, text };
        }),
      };
    }),
  };
  return taxonomy;
}

/** The picked worst cases, before drawing: which image of which column, and its caption. */
interface CasePlan {
  columnIndex: number;
  appImageId: string;
  caption: string;
}

function worstCasePlans(state: AppState, snapshot: EvaluationSnapshot | null): CasePlan[] {
  const index = groundTruthIndex(state.groundTruth, state.images);
  if (!snapshot || !index) return [];
  return snapshot.columns.flatMap((c, columnIndex) =>
    // perImage is worst first already (sortImagesWorstFirst's order); images without a scorable person say nothing.
    c.metrics.perImage
      .filter((image) => image.meanOks !== null && index.appImageIdByGtImageId.has(image.imageId))
      .slice(0, WORST_CASES_PER_COLUMN)
      .map((image): CasePlan => {
        const missed = image.persons.filter((p) => p.oks === null).length;
        const people = `${image.persons.length} ${image.persons.length === 1 ? 'person' : 'people'}${missed ? `, ${missed} missed` : ''}`;
        const falsePositives = image.falsePositives ? ` · ${image.falsePositives} false positive${image.falsePositives === 1 ? '' : 's'}` : '';
        return { columnIndex, appImageId: index.appImageIdByGtImageId.get(image.imageId)!, caption: `mean OKS ${image.meanOks!.toFixed(3)} · ${people}${falsePositives}` };
      }),
  );
}

async function blobToDataUrl(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${blob.type || 'image/jpeg'};base64,${btoa(binary)}`;
}

/** One worst case drawn as the Worst-first view draws it (ground truth forced on): thumbnail, truth, error lines, pose. */
async function drawCase(state: AppState, snapshot: EvaluationSnapshot, plan: CasePlan): Promise<{ dataUrl: string | null; widthPx: number; heightPx: number }> {
  const image = state.images.find((im) => im.id === plan.appImageId);
  const column = snapshot.columns[plan.columnIndex]!.column;
  if (!image?.thumbnail) return { dataUrl: null, widthPx: 220, heightPx: 160 };
  const bitmap = await createImageBitmap(image.thumbnail, { imageOrientation: 'none' }).catch(() => null);
  if (!bitmap) return { dataUrl: null, widthPx: 220, heightPx: 160 };
  try {
    const imageSizePx = { width: image.widthPx, height: image.heightPx };
    const scale = Math.min(1, CASE_MAX_SIDE_PX / Math.max(bitmap.width, bitmap.height));
    const widthPx = Math.max(1, Math.round(bitmap.width * scale));
    const heightPx = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(widthPx, heightPx);
    const ctx = canvas.getContext('2d');
    if (!ctx) return { dataUrl: null, widthPx, heightPx };
    const transform = fitImage(imageSizePx, { width: widthPx, height: heightPx });
    drawImage(ctx, bitmap, { width: bitmap.width, height: bitmap.height }, imageSizePx, transform);
    const overlay = cellOverlay({ ...state, showGroundTruth: true }, image, column, cellOf(state, image.id, column));
    const radiusPx = pointRadiusFor(widthPx, heightPx);
    if (overlay.groundTruth) drawGroundTruthLayer(ctx, overlay.groundTruth, transform, radiusPx);
    if (overlay.errorLines.length > 0) drawErrorLines(ctx, overlay.errorLines, transform, radiusPx);
    if (overlay.layer) drawPoseLayer(ctx, overlay.layer, { transform, minScore: state.confidenceThreshold, pointRadiusPx: radiusPx });
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: CASE_JPEG_QUALITY });
    return { dataUrl: await blobToDataUrl(blob), widthPx, heightPx };
  } finally {
    bitmap.close();
  }
}

export interface ReportBuildOptions {
  stylesheet: ReportHtmlInput['stylesheet'];
  date?: Date;
  /** Called as each thumbnail is drawn. */
  onProgress?: (done: number, total: number) => void;
}

/** The report's data now, thumbnails drawn one at a time (each decoded, drawn, encoded and let go). */
export async function buildReportInput(sources: ReportSources, options: ReportBuildOptions): Promise<ReportHtmlInput> {
  const { state, intervals } = sources;
  const date = options.date ?? new Date();
  const snapshot = evaluationSnapshot(state);
  const report = snapshot ? currentReport(intervals, state) : null;
  const gathered: Gathered = { snapshot, report };

  const notices: string[] = [];
  if (!state.groundTruth) {
    notices.push('No ground truth: this report has no verdict, metrics, charts, error taxonomy or worst cases. Add a COCO keypoints annotations file whose file_name entries match the images to score the models.');
  } else if (!snapshot) {
    notices.push(`No image scored: none of the added images is listed in ${state.groundTruth.fileName}, or no model has finished one yet.`);
  } else if (!report) {
    notices.push(
      intervals.status === 'running'
        ? 'Intervals pending: the bootstrap intervals were still being computed when this report was made, so the verdict and the table are point estimates. Export again once they are in.'
        : intervals.status === 'error'
          ? `No intervals: computing them failed (${intervals.error ?? 'unknown error'}); the verdict and the table are point estimates.`
          : 'No intervals: nothing to resample (no image every column was scored on); the verdict and the table are point estimates.',
    );
  }

  const plans = worstCasePlans(state, snapshot);
  const worstCases: ReportWorstColumn[] = (snapshot?.columns ?? []).map((c) => ({ columnId: c.column.id, label: c.column.label, colour: c.column.colour, cases: [] }));
  options.onProgress?.(0, plans.length);
  for (const [i, plan] of plans.entries()) {
    const drawn = await drawCase(state, snapshot!, plan);
    const image = state.images.find((im) => im.id === plan.appImageId);
    worstCases[plan.columnIndex]!.cases.push({ imageName: image?.name ?? plan.appImageId, caption: plan.caption, ...drawn });
    options.onProgress?.(i + 1, plans.length);
  }

  const provenance = exportProvenance(state, snapshot?.columns.map((c) => c.metrics) ?? [], date);
  return {
    title: 'Keypoint Bench report — is it good enough?',
    stylesheet: options.stylesheet,
    createdIso: date.toISOString(),
    facts: [
      `Protocol: ${PROTOCOL_DESCRIPTIONS[snapshot?.protocol ?? provenance.protocol]}`,
      `Ground truth: ${provenance.groundTruth?.fileName ?? 'none'} · ${provenance.imagesScored} images scored · ${provenance.peopleScored} labelled people`,
      `Backend: ${provenance.backend ?? '—'} · PCK α ${state.pckAlpha} of ${state.pckNormalizer === 'bbox' ? 'bounding-box size' : 'torso diameter'}`,
    ],
    notices,
    verdict: verdictPart(sources, gathered),
    metrics: metricsPart(state, gathered),
    pairs: pairsPart(gathered),
    charts: chartsPart(state, gathered),
    taxonomy: taxonomyPart(sources, gathered),
    worstCases: worstCases.filter((c) => c.cases.length > 0),
    worstCasesNote: plans.length === 0 ? (state.groundTruth ? 'No worst cases: no scored image with a labelled person yet.' : 'No worst cases without ground truth: they are ranked by OKS against it.') : null,
    provenance: provenanceLines(provenance),
  };
}
