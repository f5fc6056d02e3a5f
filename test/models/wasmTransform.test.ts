import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { bilinearTransform } from '../../src/inference/kernels/wasmTransform';
import { startWasmBackend } from './realModelHarness';

/** Deterministic pseudo-random values (no Math.random: a failure must reproduce). */
function values(count: number, seed: number, scale = 255): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32) * scale;
  }
  return out;
}

type Case = { name: string; transform: number[]; outPx: [number, number]; fillMode: 'constant' | 'nearest'; channels: number; fillValue: number };

// What pose-detection asks for (letterbox resize, rotated crop, replicated border), plus a
// projective matrix, a zero projection, other channel counts and a non-zero fill value.
const CASES: Case[] = [
  { name: 'letterbox resize, nearest fill', transform: [1.66, 0, 0, 0, 1.66, -109, 0, 0], outPx: [61, 53], fillMode: 'nearest', channels: 3, fillValue: 0 },
  { name: 'letterbox resize, constant fill', transform: [2.1, 0, -3, 0, 2.1, -20, 0, 0], outPx: [40, 50], fillMode: 'constant', channels: 3, fillValue: 0 },
  { name: 'rotated crop reaching outside', transform: [0.9, 0.4, 20, -0.4, 0.9, 30, 0, 0], outPx: [64, 64], fillMode: 'constant', channels: 3, fillValue: 7 },
  { name: 'rotated crop, nearest fill', transform: [0.9, 0.4, 20, -0.4, 0.9, 30, 0, 0], outPx: [64, 64], fillMode: 'nearest', channels: 3, fillValue: 0 },
  { name: 'projective', transform: [1.1, 0.2, 3, -0.1, 0.95, 4, 0.004, -0.002], outPx: [48, 56], fillMode: 'constant', channels: 3, fillValue: 0 },
  { name: 'a zero projection on the grid', transform: [1, 0, 0, 0, 1, 0, -0.1, 0], outPx: [20, 20], fillMode: 'constant', channels: 3, fillValue: 5 },
  { name: 'one channel', transform: [0.5, 0, 1.5, 0, 0.5, 2.25, 0, 0], outPx: [30, 30], fillMode: 'nearest', channels: 1, fillValue: 0 },
  { name: 'four channels', transform: [1.3, 0.1, -2, 0.1, 1.3, -2, 0, 0], outPx: [30, 30], fillMode: 'constant', channels: 4, fillValue: 0 },
];
const IMAGE_HEIGHT = 37;
const IMAGE_WIDTH = 45;

/**
 * pose-detection crops every image with tf.image.transform; the WASM backend's Transform kernel is
 * replaced by a faster one (kernels/wasmTransform.ts). It must compute what tfjs's own kernels do.
 */
describe('fast bilinear Transform', () => {
  beforeAll(startWasmBackend);

  for (const c of CASES) {
    it(`matches tfjs's CPU kernel: ${c.name}`, async () => {
      const shape = [1, IMAGE_HEIGHT, IMAGE_WIDTH, c.channels];
      const image = values(IMAGE_HEIGHT * IMAGE_WIDTH * c.channels, c.channels * 101 + c.outPx[0]);
      const out = new Float32Array(c.outPx[0] * c.outPx[1] * c.channels);
      bilinearTransform(image, shape, new Float32Array(c.transform), false, c.outPx, c.fillMode, c.fillValue, out);

      await tf.setBackend('cpu');
      let expected: Float32Array;
      try {
        const reference = tf.image.transform(tf.tensor4d(image, shape as [number, number, number, number]), tf.tensor2d([c.transform]), 'bilinear', c.fillMode, c.fillValue, c.outPx);
        expected = reference.dataSync() as Float32Array;
      } finally {
        await tf.setBackend('wasm');
      }
      expect(out.length).toBe(expected.length);
      let maxDiff = 0;
      for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i]! - expected[i]!));
      expect(maxDiff).toBeLessThan(1e-3);
    });
  }

  it('is the WASM kernel: same result through tf.image.transform, per-image transforms, nothing leaked', () => {
    expect(tf.getBackend()).toBe('wasm');
    const shape: [number, number, number, number] = [2, IMAGE_HEIGHT, IMAGE_WIDTH, 3];
    const image = values(2 * IMAGE_HEIGHT * IMAGE_WIDTH * 3, 9);
    const transforms = [CASES[2]!.transform, CASES[0]!.transform];
    const before = tf.memory().numTensors;
    const viaTf = tf.tidy(() => tf.image.transform(tf.tensor4d(image, shape), tf.tensor2d(transforms), 'bilinear', 'constant', 0, [32, 32]).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    const direct = new Float32Array(2 * 32 * 32 * 3);
    bilinearTransform(image, shape, new Float32Array(transforms.flat()), true, [32, 32], 'constant', 0, direct);
    expect(Array.from(viaTf)).toEqual(Array.from(direct));
    // A mode it does not handle goes to the stock kernel, which still works.
    const reflected = tf.tidy(() => tf.image.transform(tf.tensor4d(image, shape), tf.tensor2d(transforms), 'bilinear', 'reflect', 0, [8, 8]).dataSync());
    expect(reflected.length).toBe(2 * 8 * 8 * 3);
  });
});
