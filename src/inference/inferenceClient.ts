import type { BackendChoice, ModelId } from '../core/types';
import type { FromWorker, InferenceInput, ToWorker } from './worker/protocol';

export type InferenceListener = (message: FromWorker) => void;

/** An estimate message as the caller writes it: the client adds the type and a fresh request id. */
export type EstimateRequest = Omit<Extract<ToWorker, { type: 'estimate' }>, 'type' | 'requestId'>;

/** An added image as a request input: the worker decodes the file; its upright size is known from when it was added. */
export function fileInput(image: { file: Blob; name: string; widthPx: number; heightPx: number }): InferenceInput {
  return { kind: 'file', file: image.file, name: image.name, widthPx: image.widthPx, heightPx: image.heightPx };
}

/**
 * The UI thread's handle on the inference worker: typed messages out, typed events in,
 * and fresh request ids. ImageBitmaps are transferred, never copied; files (Blobs) pass by reference.
 */
export class InferenceClient {
  private readonly worker: Worker;
  private readonly listeners = new Set<InferenceListener>();
  private nextRequestId = 1;

  constructor(worker?: Worker) {
    this.worker = worker ?? new Worker(new URL('./worker/inferenceWorker.ts', import.meta.url), { type: 'module', name: 'inference' });
    this.worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
      for (const listener of this.listeners) listener(event.data);
    });
    this.worker.addEventListener('error', (event) => {
      const message = `inference worker failed: ${event.message || 'unknown error'}`;
      for (const listener of this.listeners) listener({ type: 'backendError', requestId: 0, choice: 'auto', message });
    });
  }

  subscribe(listener: InferenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setBackend(choice: BackendChoice, wasmThreads?: number): number {
    return this.post({ type: 'setBackend', requestId: this.nextRequestId++, choice, ...(wasmThreads !== undefined ? { wasmThreads } : {}) });
  }

  useModels(modelIds: ModelId[]): number {
    return this.post({ type: 'useModels', requestId: this.nextRequestId++, modelIds });
  }

  estimate(request: EstimateRequest): number {
    const requestId = this.nextRequestId++;
    this.worker.postMessage({ type: 'estimate', requestId, ...request } satisfies ToWorker, request.input.kind === 'bitmap' ? [request.input.bitmap] : []);
    return requestId;
  }

  terminate(): void {
    this.worker.terminate();
    this.listeners.clear();
  }

  private post(message: ToWorker): number {
    this.worker.postMessage(message);
    return message.requestId;
  }
}
