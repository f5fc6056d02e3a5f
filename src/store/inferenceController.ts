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
import { cellKey, parseCellKey, type CellResult, type ImageItem } from './types';
import type { AppState } from './appStore';
import { estimateMsLeft, type CostSample, type PendingCell, type RequestTiming } from '../core/timeLeft';

/** Images decoded/in the worker at once: one running, one decoded and waiting, so the worker never idles. */
const MAX_IN_FLIGHT_IMAGES = 2;
const modelById = new Map(MODELS.map((model) => [model.id, model]));
/** Shown in the cell of a "landmarks given the box" model that has no ground-truth box to use. */
export const NO_BOX_REASON = 'needs a ground-truth person box: runs only under the person-crops protocol, on images the ground truth lists';
/** Longest a result waits for the rest of its request before it is shown anyway. */
const PATCH_FLUSH_DELAY_MS = 50;
/** Finished requests whose wall/model-time ratio the time-left estimate uses. */
const RECENT_REQUESTS_KEPT = 8;
/** Per model, the recent requests whose cost the time-left estimate prices pending cells with. */
const COST_SAMPLES_KEPT = 30;

/**
 * A cell in flight when the worker stopped is re-queued this many times; then it is marked failed, so an
 * image that crashes the worker every time (out of memory, say) cannot stall the batch forever.
 */
const MAX_RUNS_LOST_TO_RESTARTS = 2;

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
  private readonly pendingPatches = new Map<string, { key: string; requestId: number; patch: Partial<CellResult> }>();
  private patchTimer: ReturnType<typeof setTimeout> | null = null;
  private paused = false;
  private pausedForBenchmark = false;
  private lastDoneAtMs: number | null = null;
  private recentRequests: RequestTiming[] = [];
  private costSamples = new Map<string, CostSample[]>();
  /** Images of the current batch (see updateBatchTotals). */
  private batchImageIds = new Set<string>();
  private frameListener: FrameListener | null = null;
  private readonly unsubscribers: (() => void)[] = [];
  /** The last setBackend sent: answers to earlier ones (the user switched again meanwhile) are ignored. */
  private backendRequestId = 0;
  /** Runs of a cell lost to worker restarts (see MAX_RUNS_LOST_TO_RESTARTS). */
  private readonly runsLostToRestarts = new Map<string, number>();

  constructor(client = new InferenceClient({ restartOnLoss: true })) {
    this.client = client;
  }

  start(): void {
    this.unsubscribers.push(this.client.subscribe((m) => this.onWorkerMessage(m)));
    this.unsubscribers.push(
      useAppStore.subscribe((state, previous) => {
        if (state.backend.choice !== previous.backend.choice) this.applyBackendChoice();
        if (state.selectedModelIds !== previous.selectedModelIds) this.applyModelSelection(previous.selectedModelIds);
        if (state.modelSettings !== previous.modelSettings) this.applyModelSettings(previous.modelSettings);
        if (state.images !== previous.images || effectiveProtocol(state) !== effectiveProtocol(previous)) this.pump();
        // A session opened from storage brings its ground truth and the crop results made from it together.
        if (state.groundTruth !== previous.groundTruth && state.session.id === previous.session.id) {
          // Crops come from the ground truth's people: new people, new crops. Other changes (the user's OKS
          // sigmas on its category) only re-score the poses there are.
          const people = (s: typeof state) => [s.groundTruth?.dataset.images, s.groundTruth?.dataset.annotations];
          const [images, annotations] = people(state);
          const [previousImages, previousAnnotations] = people(previous);
          if (images !== previousImages || annotations !== previousAnnotations) {
            // Only images whose crops differ run again: fixing a keypoint (Label mode) changes no box.
            const changed = imagesWithNewCrops(previous, state);
            this.forgetRequests((key) => key.endsWith('|crops') && changed.has(parseCellKey(key).imageId));
          }
          this.pump();
        }
      }),
    );
    this.applyBackendChoice();
  }

  stop(): void {
    if (this.patchTimer) clearTimeout(this.patchTimer);
    this.patchTimer = null;
    this.pendingPatches.clear();
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
    // Costs measured on another backend say nothing about this one.
    this.costSamples = new Map();
    this.recentRequests = [];
    dropCells((_, cell) => cell.status === 'pending' || cell.status === 'running');
    for (const id of selectedModelIds) patchModelStatus(id, { state: 'loading', loadedBytes: 0, error: null });
    this.backendRequestId = this.client.setBackend(backend.choice);
  }

  /**
   * The backend the user chose could not start. Its would-be results never came, and the results on
   * screen are from the backend before it: they are cleared rather than shown as if they were the new
   * backend's. A hand-picked backend falls back to Auto (which skips what cannot start); Auto itself
   * failing leaves the error on screen.
   */
  private onBackendFailed(message: string): void {
    const store = useAppStore.getState();
    const { choice } = store.backend;
    this.inFlight.clear();
    store.dropCells((_, cell) => cell.backend !== null);
    for (const id of store.selectedModelIds) store.patchModelStatus(id, { state: 'idle', loadedBytes: 0 });
    if (choice !== 'auto') {
      store.pushNotice('backend', `${message}. Switched to Auto, which uses the fastest backend that works here; results are computed again on it.`);
      store.setBackendChoice('auto'); // the store subscription starts it (applyBackendChoice)
      return;
    }
    store.patchBackend({ status: 'error', active: null, error: message });
    store.pushNotice('backend', `No backend could start: ${message}`);
  }

  /**
   * A fresh worker replaced one that stopped: nothing is loaded in it and the requests in flight will
   * never be answered. Their cells go back to waiting (within MAX_RUNS_LOST_TO_RESTARTS) and the chosen
   * backend and models start again; the pump then sends them afresh, so the batch goes on.
   */
  private onWorkerRestarted(reason: string): void {
    const store = useAppStore.getState();
    let requeued = 0;
    for (const flight of this.inFlight.values()) {
      for (const modelId of flight.modelIds) {
        const key = cellKey(flight.imageId, modelId, flight.protocol);
        const lost = (this.runsLostToRestarts.get(key) ?? 0) + 1;
        this.runsLostToRestarts.set(key, lost);
        if (lost >= MAX_RUNS_LOST_TO_RESTARTS) {
          store.patchCell(key, { status: 'error', error: `the inference worker stopped ${lost} times while running this (${reason})` });
        } else {
          requeued++;
        }
      }
    }
    store.pushNotice('backend', `${reason}. Started a new one${requeued > 0 ? ` and queued again the ${requeued} result${requeued === 1 ? '' : 's'} it was working on` : ''}.`);
    this.applyBackendChoice();
  }

  /** The worker kept stopping: say so, and fail what was in flight instead of waiting for it. */
  private onWorkerFailed(message: string): void {
    const store = useAppStore.getState();
    for (const flight of this.inFlight.values()) {
      for (const modelId of flight.modelIds) store.patchCell(cellKey(flight.imageId, modelId, flight.protocol), { status: 'error', error: message });
    }
    this.inFlight.clear();
    store.patchBackend({ status: 'error', error: message });
    store.pushNotice('backend', message);
  }

  private applyModelSelection(previous: ModelId[]): void {
    const { selectedModelIds, backend, patchModelStatus, dropCells } = useAppStore.getState();
    const removed = previous.filter((id) => !selectedModelIds.includes(id));
    dropCells((key) => removed.some((id) => key.endsWith(`|${id}`)));
    if (backend.status !== 'ready') return; // backendReady will send the selection
    for (const id of selectedModelIds) {
      if (!previous.includes(id)) patchModelStatus(id, { state: 'loading', loadedBytes: 0, error: null });
    }
    this.client.useModels(selectedModelIds, useAppStore.getState().modelSettings);
    this.pump();
  }

  /** Results made with other settings are not this model's any more: they go, and the worker reloads it with the new ones. */
  private applyModelSettings(previous: AppState['modelSettings']): void {
    const { modelSettings, selectedModelIds, backend, patchModelStatus } = useAppStore.getState();
    const changed = Object.keys({ ...previous, ...modelSettings }).filter((id) => JSON.stringify(previous[id] ?? {}) !== JSON.stringify(modelSettings[id] ?? {}));
    if (changed.length === 0) return;
    this.forgetRequests((key) => changed.some((id) => parseCellKey(key).modelId === id));
    if (backend.status !== 'ready') return; // backendReady sends the settings
    for (const id of changed) if (selectedModelIds.includes(id)) patchModelStatus(id, { state: 'loading', loadedBytes: 0, error: null });
    this.client.useModels(selectedModelIds, modelSettings);
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
    const running = (requestId: number | null, error: string | null): CellResult => ({ status: error ? 'error' : 'running', poses: [], imageLatencyMs: null, inferences: null, backend, requestId, error });
    // One store update for the request's cells (the reply is a later message, so it cannot come first).
    try {
      const requestId = this.client.estimate({ imageKey: image.id, input: fileInput(image), modelIds, mode: 'still', ...(crops ? { crops } : {}) });
      this.inFlight.set(requestId, { imageId: image.id, modelIds, backend, protocol, startedAtMs: performance.now() });
      store.setCells(modelIds.map((modelId) => ({ key: cellKey(image.id, modelId, protocol), cell: running(requestId, null) })));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      store.setCells(modelIds.map((modelId) => ({ key: cellKey(image.id, modelId, protocol), cell: running(null, `${image.name}: ${message}`) })));
    }
  }

  /** A cell's result, held for the next store update; it lands only if the cell still belongs to `requestId`. */
  private queuePatch(key: string, requestId: number, patch: Partial<CellResult>): void {
    const waiting = this.pendingPatches.get(key);
    this.pendingPatches.set(key, waiting && waiting.requestId === requestId ? { key, requestId, patch: { ...waiting.patch, ...patch } } : { key, requestId, patch });
    this.patchTimer ??= setTimeout(() => this.flushPatches(), PATCH_FLUSH_DELAY_MS);
  }

  private flushPatches(): void {
    if (this.patchTimer) clearTimeout(this.patchTimer);
    this.patchTimer = null;
    if (this.pendingPatches.size === 0) return;
    const patches = [...this.pendingPatches.values()];
    this.pendingPatches.clear();
    useAppStore.getState().patchCells(patches);
    this.updateBatchTotals();
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
    // The webcam's frame in flight died with the worker: it must stop waiting for it.
    if (message.type === 'workerRestarted' || message.type === 'workerFailed') this.frameListener?.(message);
    if (this.frameListener && (message.type === 'poses' || message.type === 'estimateDone' || message.type === 'estimateError') && message.imageKey.startsWith('webcam:')) {
      this.frameListener(message);
      return;
    }
    // A request's results wait for its end (or a short timer) and land in one store update; any other
    // message first lands what is waiting, so nothing below reads a cell that is about to change.
    if (message.type !== 'poses' && message.type !== 'estimateError') this.flushPatches();
    switch (message.type) {
      case 'workerRestarted':
        this.onWorkerRestarted(message.reason);
        break;
      case 'workerFailed':
        this.onWorkerFailed(message.message);
        break;
      case 'backendReady':
        if (message.requestId !== this.backendRequestId) break;
        store.patchBackend({ status: 'ready', active: message.backend, decision: message.decision, error: null });
        this.client.useModels(store.selectedModelIds, store.modelSettings);
        this.pump();
        break;
      case 'backendError':
        if (message.requestId !== this.backendRequestId) break;
        this.onBackendFailed(message.message);
        break;
      case 'modelProgress':
        // A model's files load in parallel: progress of one that arrives after another failed must not revive it.
        if (message.backend === store.backend.active && store.modelStatus[message.modelId]?.state !== 'error') {
          store.patchModelStatus(message.modelId, { state: 'loading', backend: message.backend, loadedBytes: message.loadedBytes, totalBytes: message.totalBytes });
        }
        break;
      case 'modelReady':
        // A load that finished just before a backend switch reports the old backend: not ready here.
        if (message.backend !== store.backend.active) break;
        store.patchModelStatus(message.modelId, {
          state: 'ready', backend: message.backend, loadMs: message.loadMs, warmupMs: message.warmupMs, error: null,
          ...(message.runtimeThreads !== undefined ? { runtimeThreads: message.runtimeThreads } : {}),
        });
        this.pump();
        break;
      case 'modelError':
        store.patchModelStatus(message.modelId, { state: 'error', backend: message.backend, error: message.message });
        store.pushNotice('models', `${message.modelId}: ${message.message}`);
        this.pump();
        break;
      case 'modelDisposed':
        // Still selected: it was unticked and ticked again before the worker got to it, and the worker
        // loads it afresh. An earlier 'ready' for it no longer holds.
        if (!store.selectedModelIds.includes(message.modelId)) store.patchModelStatus(message.modelId, { state: 'idle', loadedBytes: 0 });
        else if (message.backend === store.backend.active) store.patchModelStatus(message.modelId, { state: 'loading', loadedBytes: 0, error: null });
        break;
      case 'poses':
        if (this.isCurrent(message.requestId, message.imageKey, message.modelId, message.backend)) {
          const protocol = this.inFlight.get(message.requestId)?.protocol ?? 'whole';
          this.queuePatch(cellKey(message.imageKey, message.modelId, protocol), message.requestId, {
            status: 'done',
            poses: message.poses,
            imageLatencyMs: message.imageLatencyMs,
            inferences: message.inferences,
            runtime: message.runtime,
            ...(message.networkMs !== undefined ? { networkMs: message.networkMs } : {}),
            error: null,
          });
        }
        break;
      case 'estimateError': {
        const flight = this.inFlight.get(message.requestId);
        if (!flight) break;
        const modelIds = message.modelId ? [message.modelId] : flight.modelIds;
        for (const modelId of modelIds) {
          if (this.isCurrent(message.requestId, message.imageKey, modelId, message.backend ?? flight.backend)) {
            this.queuePatch(cellKey(message.imageKey, modelId, flight.protocol), message.requestId, { status: 'error', error: message.message });
          }
        }
        break;
      }
      case 'estimateDone': {
        const flight = this.inFlight.get(message.requestId);
        if (!flight) break;
        this.inFlight.delete(message.requestId);
        // Time between completions (not per-request wall time, which includes queueing behind the other in-flight image).
        const nowMs = performance.now();
        const firstOfBatch = this.lastDoneAtMs === null;
        const sinceMs = Math.max(this.lastDoneAtMs ?? flight.startedAtMs, flight.startedAtMs);
        this.lastDoneAtMs = nowMs;
        // The first completion's wall time includes filling the pipeline (its decode overlapped nothing): not a rate.
        this.recordCosts(message.requestId, flight, firstOfBatch ? null : nowMs - sinceMs, firstOfBatch);
        this.pump();
        break;
      }
    }
  }

  /** What the request's models cost (its results landed just before this: see flushPatches), for the time-left estimate. */
  private recordCosts(requestId: number, flight: InFlight, gapMs: number | null, batchStart: boolean): void {
    const results = useAppStore.getState().results;
    let modelMs = 0;
    for (const modelId of flight.modelIds) {
      const cell = results[cellKey(flight.imageId, modelId, flight.protocol)];
      if (!cell || cell.requestId !== requestId || cell.status !== 'done' || cell.imageLatencyMs === null) continue;
      modelMs += cell.imageLatencyMs;
      const samples = this.costSamples.get(modelId) ?? [];
      samples.push({ latencyMs: cell.imageLatencyMs, inferences: Math.max(1, cell.inferences ?? 1), batchStart });
      this.costSamples.set(modelId, samples.slice(-COST_SAMPLES_KEPT));
    }
    if (modelMs > 0 && gapMs !== null) this.recentRequests = [...this.recentRequests, { gapMs, modelMs }].slice(-RECENT_REQUESTS_KEPT);
  }

  /** The cells still to run, each with the inferences it will need, for the time-left estimate. */
  private pendingCells(state: AppState, protocol: EvaluationProtocol): PendingCell[] {
    const gtIndex = protocol === 'crops' ? groundTruthIndex(state.groundTruth, state.images) : null;
    const cells: PendingCell[] = [];
    for (const image of state.images) {
      if (image.status === 'error') continue;
      const gtImage = gtIndex?.gtImageByAppImageId.get(image.id);
      const inferences = gtIndex && gtImage ? cropTargets(gtIndex.dataset, gtImage.id).length : 1;
      if (inferences === 0) continue; // skipped: no labelled people
      for (const modelId of state.selectedModelIds) {
        if (!(gtIndex && gtImage) && modelById.get(modelId)?.personInput === 'box') continue; // skipped: no box
        const cell = state.results[cellKey(image.id, modelId, protocol)];
        if (!cell || cell.status === 'running' || cell.status === 'pending' || cell.backend !== state.backend.active) cells.push({ modelId, inferences });
      }
    }
    return cells;
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
    if (batch.done >= batch.total && pending.size > 0) {
      this.batchImageIds = new Set();
      startedAtMs = performance.now();
      this.lastDoneAtMs = null;
    }
    for (const id of pending) this.batchImageIds.add(id);
    for (const id of this.batchImageIds) if (!existing.has(id)) this.batchImageIds.delete(id);
    let done = 0;
    for (const id of this.batchImageIds) if (!pending.has(id)) done++;
    const total = this.batchImageIds.size;
    const estimatedMsLeft = done < total ? estimateMsLeft({ pending: this.pendingCells(state, protocol), costSamples: this.costSamples, recentRequests: this.recentRequests }) : null;
    if (total !== batch.total || done !== batch.done || startedAtMs !== batch.startedAtMs || estimatedMsLeft !== batch.estimatedMsLeft) {
      state.setBatch({ total, done, startedAtMs, estimatedMsLeft });
    }
  }
}

export const ALL_MODEL_IDS = MODEL_IDS;

/** The person crops of each added image under a ground truth, as a comparable text (empty: no crops). */
function cropsByImage(state: AppState): Map<string, string> {
  const index = groundTruthIndex(state.groundTruth, state.images);
  const out = new Map<string, string>();
  if (!index) return out;
  for (const image of state.images) {
    const gtImage = index.gtImageByAppImageId.get(image.id);
    if (!gtImage) continue;
    out.set(image.id, JSON.stringify(cropTargets(index.dataset, gtImage.id, { width: image.widthPx, height: image.heightPx }).map(({ crop, boxPx }) => [crop, boxPx])));
  }
  return out;
}

/** Added images whose person crops differ between two ground truths (or that are listed by only one). */
function imagesWithNewCrops(previous: AppState, next: AppState): Set<string> {
  const before = cropsByImage(previous);
  const after = cropsByImage(next);
  const changed = new Set<string>();
  for (const image of next.images) if (before.get(image.id) !== after.get(image.id)) changed.add(image.id);
  for (const id of before.keys()) if (!after.has(id)) changed.add(id);
  return changed;
}
