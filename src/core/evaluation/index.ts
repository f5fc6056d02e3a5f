/**
 * Ground-truth evaluation of model columns, shared by the CLI and the browser UI: protocols and person crops,
 * poses → COCO results, per-column metrics, verdict against targets, CSV/JSON export. Pure (no DOM, Node or tfjs).
 */
export {
  EVALUATION_PROTOCOLS,
  PROTOCOL_DESCRIPTIONS,
  cropTargets,
  isEvaluationProtocol,
  type CropTarget,
  type EvaluationProtocol,
} from './protocol';
export { COCO_PERSON_CATEGORY_ID, posesToCocoResults } from './conversion';
export {
  DEFAULT_PCK_SETTINGS,
  evaluateColumn,
  median,
  restrictGroundTruth,
  type EvaluateColumnInput,
  type ImageResult,
  type ModelMetrics,
  type PckSettings,
  type PersonResult,
  type StatName,
} from './evaluateColumn';
export { verdict, type VerdictCheck, type VerdictRow, type VerdictTargets } from './verdict';
export { METRICS_JSON_FORMAT_VERSION, csvField, metricsToCsv, metricsToJson, type ExportContext, type MetricsJson } from './exportMetrics';
export { cocoSummaryLines } from './summary';
