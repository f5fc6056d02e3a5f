import { create } from 'zustand';
import type { ModelSettings } from '../core/modelSettings';
import type { BackendChoice, BackendName, ModelId } from '../core/types';
import { DEFAULT_MODEL_IDS as MANIFEST_DEFAULT_MODEL_IDS } from '../inference/modelCatalogue';
import { createBenchmarkSlice, type BenchmarkSlice } from './benchmarkSlice';
import { createEvaluationSlice, type EvaluationSlice } from './evaluationSlice';
import { createLabelSlice, type LabelSlice } from './labelSlice';
import { createSessionSlice, type SessionSlice } from './sessionSlice';
import type { BackendState, BatchState, CellResult, ImageItem, ModelStatus, Notice } from './types';

/** Models checked on first open: the manifest's `defaultSelected` ones (light to load). */
export const DEFAULT_MODEL_IDS: ModelId[] = [...MANIFEST_DEFAULT_MODEL_IDS];
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
  /** The user's per-model settings (only changed models are listed; the rest run at the manifest's defaults). */
  modelSettings: Partial<Record<ModelId, ModelSettings>>;
  setModelSettings: (id: ModelId, settings: ModelSettings) => void;
  patchModelStatus: (id: ModelId, patch: Partial<ModelStatus>) => void;
  /** Auto runtime: each model runs on its twin (same pretrained model, other runtime) measured fastest here (store/autoRuntime). */
  runtimeAuto: boolean;
  setRuntimeAuto: (on: boolean) => void;
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
  /** Several cells in one update; each patch applies only while the cell still belongs to `requestId`. */
  patchCells: (patches: readonly { key: string; requestId: number; patch: Partial<CellResult> }[]) => void;
  /** Several new cells in one update. */
  setCells: (cells: readonly { key: string; cell: CellResult }[]) => void;
  dropCells: (predicate: (key: string, cell: CellResult) => boolean) => void;
  batch: BatchState;
  setBatch: (batch: BatchState) => void;
}

interface ViewSlice {
  confidenceThreshold: number;
  setConfidenceThreshold: (value: number) => void;
  focusedImageId: string | null;
  setFocusedImageId: (id: string | null) => void;
  /** The side-by-side view's click zoom (factor × the fitted scale, centred on a point in image pixels); the screenshot exports it. */
  compareZoom: { factor: number; centerImagePx: { x: number; y: number } } | null;
  setCompareZoom: (zoom: { factor: number; centerImagePx: { x: number; y: number } } | null) => void;
  /** The side-by-side view shows all models on one image (kept across images); the screenshot exports that view. */
  compareOverlayAll: boolean;
  setCompareOverlayAll: (on: boolean) => void;
  /** The side-by-side view shows each model's 3D output beside its picture (kept across images); the screenshot exports it. */
  compareView3d: boolean;
  setCompareView3d: (on: boolean) => void;
  /** Gallery rows currently on screen: what "Export screenshot" captures in grid view. */
  visibleImageIds: string[];
  setVisibleImageIds: (ids: string[]) => void;
  notices: Notice[];
  pushNotice: (area: Notice['area'], message: string) => void;
  dismissNotice: (id: number) => void;
}

export type AppState = ImagesSlice & ModelsSlice & BackendSlice & ResultsSlice & ViewSlice & EvaluationSlice & BenchmarkSlice & SessionSlice & LabelSlice;

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
  ...createSessionSlice(set, get, api),
  ...createLabelSlice(set, get, api),
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
  modelSettings: {},
  setModelSettings: (id, settings) => set((s) => ({ modelSettings: { ...s.modelSettings, [id]: settings } })),
  patchModelStatus: (id, patch) =>
    set((s) => ({ modelStatus: { ...s.modelStatus, [id]: { ...(s.modelStatus[id] ?? idleModelStatus()), ...patch } } })),
  runtimeAuto: true,
  setRuntimeAuto: (on) => set({ runtimeAuto: on }),

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
  patchCells: (patches) =>
    set((s) => {
      let results: Record<string, CellResult> | null = null;
      for (const { key, requestId, patch } of patches) {
        const existing = (results ?? s.results)[key];
        if (!existing || existing.requestId !== requestId) continue;
        results ??= { ...s.results };
        results[key] = { ...existing, ...patch };
      }
      return results ? { results } : {};
    }),
  setCells: (cells) =>
    set((s) => {
      if (cells.length === 0) return {};
      const results = { ...s.results };
      for (const { key, cell } of cells) results[key] = cell;
      return { results };
    }),
  dropCells: (predicate) =>
    set((s) => ({ results: Object.fromEntries(Object.entries(s.results).filter(([k, c]) => !predicate(k, c))) })),
  batch: { total: 0, done: 0, startedAtMs: null, estimatedMsLeft: null },
  setBatch: (batch) => set({ batch }),

  confidenceThreshold: DEFAULT_CONFIDENCE_THRESHOLD,
  setConfidenceThreshold: (value) => set({ confidenceThreshold: Math.min(1, Math.max(0, value)) }),
  focusedImageId: null,
  setFocusedImageId: (id) => set({ focusedImageId: id }),
  compareZoom: null,
  setCompareZoom: (zoom) => set({ compareZoom: zoom }),
  compareOverlayAll: false,
  setCompareOverlayAll: (on) => set({ compareOverlayAll: on }),
  compareView3d: false,
  setCompareView3d: (on) => set({ compareView3d: on }),
  visibleImageIds: [],
  setVisibleImageIds: (ids) => set({ visibleImageIds: ids }),
  notices: [],
  pushNotice: (area, message) => set((s) => ({ notices: [...s.notices, { id: ++noticeCounter, area, message }] })),
  dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
}));

export const selectActiveBackend = (s: AppState): BackendName | null => s.backend.active;
