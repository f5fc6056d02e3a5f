/**
 * One worker thread of `eval --threads N`: its own tfjs WASM backend and its own copy of every model, running
 * images the pool sends (processImage, the same code as the in-process path).
 */

import { parentPort, workerData } from 'node:worker_threads';
import type { ModelAdapter } from '../inference/modelAdapter';
import { loadAdapters, processImage } from './imageProcessor';
import { startBackend } from './pipeline';
import type { FromEvalWorker, EvalWorkerData, ToEvalWorker } from './workerPool';

const port = parentPort;
if (!port) throw new Error('evalWorker.ts runs only as a worker thread');
const data = workerData as EvalWorkerData;
const send = (message: FromEvalWorker) => port.postMessage(message);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

let adapters: Map<string, ModelAdapter> | null = null;
let backend = 'wasm';
// Tasks run one after another: one tfjs backend per worker.
let queue: Promise<void> = Promise.resolve();

port.on('message', (message: ToEvalWorker) => {
  queue = queue.then(async () => {
    if (message.type === 'close') {
      for (const adapter of adapters?.values() ?? []) adapter.dispose();
      port.close();
      return;
    }
    if (!adapters) throw new Error('worker not ready');
    try {
      const outcome = await processImage(adapters, data.protocol, message.task, (modelId, estimate) =>
        send({ type: 'modelDone', imageId: message.task.imageId, modelId, estimate }), backend,
      );
      send({ type: 'done', outcome });
    } catch (error) {
      send({ type: 'failed', imageId: message.task.imageId, message: errorText(error) });
    }
  });
});

try {
  backend = await startBackend();
  adapters = await loadAdapters(data.modelIds, data.modelsDir, (modelId, loadMs) => send({ type: 'loaded', modelId, loadMs }));
  send({ type: 'ready', backend });
} catch (error) {
  send({ type: 'startFailed', message: errorText(error) });
}
