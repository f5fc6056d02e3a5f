import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutById } from '../../src/core/layouts';
import { RawExecutionRecorder } from '../../src/inference/rawTiming';
import type { ModelAdapter } from '../../src/inference/modelAdapter';
import { MODELS } from '../../src/inference/modelRegistry';
import { join } from 'node:path';
import { PEOPLE_FIXTURE_DIR, imageTensorOf, loadAdapter, loadImage, readPeopleFixture, releaseImage, startWasmBackend, type RgbImage } from './realModelHarness';

/**
 * The benchmark's "raw model time" must be the network alone on the very inputs the pipeline fed it:
 * the recorder has to see each family's graph calls, re-run them to the same outputs, and leak nothing.
 */
describe('raw execution recorder', () => {
  let image: RgbImage;
  // A single-subject photo; "landmarks given the box" variants get the subject's box (the app gives them GT boxes).
  const largestPerson = readPeopleFixture().annotations.filter((a) => a.image_id === 30752 && a.iscrowd === 0).sort((a, b) => b.area - a.area)[0];
  if (!largestPerson) throw new Error('fixture 30752 has no person');
  beforeAll(async () => {
    await startWasmBackend();
    image = await loadImage(join(PEOPLE_FIXTURE_DIR, '000000030752.jpg'));
    imageTensorOf(image);
  });
  afterAll(() => releaseImage(image));

  // Body models (one detector call + one landmark call at most); hand and face models: hands.test.ts, faces.test.ts.
  // tfjs models only: the recorder re-runs tfjs GraphModel calls; LiteRT adapters time their own networks (networkMs).
  for (const info of MODELS.filter((m) => layoutById(m.keypointLayout).kind === 'body' && m.runtime === 'tfjs')) {
    it(`${info.id}: captures the graph calls of one estimate and times them alone`, async () => {
      const adapter: ModelAdapter = await loadAdapter(info.id);
      const tensorsBefore = tf.memory().numTensors;
      const networks = adapter.graphModels?.() ?? [];
      expect(networks.length, 'a tfjs adapter names its networks').toBeGreaterThan(0);
      const recorder = new RawExecutionRecorder(networks);
      const options = info.personInput === 'box' ? { mode: 'still' as const, personBoxPx: largestPerson.bbox } : { mode: 'still' as const };
      await adapter.estimate(image, options);
      const startMs = performance.now();
      const { poses } = await recorder.record(() => adapter.estimate(image, options));
      const pipelineMs = performance.now() - startMs;
      expect(poses.length).toBeGreaterThan(0);
      // BlazePose: person detector + landmark model ("landmarks given the box": no detector); the others: one network.
      expect(recorder.callCount).toBe(info.family === 'blazepose' && info.personInput !== 'box' ? 2 : 1);
      // What the re-run runs, counted rather than timed (timings swing 2× on a shared 2-core machine; the
      // benchmark reports raw against pipeline time): exactly the recorded graph calls, nothing of the pipeline.
      let outerCalls = 0;
      let depth = 0;
      const undo = networks.flatMap((model) =>
        (['execute', 'predict'] as const).map((method) => {
          const fields = model as unknown as Record<string, (...args: unknown[]) => unknown>;
          const wrapped = fields[method]!;
          // predict() calls execute(): count only the outermost call, as the recorder records them.
          fields[method] = (...args: unknown[]) => {
            if (depth === 0) outerCalls++;
            depth++;
            try {
              return wrapped.apply(model, args);
            } finally {
              depth--;
            }
          };
          return () => {
            fields[method] = wrapped;
          };
        }),
      );
      const estimate = adapter.estimate;
      let estimates = 0;
      (adapter as { estimate: typeof estimate }).estimate = (...args) => {
        estimates++;
        return estimate.apply(adapter, args);
      };
      const rawMs = await recorder.timeRecorded();
      for (const restore of undo) restore();
      (adapter as { estimate: typeof estimate }).estimate = estimate;
      expect(rawMs).toBeGreaterThan(0);
      expect(outerCalls).toBe(recorder.callCount);
      expect(estimates).toBe(0);
      expect(pipelineMs).toBeGreaterThan(0);
      recorder.dispose();
      // Restored: later estimates are not recorded.
      await adapter.estimate(image, options);
      expect(recorder.callCount).toBe(0);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      adapter.dispose();
    });
  }
});
