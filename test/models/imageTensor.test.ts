import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cropView, releaseImage, rgbImage } from '../../src/inference/rgbImage';
import { rgbImageToTensor, tfjsImageTensor } from '../../src/inference/runtimes/tfjs';
import { startWasmBackend } from './realModelHarness';

/** Pixels whose channels all differ, the fourth byte included for RGBX (it must be dropped, not copied). */
function testPixels(width: number, height: number, bytesPerPixel: 3 | 4 = 4) {
  const data = new Uint8Array(width * height * bytesPerPixel);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 2) * 11) & 0xff;
  const expected: number[] = [];
  for (let p = 0; p < width * height; p++) expected.push(data[p * bytesPerPixel]!, data[p * bytesPerPixel + 1]!, data[p * bytesPerPixel + 2]!);
  return { image: rgbImage(data, width, height, bytesPerPixel), expected };
}

/** The expected values of a region of `expected` (RGB of a width × _ image). */
function regionOf(expected: number[], width: number, region: { xPx: number; yPx: number; widthPx: number; heightPx: number }): number[] {
  const out: number[] = [];
  for (let y = region.yPx; y < region.yPx + region.heightPx; y++) out.push(...expected.slice((y * width + region.xPx) * 3, (y * width + region.xPx + region.widthPx) * 3));
  return out;
}

/**
 * The model input is written straight into the WASM heap (no intermediate array): it must hold the
 * same values as the plain path, own its memory (later allocations must not overwrite it), and be
 * freed on dispose like any tensor. The tfjs runtime keeps one per image (crops sliced from it), freed with the image.
 */
describe('image tensor from RGB(X) pixels', () => {
  beforeAll(startWasmBackend);

  it.each([4, 3] as const)('on WASM: float32 [h, w, 3] with the RGB values (%i bytes per pixel)', (bytesPerPixel) => {
    expect(tf.getBackend()).toBe('wasm');
    const { image: pixels, expected } = testPixels(7, 5, bytesPerPixel);
    const image = rgbImageToTensor(pixels);
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

  it('a crop view: its region of the parent, as a tensor of its own and as copied pixels', () => {
    const { image: pixels, expected } = testPixels(9, 6, 4);
    const region = { xPx: 2, yPx: 1, widthPx: 5, heightPx: 4 };
    const view = cropView(pixels, region);
    const own = rgbImageToTensor(view);
    expect(own.shape).toEqual([4, 5, 3]);
    expect(Array.from(own.dataSync())).toEqual(regionOf(expected, 9, region));
    own.dispose();
    const sliced = tfjsImageTensor(view);
    expect(Array.from(sliced.dataSync())).toEqual(regionOf(expected, 9, region));
    const copied = Array.from(view.data).filter((_, i) => i % 4 !== 3);
    expect(copied).toEqual(regionOf(expected, 9, region));
    releaseImage(pixels);
  });

  it('on WASM: leaves no tensor or heap bytes behind', () => {
    const { image: pixels } = testPixels(640, 480);
    rgbImageToTensor(pixels).dispose();
    const before = tf.memory();
    for (let i = 0; i < 20; i++) rgbImageToTensor(pixels).dispose();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it('one tensor per image, shared; crops sliced once per view; everything freed with the image', () => {
    const before = tf.memory();
    for (let round = 0; round < 5; round++) {
      const { image: pixels } = testPixels(64, 48);
      const whole = tfjsImageTensor(pixels);
      expect(tfjsImageTensor(pixels), 'the same tensor for every model').toBe(whole);
      const views = [cropView(pixels, { xPx: 0, yPx: 0, widthPx: 10, heightPx: 20 }), cropView(pixels, { xPx: 30, yPx: 8, widthPx: 34, heightPx: 40 })];
      for (const view of views) expect(tfjsImageTensor(view)).toBe(tfjsImageTensor(view));
      expect(tf.memory().numTensors).toBe(before.numTensors + 3);
      // A view released alone frees its slice only.
      releaseImage(views[0]!);
      expect(tf.memory().numTensors).toBe(before.numTensors + 2);
      releaseImage(pixels);
      expect(whole.isDisposed).toBe(true);
      expect(tf.memory().numTensors, `round ${round}`).toBe(before.numTensors);
      expect(tf.memory().numBytes).toBe(before.numBytes);
    }
  });

  it('on the CPU backend (no WASM heap): the same values', async () => {
    const { image: pixels, expected } = testPixels(4, 3);
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    try {
      const image = rgbImageToTensor(pixels);
      expect(Array.from(image.dataSync())).toEqual(expected);
      image.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
