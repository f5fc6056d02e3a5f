/**
 * `eval --threads N`: N worker threads, each with its own single-threaded tfjs WASM backend and models, so N
 * images run at once. (The tfjs WASM backend has no intra-op threads in Node: tfjs-backend-wasm 4.22 reports
 * no multithread support there, tensorflow/tfjs#3830, so parallel images are the way to use more cores.)
 * Latencies stay per image; they are comparable to --threads 1 only while every worker has a core of its own.
 */

import { Worker } from 'node:worker_threads';
import type { EvaluationProtocol } from '../core/evaluation/protocol';
import type { ModelId } from '../core/types';
import type { ImageOutcome, ImageProcessor, ImageTask } from './imageProcessor';
import type { ImageEstimate } from './pipeline';

export interface EvalWorkerData {
  entryUrl: string;
  modelIds: ModelId[];
  protocol: EvaluationProtocol;
  modelsDir: string;
}

export type ToEvalWorker = { type: 'task'; task: ImageTask } | { type: 'close' };

export type FromEvalWorker =
  | { type: 'loaded'; modelId: ModelId; loadMs: number }
  | { type: 'ready'; backend: string }
  | { type: 'startFailed'; message: string }
  | { type: 'modelDone'; imageId: number; modelId: ModelId; estimate: ImageEstimate }
  | { type: 'done'; outcome: ImageOutcome }
  | { type: 'failed'; imageId: number; message: string };

interface PendingTask {
  resolve: (outcome: ImageOutcome) => void;
  reject: (error: Error) => void;
  onModelDone: ((modelId: ModelId, estimate: ImageEstimate) => void) | undefined;
}

interface PoolWorker {
  worker: Worker;
  pending: PendingTask | null;
  dead: Error | null;
}

export interface WorkerPool extends ImageProcessor {
  /** tfjs backend of the workers. */
  backend: string;
}

export async function startWorkerPool(options: {
  workers: number;
  modelIds: readonly ModelId[];
  protocol: EvaluationProtocol;
  modelsDir: string;
  onLoaded?: (modelId: ModelId, loadMs: number) => void;
}): Promise<WorkerPool> {
  const data: EvalWorkerData = {
    entryUrl: new URL('./evalWorker.ts', import.meta.url).href,
    modelIds: [...options.modelIds],
    protocol: options.protocol,
    modelsDir: options.modelsDir,
  };
  const members: PoolWorker[] = [];
  const idle: PoolWorker[] = [];
  const waiting: { resolve: (member: PoolWorker) => void; reject: (error: Error) => void }[] = [];
  const release = (member: PoolWorker) => {
    const next = waiting.shift();
    if (next) next.resolve(member);
    else idle.push(member);
  };
  const allDead = () => members.every((m) => m.dead);

  const starts = Array.from({ length: options.workers }, (_, index) => {
    const worker = new Worker(new URL('./workerBootstrap.mjs', import.meta.url), { workerData: data });
    const member: PoolWorker = { worker, pending: null, dead: null };
    members.push(member);
    return new Promise<string>((resolve, reject) => {
      const fail = (error: Error) => {
        member.dead = error;
        member.pending?.reject(error);
        member.pending = null;
        if (allDead()) for (const waiter of waiting.splice(0)) waiter.reject(new Error(`every worker has stopped: ${error.message}`));
        reject(error);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!member.dead && code !== 0) fail(new Error(`worker ${index + 1} exited with status ${code}`));
      });
      worker.on('message', (message: FromEvalWorker) => {
        switch (message.type) {
          case 'loaded':
            if (index === 0) options.onLoaded?.(message.modelId, message.loadMs);
            return;
          case 'ready':
            resolve(message.backend);
            release(member);
            return;
          case 'startFailed':
            fail(new Error(message.message));
            return;
          case 'modelDone':
            member.pending?.onModelDone?.(message.modelId, message.estimate);
            return;
          case 'done':
          case 'failed': {
            const pending = member.pending;
            member.pending = null;
            release(member);
            if (message.type === 'done') pending?.resolve(message.outcome);
            else pending?.reject(new Error(message.message));
            return;
          }
        }
      });
    });
  });

  const close = async () => {
    await Promise.all(
      members.map(async (member) => {
        if (member.dead) return;
        member.worker.postMessage({ type: 'close' } satisfies ToEvalWorker);
        // A worker that does not leave promptly (tfjs handles) is stopped.
        const timer = setTimeout(() => void member.worker.terminate(), 5000);
        await new Promise((resolve) => member.worker.once('exit', resolve));
        clearTimeout(timer);
      }),
    );
  };

  let backends: string[];
  try {
    backends = await Promise.all(starts);
  } catch (error) {
    await Promise.all(members.map((m) => m.worker.terminate()));
    throw error;
  }

  return {
    backend: backends[0] ?? 'wasm',
    close,
    async process(task: ImageTask, onModelDone?: (modelId: ModelId, estimate: ImageEstimate) => void): Promise<ImageOutcome> {
      let member: PoolWorker;
      do {
        if (allDead()) throw new Error('every worker has stopped');
        member = idle.shift() ?? (await new Promise<PoolWorker>((resolve, reject) => waiting.push({ resolve, reject })));
      } while (member.dead);
      return new Promise<ImageOutcome>((resolve, reject) => {
        member.pending = { resolve, reject, onModelDone };
        member.worker.postMessage({ type: 'task', task } satisfies ToEvalWorker);
      });
    },
  };
}
