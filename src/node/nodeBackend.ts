import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { installSharingWasmCast } from '../inference/kernels/wasmCast';
import { installFastWasmTransform } from '../inference/kernels/wasmTransform';
import { configureNodeLiteRt } from './nodeLiteRt';

/**
 * Selects the WASM backend in Node. It is single-threaded there: tfjs-backend-wasm 4.22 reports no
 * multithread support under Node (WASM_HAS_MULTITHREAD_SUPPORT is false, tensorflow/tfjs#3830) and
 * loads its non-threaded binary, so no thread count is requested; `nodeWasmThreads` reads back the 1.
 */
export async function selectNodeWasmBackend(): Promise<string> {
  configureNodeLiteRt(); // LiteRT models (runtime 'litert') run on LiteRT's own WASM module, set up here for Node
  installFastWasmTransform(); // as in the browser, so both run the same kernels
  installSharingWasmCast();
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs WASM backend did not initialise in Node');
  await tf.ready();
  return tf.getBackend();
}

/** Threads in the WASM backend's pool, read back from the module (1 in Node); call after selectNodeWasmBackend. */
export function nodeWasmThreads(): number {
  return getThreadsCount();
}
