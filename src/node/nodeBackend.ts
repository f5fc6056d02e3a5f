import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { availableParallelism } from 'node:os';

/** Selects the WASM backend in Node, with one thread per core (tfjs defaults to half). */
export async function selectNodeWasmBackend(): Promise<string> {
  setThreadsCount(availableParallelism());
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs WASM backend did not initialise in Node');
  await tf.ready();
  return tf.getBackend();
}
