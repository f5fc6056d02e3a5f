import { useAppStore, type AppState } from './appStore';
import { posesToCocoResults } from '../core/evaluation/conversion';
import { evaluateColumn, type ImageLatency, type ModelMetrics, type PckSettings } from '../core/evaluation/evaluateColumn';
import { verdict, type VerdictRow } from '../core/evaluation/verdict';
import type { CocoKeypointResult } from '../core/coco/cocoTypes';
import { groundTruthLayout, layoutMapping, noMappingReason } from '../core/layouts';
import { cellOf, columnsOf, type Column } from './columns';
import { effectiveProtocol, type ExternalColumn } from './evaluationSlice';
import { groundTruthIndex, type GroundTruthIndex } from './groundTruthIndex';

export interface ColumnEvaluation {
  column: Column;
  metrics: ModelMetrics;
  /**
   * COCO results of this column on the evaluated images: what "Export COCO results" writes. For imported
   * predictions, the file's own entries (every field as the file has it), in file order.
   */
  results: CocoKeypointResult[];
  /** Ground-truth ids of the images scored, and each one's model time (all its inferences, ms; null: not timed). */
  imagesScored: { gtImageId: number; latencyMs: number | null }[];
}

export interface EvaluationSnapshot {
  protocol: AppState['evaluationProtocol'];
  columns: ColumnEvaluation[];
  /** Columns shown but not scored: their layout has no mapping to the ground truth's (the reason says which keypoints). */
  notScored: { column: Column; reason: string }[];
  verdict: VerdictRow[];
}

type Inputs = Pick<
  AppState,
  'groundTruth' | 'images' | 'results' | 'externalColumns' | 'selectedModelIds' | 'evaluationProtocol' | 'pckAlpha' | 'pckNormalizer' | 'verdictTargets'
>;

let cache: { inputs: Inputs; snapshot: EvaluationSnapshot | null } | null = null;

function sameInputs(a: Inputs, b: Inputs): boolean {
  return (Object.keys(a) as (keyof Inputs)[]).every((key) => a[key] === b[key]);
}

/**
 * Scores every column (selected models under the current protocol, and imported predictions)
 * against the ground truth, on the images each column has results for. Models are scored from their
 * poses as COCO results; imported predictions from the file's own entries. Memoised on its inputs;
 * null without ground truth or matched images.
 */
export function evaluationSnapshot(state: AppState): EvaluationSnapshot | null {
  const inputs: Inputs = {
    groundTruth: state.groundTruth,
    images: state.images,
    results: state.results,
    externalColumns: state.externalColumns,
    selectedModelIds: state.selectedModelIds,
    evaluationProtocol: state.evaluationProtocol,
    pckAlpha: state.pckAlpha,
    pckNormalizer: state.pckNormalizer,
    verdictTargets: state.verdictTargets,
  };
  if (cache && sameInputs(cache.inputs, inputs)) return cache.snapshot;
  const index = groundTruthIndex(state.groundTruth, state.images);
  let snapshot: EvaluationSnapshot | null = null;
  if (index && index.gtImageByAppImageId.size > 0) {
    const externalById = new Map(state.externalColumns.map((external) => [external.id, external]));
    const pck = { alpha: state.pckAlpha, normalizer: state.pckNormalizer };
    const { layout: scoredLayout, categoryId } = groundTruthLayout(index.dataset);
    const notScored: EvaluationSnapshot['notScored'] = [];
    const scorable = columnsOf(state).filter((column) => {
      if (layoutMapping(column.layout, scoredLayout)) return true;
      notScored.push({ column, reason: noMappingReason(column.layout, scoredLayout) });
      return false;
    });
    const columns = scorable.map((column): ColumnEvaluation => {
      const external = column.kind === 'external' ? externalById.get(column.id) : undefined;
      if (external) return evaluateExternal(column, external, index, pck);
      const imageIdsEvaluated: number[] = [];
      const results: CocoKeypointResult[] = [];
      const latencies: ImageLatency[] = [];
      const imagesScored: ColumnEvaluation['imagesScored'] = [];
      for (const [appImageId, gtImage] of index.gtImageByAppImageId) {
        const cell = cellOf(state, appImageId, column);
        if (!cell || cell.status !== 'done') continue;
        imageIdsEvaluated.push(gtImage.id);
        imagesScored.push({ gtImageId: gtImage.id, latencyMs: cell.imageLatencyMs });
        results.push(...posesToCocoResults(gtImage.id, cell.poses, column.layout, scoredLayout, categoryId));
        if (cell.imageLatencyMs !== null) latencies.push({ imageMs: cell.imageLatencyMs, inferences: cell.inferences ?? 1 });
      }
      const metrics = evaluateColumn({
        columnId: column.id,
        displayName: column.label,
        protocol: effectiveProtocol(state),
        gt: index.dataset,
        imageIdsEvaluated,
        results,
        latencies,
        pck,
        oneResultPerCrop: effectiveProtocol(state) === 'crops',
      });
      return { column, metrics, results, imagesScored };
    });
    snapshot = {
      protocol: effectiveProtocol(state),
      columns,
      notScored,
      verdict: verdict(columns.map((c) => c.metrics), state.verdictTargets),
    };
  }
  cache = { inputs, snapshot };
  return snapshot;
}

export function useEvaluationSnapshot(): EvaluationSnapshot | null {
  return useAppStore(evaluationSnapshot);
}

/** One line per column for screens and exports: "FAIL · Model · AP 0.412 (≥ 0.600) ✗ · …". */
export function verdictText(row: VerdictRow): string {
  const head = row.pass === true ? 'PASS' : row.pass === false ? 'FAIL' : 'NOT DECIDED';
  const checks = row.checks.map((c) => `${c.target} ${c.measured} (${c.required})${c.pass === true ? ' ✓' : c.pass === false ? ' ✗' : ' ?'}`);
  return `${head} · ${row.displayName}${checks.length ? ' · ' + checks.join(' · ') : ' · no targets set'}`;
}

/**
 * An imported column, scored from the file's own entries (never from the poses drawn for it) on every added image
 * the ground truth lists, exactly as `keypoint-bench score` scores the file when those are all its images. Results
 * keep file order, which decides score ties and, through the first entry, where pycocotools takes areas from.
 */
function evaluateExternal(column: Column, external: ExternalColumn, index: GroundTruthIndex, pck: PckSettings): ColumnEvaluation {
  const imageIdsEvaluated = [...index.gtImageByAppImageId.values()].map((image) => image.id);
  const evaluated = new Set(imageIdsEvaluated);
  const metrics = evaluateColumn({
    columnId: column.id,
    displayName: column.label,
    protocol: 'whole',
    gt: index.dataset,
    imageIdsEvaluated,
    results: resultsAsTheFileIsRead(external.results),
    latencies: [],
    pck,
  });
  return { column, metrics, results: external.results.filter((r) => evaluated.has(r.image_id)), imagesScored: imageIdsEvaluated.map((gtImageId) => ({ gtImageId, latencyMs: null })) };
}

/**
 * pycocotools takes every detection area from bboxes only when the list's first entry has a non-empty one. On part
 * of the images a file whose first entry has none could start with one that has, switching the area source (or
 * failing, when others lack one); without their bboxes those entries are scored as the whole file reads them.
 * Files whose first entry has a bbox have one on every entry (jsonImport refuses others), so they are left as is.
 */
function resultsAsTheFileIsRead(results: readonly CocoKeypointResult[]): readonly CocoKeypointResult[] {
  if ((results[0]?.bbox?.length ?? 0) > 0 || !results.some((r) => (r.bbox?.length ?? 0) > 0)) return results;
  return results.map(({ image_id, category_id, keypoints, score }) => ({ image_id, category_id, keypoints, score }));
}
