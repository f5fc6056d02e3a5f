import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE_FIXTURE_DIR, imageTensorOf, loadAdapter, loadImage, modelWhere, releaseImage, startWasmBackend } from './realModelHarness';

/**
 * The WASM Cast to an unchanged dtype shares the input's memory (inference/kernels/wasmCast.ts), like tfjs's CPU
 * backend: no bytes are allocated, both tensors read the same values, each dispose drops one reference and the
 * memory goes only with the last. Casts that change the dtype still convert (the stock kernel).
 */
describe('WASM Cast to the same dtype', () => {
  beforeAll(async () => {
    await startWasmBackend();
  });

  it('shares memory, keeps values through either dispose, and frees with the last one', () => {
    const before = tf.memory();
    const x = tf.tensor1d([1.5, -2.25, 255], 'float32');
    const buffersWithX = tf.memory().numDataBuffers;
    const y = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers, 'no new buffer for a same-dtype cast').toBe(buffersWithX);
    expect(Array.from(y.dataSync())).toEqual([1.5, -2.25, 255]);
    x.dispose();
    expect(Array.from(y.dataSync()), 'still readable after the input is disposed').toEqual([1.5, -2.25, 255]);
    y.dispose();
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
  });

  it('still converts when the dtype changes (stock kernel), allocating the new tensor', () => {
    const x = tf.tensor1d([1.7, -2.2, 3], 'float32');
    const buffers = tf.memory().numDataBuffers;
    const y = tf.cast(x, 'int32');
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
    expect(tf.memory().numDataBuffers).toBe(buffers + 1);
    tf.dispose([x, y]);
  });

  it('is what pose-detection gets: a float32 image cast to float32 shares its buffer', () => {
    const image = tf.zeros([4, 5, 3], 'float32');
    const buffers = tf.memory().numDataBuffers;
    const cast = tf.cast(image, 'float32');
    expect(tf.memory().numDataBuffers).toBe(buffers);
    tf.dispose([image, cast]);
  });

  it('leaks nothing over BlazePose estimates, which cast the float32 image three times each', async () => {
    const image = await loadImage(join(PEOPLE_FIXTURE_DIR, '000000030752.jpg'));
    expect(imageTensorOf(image).dtype).toBe('float32');
    const adapter = await loadAdapter(modelWhere({ family: 'blazepose', fullPipeline: true }));
    await adapter.estimate(image, { mode: 'still' });
    const before = tf.memory();
    for (let i = 0; i < 3; i++) expect((await adapter.estimate(image, { mode: 'still' })).poses.length).toBe(1);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    adapter.dispose();
    releaseImage(image);
  });
});
