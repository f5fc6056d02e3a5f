/**
 * MediaPipe Hands (every manifest model of the family) on real photos, WASM backend: 21 finite keypoints with z,
 * 21 world landmarks in metres, the wrist landmark at COCO's labelled wrist, handedness agreeing with which wrist
 * (left_wrist / right_wrist) it is, and flipping on the mirrored photo; no tensor left behind.
 */
import * as handPoseDetection from '@tensorflow-models/hand-pose-detection';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pose } from '../../src/core/types';
import { swapHandLandmarkOutputNames } from '../../src/inference/adapters/mediapipeHands';
import { routedModelUrl } from '../../src/inference/adapters/mediapipeTfjs';
import { createProgressTracker, graphModelHandler } from '../../src/inference/graphModelHandler';
import type { ModelAdapter, ModelLoadContext } from '../../src/inference/modelAdapter';
import { loadModelAdapter } from '../../src/inference/pipeline';
import { cropView } from '../../src/inference/rgbImage';
import { RawExecutionRecorder } from '../../src/inference/rawTiming';
import { tfjsImageTensor } from '../../src/inference/runtimes/tfjs';
import { nodeModelFiles } from '../../src/node/nodeModelFiles';
import { annotation, annotatorBoundPx, distancePx, fixturePhoto, labelled, photoPixels, type FixturePhoto } from './handsFacesFixtures';
import {
  MODELS_DIR,
  estimateInCrop,
  loadAdapter,
  modelsWhere,
  personCrop,
  releaseImage,
  requireModelFiles,
  startWasmBackend,
  type RgbImage,
} from './realModelHarness';

/** The tfjs entries (their LiteRT twins are checked against them in handsLiteRt.test.ts). */
const HAND_MODELS = modelsWhere({ family: 'mediapipe-hands' }).filter((m) => m.runtime === 'tfjs');
const WRIST = 0;
const HAND_POINTS = 21;
/**
 * World landmarks are metres from the hand's centre: an adult hand is about 0.19 m from wrist to fingertip, so no
 * landmark of a real hand is 0.25 m from its centre.
 */
const MAX_WORLD_COORD_M = 0.25;

/**
 * Hands the tests expect, by labelled wrist: the people of the CC BY / BY-SA fixture photos whose wrist is labelled
 * visible (v = 2) and whose hand is in view and large enough for the palm detector in the person's crop (the
 * person-crops protocol: box + 25 % margin). Found by running both models over every labelled wrist of those photos;
 * the others are occluded, cut off or a few pixels wide. The bounds are the ground truth's (annotatorBoundPx).
 */
const EXPECTED_HANDS = [
  { file: '000000442450.jpg', person: 210845, wrist: 'left_wrist' },
  { file: '000000442450.jpg', person: 210845, wrist: 'right_wrist' },
  { file: '000000442450.jpg', person: 210676, wrist: 'right_wrist' },
  { file: '000000000790.jpg', person: 207303, wrist: 'left_wrist' },
  { file: '000000027731.jpg', person: 1234376, wrist: 'right_wrist' },
] as const;

/** What is wrong with the hands an estimate gave (empty: nothing): counts, finiteness, z, world landmarks, labels. */
function handProblems(poses: readonly Pose[]): string[] {
  const problems: string[] = [];
  for (const [i, pose] of poses.entries()) {
    if (pose.keypoints.length !== HAND_POINTS) problems.push(`hand ${i}: ${pose.keypoints.length} keypoints`);
    const badPoint = pose.keypoints.find((k) => !Number.isFinite(k.x) || !Number.isFinite(k.y) || !Number.isFinite(k.z ?? Number.NaN));
    if (badPoint) problems.push(`hand ${i}: ${badPoint.name} is (${badPoint.x}, ${badPoint.y}, ${badPoint.z})`);
    const world = pose.world?.keypoints ?? [];
    if (pose.world?.unit !== 'm' || world.length !== HAND_POINTS) problems.push(`hand ${i}: ${world.length} world landmarks`);
    const badWorld = world.find((k) => ![k.x, k.y, k.z].every((c) => Number.isFinite(c) && Math.abs(c) < MAX_WORLD_COORD_M));
    if (badWorld) problems.push(`hand ${i}: world ${badWorld.name} is (${badWorld.x}, ${badWorld.y}, ${badWorld.z}) m`);
    const handedness = pose.labels?.handedness;
    if (!handedness || !['left', 'right'].includes(handedness.value) || !(handedness.score >= 0.5 && handedness.score <= 1)) {
      problems.push(`hand ${i}: handedness ${JSON.stringify(handedness)}`);
    }
    if (!(pose.score > 0 && pose.score <= 1)) problems.push(`hand ${i}: score ${pose.score}`);
  }
  return problems;
}

/** The hand whose wrist landmark is nearest `point`, with that distance. */
function nearestHand(poses: readonly Pose[], point: readonly [number, number]): { pose: Pose; distancePx: number } | null {
  let best: { pose: Pose; distancePx: number } | null = null;
  for (const pose of poses) {
    const d = distancePx(pose.keypoints[WRIST]!, point);
    if (!best || d < best.distancePx) best = { pose, distancePx: d };
  }
  return best;
}

const photos = new Map<string, { photo: FixturePhoto; image: RgbImage; mirrored: RgbImage; widthPx: number }>();

beforeAll(async () => {
  requireModelFiles(HAND_MODELS.map((m) => m.id));
  await startWasmBackend();
  for (const file of new Set(EXPECTED_HANDS.map((h) => h.file))) {
    const photo = fixturePhoto(file);
    const pixels = await photoPixels(photo.path);
    // The images' own tensors (kept by the images until released), made before any tensor count below.
    tfjsImageTensor(pixels.image);
    tfjsImageTensor(pixels.mirrored);
    photos.set(file, { photo, ...pixels });
  }
});

afterAll(() => {
  for (const { image, mirrored } of photos.values()) {
    releaseImage(image);
    releaseImage(mirrored);
  }
});

it('the manifest has the lite and full hand models', () => {
  expect(HAND_MODELS.map((m) => m.keypointLayout)).toEqual(['hand21', 'hand21']);
  expect(HAND_MODELS.length).toBe(2);
});

describe.each(HAND_MODELS.map((m) => m.id))('%s', (id) => {
  let adapter: ModelAdapter;
  let disposed = false;
  let tensorsBeforeLoad = 0;
  beforeAll(async () => {
    tensorsBeforeLoad = tf.memory().numTensors;
    adapter = await loadAdapter(id);
  });
  afterAll(() => {
    if (!disposed) adapter?.dispose();
  });

  it('finds each labelled hand: wrist within 3 annotator SDs of COCO’s wrist, handedness = which wrist, 21 finite points, world landmarks in metres', async () => {
    const report: string[] = [];
    for (const expected of EXPECTED_HANDS) {
      const { photo, image } = photos.get(expected.file)!;
      const person = annotation(photo, expected.person);
      const gtWrist = labelled(person, expected.wrist)!;
      const crop = personCrop(person.bbox, { width: photo.image.width, height: photo.image.height });
      const { poses, networkMs } = await estimateInCrop(adapter, image, crop);
      expect(handProblems(poses), `${expected.file} person ${expected.person}`).toEqual([]);
      expect(networkMs, 'WASM runs kernels synchronously: the adapter times its networks').toBeGreaterThan(0);
      const hand = nearestHand(poses, gtWrist);
      const boundPx = annotatorBoundPx(person, expected.wrist);
      report.push(`${expected.file} ${expected.person} ${expected.wrist}: ${hand ? `${hand.distancePx.toFixed(1)} px (bound ${boundPx.toFixed(1)}), ${hand.pose.labels?.handedness?.value} ${hand.pose.labels?.handedness?.score.toFixed(2)}` : 'no hand'}`);
      expect(hand, `${expected.file} person ${expected.person}: no hand found`).not.toBeNull();
      expect(hand!.distancePx, `${expected.file} person ${expected.person} ${expected.wrist}`).toBeLessThanOrEqual(boundPx);
      expect(hand!.pose.labels?.handedness?.value, `${expected.file} person ${expected.person}: the hand at ${expected.wrist}`).toBe(expected.wrist === 'left_wrist' ? 'left' : 'right');
    }
    console.log(`${id}:\n  ${report.join('\n  ')}`);
  });

  it('calls the same hand the other hand on the mirrored photo (MediaPipe’s selfie convention is undone once, not twice)', async () => {
    const { photo, image, mirrored, widthPx } = photos.get('000000442450.jpg')!;
    const person = annotation(photo, 210845);
    const crop = personCrop(person.bbox, { width: photo.image.width, height: photo.image.height });
    const mirroredCrop = { ...crop, xPx: widthPx - crop.xPx - crop.widthPx };
    const original = (await estimateInCrop(adapter, image, crop)).poses;
    const flipped = (await estimateInCrop(adapter, mirrored, mirroredCrop)).poses;
    expect(original.length).toBeGreaterThanOrEqual(2);
    for (const hand of original) {
      const wrist = hand.keypoints[WRIST]!;
      const twin = nearestHand(flipped, [widthPx - wrist.x, wrist.y]);
      expect(twin, `no mirrored twin of the hand at (${wrist.x.toFixed(0)}, ${wrist.y.toFixed(0)})`).not.toBeNull();
      expect(twin!.distancePx).toBeLessThanOrEqual(annotatorBoundPx(person, 'left_wrist'));
      expect(twin!.pose.labels?.handedness?.value).not.toBe(hand.labels?.handedness?.value);
    }
  });

  it('gives a still the same hands after a video frame of another photo (still mode resets tracking)', async () => {
    const { photo, image } = photos.get('000000442450.jpg')!;
    const other = photos.get('000000000790.jpg')!;
    const crop = personCrop(annotation(photo, 210845).bbox, { width: photo.image.width, height: photo.image.height });
    const fresh = (await estimateInCrop(adapter, image, crop)).poses;
    await adapter.estimate(other.image, { mode: 'video', timestampMs: 0 });
    const afterVideo = (await estimateInCrop(adapter, image, crop)).poses;
    expect(afterVideo).toEqual(fresh);
  });

  it('lets the benchmark re-run exactly its graph calls (the palm detector once, the landmark network once per region)', async () => {
    const { photo, image } = photos.get('000000442450.jpg')!;
    const crop = personCrop(annotation(photo, 210845).bbox, { width: photo.image.width, height: photo.image.height });
    const view = cropView(image, crop);
    tfjsImageTensor(view);
    const tensorsBefore = tf.memory().numTensors;
    const recorder = new RawExecutionRecorder(adapter.graphModels!());
    const { poses } = await recorder.record(() => adapter.estimate(view, { mode: 'still' }));
    expect(poses.length).toBeGreaterThan(0);
    // Regions without a hand/face are dropped after their landmark call, so at least one call per result.
    expect(recorder.callCount).toBeGreaterThanOrEqual(1 + poses.length);
    expect(await recorder.timeRecorded()).toBeGreaterThan(0);
    recorder.dispose();
    releaseImage(view);
    expect(tf.memory().numTensors).toBe(tensorsBefore - 1);
  });

  it('leaves no tensor behind over repeated estimates', async () => {
    const { photo, image } = photos.get('000000442450.jpg')!;
    const crop = personCrop(annotation(photo, 210845).bbox, { width: photo.image.width, height: photo.image.height });
    // The image's own tensor and the crop's slice belong to the image (runtimes/tfjs); made once, before counting.
    const view = cropView(image, crop);
    tfjsImageTensor(view);
    await estimateInCrop(adapter, image, crop, 'still', view);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await estimateInCrop(adapter, image, crop, 'still', view);
      await adapter.estimate(view, { mode: 'video', timestampMs: i * 33 });
    }
    expect(tf.memory().numTensors).toBe(before);
    releaseImage(view);
  });

  it('dispose() returns tf memory to what it was before the load', () => {
    adapter.dispose();
    disposed = true;
    expect(tf.memory().numTensors).toBe(tensorsBeforeLoad);
  });
});

it('reports at most the maxPoses setting’s number of hands', async () => {
  const info = HAND_MODELS[0]!;
  const limited = await loadModelAdapter(info, { files: nodeModelFiles(MODELS_DIR), settings: { maxPoses: 1 } });
  try {
    const { photo, image } = photos.get('000000442450.jpg')!;
    const crop = personCrop(annotation(photo, 210845).bbox, { width: photo.image.width, height: photo.image.height });
    // Two hands in view (the test above finds both); the setting keeps one.
    expect((await estimateInCrop(limited, image, crop)).poses.length).toBe(1);
  } finally {
    limited.dispose();
  }
});

describe('negative control: the hand landmark graph without its output-name fix', () => {
  it('loads and runs, and the checks above reject its hands (non-finite keypoints)', async () => {
    const info = HAND_MODELS[0]!;
    const config = info as typeof info & { config: { modelType: 'lite' | 'full'; detectorFile: string; landmarkFile: string } };
    const context: ModelLoadContext = { files: nodeModelFiles(MODELS_DIR) };
    const progressFor = createProgressTracker(info, context);
    const detectorUrl = routedModelUrl(config.config.detectorFile, graphModelHandler(config.config.detectorFile, context, progressFor));
    const landmarkUrl = routedModelUrl(config.config.landmarkFile, graphModelHandler(config.config.landmarkFile, context, progressFor));
    const detector = await handPoseDetection.createDetector(handPoseDetection.SupportedModels.MediaPipeHands, {
      runtime: 'tfjs',
      modelType: config.config.modelType,
      maxHands: 4,
      detectorModelUrl: detectorUrl.url,
      landmarkModelUrl: landmarkUrl.url,
    });
    detectorUrl.release();
    landmarkUrl.release();
    try {
      const { photo, image } = photos.get('000000442450.jpg')!;
      const view = cropView(image, personCrop(annotation(photo, 210845).bbox, { width: photo.image.width, height: photo.image.height }));
      const hands = await detector.estimateHands(tfjsImageTensor(view), { staticImageMode: true, flipHorizontal: false });
      releaseImage(view);
      expect(hands.length, 'the palm detector still finds the hands').toBeGreaterThan(0);
      const asPoses: Pose[] = hands.map((hand) => ({
        score: hand.score,
        keypoints: hand.keypoints.map((k) => ({ name: k.name ?? '', x: k.x, y: k.y, z: 0, score: hand.score })),
        world: { unit: 'm', keypoints: (hand.keypoints3D ?? []).map((k) => ({ name: k.name ?? '', x: k.x, y: k.y, z: k.z ?? 0, score: hand.score })) },
        labels: { handedness: { value: hand.handedness.toLowerCase(), score: 1 } },
      }));
      expect(handProblems(asPoses).join('; ')).toMatch(/is \(NaN, NaN/);
      // And the fix is what makes the difference: the same graph with it gives finite keypoints (the tests above).
      expect(typeof swapHandLandmarkOutputNames).toBe('function');
    } finally {
      detector.dispose();
    }
  });
});
