import { create } from 'zustand';
import type { BackendChoice, BackendName, ModelId } from '../core/types';
import { createBenchmarkSlice, type BenchmarkSlice } from './benchmarkSlice';
import { createEvaluationSlice, type EvaluationSlice } from './evaluationSlice';
import type { BackendState, BatchState, CellResult, ImageItem, ModelStatus, Notice } from './types';

/** Models checked on first open: the fastest single-person model and BlazePose lite, both light to load. */
export const DEFAULT_MODEL_IDS: ModelId[] = ['movenet-lightning', 'blazepose-lite'];
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.3;

interface ImagesSlice {
  images: ImageItem[];
  addImages: (items: ImageItem[]) => void;
  updateImage: (id: string, patch: Partial<ImageItem>) => void;
  removeImage: (id: string) => void;
  clearImages: () => void;
}

interface ModelsSlice {
  selectedModelIds: ModelId[];
  modelStatus: Record<ModelId, ModelStatus>;
  setModelSelected: (id: ModelId, selected: boolean, order: readonly ModelId[]) => void;
  setSelectedModels: (ids: ModelId[]) => void;
  patchModelStatus: (id: ModelId, patch: Partial<ModelStatus>) => void;
}

interface BackendSlice {
  backend: BackendState;
  setBackendChoice: (choice: BackendChoice) => void;
  patchBackend: (patch: Partial<BackendState>) => void;
}

interface ResultsSlice {
  results: Record<string, CellResult>;
  setCell: (key: string, cell: CellResult) => void;
  patchCell: (key: string, patch: Partial<CellResult>) => void;
  dropCells: (predicate: (key: string, cell: CellResult) => boolean) => void;
  batch: BatchState;
  setBatch: (batch: BatchState) => void;
}

interface ViewSlice {
  confidenceThreshold: number;
  setConfidenceThreshold: (value: number) => void;
  focusedImageId: string | null;
  setFocusedImageId: (id: string | null) => void;
  /** Gallery rows currently on screen: what "Export screenshot" captures in grid view. */
  visibleImageIds: string[];
  setVisibleImageIds: (ids: string[]) => void;
  notices: Notice[];
  pushNotice: (area: Notice['area'], message: string) => void;
  dismissNotice: (id: number) => void;
}

export type AppState = ImagesSlice & ModelsSlice & BackendSlice & ResultsSlice & ViewSlice & EvaluationSlice & BenchmarkSlice;

const idleModelStatus = (): ModelStatus => ({
  state: 'idle',
  backend: null,
  loadedBytes: 0,
  totalBytes: 0,
  loadMs: null,
  warmupMs: null,
  error: null,
});

let noticeCounter = 0;

export const useAppStore = create<AppState>()((set, get, api) => ({
  ...createEvaluationSlice(set, get, api),
  ...createBenchmarkSlice(set, get, api),
  images: [],
  addImages: (items) => set((s) => ({ images: [...s.images, ...items] })),
  updateImage: (id, patch) => set((s) => ({ images: s.images.map((im) => (im.id === id ? { ...im, ...patch } : im)) })),
  removeImage: (id) =>
    set((s) => ({
      images: s.images.filter((im) => im.id !== id),
      focusedImageId: s.focusedImageId === id ? null : s.focusedImageId,
    })),
  clearImages: () => set({ images: [], results: {}, focusedImageId: null }),

  selectedModelIds: DEFAULT_MODEL_IDS,
  modelStatus: {},
  setModelSelected: (id, selected, order) =>
    set((s) => {
      const next = new Set(s.selectedModelIds);
      if (selected) next.add(id);
      else next.delete(id);
      return { selectedModelIds: order.filter((m) => next.has(m)) };
    }),
  setSelectedModels: (ids) => set({ selectedModelIds: ids }),
  patchModelStatus: (id, patch) =>
    set((s) => ({ modelStatus: { ...s.modelStatus, [id]: { ...(s.modelStatus[id] ?? idleModelStatus()), ...patch } } })),

  backend: { choice: 'auto', active: null, status: 'initialising', decision: null, error: null },
  setBackendChoice: (choice) => set((s) => ({ backend: { ...s.backend, choice, status: 'initialising', error: null } })),
  patchBackend: (patch) => set((s) => ({ backend: { ...s.backend, ...patch } })),

  results: {},
  setCell: (key, cell) => set((s) => ({ results: { ...s.results, [key]: cell } })),
  patchCell: (key, patch) =>
    set((s) => {
      const existing = s.results[key];
      return existing ? { results: { ...s.results, [key]: { ...existing, ...patch } } } : {};
    }),
  dropCells: (predicate) =>
    set((s) => ({ results: Object.fromEntries(Object.entries(s.results).filter(([k, c]) => !predicate(k, c))) })),
  batch: { total: 0, done: 0, startedAtMs: null, recentImageMs: [] },
  setBatch: (batch) => set({ batch }),

  confidenceThreshold: DEFAULT_CONFIDENCE_THRESHOLD,
  setConfidenceThreshold: (value) => set({ confidenceThreshold: Math.min(1, Math.max(0, value)) }),
  focusedImageId: null,
  setFocusedImageId: (id) => set({ focusedImageId: id }),
  visibleImageIds: [],
  setVisibleImageIds: (ids) => set({ visibleImageIds: ids }),
  notices: [],
  pushNotice: (area, message) => set((s) => ({ notices: [...s.notices, { id: ++noticeCounter, area, message }] })),
  dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
}));

export const selectActiveBackend = (s: AppState): BackendName | null => s.backend.active;
