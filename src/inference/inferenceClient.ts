import type { ModelSettings } from '../core/modelSettings';
import type { BackendChoice, ModelId } from '../core/types';
import type { FromWorker, InferenceInput, ToWorker } from './worker/protocol';

export type InferenceListener = (message: FromWorker) => void;

/** An estimate message as the caller writes it: the client adds the type and a fresh request id. */
export type EstimateRequest = Omit<Extract<ToWorker, { type: 'estimate' }>, 'type' | 'requestId'>;

/** An added image as a request input: the worker decodes the file; its upright size is known from when it was added. */
export function fileInput(image: { file: Blob; name: string; widthPx: number; heightPx: number }): InferenceInput {
  return { kind: 'file', file: image.file, name: image.name, widthPx: image.widthPx, heightPx: image.heightPx };
}

export interface InferenceClientOptions {
  /** Makes the worker; a fresh one on every restart. */
  createWorker?: () => Worker;
  /**
   * Replace a worker that stops (crash, out of memory, an uncaught error, a lost GPU) with a fresh one
   * and report `workerRestarted`. Off: the loss is reported as a `backendError` (the benchmark, which
   * runs each measurement in a worker of its own, records that row as failed).
   */
  restartOnLoss?: boolean;
}

/**
 * A worker that stops this many times in a row, with no result in between, is not restarted again: a
 * crash it cannot get past (the controller also gives up on a cell lost to two restarts).
 */
const MAX_RESTARTS_IN_A_ROW = 3;

const defaultWorker = () => new Worker(new URL('./worker/inferenceWorker.ts', import.meta.url), { type: 'module', name: 'inference' });

/**
 * The UI thread's handle on the inference worker: typed messages out, typed events in,
 * and fresh request ids. ImageBitmaps are transferred, never copied; files (Blobs) pass by reference.
 * Request ids keep counting across worker restarts, so a late reply can never match a newer request.
 */
export class InferenceClient {
  private worker: Worker;
  private readonly createWorker: () => Worker;
  private readonly restartOnLoss: boolean;
  private readonly listeners = new Set<InferenceListener>();
  private nextRequestId = 1;
  /** Aborts this worker's life-lock watch: a worker we end ourselves is not a loss. */
  private lifeWatch: AbortController | null = null;
  private restartsInARow = 0;
  /** Set after too many restarts; the next setBackend (a new choice by the user) tries a fresh worker. */
  private gaveUp = false;
  private terminated = false;

  constructor(options: InferenceClientOptions = {}) {
    this.createWorker = options.createWorker ?? defaultWorker;
    this.restartOnLoss = options.restartOnLoss ?? false;
    this.worker = this.spawn();
  }

  subscribe(listener: InferenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setBackend(choice: BackendChoice, wasmThreads?: number): number {
    if (this.gaveUp) {
      this.gaveUp = false;
      this.restartsInARow = 0;
      this.replaceWorker();
    }
    return this.post({ type: 'setBackend', requestId: this.nextRequestId++, choice, ...(wasmThreads !== undefined ? { wasmThreads } : {}) });
  }

  useModels(modelIds: ModelId[], settings?: Partial<Record<ModelId, ModelSettings>>): number {
    return this.post({ type: 'useModels', requestId: this.nextRequestId++, modelIds, ...(settings ? { settings } : {}) });
  }

  estimate(request: EstimateRequest): number {
    const requestId = this.nextRequestId++;
    this.worker.postMessage({ type: 'estimate', requestId, ...request } satisfies ToWorker, request.input.kind === 'bitmap' ? [request.input.bitmap] : []);
    return requestId;
  }

  terminate(): void {
    this.terminated = true;
    this.lifeWatch?.abort();
    this.worker.terminate();
    this.listeners.clear();
  }

  private post(message: Exclude<ToWorker, { type: 'holdLifeLock' }>): number {
    this.worker.postMessage(message);
    return message.requestId;
  }

  private emit(message: FromWorker): void {
    for (const listener of this.listeners) listener(message);
  }

  private spawn(): Worker {
    const worker = this.createWorker();
    const isCurrent = () => worker === this.worker && !this.terminated;
    worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
      if (!isCurrent()) return;
      const message = event.data;
      if (message.type === 'lifeLockHeld') this.watchLife(message.lockName);
      else if (message.type === 'backendLost') this.lost(message.message);
      else {
        if (message.type === 'poses') this.restartsInARow = 0;
        this.emit(message);
      }
    });
    worker.addEventListener('error', (event) => {
      if (!isCurrent()) return;
      // An error that escaped the worker's own handling: its state is unknown, so it is replaced.
      event.preventDefault();
      this.lost(`it threw ${event.message || 'an error'}${event.filename ? ` (${event.filename.split('/').pop() ?? ''}:${event.lineno})` : ''}`);
    });
    worker.addEventListener('messageerror', () => {
      if (isCurrent()) this.lost('a message from it could not be read');
    });
    const lockName = `keypoint-bench-inference-worker-${crypto.randomUUID()}`;
    worker.postMessage({ type: 'holdLifeLock', lockName } satisfies ToWorker);
    return worker;
  }

  /** Once the worker holds its lock, asking for the same lock waits until the worker is gone, however it went. */
  private watchLife(lockName: string): void {
    const locks = (navigator as Navigator & { locks?: LockManager }).locks;
    if (!locks) return;
    const watch = new AbortController();
    this.lifeWatch?.abort();
    this.lifeWatch = watch;
    locks
      .request(lockName, { signal: watch.signal }, () => {
        if (!watch.signal.aborted) this.lost('it stopped (crashed or ran out of memory)');
      })
      .catch(() => undefined); // aborted: we ended it ourselves
  }

  private replaceWorker(): void {
    this.lifeWatch?.abort();
    this.lifeWatch = null;
    this.worker.terminate();
    this.worker = this.spawn();
  }

  private lost(reason: string): void {
    if (this.terminated || this.gaveUp) return;
    const text = `The inference worker stopped: ${reason}`;
    if (!this.restartOnLoss) {
      this.emit({ type: 'backendError', requestId: 0, choice: 'auto', message: text });
      return;
    }
    this.restartsInARow++;
    if (this.restartsInARow > MAX_RESTARTS_IN_A_ROW) {
      this.gaveUp = true;
      this.lifeWatch?.abort();
      this.worker.terminate();
      this.emit({
        type: 'workerFailed',
        message: `${text}. It stopped ${this.restartsInARow} times in a row without finishing anything, so it was not restarted again: choose a backend to try once more, or reload the page.`,
      });
      return;
    }
    this.replaceWorker();
    this.emit({ type: 'workerRestarted', reason: text });
  }
}
