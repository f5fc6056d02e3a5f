import type { GraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelAdapter } from './modelAdapter';
import { blankRgbImage, releaseImage } from './rgbImage';

/** Runs each network once on zeros of its input shape (free dims: batch 1, the model's input size). */
async function warmUpGraphModels(models: GraphModel[], inputSizePx: [number, number]): Promise<void> {
  for (const model of models) {
    const input = model.inputs[0];
    if (!input?.shape) continue;
    const shape = input.shape.map((size, axis) => (size > 0 ? size : axis === 0 ? 1 : axis === 1 ? inputSizePx[1] : axis === 2 ? inputSizePx[0] : 3));
    const zeros = tf.zeros(shape, input.dtype === 'int32' ? 'int32' : 'float32');
    try {
      const output = model.execute(zeros);
      const outputs: tf.Tensor[] = Array.isArray(output) ? output : output instanceof tf.Tensor ? [output] : Object.values(output as tf.NamedTensorMap);
      await Promise.all(outputs.map((t) => t.data()));
      tf.dispose(outputs);
    } finally {
      zeros.dispose();
    }
  }
}

/**
 * The first run compiles kernels/shaders (and sizes WASM buffers); users should not see that as model latency.
 * Shared by the browser worker and the CLI (through the pipeline) so both time the same warmed-up models.
 */
export async function warmUpAdapter(adapter: ModelAdapter): Promise<void> {
  const { inputSizePx } = adapter.info;
  const blank = blankRgbImage(inputSizePx[0], inputSizePx[1]);
  try {
    await adapter.estimate(blank, { mode: 'still' });
  } finally {
    releaseImage(blank);
  }
  // A blank image stops two-stage models early (BlazePose's detector finds nobody, so its landmark network
  // would first run on the user's first image): run every network once (tfjs runtime; others warm up in estimate).
  if (adapter.graphModels) await warmUpGraphModels(adapter.graphModels(), inputSizePx);
}
