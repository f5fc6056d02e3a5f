import type { BackendDecision } from '../core/backendDecision';
import { jobIncompleteness, medianRoundIndex, summariseJob, type JobFigures, type JobRawRequest, type JobTimedRequest } from '../core/benchmarkJob';
import { executionOf } from '../core/manifest';
import type { MemoryFacts } from '../core/leakCheck';
import type { BackendName, ModelId, RuntimeName } from '../core/types';
import { InferenceClient, fileInput } from '../inference/inferenceClient';
import { MODEL_MANIFEST, modelInfo } from '../inference/modelCatalogue';
import type { FromWorker } from '../inference/worker/protocol';
import { median } from './selectors';

/** Backend start-up (WebGL/WebGPU compile shaders; software renderers are slow) may take this long. */
const BACKEND_TIMEOUT_MS = 180_000;
/** Loading + warming one model; BlazePose heavy on a software renderer is the slow case. */
const MODEL_TIMEOUT_MS = 300_000;
/** One image through one model. */
const ESTIMATE_TIMEOUT_MS = 120_000;
/** Estimates run before measuring, after the load's own warm-up run. */
const WARM_RUNS = 2;
/** In-flight images in the throughput phase: the app's own batch setting. */
const THROUGHPUT_IN_FLIGHT = 2;

export interface BenchmarkImage {
  file: Blob;
  name: string;
  widthPx: number;
  heightPx: number;
}

export interface BenchmarkOptions {
  modelIds: ModelId[];
  backends: BackendName[];
  /** Images measured per model × backend (the given images repeated as needed). */
  imageCount: number;
  images: BenchmarkImage[];
  /** WASM thread counts to request and compare (e.g. [1, 2]); default: the app's default only. */
  wasmThreadCounts?: number[];
  /** Extra inferences after the measurement, to show tensors/heap do not grow (0 = skip). */
  leakCheckInferences?: number;
  /**
   * The user's job: this many images (the given ones repeated) × every model of `modelIds` together on
   * WASM with the app's default threads, as the gallery runs it; 0 or absent = skip.
   */
  jobImageCount?: number;
  /** The job's models; default `modelIds`. */
  jobModelIds?: ModelId[];
  /** Rounds of the job (each: the timed pass, the raw pass and the one-in-flight diagnostic); the median round is reported. Default 1. */
  jobRounds?: number;
  /** WASM threads to request for the job; default (and what the job overhead target is about): the app's default. */
  jobWasmThreads?: number;
  onProgress?: (text: string, fraction: number) => void;
  signal?: AbortSignal;
}

export interface LongTaskStats {
  count: number;
  maxMs: number;
  totalMs: number;
}

export interface BenchmarkRow {
  /** Where the networks ran: the tfjs backend, or the runtime's own (LiteRT: its WASM module, see `executionDetail`). */
  backend: BackendName;
  /** Where a runtime that does not use the tfjs backend ran (from the manifest's `runtimes`); null for tfjs. */
  executionDetail: string | null;
  /**
   * WASM only: threads in the backend's pool, read back from the module after it started (what the
   * row ran on, and what labels it); null on other backends or when WASM did not start.
   */
  wasmThreads: number | null;
  /** WASM only: the thread count the worker asked tfjs for (the app's default when none was given). */
  wasmThreadsRequested: number | null;
  modelId: ModelId;
  displayName: string;
  /** What executed the model's networks (model × runtime × backend). */
  runtime: RuntimeName;
  status: 'ok' | 'failed';
  error: string | null;
  loadMs: number | null;
  /** The first inference after load (kernel/shader compilation included). */
  firstInferenceMs: number | null;
  /** Whole app pipeline per image, one at a time: decode → transfer → worker → tensor → model → reply. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** The adapter's estimate alone (pose-detection pre/post-processing + network), in the worker. */
  modelP50Ms: number | null;
  /** The network(s) alone on the same inputs. */
  rawP50Ms: number | null;
  /** latencyP50Ms / rawP50Ms: what the app adds around the network (1.00 = nothing). */
  overheadRatio: number | null;
  /** File → pixels → tensor in the worker (the part of the decode not overlapped with earlier work). */
  decodeP50Ms: number | null;
  /** The decoder the worker used for these images (ImageDecoder, or createImageBitmap where it does not apply). */
  decoder: string | null;
  /** Images per second with the app's batch pipelining (two images in flight). */
  throughputImagesPerS: number | null;
  tensorsBefore: number | null;
  tensorsAfter: number | null;
  tensorBytesBefore: number | null;
  tensorBytesAfter: number | null;
  workerHeapBytesBefore: number | null;
  workerHeapBytesAfter: number | null;
  /** The model's own runtime's WASM heap (LiteRT, MediaPipe solutions; null on tfjs, whose memory is its tensors). */
  runtimeHeapBytesBefore: number | null;
  runtimeHeapBytesAfter: number | null;
  /** GPU objects that runtime keeps alive (a MediaPipe solution's WebGL objects and open ImageBitmaps). */
  runtimeGpuObjectsBefore: number | null;
  runtimeGpuObjectsAfter: number | null;
  mainHeapBytesBefore: number | null;
  mainHeapBytesAfter: number | null;
  /** Main-thread long tasks (> 50 ms) during the throughput batch. */
  longTasks: LongTaskStats | null;
  inferencesMeasured: number;
  /**
   * The leak check's own window, after every measured estimate (null when not run): a runtime fills its pools in its
   * first frames (a MediaPipe solution: a few WebGL textures and a ring of fences), so nothing may grow after that.
   */
  leakCheck: { estimates: number; start: MemoryFacts; end: MemoryFacts } | null;
}


/** Backend, with WASM's real thread count (read back from the module); the request only when WASM never started. */
export function benchmarkConfigLabel(row: Pick<BenchmarkRow, 'backend' | 'wasmThreads' | 'wasmThreadsRequested'>): string {
  if (row.wasmThreads !== null) return `${row.backend} ×${row.wasmThreads}`;
  return row.wasmThreadsRequested !== null ? `${row.backend} (×${row.wasmThreadsRequested} requested)` : row.backend;
}

/** One round of the job: its timed pass against its raw pass, and the one-in-flight diagnostic against the same raw pass. */
export interface JobRound {
  figures: JobFigures;
  /**
   * Diagnostic, not the target's figure: the same batch with one image in flight (the next sent only
   * when one is done, so no decode overlaps a model), against the same Σ raw. Shows what the
   * gallery's two-in-flight pipelining saves or costs on this machine.
   */
  oneInFlight: JobFigures;
  /** Wall time of the raw pass (one request at a time, every network re-run inside it): not part of the figures. */
  rawPassWallMs: number;
  /** Which timed pass ran first (they alternate between rounds, so neither always gets the warmer worker). */
  firstPass: 'two-in-flight' | 'one-in-flight';
}

/**
 * The job measurement: M images × K models as the gallery runs them (see core/benchmarkJob). The
 * figures are those of the median round (by jobOverhead); every round is in `rounds`.
 */
export interface JobMeasurement extends Partial<JobFigures> {
  status: 'ok' | 'failed';
  error: string | null;
  backend: BackendName;
  /** WASM threads read back from the module (the app's default), as for the rows. */
  wasmThreads: number | null;
  wasmThreadsRequested: number | null;
  /** Images in flight in the timed pass: the gallery's own limit. */
  inFlight: number;
  /** The decoder(s) the worker used in the timed passes. */
  decoder: string | null;
  /** The median round's raw-pass wall time and one-in-flight diagnostic (see JobRound). */
  rawPassWallMs: number | null;
  oneInFlight: JobFigures | null;
  /** Index of the reported (median) round in `rounds`. */
  medianRound: number | null;
  rounds: JobRound[];
}

export interface BenchmarkReport {
  createdAtIso: string;
  userAgent: string;
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  imageCount: number;
  autoDecision: BackendDecision | null;
  rows: BenchmarkRow[];
  /** The job measurement, when asked for (`jobImageCount`); null otherwise. */
  job: JobMeasurement | null;
}

function percentile(values: readonly number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? null;
}

function mainHeapBytes(): number | null {
  const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return memory ? memory.usedJSHeapSize : null;
}

/** Waits for the first worker message that `match` accepts; rejects on timeout or abort. */
function waitFor<T>(client: InferenceClient, match: (m: FromWorker) => T | undefined, timeoutMs: number, what: string, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`${what}: no answer within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    const onAbort = () => {
      clearTimeout(timer);
      unsubscribe();
      reject(new Error('benchmark cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const unsubscribe = client.subscribe((message) => {
      const value = match(message);
      if (value === undefined) return;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      unsubscribe();
      resolve(value);
    });
  });
}

class LongTaskRecorder {
  private observer: PerformanceObserver | null = null;
  private durationsMs: number[] = [];
  start(): void {
    this.durationsMs = [];
    if (typeof PerformanceObserver === 'undefined' || !PerformanceObserver.supportedEntryTypes?.includes('longtask')) return;
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.durationsMs.push(entry.duration);
    });
    this.observer.observe({ type: 'longtask', buffered: false });
  }
  stop(): LongTaskStats | null {
    if (!this.observer) return null;
    this.observer.disconnect();
    this.observer = null;
    return { count: this.durationsMs.length, maxMs: Math.max(0, ...this.durationsMs), totalMs: this.durationsMs.reduce((a, b) => a + b, 0) };
  }
}

interface Sample extends MemoryFacts {
  pipelineMs: number;
  modelMs: number;
  rawMs: number | null;
  decodeMs: number;
  decoder: string | null;
}

/** What the worker reported for one request, per model and for the request. */
interface RequestResult {
  /** Sent → the last model's `poses` on this thread. */
  lastPosesAfterMs: number;
  modelMs: Partial<Record<ModelId, number>>;
  rawMs: Partial<Record<ModelId, number>>;
  /** The adapter's own timing of its networks inside the estimate, where it reports one (WASM/CPU runtimes). */
  networkMs: Partial<Record<ModelId, number>>;
  done: Extract<FromWorker, { type: 'estimateDone' }>;
}

/** One image through the real pipeline on `client` with `modelIds`; resolves when the worker has finished with it. */
async function runRequest(client: InferenceClient, image: BenchmarkImage, modelIds: ModelId[], measureRaw: boolean, key: string, signal?: AbortSignal): Promise<RequestResult> {
  const startMs = performance.now();
  let requestId = -1;
  let lastPosesAtMs = Number.NaN;
  const modelMs: Partial<Record<ModelId, number>> = {};
  const rawMs: Partial<Record<ModelId, number>> = {};
  const networkMs: Partial<Record<ModelId, number>> = {};
  let failure: string | null = null;
  const done = waitFor(
    client,
    (m) => {
      if (!('requestId' in m) || m.requestId !== requestId) return undefined;
      if (m.type === 'poses') {
        lastPosesAtMs = performance.now();
        modelMs[m.modelId] = m.imageLatencyMs;
        if (m.networkMs !== undefined) networkMs[m.modelId] = m.networkMs;
      } else if (m.type === 'rawTiming') {
        rawMs[m.modelId] = m.rawMs;
      } else if (m.type === 'estimateError') failure ??= m.message;
      return m.type === 'estimateDone' ? m : undefined;
    },
    ESTIMATE_TIMEOUT_MS * modelIds.length,
    `${modelIds.join(' + ')} on ${image.name}`,
    signal,
  );
  requestId = client.estimate({ imageKey: key, input: fileInput(image), modelIds, mode: 'still', measureRaw });
  const finished = await done;
  if (failure) throw new Error(failure);
  return { lastPosesAfterMs: lastPosesAtMs - startMs, modelMs, rawMs, networkMs, done: finished };
}

const memoryFactsOf = ({ numTensors, tensorBytes, workerHeapBytes, runtimeHeapBytes, runtimeGpuObjects }: MemoryFacts): MemoryFacts => ({ numTensors, tensorBytes, workerHeapBytes, runtimeHeapBytes, runtimeGpuObjects });

/** One image through one model. */
async function runOne(client: InferenceClient, image: BenchmarkImage, modelId: ModelId, measureRaw: boolean, key: string, signal?: AbortSignal): Promise<Sample> {
  const result = await runRequest(client, image, [modelId], measureRaw, key, signal);
  return {
    pipelineMs: result.lastPosesAfterMs,
    modelMs: result.modelMs[modelId] ?? Number.NaN,
    // A runtime without tfjs GraphModels to re-run (LiteRT) times its networks inside the estimate: that is its raw time.
    rawMs: result.rawMs[modelId] ?? (measureRaw ? (result.networkMs[modelId] ?? null) : null),
    decodeMs: result.done.decodeMs,
    decoder: result.done.decoder,
    numTensors: result.done.numTensors,
    tensorBytes: result.done.tensorBytes,
    workerHeapBytes: result.done.workerHeapBytes,
    runtimeHeapBytes: result.done.runtimeHeapBytes,
    runtimeGpuObjects: result.done.runtimeGpuObjects,
  };
}

/** A fresh worker on `backend`, with `modelIds` loaded and warmed; the backend's decision and each model's load answer. */
async function startWorker(client: InferenceClient, backend: BackendName, requestedWasmThreads: number | null, modelIds: ModelId[], signal?: AbortSignal) {
  const ready = waitFor(client, (m) => (m.type === 'backendReady' || m.type === 'backendError' ? m : undefined), BACKEND_TIMEOUT_MS, `${backend} start`, signal);
  client.setBackend(backend, requestedWasmThreads ?? undefined);
  const backendAnswer = await ready;
  if (backendAnswer.type === 'backendError') throw new Error(backendAnswer.message);
  if (backendAnswer.backend !== backend) throw new Error(`asked for ${backend}, got ${backendAnswer.backend}`);
  const loads = modelIds.map((modelId) =>
    waitFor(client, (m) => ((m.type === 'modelReady' || m.type === 'modelError') && m.modelId === modelId ? m : undefined), MODEL_TIMEOUT_MS * modelIds.length, `${modelId} load`, signal),
  );
  client.useModels(modelIds);
  const loaded = await Promise.all(loads);
  const failed = loaded.find((answer) => answer.type === 'modelError');
  if (failed?.type === 'modelError') throw new Error(failed.message);
  return { decision: backendAnswer.decision, loaded: loaded.filter((a) => a.type === 'modelReady') };
}

/**
 * The user's job: `imageCount` images × every model of `modelIds`, on WASM with the app's default
 * threads, in a fresh worker, sent the way the gallery sends them (one request per image with all
 * models, two images in flight, the next sent when one is done). Each round makes separate passes
 * over the same images: the timed one is un-instrumented, so its wall time holds no re-run; the raw
 * one (`measureRaw`, one image at a time, so no decode competes with a re-run) gives every model's
 * network time on the same inputs. jobOverhead = timed wall ÷ Σ raw, per round; the median round is
 * reported (the machine this is measured on is shared, and one pass can be hit by outside load).
 */
async function benchmarkJob(options: BenchmarkOptions, imageCount: number, progress: (text: string) => void): Promise<JobMeasurement> {
  const job: JobMeasurement = {
    status: 'failed', error: null, backend: 'wasm', wasmThreads: null, wasmThreadsRequested: null, inFlight: THROUGHPUT_IN_FLIGHT, decoder: null,
    rawPassWallMs: null, oneInFlight: null, medianRound: null, rounds: [],
  };
  const modelIds = options.jobModelIds ?? options.modelIds;
  const rounds = Math.max(1, options.jobRounds ?? 1);
  const { signal } = options;
  const client = new InferenceClient();
  const what = `Job: ${imageCount} images × ${modelIds.length} model${modelIds.length === 1 ? '' : 's'} on wasm`;
  try {
    progress(`${what}: starting backend and loading`);
    const { decision } = await startWorker(client, 'wasm', options.jobWasmThreads ?? null, modelIds, signal);
    job.wasmThreads = decision.wasmThreadsActual ?? null;
    job.wasmThreadsRequested = decision.wasmThreadsRequested ?? null;
    const images = options.images;
    const imageAt = (i: number) => images[i % images.length] as BenchmarkImage;
    for (let i = 0; i < WARM_RUNS; i++) await runRequest(client, imageAt(i), modelIds, false, `bench:job:warm:${i}`, signal);

    const decoders = new Set<string>();
    /** Un-instrumented batch with `inFlight` images in flight, the next sent when one is done: wall time and what each request reported. */
    const timedPass = async (inFlight: number, tag: string) => {
      const timed: JobTimedRequest[] = new Array<JobTimedRequest>(imageCount);
      let next = 0;
      let lastDoneAtMs = 0;
      const lane = async () => {
        while (next < imageCount) {
          const i = next++;
          const result = await runRequest(client, imageAt(i), modelIds, false, `bench:job:${tag}:${i}`, signal);
          lastDoneAtMs = performance.now();
          timed[i] = { decodeMs: result.done.decodeMs, modelMs: result.modelMs };
          if (result.done.decoder) decoders.add(result.done.decoder);
        }
      };
      const firstRequestAtMs = performance.now();
      await Promise.all(Array.from({ length: inFlight }, lane));
      return { wallMs: lastDoneAtMs - firstRequestAtMs, timed };
    };
    /** The same images one at a time with `measureRaw`: each model's networks re-run alone on the inputs its estimate fed them. */
    const rawPass = async (tag: string) => {
      const raw: JobRawRequest[] = [];
      const startMs = performance.now();
      for (let i = 0; i < imageCount; i++) {
        const answer = await runRequest(client, imageAt(i), modelIds, true, `bench:job:${tag}:${i}`, signal);
        // As for a row: a model without GraphModels to re-run (LiteRT) counts its own network timing as raw.
        raw.push({ rawMs: { ...answer.networkMs, ...answer.rawMs } });
      }
      return { raw, wallMs: performance.now() - startMs };
    };

    for (let r = 0; r < rounds; r++) {
      const round = rounds > 1 ? ` (round ${r + 1} of ${rounds})` : '';
      // The two timed passes swap places each round, around the raw pass, so order effects (a warmer worker, load changing) even out.
      const twoFirst = r % 2 === 0;
      progress(`${what}${round}: ${twoFirst ? 'timed pass, as the gallery runs it' : 'one image in flight (diagnostic)'}`);
      const first = await timedPass(twoFirst ? THROUGHPUT_IN_FLIGHT : 1, `r${r}a`);
      progress(`${what}${round}: raw network times`);
      const { raw, wallMs: rawPassWallMs } = await rawPass(`r${r}raw`);
      progress(`${what}${round}: ${twoFirst ? 'one image in flight (diagnostic)' : 'timed pass, as the gallery runs it'}`);
      const second = await timedPass(twoFirst ? 1 : THROUGHPUT_IN_FLIGHT, `r${r}b`);
      const [gallery, one] = twoFirst ? [first, second] : [second, first];
      const figures = summariseJob({ modelIds, wallMs: gallery.wallMs, timed: gallery.timed, raw });
      const incomplete = jobIncompleteness(figures, imageCount);
      if (incomplete) throw new Error(`incomplete job${round}: ${incomplete}`);
      job.rounds.push({ figures, oneInFlight: summariseJob({ modelIds, wallMs: one.wallMs, timed: one.timed, raw }), rawPassWallMs, firstPass: twoFirst ? 'two-in-flight' : 'one-in-flight' });
    }
    job.decoder = [...decoders].join(' + ') || null;
    const median = medianRoundIndex(job.rounds.map((r) => r.figures.jobOverhead));
    const reported = job.rounds[median];
    if (!reported) throw new Error('no job round completed');
    Object.assign(job, reported.figures);
    job.medianRound = median;
    job.rawPassWallMs = reported.rawPassWallMs;
    job.oneInFlight = reported.oneInFlight;
    job.status = 'ok';
  } catch (error) {
    job.error = error instanceof Error ? error.message : String(error);
  } finally {
    client.terminate();
  }
  return job;
}

async function benchmarkOne(
  options: BenchmarkOptions,
  backend: BackendName,
  requestedWasmThreads: number | null,
  modelId: ModelId,
  progress: (text: string) => void,
): Promise<BenchmarkRow> {
  const info = modelInfo(modelId);
  const row: BenchmarkRow = {
    backend, executionDetail: null, wasmThreads: null, wasmThreadsRequested: backend === 'wasm' ? requestedWasmThreads : null, modelId, displayName: info.displayName, runtime: info.runtime, status: 'failed', error: null,
    loadMs: null, firstInferenceMs: null, latencyP50Ms: null, latencyP95Ms: null, modelP50Ms: null, rawP50Ms: null,
    overheadRatio: null, decodeP50Ms: null, decoder: null, throughputImagesPerS: null, tensorsBefore: null, tensorsAfter: null,
    tensorBytesBefore: null, tensorBytesAfter: null, workerHeapBytesBefore: null, workerHeapBytesAfter: null,
    runtimeHeapBytesBefore: null, runtimeHeapBytesAfter: null, runtimeGpuObjectsBefore: null, runtimeGpuObjectsAfter: null,
    mainHeapBytesBefore: null, mainHeapBytesAfter: null, longTasks: null, inferencesMeasured: 0, leakCheck: null,
  };
  // A fresh worker per configuration: honest load/first-inference times, and WASM threads can be set.
  const client = new InferenceClient();
  const { signal } = options;
  try {
    progress(`${info.displayName} on ${backend}${requestedWasmThreads ? ` (${requestedWasmThreads} threads requested)` : ''}: starting backend and loading`);
    const { decision, loaded } = await startWorker(client, backend, requestedWasmThreads, [modelId], signal);
    const ownExecution = MODEL_MANIFEST.runtimes[info.runtime]?.executesOn;
    if (ownExecution !== undefined && ownExecution !== 'backend') {
      // Its networks ran on its runtime's own module whatever tfjs backend the worker started: label the row by that.
      const execution = executionOf(MODEL_MANIFEST.runtimes, info.runtime, { backend, wasmThreads: null });
      row.backend = execution.backend ?? backend;
      // The threads its module loaded with, as the worker reported them (LiteRT: threaded build where isolated).
      row.wasmThreads = loaded[0]?.runtimeThreads ?? execution.threads;
      row.wasmThreadsRequested = null;
      row.executionDetail = ownExecution.detail;
    } else if (backend === 'wasm') {
      // Label the row by what the module made, which tfjs may cap below the request.
      row.wasmThreads = decision.wasmThreadsActual ?? null;
      row.wasmThreadsRequested = decision.wasmThreadsRequested ?? requestedWasmThreads;
    }
    const on = `${backend}${row.wasmThreads !== null ? ` ×${row.wasmThreads}` : ''}`;
    const loadAnswer = loaded[0];
    if (!loadAnswer) throw new Error(`${modelId} did not load`);
    row.loadMs = loadAnswer.loadMs;
    row.firstInferenceMs = loadAnswer.warmupMs;
    const images = options.images;
    const imageAt = (i: number) => images[i % images.length] as BenchmarkImage;
    let last: Sample | null = null;
    for (let i = 0; i < WARM_RUNS; i++) last = await runOne(client, imageAt(i), modelId, false, `bench:warm:${i}`, signal);
    row.tensorsBefore = last?.numTensors ?? null;
    row.tensorBytesBefore = last?.tensorBytes ?? null;
    row.workerHeapBytesBefore = last?.workerHeapBytes ?? null;
    row.runtimeHeapBytesBefore = last?.runtimeHeapBytes ?? null;
    row.runtimeGpuObjectsBefore = last?.runtimeGpuObjects ?? null;
    row.mainHeapBytesBefore = mainHeapBytes();

    const samples: Sample[] = [];
    for (let i = 0; i < options.imageCount; i++) {
      progress(`${info.displayName} on ${on}: image ${i + 1} of ${options.imageCount} (latency)`);
      samples.push(await runOne(client, imageAt(i), modelId, true, `bench:${i}`, signal));
    }
    const pipeline = samples.map((s) => s.pipelineMs);
    row.latencyP50Ms = median(pipeline);
    row.latencyP95Ms = percentile(pipeline, 0.95);
    row.modelP50Ms = median(samples.map((s) => s.modelMs));
    row.rawP50Ms = median(samples.map((s) => s.rawMs).filter((v): v is number => v !== null));
    row.decodeP50Ms = median(samples.map((s) => s.decodeMs));
    row.decoder = [...new Set(samples.map((s) => s.decoder).filter((d): d is string => d !== null))].join(' + ') || null;
    row.overheadRatio = row.latencyP50Ms !== null && row.rawP50Ms ? row.latencyP50Ms / row.rawP50Ms : null;

    // Throughput: the batch pipelining the app uses, long tasks watched on this (the UI) thread.
    const longTasks = new LongTaskRecorder();
    longTasks.start();
    const batchStartMs = performance.now();
    let next = 0;
    const lane = async () => {
      while (next < options.imageCount) {
        const i = next++;
        progress(`${info.displayName} on ${on}: image ${i + 1} of ${options.imageCount} (throughput)`);
        last = await runOne(client, imageAt(i), modelId, false, `bench:batch:${i}`, signal);
      }
    };
    await Promise.all(Array.from({ length: THROUGHPUT_IN_FLIGHT }, lane));
    row.throughputImagesPerS = (options.imageCount * 1000) / (performance.now() - batchStartMs);
    row.longTasks = longTasks.stop();
    let inferences = WARM_RUNS + 2 * options.imageCount;
    const leakStart = last as Sample | null;
    const leakEstimates = options.leakCheckInferences ?? 0;
    for (let i = 0; i < leakEstimates; i++) {
      if (i % 10 === 0) progress(`${info.displayName} on ${on}: leak check ${i + 1} of ${options.leakCheckInferences}`);
      last = await runOne(client, imageAt(i), modelId, false, `bench:leak:${i}`, signal);
      inferences++;
    }
    const final = last as Sample | null;
    if (leakEstimates > 0 && leakStart && final) row.leakCheck = { estimates: leakEstimates, start: memoryFactsOf(leakStart), end: memoryFactsOf(final) };
    row.tensorsAfter = final?.numTensors ?? null;
    row.tensorBytesAfter = final?.tensorBytes ?? null;
    row.workerHeapBytesAfter = final?.workerHeapBytes ?? null;
    row.runtimeHeapBytesAfter = final?.runtimeHeapBytes ?? null;
    row.runtimeGpuObjectsAfter = final?.runtimeGpuObjects ?? null;
    row.mainHeapBytesAfter = mainHeapBytes();
    row.inferencesMeasured = inferences;
    row.status = 'ok';
  } catch (error) {
    row.error = error instanceof Error ? error.message : String(error);
  } finally {
    client.terminate();
  }
  return row;
}

function runsOnItsOwn(modelId: ModelId): boolean {
  const on = MODEL_MANIFEST.runtimes[modelInfo(modelId).runtime]?.executesOn;
  return on !== undefined && on !== 'backend';
}

/**
 * Measures every model × backend (× WASM thread count) through the app's real pipeline, each in a
 * fresh worker, one after another, then (with `jobImageCount`) the job of every model together.
 * The caller pauses other inference while this runs.
 */
export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkReport> {
  if (options.images.length === 0) throw new Error('the benchmark needs at least one image');
  const configs: { backend: BackendName; threads: number | null }[] = [];
  for (const backend of options.backends) {
    if (backend === 'wasm' && options.wasmThreadCounts && options.wasmThreadCounts.length > 0) {
      for (const threads of options.wasmThreadCounts) configs.push({ backend, threads });
    } else configs.push({ backend, threads: null });
  }
  const jobImageCount = options.jobImageCount ?? 0;
  // The job runs every model together: about as long as one row per model.
  const jobSteps = jobImageCount > 0 ? (options.jobModelIds ?? options.modelIds).length : 0;
  const total = configs.length * options.modelIds.length + jobSteps + (configs.length > 0 ? 1 : 0);
  let step = 0;
  const rows: BenchmarkRow[] = [];
  for (const [configIndex, { backend, threads }] of configs.entries()) {
    for (const modelId of options.modelIds) {
      if (options.signal?.aborted) throw new Error('benchmark cancelled');
      // A runtime with its own module (LiteRT) runs the same whatever the tfjs backend or thread count: measured once.
      if (configIndex > 0 && runsOnItsOwn(modelId)) {
        step++;
        continue;
      }
      rows.push(await benchmarkOne(options, backend, threads, modelId, (text) => options.onProgress?.(text, step / total)));
      step++;
    }
  }
  let job: JobMeasurement | null = null;
  if (jobImageCount > 0) {
    if (options.signal?.aborted) throw new Error('benchmark cancelled');
    const jobStep = step;
    job = await benchmarkJob(options, jobImageCount, (text) => options.onProgress?.(text, jobStep / total));
    step += jobSteps;
  }
  // What would Auto pick here? Asked of a fresh worker, as on a first visit; only to judge rows, so not for a job alone.
  let autoDecision: BackendDecision | null = null;
  if (configs.length > 0) {
    options.onProgress?.('Asking Auto which backend it picks', step / total);
    const autoClient = new InferenceClient();
    try {
      const answer = waitFor(autoClient, (m) => (m.type === 'backendReady' || m.type === 'backendError' ? m : undefined), BACKEND_TIMEOUT_MS, 'Auto', options.signal);
      autoClient.setBackend('auto');
      const result = await answer;
      if (result.type === 'backendReady') autoDecision = result.decision;
    } finally {
      autoClient.terminate();
    }
  }
  options.onProgress?.('Done', 1);
  return {
    createdAtIso: new Date().toISOString(),
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    imageCount: options.imageCount,
    autoDecision,
    rows,
    job,
  };
}
