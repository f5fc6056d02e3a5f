/**
 * The Node WASM backend (CLI, model tests) is single-threaded, and says so from the module itself:
 * tfjs-backend-wasm 4.22 loads its non-threaded binary under Node.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nodeWasmThreads, selectNodeWasmBackend } from '../../src/node/nodeBackend';

describe('Node WASM backend', () => {
  it('runs on WASM with one thread, read back from the module', async () => {
    expect(await selectNodeWasmBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(nodeWasmThreads()).toBe(1);
  });
});
