/// <reference lib="webworker" />
import type { ModelSettings } from '../../core/modelSettings';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-converter';
import type { BackendName, ModelId } from '../../core/types';
import { backendGpuLost, chooseBackend, watchBackendLoss } from '../backends';
import { bitmapToRgba, decodeFileForInference, rgbaToRgbImage, type InferencePixels } from '../inputPixels';
import type { ModelAdapter, ModelFileReader, RuntimeMemory } from '../modelAdapter';
import { manifestFiles, verifyingReader } from '../modelFileCheck';
import { MODELS, modelInfo, runtimeThreads } from '../modelRegistry';
import { loadModelAdapter, runPipeline, warmUpAdapter } from '../pipeline';
import { configureBrowserLiteRt } from '../runtimes/litertBrowser';
import type { FromWorker, InferenceInput, ToWorker } from './protocol';


/** Same-origin path the app serves model files from (see vite.config.ts). */
const MODELS_URL = '/models/';

const scope = self as unknown as DedicatedWorkerGlobalScope;
// LiteRT models (runtime 'litert') load LiteRT's own WASM module from /litert-wasm/ on first use.
configureBrowserLiteRt();
/**
 * Set once the GPU behind the active backend is gone. From then on this worker says nothing but that:
 * whatever it still computes came from a dead device, and the client replaces the worker and sends
 * the same work again, so an error here must not mark an image as failed.
 */
let backendLostReason: string | null = null;
const send = (message: FromWorker) => {
  if (backendLostReason === null) scope.postMessage(message);
};

function reportBackendLost(backend: BackendName, reason: string): void {
  if (backendLostReason !== null) return;
  backendLostReason = reason;
  scope.postMessage({ type: 'backendLost', backend, message: reason } satisfies FromWorker);
}

/** After an error on a GPU backend: was it the GPU going away? Then it is reported as that, not as the image's error. */
async function checkGpuLost(backend: BackendName | null): Promise<void> {
  if (backend && backendLostReason === null && (await backendGpuLost(backend))) {
    reportBackendLost(backend, `the ${backend === 'webgl' ? 'WebGL context' : 'WebGPU device'} was lost`);
  }
}
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
/** A model asked for that is not (or could not be) loaded: the image's error, not a sign of a lost GPU. */
class NotLoaded extends Error {}

let activeBackend: BackendName | null = null;
/** Resident models on the active backend. */
const adapters = new Map<ModelId, Promise<ModelAdapter>>();
/** Each load that finished, by its entry in `adapters` (memory facts read the loaded ones without awaiting). */
const loadedAdapters = new WeakMap<Promise<ModelAdapter>, ModelAdapter>();
/**
 * Work runs strictly one item at a time (tfjs has one active backend that models share), but
 * messages jump ahead of queued model loads: an image for a model that is already loaded does not
 * wait for a 34 MB model the user ticked after it. Loads are tagged with the backend epoch, so a
 * backend switch drops the ones still queued.
 */
const messageQueue: QueuedMessage[] = [];
const loadQueue: { requestId: number; modelId: ModelId; epoch: number }[] = [];
/** The user's settings per model, as last sent, and those each loaded adapter was made with (JSON). */
const modelSettings = new Map<ModelId, ModelSettings>();
const loadedSettings = new Map<ModelId, string>();
/** Models the UI wants resident on the active backend. */
let wantedModelIds = new Set<ModelId>();
let backendEpoch = 0;
let draining = false;
/**
 * File decodes started when their request arrived, by request id: the browser decodes on its own
 * threads, so the next image is ready by the time the current one's models finish.
 */
const earlyDecodes = new Map<number, Promise<InferencePixels>>();

function startDecode(input: InferenceInput): Promise<InferencePixels> {
  if (input.kind === 'bitmap') {
    try {
      return Promise.resolve({ ...bitmapToRgba(input.bitmap), scaleToImagePx: input.scaleToImagePx, decoder: 'bitmap' });
    } catch (error) {
      return Promise.reject(error);
    } finally {
      input.bitmap.close();
    }
  }
  return decodeFileForInference(input.file, input, input.name);
}

const fetchedModelFiles: ModelFileReader = {
  async readFile(name, onBytes) {
    const url = MODELS_URL + encodeURIComponent(name);
    const response = await fetch(url).catch((error: unknown) => {
      throw new Error(`${url} could not be fetched (${errorText(error)}): is the app's server still running?`);
    });
    if (!response.ok) throw new Error(`${url} could not be loaded: the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    if (!response.body) return response.arrayBuffer();
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let loadedBytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loadedBytes += value.byteLength;
      onBytes(loadedBytes);
    }
    const bytes = new Uint8Array(loadedBytes);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return bytes.buffer;
  },
};

/** Every fetched weight file is checked against the manifest's sha256 before a model is built from it. */
const fetchModelFiles = verifyingReader(fetchedModelFiles, manifestFiles(MODELS));

function memoryFacts(): { numTensors: number; tensorBytes: number; workerHeapBytes: number | null; runtimeHeapBytes: number | null; runtimeGpuObjects: number | null } {
  const { numTensors, numBytes } = tf.memory();
  const heap = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return { numTensors, tensorBytes: numBytes, workerHeapBytes: heap ? heap.usedJSHeapSize : null, ...runtimeMemoryFacts() };
}

/** The loaded adapters' own runtime memory, each owner once (LiteRT's models share one module). */
function runtimeMemoryFacts(): { runtimeHeapBytes: number | null; runtimeGpuObjects: number | null } {
  const owners = new Map<string, RuntimeMemory>();
  for (const pending of adapters.values()) {
    const memory = loadedAdapters.get(pending)?.runtimeMemory?.();
    if (memory) owners.set(memory.owner, memory);
  }
  const sum = (values: (number | null)[]) => (values.some((v) => v !== null) ? values.reduce<number>((total, v) => total + (v ?? 0), 0) : null);
  return { runtimeHeapBytes: sum([...owners.values()].map((m) => m.heapBytes)), runtimeGpuObjects: sum([...owners.values()].map((m) => m.gpuObjects)) };
}

function disposeAll(): void {
  for (const [modelId, pending] of adapters) {
    const backend = activeBackend;
    pending.then((adapter) => adapter.dispose()).catch(() => undefined);
    if (backend) send({ type: 'modelDisposed', modelId, backend });
  }
  adapters.clear();
}

/** Loads and warms up a model; resolves with the reason when it failed (also reported as modelError), else null. */
async function loadModel(requestId: number, modelId: ModelId, backend: BackendName): Promise<string | null> {
  const info = modelInfo(modelId);
  const startMs = performance.now();
  const settings = modelSettings.get(modelId);
  loadedSettings.set(modelId, JSON.stringify(settings ?? {}));
  const pending = loadModelAdapter(info, {
    files: fetchModelFiles,
    ...(settings ? { settings } : {}),
    onProgress: ({ loadedBytes, totalBytes }) => send({ type: 'modelProgress', modelId, backend, loadedBytes, totalBytes }),
  });
  adapters.set(modelId, pending);
  // Unticked (or the backend switched) while loading: whoever removed it disposes it, and its
  // outcome is not reported, or a model no longer wanted would read as ready (or failed).
  const superseded = () => adapters.get(modelId) !== pending;
  try {
    const adapter = await pending;
    loadedAdapters.set(pending, adapter);
    if (superseded()) return null;
    const loadMs = performance.now() - startMs;
    const warmupStartMs = performance.now();
    await warmUpAdapter(adapter);
    if (superseded()) return null;
    const threads = runtimeThreads(adapter.runtime);
    send({ type: 'modelReady', requestId, modelId, backend, runtime: adapter.runtime, ...(threads !== null ? { runtimeThreads: threads } : {}), loadMs, warmupMs: performance.now() - warmupStartMs });
    return null;
  } catch (error) {
    if (superseded()) return null;
    adapters.delete(modelId);
    send({ type: 'modelError', requestId, modelId, backend, message: errorText(error) });
    return errorText(error);
  }
}

/** Everything but the life lock, which is answered at once. */
type QueuedMessage = Exclude<ToWorker, { type: 'holdLifeLock' }>;

async function handle(message: QueuedMessage): Promise<void> {
  switch (message.type) {
    case 'setBackend': {
      backendEpoch++;
      loadQueue.length = 0;
      wantedModelIds = new Set();
      disposeAll();
      try {
        const decision = await chooseBackend(message.choice, message.wasmThreads);
        activeBackend = decision.chosen;
        watchBackendLoss(decision.chosen, (reason) => reportBackendLost(decision.chosen, reason));
        send({ type: 'backendReady', requestId: message.requestId, backend: decision.chosen, decision });
      } catch (error) {
        // No backend is in use until the next setBackend succeeds (tf.getBackend() here would quietly
        // initialise whichever backend tfjs ranks first, and log its failure too).
        activeBackend = null;
        send({ type: 'backendError', requestId: message.requestId, choice: message.choice, message: errorText(error) });
      }
      return;
    }
    case 'useModels': {
      const backend = activeBackend;
      if (!backend) throw new Error('no backend is active yet');
      for (const [modelId, settings] of Object.entries(message.settings ?? {})) if (settings) modelSettings.set(modelId, settings);
      for (const [modelId, pending] of adapters) {
        // Settings apply at load: a model whose settings changed is disposed here and loaded again below.
        const settingsChanged = loadedSettings.get(modelId) !== JSON.stringify(modelSettings.get(modelId) ?? {});
        if (message.modelIds.includes(modelId) && !settingsChanged) continue;
        adapters.delete(modelId);
        pending.then((adapter) => adapter.dispose()).catch(() => undefined);
        send({ type: 'modelDisposed', modelId, backend });
      }
      wantedModelIds = new Set(message.modelIds);
      for (const modelId of message.modelIds) {
        if (!adapters.has(modelId) && !loadQueue.some((job) => job.modelId === modelId)) {
          loadQueue.push({ requestId: message.requestId, modelId, epoch: backendEpoch });
        }
      }
      return;
    }
    case 'estimate': {
      const { requestId, imageKey } = message;
      const backend = activeBackend;
      let decoder: InferencePixels['decoder'] | null = null;
      try {
        const decodeStartMs = performance.now();
        const pending = earlyDecodes.get(requestId) ?? startDecode(message.input);
        earlyDecodes.delete(requestId);
        const pixels = await pending;
        decoder = pixels.decoder;
        const decodeMs = performance.now() - decodeStartMs;
        const { prepareMs } = await runPipeline(
          { pixels: rgbaToRgbImage(pixels), scaleToImagePx: pixels.scaleToImagePx },
          message.modelIds,
          {
            mode: message.mode,
            ...(message.timestampMs !== undefined ? { timestampMs: message.timestampMs } : {}),
            crops: message.crops ?? null,
            measureRaw: message.measureRaw === true,
          },
          backend ?? 'none',
          {
            adapterFor: async (modelId) => {
              // Asked for a model whose load is still queued (webcam, benchmark): load it now.
              const queuedLoad = loadQueue.findIndex((job) => job.modelId === modelId);
              let loadError: string | null = null;
              if (queuedLoad >= 0 && backend) {
                const [job] = loadQueue.splice(queuedLoad, 1);
                loadError = await loadModel(job?.requestId ?? requestId, modelId, backend);
              }
              const loading = adapters.get(modelId);
              if (!loading || !backend) throw new NotLoaded(loadError !== null ? `model failed to load: ${loadError}` : `${modelId} is not loaded`);
              return loading;
            },
            onEstimate: (estimate) => {
              if (!backend) return;
              send({
                type: 'poses',
                requestId,
                imageKey,
                modelId: estimate.modelId,
                backend,
                runtime: estimate.runtime,
                poses: estimate.poses,
                imageLatencyMs: estimate.imageLatencyMs,
                ...(estimate.networkMs !== undefined ? { networkMs: estimate.networkMs } : {}),
                inferences: estimate.inferences,
              });
            },
            onRawTiming: (modelId, rawMs) => {
              if (backend) send({ type: 'rawTiming', requestId, imageKey, modelId, backend, rawMs });
            },
            onError: async (modelId, error) => {
              if (!(error instanceof NotLoaded)) await checkGpuLost(backend);
              send({ type: 'estimateError', requestId, imageKey, modelId, backend, message: errorText(error) });
            },
          },
        );
        // Input preparation shared by the models: decode, and the tensor every tfjs model of the request reads.
        send({ type: 'estimateDone', requestId, imageKey, decodeMs: decodeMs + prepareMs, decoder, ...memoryFacts() });
      } catch (error) {
        await checkGpuLost(backend);
        send({ type: 'estimateError', requestId, imageKey, modelId: null, backend, message: errorText(error) });
        send({ type: 'estimateDone', requestId, imageKey, decodeMs: 0, decoder, ...memoryFacts() });
      }
      return;
    }
  }
}

function reportFailure(message: QueuedMessage, error: unknown): void {
  if (message.type === 'estimate') {
    send({ type: 'estimateError', requestId: message.requestId, imageKey: message.imageKey, modelId: null, backend: activeBackend, message: errorText(error) });
    send({ type: 'estimateDone', requestId: message.requestId, imageKey: message.imageKey, decodeMs: 0, decoder: null, ...memoryFacts() });
  } else if (message.type === 'setBackend') {
    send({ type: 'backendError', requestId: message.requestId, choice: message.choice, message: errorText(error) });
  } else {
    for (const modelId of message.modelIds) {
      send({ type: 'modelError', requestId: message.requestId, modelId, backend: activeBackend ?? 'cpu', message: errorText(error) });
    }
  }
}

/** Runs queued messages first, then queued model loads, one at a time. */
async function drain(): Promise<void> {
  if (draining) return;
  draining = true;
  try {
    for (;;) {
      const message = messageQueue.shift();
      if (message) {
        await handle(message).catch((error: unknown) => reportFailure(message, error));
        continue;
      }
      const job = loadQueue.shift();
      if (!job) break;
      const backend = activeBackend;
      if (job.epoch !== backendEpoch || !backend || !wantedModelIds.has(job.modelId) || adapters.has(job.modelId)) continue;
      await loadModel(job.requestId, job.modelId, backend);
    }
  } finally {
    draining = false;
  }
}

/**
 * Holds a Web Lock for as long as this worker lives: the browser releases it however the worker ends
 * (crash, out of memory, close), which is how the client notices a death that fires no event.
 */
function holdLifeLock(lockName: string): void {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return; // no secure context: the client then only sees deaths that fire an error
  void locks.request(lockName, () => {
    send({ type: 'lifeLockHeld', lockName });
    return new Promise<never>(() => undefined);
  });
}

scope.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'holdLifeLock') {
    holdLifeLock(message.lockName);
    return;
  }
  if (message.type === 'estimate') {
    const decode = startDecode(message.input);
    decode.catch(() => undefined); // reported when the request runs
    earlyDecodes.set(message.requestId, decode);
  }
  messageQueue.push(message);
  void drain();
});
