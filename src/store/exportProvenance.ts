import type { ModelMetrics } from '../core/evaluation/evaluateColumn';
import { BUILD_APP_VERSION, buildProvenance, type Provenance } from '../core/evaluation/provenance';
import { publishedByColumn } from '../core/evaluation/published';
import type { ModelInfo, PublishedFigure } from '../core/types';
import { MODEL_MANIFEST, MODELS } from '../inference/modelCatalogue';
import type { AppState } from './appStore';
import { columnsOf, groundTruthLayoutOf } from './columns';
import { effectiveProtocol } from './evaluationSlice';
import type { BackendState } from './types';

/** Threads as the worker reported them: the WASM pool read back from the module; null on other backends or before it started. */
function threadsOf(backend: BackendState): Provenance['threads'] {
  if (backend.active !== 'wasm') return null;
  const count = backend.decision?.wasmThreadsActual;
  return count === undefined ? null : { count, detail: 'WASM threads, read back from the module' };
}

/** Manifest entries of the model columns on screen, in column order. */
function columnModels(state: AppState): ModelInfo[] {
  return columnsOf(state)
    .filter((c) => c.kind === 'model')
    .map((c) => MODELS.find((m) => m.id === c.id))
    .filter((m): m is ModelInfo => m !== undefined);
}

/**
 * The provenance record of an export made now from the app's state (see core/evaluation/provenance.ts); `metrics`
 * are the scored columns (empty without ground truth). Every browser export calls this, so they all say the same.
 */
export function exportProvenance(state: AppState, metrics: readonly ModelMetrics[], date: Date = new Date()): Provenance {
  return buildProvenance({
    runtimes: MODEL_MANIFEST.runtimes,
    appVersion: BUILD_APP_VERSION,
    date,
    groundTruth: state.groundTruth ? { fileName: state.groundTruth.fileName, sha256: state.groundTruth.sha256 } : null,
    metrics,
    scoredLayout: state.groundTruth ? groundTruthLayoutOf(state.groundTruth) : null,
    models: columnModels(state),
    modelThreads: Object.fromEntries(
      Object.entries(state.modelStatus).flatMap(([id, status]) => (status?.runtimeThreads !== undefined ? [[id, status.runtimeThreads]] : [])),
    ),
    modelSettings: state.modelSettings,
    importedPredictions: columnsOf(state)
      .filter((c) => c.kind === 'external')
      .map((c) => ({ columnId: c.id, label: c.label, fileName: state.externalColumns.find((e) => e.id === c.id)?.fileName ?? '' })),
    backend: state.backend.active,
    threads: threadsOf(state.backend),
    protocol: effectiveProtocol(state),
    confidenceThreshold: state.confidenceThreshold,
  });
}

/** Published figures of the model columns on screen, by column id. */
export function exportPublished(state: AppState): Record<string, PublishedFigure> {
  return publishedByColumn(columnModels(state));
}
