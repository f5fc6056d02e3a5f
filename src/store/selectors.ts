import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from './appStore';
import type { ModelInfo } from '../core/types';
import { MODELS } from '../inference/modelCatalogue';
import type { AppState } from './appStore';

const modelById = new Map(MODELS.map((m) => [m.id, m]));

/** Selected models in manifest order, as ModelInfo. */
export function selectedModels(state: Pick<AppState, 'selectedModelIds'>): ModelInfo[] {
  return state.selectedModelIds.map((id) => modelById.get(id)).filter((m): m is ModelInfo => m !== undefined);
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Seconds left for the batch, or null before there is a measurement. */
export function batchSecondsLeft(state: Pick<AppState, 'batch'>): number | null {
  return state.batch.estimatedMsLeft === null ? null : state.batch.estimatedMsLeft / 1000;
}

/** Selected models as a stable array (re-renders only when the selection changes). */
export function useSelectedModels(): ModelInfo[] {
  return useAppStore(useShallow(selectedModels));
}
