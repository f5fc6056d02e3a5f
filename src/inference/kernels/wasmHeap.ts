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

/**
 * Registers `kernelFunc` in place of the WASM backend's kernel `kernelName`; it gets the original kernel to
 * fall back to for the cases it does not take. Returns false when the WASM backend is not in this bundle.
 */
export function replaceWasmKernel(kernelName: string, kernelFunc: (args: Parameters<tf.KernelFunc>[0], original: tf.KernelConfig) => ReturnType<tf.KernelFunc>): boolean {
  const original = tf.getKernel(kernelName, 'wasm');
  if (!original) return false;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: (args) => kernelFunc(args, original) });
  return true;
}
