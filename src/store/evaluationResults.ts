import { useAppStore, type AppState } from './appStore';
import { posesToCocoResults } from '../core/evaluation/conversion';
import { evaluateColumn, type ModelMetrics } from '../core/evaluation/evaluateColumn';
import { verdict, type VerdictRow } from '../core/evaluation/verdict';
import type { CocoKeypointResult } from '../core/coco/cocoTypes';
import { cellOf, columnsOf, type Column } from './columns';
import { effectiveProtocol } from './evaluationSlice';
import { groundTruthIndex } from './groundTruthIndex';

export interface ColumnEvaluation {
  column: Column;
  metrics: ModelMetrics;
  /** COCO results of this column on the evaluated images: what "Export COCO results" writes. */
  results: CocoKeypointResult[];
}

export interface EvaluationSnapshot {
  protocol: AppState['evaluationProtocol'];
  columns: ColumnEvaluation[];
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
 * against the ground truth, on the images each column has results for. Memoised on its inputs;
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
    const columns = columnsOf(state).map((column) => {
      const imageIdsEvaluated: number[] = [];
      const results: CocoKeypointResult[] = [];
      const latenciesMs: number[] = [];
      for (const [appImageId, gtImage] of index.gtImageByAppImageId) {
        const cell = cellOf(state, appImageId, column);
        if (!cell || cell.status !== 'done') continue;
        imageIdsEvaluated.push(gtImage.id);
        results.push(...posesToCocoResults(gtImage.id, cell.poses, column.layout));
        if (cell.latencyMs !== null) latenciesMs.push(cell.latencyMs);
      }
      const metrics = evaluateColumn({
        columnId: column.id,
        displayName: column.label,
        protocol: column.kind === 'external' ? 'whole' : effectiveProtocol(state),
        gt: index.dataset,
        imageIdsEvaluated,
        results,
        latenciesMs,
        pck: { alpha: state.pckAlpha, normalizer: state.pckNormalizer },
      });
      return { column, metrics, results };
    });
    snapshot = {
      protocol: effectiveProtocol(state),
      columns,
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
