/** Metrics as files: CSV (one row per column, for spreadsheets) and JSON (everything, for scripts). */

import { BOOTSTRAP_METRICS, type BootstrapReport } from '../metrics/bootstrap';
import { KEYPOINT_STATS_NAMES } from '../metrics/cocoEval';
import type { PublishedFigure } from '../types';
import type { ModelMetrics } from './evaluateColumn';
import { PROTOCOL_DESCRIPTIONS, type EvaluationProtocol } from './protocol';
import { PUBLISHED_NOTE, publishedConditionsText } from './published';
import { modelExecutionText, weightsText, type Provenance } from './provenance';
import { verdict, type VerdictTargets } from './verdict';
import { intervalVerdictRow } from './verdictInterval';
import { KEYPOINT_CLASSES, errorsJson, type ColumnErrors } from './errorSummary';
import { AP_IMPACT_ERROR_TYPES } from '../metrics/cocoAnalyze';

export interface ExportContext {
  /** Where the metrics came from (ground truth, app build, weights, backend, protocol, date): written into every export. */
  provenance: Provenance;
  /** Published figures by column id (`publishedByColumn`); columns without one get empty fields. */
  published: Readonly<Record<string, PublishedFigure>>;
  /** Bootstrap intervals of these very metrics, when computed: every export then carries them. */
  intervals?: BootstrapReport | null;
  /** The coco-analyze error taxonomy of each column, when computed. */
  errors?: readonly ColumnErrors[] | null;
}

/** Version of the metrics.json layout; bumped when a field changes meaning. */
export const METRICS_JSON_FORMAT_VERSION = 3;

/** The interval columns of the CSV: `<stat>_ci_low`, `<stat>_ci_high` per bootstrapped statistic, then how they were made. */
/** The taxonomy columns of the CSV: keypoint class counts, background errors, AP gain per error type (mean over OKS .50:.95). */
export const ERROR_CSV_COLUMNS = [
  'labelled_keypoints_analysed',
  ...KEYPOINT_CLASSES.map((c) => `keypoints_${c}`),
  'background_false_positives',
  'missed_people',
  ...AP_IMPACT_ERROR_TYPES.map((t) => `ap_gain_${t}`),
] as const;

export const INTERVAL_CSV_COLUMNS = [
  ...BOOTSTRAP_METRICS.flatMap((name) => [`${name}_ci_low`, `${name}_ci_high`]),
  'ci_level',
  'ci_resamples',
  'ci_seed',
  'ci_images',
  'ci_labelled_people',
] as const;

/**
 * One CSV field per RFC 4180: quoted when it holds a comma, a quote, CR or LF, quotes doubled.
 * Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) gets a leading `'`,
 * the usual defence against CSV injection: display names can come from imported file names.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One row per column, CRLF line ends (RFC 4180), a header row first. Numbers are written in full precision; an AP/AR
 * of -1 means the area range has no ground-truth person (pycocotools' convention); empty = not measured.
 * The PCK column is named `PCK@α` when every row uses the same α and normaliser, `PCK` otherwise (the α and
 * normaliser columns always say which).
 */
export function metricsToCsv(metrics: readonly ModelMetrics[], context: ExportContext): string {
  const first = metrics[0];
  const sharedPck = first && metrics.every((m) => m.pck.alpha === first.pck.alpha && m.pck.normalizer === first.pck.normalizer);
  const pckHeader = sharedPck ? `PCK@${first.pck.alpha}` : 'PCK';
  const p = context.provenance;
  const header = [
    'column_id',
    'model',
    'protocol',
    'backend',
    'date',
    'images_evaluated',
    'images_total',
    'detections',
    ...KEYPOINT_STATS_NAMES,
    pckHeader,
    'pck_alpha',
    'pck_normalizer',
    'pck_persons_skipped',
    'pck_auc',
    'nme',
    'median_latency_ms_per_image',
    'median_latency_ms_per_inference',
    'inferences',
    'images_without_pose',
    'crops_without_pose',
    'crops_total',
    ...INTERVAL_CSV_COLUMNS,
    ...ERROR_CSV_COLUMNS,
    ...PUBLISHED_CSV_COLUMNS,
    ...PROVENANCE_CSV_COLUMNS,
  ];
  const rows = metrics.map((m) => {
    const published = context.published[m.columnId];
    const model = p.models.find((entry) => entry.id === m.columnId);
    const imported = p.importedPredictions.find((entry) => entry.columnId === m.columnId);
    return [
      m.columnId,
      m.displayName,
      m.protocol,
      // Where this row's model ran: a LiteRT model on LiteRT's own WASM, whatever tfjs backend was active.
      model ? modelExecutionText(p, model) : p.backend,
      p.dateIso,
      m.imagesEvaluated,
      m.imagesTotal,
      m.detections,
      ...KEYPOINT_STATS_NAMES.map((name) => m.stats[name]),
      m.pck.value,
      m.pck.alpha,
      m.pck.normalizer,
      m.pck.personsSkipped,
      m.pckCurve.auc,
      m.nme?.value ?? null,
      m.medianImageLatencyMs,
      m.medianInferenceLatencyMs,
      m.inferences,
      m.withoutPose.images,
      m.withoutPose.crops,
      m.withoutPose.cropsTotal,
      ...intervalFields(context.intervals ?? null, m.columnId),
      ...errorFields(context.errors ?? null, m.columnId),
      // Published figures: the authors' conditions travel with the number, so a spreadsheet cannot lose them.
      published?.metric ?? null,
      published?.value ?? null,
      published ? publishedConditionsText(published) : null,
      // Provenance, repeated on every row so that any row copied elsewhere still says where it came from.
      p.appVersion,
      p.groundTruth?.fileName ?? null,
      p.groundTruth?.sha256 ?? null,
      p.imagesScored,
      p.peopleScored,
      p.threads?.count ?? null,
      p.threads?.detail ?? null,
      p.confidenceThreshold,
      p.scoring?.layout ?? null,
      p.scoring ? `${p.scoring.uniformSigmas ? 'UNIFORM: ' : ''}${p.scoring.sigmas}` : null,
      model ? model.runtime : null,
      model ? model.package : null,
      model ? weightsText(model) : null,
      imported?.fileName ?? null,
    ];
  });
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A row's interval fields (empty where there is no report or the column is not in it). */
function intervalFields(report: BootstrapReport | null, columnId: string): (number | null)[] {
  const column = report?.columns.find((c) => c.columnId === columnId);
  if (!report || !column) return INTERVAL_CSV_COLUMNS.map(() => null);
  return [
    ...BOOTSTRAP_METRICS.flatMap((name) => [column.intervals[name].lower, column.intervals[name].upper]),
    report.confidenceLevel,
    report.resamples,
    report.seed,
    report.imageCount,
    column.labelledPeople,
  ];
}

function errorFields(errors: readonly ColumnErrors[] | null, columnId: string): (number | null)[] {
  const a = errors?.find((e) => e.columnId === columnId)?.analysis;
  if (!a) return ERROR_CSV_COLUMNS.map(() => null);
  return [
    a.labelledKeypoints,
    ...KEYPOINT_CLASSES.map((c) => a.counts[c]),
    a.background.falsePositivesAtAllThresholds.length,
    a.background.falseNegativesWithKeypointsAtAllThresholds,
    ...AP_IMPACT_ERROR_TYPES.map((t) => a.apGain.find((g) => g.errorType === t)?.meanOverThresholds ?? null),
  ];
}

/** The published-figure columns of the CSV, after the measured ones. */
export const PUBLISHED_CSV_COLUMNS = ['published_metric', 'published_value', 'published_conditions'] as const;

/** The provenance columns of the CSV, last. */
export const PROVENANCE_CSV_COLUMNS = [
  'app_version',
  'gt_file',
  'gt_sha256',
  'gt_images_scored',
  'gt_people_scored',
  'threads',
  'threads_detail',
  'confidence_threshold',
  'keypoint_layout',
  'oks_sigmas',
  'runtime',
  'weights_package',
  'weights_sha256',
  'predictions_file',
] as const;

/** What metricsToJson writes. */
export interface MetricsJson {
  tool: 'keypoint-bench';
  formatVersion: number;
  dateIso: string;
  protocol: EvaluationProtocol;
  protocolDescription: string;
  backend: string | null;
  notes: string[];
  provenance: Provenance;
  /** Published figures by column id, for reading beside `metrics[i].stats.AP`; see `notes` on why they differ. */
  published: Record<string, PublishedFigure>;
  metrics: ModelMetrics[];
  targets?: VerdictTargets;
  verdict?: ReturnType<typeof verdict>;
  /** The bootstrap report without its per-resample values (rerun with the seed to get them). */
  intervals?: Omit<BootstrapReport, 'columns'> & { columns: Omit<BootstrapReport['columns'][number], 'samples'>[] };
  /** The coco-analyze error taxonomy per column (its method in `errors.method`). */
  errors?: ReturnType<typeof errorsJson>;
  /** With targets and intervals: pass / fail / inconclusive per column on the intervals. */
  intervalVerdict?: ReturnType<typeof intervalVerdictRow>[];
}

/** Everything, pretty-printed (2 spaces); with `targets`, also the verdict per column. */
export function metricsToJson(
  metrics: readonly ModelMetrics[],
  context: ExportContext & { targets?: VerdictTargets },
): string {
  const p = context.provenance;
  const published: Record<string, PublishedFigure> = {};
  for (const m of metrics) {
    const figure = context.published[m.columnId];
    if (figure) published[m.columnId] = figure;
  }
  const out: MetricsJson = {
    tool: 'keypoint-bench',
    formatVersion: METRICS_JSON_FORMAT_VERSION,
    dateIso: p.dateIso,
    protocol: p.protocol,
    protocolDescription: PROTOCOL_DESCRIPTIONS[p.protocol],
    backend: p.backend,
    notes: [
      'stats are pycocotools keypoint stats (fractions); -1 means the area range has no ground-truth person.',
      'pck.alpha is a fraction of the person size (normalizer bbox: max(w, h) of the GT box; torso: shoulder-hip distance).',
      'Latencies are model time (preprocessing, networks, postprocessing) in milliseconds: medianImageLatencyMs is per image, all the inferences the image needed (one for a whole image, one per person crop); medianInferenceLatencyMs is per inference (one whole image or one crop): per image its time ÷ its inferences, median over the images.',
      'withoutPose counts evaluated images without any detection and, under person crops, crops (ground-truth persons) that got no pose.',
      `${PUBLISHED_NOTE} Each published entry names its dataset, conditions, build and source.`,
      ...(p.scoring?.uniformSigmas ? [`OKS sigmas are a uniform guess (${p.scoring.sigmas}): AP and the error taxonomy depend on them; give the dataset's own sigmas for numbers that compare with published ones.`] : []),
    ],
    provenance: p,
    published,
    metrics: [...metrics],
  };
  const report = context.intervals ?? null;
  if (report) {
    out.notes.push(
      `intervals: ${Math.round(report.confidenceLevel * 100)}% percentile bootstrap (numpy's linear percentile), ${report.resamples} resamples of the ${report.imageCount} images every column scored, drawn with replacement, seed ${report.seed}; pairs are A − B on the same resamples, significant when the interval excludes 0.`,
    );
    out.intervals = { ...report, columns: report.columns.map(({ samples: _samples, ...column }) => column) };
  }
  if (context.errors) out.errors = errorsJson([...context.errors]);
  if (context.targets) {
    out.targets = context.targets;
    out.verdict = verdict(metrics, context.targets);
    const targets = context.targets;
    if (report) out.intervalVerdict = report.columns.map((column) => intervalVerdictRow(column, targets));
  }
  return JSON.stringify(out, null, 2) + '\n';
}
