import type { ModelId } from '../core/types';
import { InferenceClient, fileInput, type EstimateRequest } from '../inference/inferenceClient';
import { MODELS, MODEL_IDS } from '../inference/modelCatalogue';
import type { FromWorker } from '../inference/worker/protocol';
import { decodeImageInfo } from '../media/imageFiles';
import { useAppStore } from './appStore';
import { cropTargets } from '../core/evaluation/protocol';
import type { PersonRegion } from '../core/crops';
import { effectiveProtocol, type EvaluationProtocol } from './evaluationSlice';
import { groundTruthIndex } from './groundTruthIndex';
import { cellKey, type CellResult, type ImageItem } from './types';

/** Images decoded/in the worker at once: one running, one decoded and waiting, so the worker never idles. */
const MAX_IN_FLIGHT_IMAGES = 2;
const modelById = new Map(MODELS.map((model) => [model.id, model]));
/** Shown in the cell of a "landmarks given the box" model that has no ground-truth box to use. */
export const NO_BOX_REASON = 'needs a ground-truth person box: runs only under the person-crops protocol, on images the ground truth lists';
/** Per-image times kept for the time-left estimate. */
const RECENT_TIMES_KEPT = 8;

interface InFlight {
  imageId: string;
  modelIds: ModelId[];
  backend: string;
  protocol: EvaluationProtocol;
  startedAtMs: number;
}

type FrameListener = (message: FromWorker) => void;

/**
 * Connects the store to the inference worker: keeps the worker's backend and resident models in
 * step with the selection, runs every (image, selected model) pair that lacks a result, and
 * accepts a result only if its request is still the current one for that cell on the active backend.
 */
export class InferenceController {
  readonly client: InferenceClient;
  private readonly inFlight = new Map<number, InFlight>();
  private paused = false;
  private pausedForBenchmark = false;
  private lastDoneAtMs: number | null = null;
  /** Images of the current batch (see updateBatchTotals). */
  private batchImageIds = new Set<string>();
  private frameListener: FrameListener | null = null;
  private readonly unsubscribers: (() => void)[] = [];

  constructor(client = new InferenceClient()) {
    this.client = client;
  }

  start(): void {
    this.unsubscribers.push(this.client.subscribe((m) => this.onWorkerMessage(m)));
    this.unsubscribers.push(
      useAppStore.subscribe((state, previous) => {
        if (state.backend.choice !== previous.backend.choice) this.applyBackendChoice();
        if (state.selectedModelIds !== previous.selectedModelIds) this.applyModelSelection(previous.selectedModelIds);
        if (state.images !== previous.images || effectiveProtocol(state) !== effectiveProtocol(previous)) this.pump();
        if (state.groundTruth !== previous.groundTruth) {
          // Crops come from the ground truth: new ground truth, new crops.
          this.forgetRequests((key) => key.endsWith('|crops'));
          this.pump();
        }
      }),
    );
    this.applyBackendChoice();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.client.terminate();
  }

  /** Adds files as images: decoded off the main thread by the browser, shown as soon as each is ready. */
  async addFiles(files: { file: Blob; name: string }[], source: ImageItem['source'] = 'user'): Promise<void> {
    const store = useAppStore.getState();
    const items: ImageItem[] = files.map(({ file, name }) => ({
      id: crypto.randomUUID(),
      name,
      file,
      source,
      status: 'decoding',
      widthPx: 0,
      heightPx: 0,
      thumbnail: null,
      error: null,
    }));
    store.addImages(items);
    await Promise.all(
      items.map(async (item) => {
        try {
          const info = await decodeImageInfo(item.file, item.name);
          useAppStore.getState().updateImage(item.id, { status: 'ready', widthPx: info.widthPx, heightPx: info.heightPx, thumbnail: info.thumbnail });
        } catch (error) {
          useAppStore.getState().updateImage(item.id, { status: 'error', error: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
  }

  /** Webcam mode: batch work waits, and frame results go to `listener` instead of the gallery. */
  setLiveMode(listener: FrameListener | null): void {
    this.frameListener = listener;
    this.paused = listener !== null || this.pausedForBenchmark;
    if (!this.paused) this.pump();
  }

  /** A benchmark measures in its own workers; gallery work waits so it does not compete for the cores. */
  setPausedForBenchmark(paused: boolean): void {
    this.pausedForBenchmark = paused;
    this.paused = paused || this.frameListener !== null;
    if (!this.paused) this.pump();
  }

  /** Sends one webcam frame; the caller sends the next only after `estimateDone` (frames are dropped, never queued). */
  estimateFrame(request: EstimateRequest): number {
    return this.client.estimate(request);
  }

  /** Drops cells (and forgets their in-flight requests) whose key matches. */
  private forgetRequests(predicate: (key: string) => boolean): void {
    const { dropCells, results } = useAppStore.getState();
    const forgotten = new Set(Object.entries(results).filter(([key]) => predicate(key)).map(([, cell]) => cell.requestId));
    for (const requestId of this.inFlight.keys()) if (forgotten.has(requestId)) this.inFlight.delete(requestId);
    dropCells((key) => predicate(key));
  }

  private applyBackendChoice(): void {
    const { backend, patchBackend, selectedModelIds, patchModelStatus, dropCells } = useAppStore.getState();
    patchBackend({ status: 'initialising', error: null });
    // Results from the previous backend stay visible only until they are replaced; requests in
    // flight for it are forgotten so their replies are dropped.
    this.inFlight.clear();
    dropCells((_, cell) => cell.status === 'pending' || cell.status === 'running');
    for (const id of selectedModelIds) patchModelStatus(id, { state: 'loading', loadedBytes: 0, error: null });
    this.client.setBackend(backend.choice);
  }

  private applyModelSelection(previous: ModelId[]): void {
    const { selectedModelIds, backend, patchModelStatus, dropCells } = useAppStore.getState();
    const removed = previous.filter((id) => !selectedModelIds.includes(id));
    dropCells((key) => removed.some((id) => key.endsWith(`|${id}`)));
    if (backend.status !== 'ready') return; // backendReady will send the selection
    for (const id of selectedModelIds) {
      if (!previous.includes(id)) patchModelStatus(id, { state: 'loading', loadedBytes: 0, error: null });
    }
    this.client.useModels(selectedModelIds);
    this.pump();
  }

  /** Starts work for images that lack a result for some selected model, up to the in-flight limit. */
  private pump(): void {
    const state = useAppStore.getState();
    if (this.paused || state.backend.status !== 'ready' || !state.backend.active) {
      this.updateBatchTotals();
      return;
    }
    const busyImages = new Set([...this.inFlight.values()].map((f) => f.imageId));
    const readyModelIds = state.selectedModelIds.filter((id) => state.modelStatus[id]?.state === 'ready');
    const failedModelIds = state.selectedModelIds.filter((id) => state.modelStatus[id]?.state === 'error');
    const protocol = effectiveProtocol(state);
    const gtIndex = protocol === 'crops' ? groundTruthIndex(state.groundTruth, state.images) : null;
    for (const image of state.images) {
      if (this.inFlight.size >= MAX_IN_FLIGHT_IMAGES) break;
      if (image.status !== 'ready' || busyImages.has(image.id)) continue;
      // Only loaded models: an image need not wait for a big model the user ticked later.
      const missing = readyModelIds.filter((modelId) => this.needsRun(state.results[cellKey(image.id, modelId, protocol)], state.backend.active));
      this.markFailedModels(image, failedModelIds, protocol);
      if (missing.length === 0) continue;
      let crops: PersonRegion[] | undefined;
      const gtImage = gtIndex?.gtImageByAppImageId.get(image.id);
      // Images the ground truth does not list run whole (shown, never scored); listed ones run per person.
      if (protocol === 'crops' && gtIndex && gtImage) {
        const imageCrops = cropTargets(gtIndex.dataset, gtImage.id, { width: image.widthPx, height: image.heightPx }).map(({ crop, boxPx }) => ({ crop, boxPx }));
        crops = imageCrops;
        if (imageCrops.length === 0) {
          const reason = 'no labelled people in the ground truth for this image (person crops)';
          for (const modelId of missing) {
            state.setCell(cellKey(image.id, modelId, protocol), { status: 'skipped', poses: [], imageLatencyMs: null, inferences: null, backend: state.backend.active, requestId: null, error: reason });
          }
          continue;
        }
      }
      // "Landmarks given the box" models have no box to work from outside person crops with ground truth.
      const boxless = crops ? [] : missing.filter((modelId) => modelById.get(modelId)?.personInput === 'box');
      for (const modelId of boxless) {
        state.setCell(cellKey(image.id, modelId, protocol), { status: 'skipped', poses: [], imageLatencyMs: null, inferences: null, backend: state.backend.active, requestId: null, error: NO_BOX_REASON });
      }
      const runnable = boxless.length > 0 ? missing.filter((modelId) => !boxless.includes(modelId)) : missing;
      if (runnable.length > 0) this.dispatch(image, runnable, protocol, crops);
    }
    this.updateBatchTotals();
  }

  /** Cells of models that failed to load say so, instead of waiting forever. */
  private markFailedModels(image: ImageItem, failedModelIds: ModelId[], protocol: EvaluationProtocol): void {
    const state = useAppStore.getState();
    for (const modelId of failedModelIds) {
      const key = cellKey(image.id, modelId, protocol);
      if (state.results[key]?.status === 'error') continue;
      const reason = state.modelStatus[modelId]?.error ?? 'unknown error';
      state.setCell(key, { status: 'error', poses: [], imageLatencyMs: null, inferences: null, backend: state.backend.active, requestId: null, error: `model failed to load: ${reason}` });
    }
  }

  private needsRun(cell: CellResult | undefined, activeBackend: string | null): boolean {
    return !cell || cell.backend !== activeBackend || (cell.status !== 'done' && cell.status !== 'error' && cell.status !== 'running' && cell.status !== 'skipped');
  }

  private dispatch(image: ImageItem, modelIds: ModelId[], protocol: EvaluationProtocol, crops: PersonRegion[] | undefined): void {
    const store = useAppStore.getState();
    const backend = store.backend.active;
    if (!backend) return;
    for (const modelId of modelIds) {
      store.setCell(cellKey(image.id, modelId, protocol), { status: 'running', poses: [], imageLatencyMs: null, inferences: null, backend, requestId: null, error: null });
    }
    try {
      const requestId = this.client.estimate({ imageKey: image.id, input: fileInput(image), modelIds, mode: 'still', ...(crops ? { crops } : {}) });
      this.inFlight.set(requestId, { imageId: image.id, modelIds, backend, protocol, startedAtMs: performance.now() });
      for (const modelId of modelIds) useAppStore.getState().patchCell(cellKey(image.id, modelId, protocol), { requestId });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (const modelId of modelIds) {
        useAppStore.getState().patchCell(cellKey(image.id, modelId, protocol), { status: 'error', error: `${image.name}: ${message}` });
      }
    }
  }

  private isCurrent(requestId: number, imageId: string, modelId: ModelId | null, backend: string | null): boolean {
    const state = useAppStore.getState();
    const flight = this.inFlight.get(requestId);
    if (!flight || flight.imageId !== imageId || backend !== state.backend.active || flight.backend !== backend) return false;
    if (modelId === null) return true;
    if (!state.selectedModelIds.includes(modelId)) return false;
    return state.results[cellKey(imageId, modelId, flight.protocol)]?.requestId === requestId;
  }

  private onWorkerMessage(message: FromWorker): void {
    const store = useAppStore.getState();
    if (this.frameListener && (message.type === 'poses' || message.type === 'estimateDone' || message.type === 'estimateError') && message.imageKey.startsWith('webcam:')) {
      this.frameListener(message);
      return;
    }
    switch (message.type) {
      case 'backendReady':
        store.patchBackend({ status: 'ready', active: message.backend, decision: message.decision, error: null });
        this.client.useModels(store.selectedModelIds);
        this.pump();
        break;
      case 'backendError':
        store.patchBackend({ status: 'error', error: message.message });
        store.pushNotice('backend', message.message);
        break;
      case 'modelProgress':
        if (message.backend === store.backend.active) {
          store.patchModelStatus(message.modelId, { state: 'loading', backend: message.backend, loadedBytes: message.loadedBytes, totalBytes: message.totalBytes });
        }
        break;
      case 'modelReady':
        // A load that finished just before a backend switch reports the old backend: not ready here.
        if (message.backend !== store.backend.active) break;
        store.patchModelStatus(message.modelId, { state: 'ready', backend: message.backend, loadMs: message.loadMs, warmupMs: message.warmupMs, error: null });
        this.pump();
        break;
      case 'modelError':
        store.patchModelStatus(message.modelId, { state: 'error', backend: message.backend, error: message.message });
        store.pushNotice('models', `${message.modelId}: ${message.message}`);
        this.pump();
        break;
      case 'modelDisposed':
        if (!store.selectedModelIds.includes(message.modelId)) store.patchModelStatus(message.modelId, { state: 'idle', loadedBytes: 0 });
        break;
      case 'poses':
        if (this.isCurrent(message.requestId, message.imageKey, message.modelId, message.backend)) {
          const protocol = this.inFlight.get(message.requestId)?.protocol ?? 'whole';
          store.patchCell(cellKey(message.imageKey, message.modelId, protocol), { status: 'done', poses: message.poses, imageLatencyMs: message.imageLatencyMs, inferences: message.inferences, error: null });
        }
        break;
      case 'estimateError': {
        const flight = this.inFlight.get(message.requestId);
        if (!flight) break;
        const modelIds = message.modelId ? [message.modelId] : flight.modelIds;
        for (const modelId of modelIds) {
          if (this.isCurrent(message.requestId, message.imageKey, modelId, message.backend ?? flight.backend)) {
            store.patchCell(cellKey(message.imageKey, modelId, flight.protocol), { status: 'error', error: message.message });
          }
        }
        break;
      }
      case 'estimateDone': {
        const flight = this.inFlight.get(message.requestId);
        if (!flight) break;
        this.inFlight.delete(message.requestId);
        const batch = useAppStore.getState().batch;
        // Time between completions (not per-request wall time, which includes queueing behind the other in-flight image).
        const nowMs = performance.now();
        const sinceMs = Math.max(this.lastDoneAtMs ?? flight.startedAtMs, flight.startedAtMs);
        this.lastDoneAtMs = nowMs;
        store.setBatch({ ...batch, recentImageMs: [...batch.recentImageMs, nowMs - sinceMs].slice(-RECENT_TIMES_KEPT) });
        this.pump();
        break;
      }
    }
  }

  /**
   * "Processed N of M images" counts images, not requests: M is every image that needed work since
   * the batch started (an image that gains a model joins again), N those that need none any more.
   * A new batch starts when work appears after everything was done.
   */
  private updateBatchTotals(): void {
    const state = useAppStore.getState();
    const protocol = effectiveProtocol(state);
    const pending = new Set(
      state.images
        .filter(
          (image) =>
            image.status === 'ready' &&
            state.selectedModelIds.some((modelId) => {
              const cell = state.results[cellKey(image.id, modelId, protocol)];
              return !cell || cell.status === 'running' || cell.status === 'pending' || cell.backend !== state.backend.active;
            }),
        )
        .map((image) => image.id),
    );
    const existing = new Set(state.images.map((image) => image.id));
    const { batch } = state;
    let startedAtMs = batch.startedAtMs;
    let recentImageMs = batch.recentImageMs;
    if (batch.done >= batch.total && pending.size > 0) {
      this.batchImageIds = new Set();
      startedAtMs = performance.now();
      recentImageMs = [];
      this.lastDoneAtMs = null;
    }
    for (const id of pending) this.batchImageIds.add(id);
    for (const id of this.batchImageIds) if (!existing.has(id)) this.batchImageIds.delete(id);
    let done = 0;
    for (const id of this.batchImageIds) if (!pending.has(id)) done++;
    const total = this.batchImageIds.size;
    if (total !== batch.total || done !== batch.done || startedAtMs !== batch.startedAtMs) {
      state.setBatch({ total, done, startedAtMs, recentImageMs });
    }
  }
}

export const ALL_MODEL_IDS = MODEL_IDS;
