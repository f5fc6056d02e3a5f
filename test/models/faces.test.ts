/**
 * MediaPipe Face Mesh and Face Mesh with attention (every manifest model of the family) on real photos, WASM
 * backend: 468 / 478 finite keypoints with z, the mesh's nose tip at COCO's labelled nose, the irises (478) at
 * COCO's labelled eyes, the right way round; no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACE_MESH_NOSE_TIP_INDEX, layoutById } from '../../src/core/layouts';
import type { Pose } from '../../src/core/types';
import { floatIntMatMul } from '../../src/inference/adapters/faceMesh';
import type { GraphModelJson } from '../../src/inference/graphModelHandler';
import type { ModelAdapter } from '../../src/inference/modelAdapter';
import { cropView } from '../../src/inference/rgbImage';
import { RawExecutionRecorder } from '../../src/inference/rawTiming';
import { tfjsImageTensor } from '../../src/inference/runtimes/tfjs';
import { annotation, annotatorBoundPx, distancePx, fixturePhoto, labelled, photoPixels, type FixturePhoto } from './handsFacesFixtures';
import { estimateInCrop, loadAdapter, modelsWhere, personCrop, releaseImage, requireModelFiles, startWasmBackend, type RgbImage } from './realModelHarness';

// The tfjs models (the LiteRT twin, facemesh-litert, is compared with them in faceMeshLiteRt.test.ts).
const FACE_MODELS = modelsWhere({ family: 'facemesh' }).filter((m) => m.runtime === 'tfjs');
const PHOTO = '000000256353.jpg';
/**
 * The faces of the photo (a man holding picture frames, the photo repeated inside them) with the nose and both eyes
 * labelled: the large face at the top left (eye distance 47 px), found on the whole image, and the two inside the
 * frames (25 and 17 px), found under the person-crops protocol (box + 25 % margin).
 */
const WHOLE_IMAGE_FACE = 2229097;
const CROPPED_FACES = [1737860, 1189025];
/** layouts' face478: 468 is the right iris centre (the subject's right), 473 the left one. */
const RIGHT_IRIS_CENTRE = 468;
const LEFT_IRIS_CENTRE = 473;

function faceProblems(poses: readonly Pose[], points: number): string[] {
  const problems: string[] = [];
  for (const [i, pose] of poses.entries()) {
    if (pose.keypoints.length !== points) problems.push(`face ${i}: ${pose.keypoints.length} keypoints`);
    const bad = pose.keypoints.find((k) => !Number.isFinite(k.x) || !Number.isFinite(k.y) || !Number.isFinite(k.z ?? Number.NaN));
    if (bad) problems.push(`face ${i}: ${bad.name} is (${bad.x}, ${bad.y}, ${bad.z})`);
    if (!(pose.score >= 0.5 && pose.score <= 1)) problems.push(`face ${i}: score ${pose.score}`);
  }
  return problems;
}

function nearestFace(poses: readonly Pose[], nose: readonly [number, number]): { pose: Pose; distancePx: number } | null {
  let best: { pose: Pose; distancePx: number } | null = null;
  for (const pose of poses) {
    const d = distancePx(pose.keypoints[FACE_MESH_NOSE_TIP_INDEX]!, nose);
    if (!best || d < best.distancePx) best = { pose, distancePx: d };
  }
  return best;
}

let photo: FixturePhoto;
let image: RgbImage;
let mirrored: RgbImage;

beforeAll(async () => {
  requireModelFiles(FACE_MODELS.map((m) => m.id));
  await startWasmBackend();
  photo = fixturePhoto(PHOTO);
  ({ image, mirrored } = await photoPixels(photo.path));
  // The images' own tensors (kept by the images until released), made before any tensor count below.
  tfjsImageTensor(image);
  tfjsImageTensor(mirrored);
});

afterAll(() => {
  releaseImage(image);
  releaseImage(mirrored);
});

it('the manifest has the face mesh (468) and the attention mesh (478)', () => {
  expect(FACE_MODELS.map((m) => m.keypointLayout).sort()).toEqual(['face468', 'face478']);
});

it('the WASM fix of the attention mesh turns int32 MatMul into float32 MatMul between casts, and leaves other graphs alone', () => {
  const graph = (nodes: unknown[]): GraphModelJson => ({ modelTopology: { node: nodes }, weightsManifest: [] });
  const intMatMul = { name: 'repeat/MatMul', op: 'MatMul', input: ['a', 'b'], attr: { T: { type: 'DT_INT32' }, transpose_a: { b: false } } };
  const floatMatMul = { name: 'dense/MatMul', op: 'MatMul', input: ['c', 'd'], attr: { T: { type: 'DT_FLOAT' } } };
  const patched = (floatIntMatMul(graph([intMatMul, floatMatMul])).modelTopology as { node: { name: string; op: string; input?: string[]; attr?: Record<string, unknown> }[] }).node;
  expect(patched.map((n) => [n.name, n.op, n.input])).toEqual([
    ['repeat/MatMul/cast_in0', 'Cast', ['a']],
    ['repeat/MatMul/cast_in1', 'Cast', ['b']],
    ['repeat/MatMul/f32', 'MatMul', ['repeat/MatMul/cast_in0', 'repeat/MatMul/cast_in1']],
    ['repeat/MatMul', 'Cast', ['repeat/MatMul/f32']],
    ['dense/MatMul', 'MatMul', ['c', 'd']],
  ]);
  expect(patched[2]!.attr).toMatchObject({ T: { type: 'DT_FLOAT' }, transpose_a: { b: false } });
  expect(patched[3]!.attr).toMatchObject({ SrcT: { type: 'DT_FLOAT' }, DstT: { type: 'DT_INT32' } });
});

describe.each(FACE_MODELS.map((m) => m.id))('%s', (id) => {
  let adapter: ModelAdapter;
  let points: number;
  let disposed = false;
  let tensorsBeforeLoad = 0;
  beforeAll(async () => {
    tensorsBeforeLoad = tf.memory().numTensors;
    adapter = await loadAdapter(id);
    points = layoutById(adapter.info.keypointLayout).keypointNames.length;
  });
  afterAll(() => {
    if (!disposed) adapter?.dispose();
  });

  it('puts the nose tip within 3 annotator SDs of COCO’s nose, on the whole image and in person crops; finite points with z', async () => {
    const report: string[] = [];
    const runs = [
      { person: WHOLE_IMAGE_FACE, result: await adapter.estimate(image, { mode: 'still' }) },
      ...(await Promise.all(
        CROPPED_FACES.map(async (person) => ({
          person,
          result: await estimateInCrop(adapter, image, personCrop(annotation(photo, person).bbox, { width: photo.image.width, height: photo.image.height })),
        })),
      )),
    ];
    for (const { person: personId, result } of runs) {
      const person = annotation(photo, personId);
      expect(faceProblems(result.poses, points), `person ${personId}`).toEqual([]);
      expect(result.networkMs, 'WASM runs kernels synchronously: the adapter times its networks').toBeGreaterThan(0);
      const nose = labelled(person, 'nose')!;
      const face = nearestFace(result.poses, nose);
      const boundPx = annotatorBoundPx(person, 'nose');
      report.push(`person ${personId}: ${face ? `${face.distancePx.toFixed(1)} px (bound ${boundPx.toFixed(1)})` : 'no face'} of ${result.poses.length} faces`);
      expect(face, `person ${personId}: no face`).not.toBeNull();
      expect(face!.distancePx, `person ${personId}: nose tip`).toBeLessThanOrEqual(boundPx);
      if (points === 478) {
        for (const [index, eye] of [[RIGHT_IRIS_CENTRE, 'right_eye'], [LEFT_IRIS_CENTRE, 'left_eye']] as const) {
          const d = distancePx(face!.pose.keypoints[index]!, labelled(person, eye)!);
          report.push(`  iris ${index} to COCO ${eye}: ${d.toFixed(1)} px (bound ${annotatorBoundPx(person, eye).toFixed(1)})`);
          expect(d, `person ${personId}: iris ${index} at the ${eye}`).toBeLessThanOrEqual(annotatorBoundPx(person, eye));
        }
      }
    }
    console.log(`${id}:\n  ${report.join('\n  ')}`);
  });

  it('gives a still the same faces after a video frame of another image (still mode resets tracking)', async () => {
    const fresh = (await adapter.estimate(image, { mode: 'still' })).poses;
    await adapter.estimate(mirrored, { mode: 'video', timestampMs: 0 });
    expect((await adapter.estimate(image, { mode: 'still' })).poses).toEqual(fresh);
  });

  it('lets the benchmark re-run exactly its graph calls (the face detector once, the landmark network once per region)', async () => {
    const crop = personCrop(annotation(photo, CROPPED_FACES[0]!).bbox, { width: photo.image.width, height: photo.image.height });
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
    const crop = personCrop(annotation(photo, CROPPED_FACES[0]!).bbox, { width: photo.image.width, height: photo.image.height });
    const view = cropView(image, crop);
    tfjsImageTensor(image);
    tfjsImageTensor(view);
    await adapter.estimate(image, { mode: 'still' });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await adapter.estimate(image, { mode: 'still' });
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
