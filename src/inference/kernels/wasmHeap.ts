import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs's WASM backend that let code read and write tensors in place in the WASM heap. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

/** The active backend when it is WASM (checked by shape, not by importing the backend), else null. */
export function activeWasmHeapBackend(): WasmHeapBackend | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as Partial<WasmHeapBackend>;
  return typeof backend.makeOutput === 'function' && typeof backend.typedArrayFromHeap === 'function' ? (backend as WasmHeapBackend) : null;
}
