/** Metrics as files: CSV (one row per column, for spreadsheets) and JSON (everything, for scripts). */

import { KEYPOINT_STATS_NAMES } from '../metrics/cocoEval';
import type { PublishedFigure } from '../types';
import type { ModelMetrics } from './evaluateColumn';
import { PROTOCOL_DESCRIPTIONS, type EvaluationProtocol } from './protocol';
import { PUBLISHED_NOTE, publishedConditionsText } from './published';
import { weightsText, type Provenance } from './provenance';
import { verdict, type VerdictTargets } from './verdict';

export interface ExportContext {
  /** Where the metrics came from (ground truth, app build, weights, backend, protocol, date): written into every export. */
  provenance: Provenance;
  /** Published figures by column id (`publishedByColumn`); columns without one get empty fields. */
  published: Readonly<Record<string, PublishedFigure>>;
}

/** Version of the metrics.json layout; bumped when a field changes meaning. */
export const METRICS_JSON_FORMAT_VERSION = 2;

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
    'median_latency_ms_per_image',
    'median_latency_ms_per_inference',
    'inferences',
    'images_without_pose',
    'crops_without_pose',
    'crops_total',
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
      p.backend,
      p.dateIso,
      m.imagesEvaluated,
      m.imagesTotal,
      m.detections,
      ...KEYPOINT_STATS_NAMES.map((name) => m.stats[name]),
      m.pck.value,
      m.pck.alpha,
      m.pck.normalizer,
      m.pck.personsSkipped,
      m.medianImageLatencyMs,
      m.medianInferenceLatencyMs,
      m.inferences,
      m.withoutPose.images,
      m.withoutPose.crops,
      m.withoutPose.cropsTotal,
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
      model ? model.package : null,
      model ? weightsText(model) : null,
      imported?.fileName ?? null,
    ];
  });
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
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
    ],
    provenance: p,
    published,
    metrics: [...metrics],
  };
  if (context.targets) {
    out.targets = context.targets;
    out.verdict = verdict(metrics, context.targets);
  }
  return JSON.stringify(out, null, 2) + '\n';
}
