import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { rgbaToImageTensor } from '../../src/inference/inputPixels';
import { startWasmBackend } from './realModelHarness';

/** RGBA pixels whose channels all differ, alpha included (it must be dropped, not copied). */
function testPixels(width: number, height: number) {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37 + (i >> 2) * 11) & 0xff;
  const expected: number[] = [];
  for (let p = 0; p < width * height; p++) expected.push(rgba[p * 4]!, rgba[p * 4 + 1]!, rgba[p * 4 + 2]!);
  return { pixels: { width, height, rgba }, expected };
}

/**
 * The model input is written straight into the WASM heap (no intermediate array): it must hold the
 * same values as the plain path, own its memory (later allocations must not overwrite it), and be
 * freed on dispose like any tensor.
 */
describe('image tensor from RGBA pixels', () => {
  beforeAll(startWasmBackend);

  it('on WASM: float32 [h, w, 3] with the RGB values, alpha dropped', () => {
    expect(tf.getBackend()).toBe('wasm');
    const { pixels, expected } = testPixels(7, 5);
    const image = rgbaToImageTensor(pixels);
    try {
      expect(image.shape).toEqual([5, 7, 3]);
      expect(image.dtype).toBe('float32');
      const later = tf.fill([64, 64, 3], 255); // a later allocation must not land on the image
      expect(Array.from(image.dataSync())).toEqual(expected);
      later.dispose();
      expect(Array.from(tf.mul(image, 1).dataSync())).toEqual(expected);
    } finally {
      image.dispose();
    }
  });

  it('on WASM: leaves no tensor or heap bytes behind', () => {
    const { pixels } = testPixels(640, 480);
    rgbaToImageTensor(pixels).dispose();
    const before = tf.memory();
    for (let i = 0; i < 20; i++) rgbaToImageTensor(pixels).dispose();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it('on the CPU backend (no WASM heap): the same values', async () => {
    const { pixels, expected } = testPixels(4, 3);
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    try {
      const image = rgbaToImageTensor(pixels);
      expect(Array.from(image.dataSync())).toEqual(expected);
      image.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
