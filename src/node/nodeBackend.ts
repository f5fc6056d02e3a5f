import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { availableParallelism } from 'node:os';
import { installFastWasmTransform } from '../inference/kernels/wasmTransform';

/** Selects the WASM backend in Node, with one thread per core (tfjs defaults to half). */
export async function selectNodeWasmBackend(): Promise<string> {
  setThreadsCount(availableParallelism());
  installFastWasmTransform(); // as in the browser, so both run the same kernels
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs WASM backend did not initialise in Node');
  await tf.ready();
  return tf.getBackend();
}
