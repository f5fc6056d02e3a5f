/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-converter';
import type { BackendName, ModelId, Pose } from '../../core/types';
import { personRegionInBitmapPx, type PersonRegion } from '../../core/crops';
import { scalePoses } from '../../core/geometry';
import { chooseBackend } from '../backends';
import { estimateBestPosePerCrop } from '../cropEstimate';
import { bitmapToRgba, decodeFileForInference, rgbaToImageTensor, type InferencePixels } from '../inputPixels';
import { RawExecutionRecorder } from '../rawTiming';
import { warmUpAdapter } from '../warmUp';
import type { ModelAdapter, ModelFileReader } from '../modelAdapter';
import { adapterFactory, modelInfo } from '../modelRegistry';
import type { FromWorker, InferenceInput, ToWorker } from './protocol';


/** Same-origin path the app serves model files from (see vite.config.ts). */
const MODELS_URL = '/models/';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const send = (message: FromWorker) => scope.postMessage(message);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

let activeBackend: BackendName | null = null;
/** Resident models on the active backend. */
const adapters = new Map<ModelId, Promise<ModelAdapter>>();
/**
 * Work runs strictly one item at a time (tfjs has one active backend that models share), but
 * messages jump ahead of queued model loads: an image for a model that is already loaded does not
 * wait for a 34 MB model the user ticked after it. Loads are tagged with the backend epoch, so a
 * backend switch drops the ones still queued.
 */
const messageQueue: ToWorker[] = [];
const loadQueue: { requestId: number; modelId: ModelId; epoch: number }[] = [];
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

const fetchModelFiles: ModelFileReader = {
  async readFile(name, onBytes) {
    const response = await fetch(MODELS_URL + encodeURIComponent(name));
    if (!response.ok) throw new Error(`${MODELS_URL}${name}: HTTP ${response.status}`);
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

function memoryFacts(): { numTensors: number; tensorBytes: number; workerHeapBytes: number | null } {
  const { numTensors, numBytes } = tf.memory();
  const heap = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return { numTensors, tensorBytes: numBytes, workerHeapBytes: heap ? heap.usedJSHeapSize : null };
}

function disposeAll(): void {
  for (const [modelId, pending] of adapters) {
    const backend = activeBackend;
    pending.then((adapter) => adapter.dispose()).catch(() => undefined);
    if (backend) send({ type: 'modelDisposed', modelId, backend });
  }
  adapters.clear();
}

async function loadModel(requestId: number, modelId: ModelId, backend: BackendName): Promise<void> {
  const info = modelInfo(modelId);
  const startMs = performance.now();
  const pending = adapterFactory(modelId)(info, {
    files: fetchModelFiles,
    onProgress: ({ loadedBytes, totalBytes }) => send({ type: 'modelProgress', modelId, backend, loadedBytes, totalBytes }),
  });
  adapters.set(modelId, pending);
  try {
    const adapter = await pending;
    const loadMs = performance.now() - startMs;
    const warmupStartMs = performance.now();
    await warmUpAdapter(adapter);
    send({ type: 'modelReady', requestId, modelId, backend, loadMs, warmupMs: performance.now() - warmupStartMs });
  } catch (error) {
    adapters.delete(modelId);
    send({ type: 'modelError', requestId, modelId, backend, message: errorText(error) });
  }
}

/** Person-crops protocol: the best pose of each person (given in original pixels), in bitmap pixels. */
function estimateCrops(adapter: ModelAdapter, image: tf.Tensor3D, persons: PersonRegion[], scaleToImagePx: number): Promise<Pose[]> {
  const bitmapSize = { width: image.shape[1], height: image.shape[0] };
  return estimateBestPosePerCrop(adapter, image, persons.map((person) => personRegionInBitmapPx(person, scaleToImagePx, bitmapSize)));
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'setBackend': {
      backendEpoch++;
      loadQueue.length = 0;
      wantedModelIds = new Set();
      disposeAll();
      try {
        const decision = await chooseBackend(message.choice, message.wasmThreads);
        activeBackend = decision.chosen;
        send({ type: 'backendReady', requestId: message.requestId, backend: decision.chosen, decision });
      } catch (error) {
        activeBackend = tf.getBackend() as BackendName | null;
        send({ type: 'backendError', requestId: message.requestId, choice: message.choice, message: errorText(error) });
      }
      return;
    }
    case 'useModels': {
      const backend = activeBackend;
      if (!backend) throw new Error('no backend is active yet');
      for (const [modelId, pending] of adapters) {
        if (message.modelIds.includes(modelId)) continue;
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
      let image: tf.Tensor3D | null = null;
      let decoder: InferencePixels['decoder'] | null = null;
      try {
        const decodeStartMs = performance.now();
        const pending = earlyDecodes.get(requestId) ?? startDecode(message.input);
        earlyDecodes.delete(requestId);
        const pixels = await pending;
        decoder = pixels.decoder;
        image = rgbaToImageTensor(pixels);
        const scaleToImagePx = pixels.scaleToImagePx;
        const decodeMs = performance.now() - decodeStartMs;
        for (const modelId of message.modelIds) {
          // Asked for a model whose load is still queued (webcam, benchmark): load it now.
          const queuedLoad = loadQueue.findIndex((job) => job.modelId === modelId);
          if (queuedLoad >= 0 && backend) {
            const [job] = loadQueue.splice(queuedLoad, 1);
            await loadModel(job?.requestId ?? requestId, modelId, backend);
          }
          const pending = adapters.get(modelId);
          if (!pending || !backend) {
            send({ type: 'estimateError', requestId, imageKey, modelId, backend, message: `${modelId} is not loaded` });
            continue;
          }
          try {
            const adapter = await pending;
            const recorder = message.measureRaw ? new RawExecutionRecorder(adapter.graphModels()) : null;
            const startMs = performance.now();
            const input = image;
            const run = () => message.crops
              ? estimateCrops(adapter, input, message.crops, scaleToImagePx)
              : adapter.estimate(input, {
                  mode: message.mode,
                  ...(message.timestampMs !== undefined ? { timestampMs: message.timestampMs } : {}),
                });
            const poses: Pose[] = recorder ? await recorder.record(run) : await run();
            const imageLatencyMs = performance.now() - startMs;
            const inferences = message.crops?.length ?? 1;
            send({ type: 'poses', requestId, imageKey, modelId, backend, poses: scalePoses(poses, scaleToImagePx), imageLatencyMs, inferences });
            if (recorder) {
              const rawMs = await recorder.timeRecorded();
              recorder.dispose();
              send({ type: 'rawTiming', requestId, imageKey, modelId, backend, rawMs });
            }
          } catch (error) {
            send({ type: 'estimateError', requestId, imageKey, modelId, backend, message: errorText(error) });
          }
        }
        image.dispose();
        image = null;
        send({ type: 'estimateDone', requestId, imageKey, decodeMs, decoder, ...memoryFacts() });
      } catch (error) {
        image?.dispose();
        send({ type: 'estimateError', requestId, imageKey, modelId: null, backend, message: errorText(error) });
        send({ type: 'estimateDone', requestId, imageKey, decodeMs: 0, decoder, ...memoryFacts() });
      }
      return;
    }
  }
}

function reportFailure(message: ToWorker, error: unknown): void {
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

scope.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'estimate') {
    const decode = startDecode(message.input);
    decode.catch(() => undefined); // reported when the request runs
    earlyDecodes.set(message.requestId, decode);
  }
  messageQueue.push(message);
  void drain();
});
