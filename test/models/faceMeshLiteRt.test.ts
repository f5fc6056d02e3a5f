/**
 * MediaPipe Face Mesh (468 points) on LiteRT.js (runtime 'litert': the .tflite networks of @mediapipe/face_mesh, our
 * pre- and post-processing in src/inference/adapters/faceMeshLiteRt.ts) against the tfjs twin `facemesh`
 * (face-landmarks-detection 1.0.6, the reference), in Node (LiteRT's single-threaded WASM; tfjs on WASM), on every
 * face of the fixture photos (test/fixtures/hands-faces, test/fixtures/people, test/fixtures/face-litert; see their
 * SOURCES.md): each photo whole, and each person crop (COCO box + 25 %) of a person of ≥ 96² px.
 *
 * Distances are as NME is: keypoint distance / the inter-ocular distance (outer eye corners 33–263 of the tfjs face).
 * The two runtimes run the same networks: on one input the .tflite detector and mesh give the tfjs graphs' outputs to
 * float rounding (the .tflite face flag is a logit where tfjs's graph ends in the sigmoid). So every comparison below
 * is to float rounding. Measured (docs/litert-face.md), 2026-12-02, 27 inputs, 12 regions, 8 faces:
 *   networks: mesh max |Δ| 9.2e-5 crop px; detector boxes max |Δ| 2.2e-3 (128² px), score logits 5.5e-4;
 *   regions (detector + region stage): centre ≤ 2.5e-7 of the region's size, size ≤ 4.0e-7, rotation ≤ 8.7e-7 rad;
 *   landmark stage on the same region: median 2.9e-7, max 1.9e-6 of the IOD (z: max 6.0e-7);
 *   full pipeline: median 3.2e-7, max 1.6e-6 of the IOD, the same number of faces on every input.
 * Bound for both keypoint comparisons: median ≤ 1e-5 and max ≤ 1e-4 of the IOD (60× the measured maximum).
 *
 * Negative control (a step broken): the same check on a pipeline whose landmark crop is half a pixel off (the region
 * moved by 0.5 px, as a pixel-centre mistake in the sampling would) must fail: measured median 3.6e-3, max 1.6e-2 of
 * the IOD, 360× the median bound; asserted in the tests below (landmark stage and full pipeline).
 *
 * Leak check: after a warm-up, repeated estimates (whole image and a crop) leave LiteRT's WASM heap and the tf tensor
 * count unchanged. Its negative control, measured by hand (not kept in code): without the `output.delete()` in
 * runtimes/litert.ts the heap grows from 25.4 MB to 30.5 MB over the same 20 runs and this test fails.
 *
 * The attention mesh (478) has no LiteRT twin: its .tflite uses MediaPipe custom ops LiteRT.js lacks (tested below).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as faceLandmarksDetection from '@tensorflow-models/face-landmarks-detection';
import type * as tfconv from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACE_MESH_NOSE_TIP_INDEX, layoutById } from '../../src/core/layouts';
import type { ModelInfo, Pose } from '../../src/core/types';
import { floatIntMatMul } from '../../src/inference/adapters/faceMesh';
import { associateRegions, loadFaceMeshLiteRtStages, regionFromDetection, type FaceMeshLiteRtStages, type FaceRegion } from '../../src/inference/adapters/faceMeshLiteRt';
import { graphModelHandler } from '../../src/inference/graphModelHandler';
import type { ModelLoadContext } from '../../src/inference/modelAdapter';
import { configBoolean, configFile } from '../../src/inference/modelConfig';
import { MODELS, checkModelAdapter } from '../../src/inference/modelRegistry';
import { loadModelAdapter } from '../../src/inference/pipeline';
import { cropView } from '../../src/inference/rgbImage';
import { liteRtHeapBytes } from '../../src/inference/runtimes/litert';
import { tfjsImageTensor } from '../../src/inference/runtimes/tfjs';
import { nodeModelFiles } from '../../src/node/nodeModelFiles';
import { HANDS_FACES_FIXTURE_DIR } from './handsFacesFixtures';
import { MODELS_DIR, PEOPLE_FIXTURE_DIR, REPO_ROOT, estimateInCrop, loadImage, personCrop, releaseImage, requireModelFiles, startWasmBackend, type PeopleFixture, type RgbImage } from './realModelHarness';

const LITERT_MODELS = MODELS.filter((m) => m.family === 'facemesh' && m.runtime === 'litert');
const FACE_LITERT_FIXTURE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'face-litert');
function tfjsTwin(info: ModelInfo): ModelInfo {
  const refine = configBoolean(info, 'refineLandmarks');
  const twin = MODELS.find((m) => m.family === 'facemesh' && m.runtime === 'tfjs' && configBoolean(m, 'refineLandmarks') === refine);
  if (!twin) throw new Error(`${info.id}: no tfjs face mesh with refineLandmarks ${String(refine)}`);
  return twin;
}

const context: ModelLoadContext = { files: nodeModelFiles(MODELS_DIR) };
const load = (info: ModelInfo) => loadModelAdapter(info, context);

/** An input the models see: a photo whole, or a person crop of it (a view). */
interface Input {
  label: string;
  image: RgbImage;
}
const inputs: Input[] = [];
const MIN_PERSON_AREA_PX2 = 96 * 96;
/** The bound of every keypoint comparison, as fractions of the inter-ocular distance (see the top of this file). */
const MEDIAN_BOUND = 1e-5;
const MAX_BOUND = 1e-4;
/** The negative control's offset: half a pixel. */
const HALF_PIXEL = 0.5;

const RIGHT_OUTER = 33;
const LEFT_OUTER = 263;
const interOcular = (pose: Pose) => Math.hypot(pose.keypoints[RIGHT_OUTER]!.x - pose.keypoints[LEFT_OUTER]!.x, pose.keypoints[RIGHT_OUTER]!.y - pose.keypoints[LEFT_OUTER]!.y);

interface Distances {
  /** Keypoint distance / the reference face's inter-ocular distance, every keypoint of every face, sorted. */
  xy: number[];
  /** |Δz| / inter-ocular distance, sorted. */
  z: number[];
  faces: number;
  /** Inputs or regions where one runtime found a face and the other did not (or a different number of faces). */
  mismatches: string[];
}
const emptyDistances = (): Distances => ({ xy: [], z: [], faces: 0, mismatches: [] });

function addFace(out: Distances, pose: Pose, reference: Pose): void {
  const iod = interOcular(reference);
  expect(pose.keypoints.map((k) => k.name)).toEqual(reference.keypoints.map((k) => k.name));
  pose.keypoints.forEach((k, i) => {
    const r = reference.keypoints[i]!;
    out.xy.push(Math.hypot(k.x - r.x, k.y - r.y) / iod);
    out.z.push(Math.abs(k.z! - r.z!) / iod);
  });
  out.faces++;
}
function finish(out: Distances): Distances {
  out.xy.sort((a, b) => a - b);
  out.z.sort((a, b) => a - b);
  return out;
}
const quantile = (values: readonly number[], q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const summary = (values: readonly number[]) => `median ${quantile(values, 0.5).toExponential(1)}, p95 ${quantile(values, 0.95).toExponential(1)}, max ${values[values.length - 1]!.toExponential(1)}`;
/** The agreement check itself: the same faces, keypoints within the bound. */
const agrees = (d: Distances) => d.mismatches.length === 0 && d.faces > 0 && quantile(d.xy, 0.5) <= MEDIAN_BOUND && d.xy[d.xy.length - 1]! <= MAX_BOUND;

/** face-landmarks-detection's tfjs detector, whose stages (private methods) the test calls directly. */
interface TfjsFaceMeshInternals {
  detector: { detectorModel: tfconv.GraphModel; detectFaces(image: tf.Tensor3D, flip: boolean): Promise<TfjsDetection[]> };
  landmarkModel: tfconv.GraphModel;
  faceDetectionFrontDetectionToRoi(detection: TfjsDetection, size: { width: number; height: number }): FaceRegion;
  faceLandmark(region: FaceRegion, image: tf.Tensor3D): Promise<{ x: number; y: number; z: number }[] | null>;
  dispose(): void;
}
interface TfjsDetection {
  score: number[];
  locationData: { relativeBoundingBox: { xMin: number; yMin: number; width: number; height: number }; relativeKeypoints: { x: number; y: number }[] };
}

async function tfjsInternals(info: ModelInfo, maxFaces: number): Promise<TfjsFaceMeshInternals> {
  const noProgress = () => () => undefined;
  const detector = await faceLandmarksDetection.createDetector(faceLandmarksDetection.SupportedModels.MediaPipeFaceMesh, {
    runtime: 'tfjs',
    maxFaces,
    refineLandmarks: configBoolean(info, 'refineLandmarks'),
    detectorModelUrl: graphModelHandler(configFile(info, 'detectorFile'), context, noProgress),
    landmarkModelUrl: graphModelHandler(configFile(info, 'landmarkFile'), context, noProgress, floatIntMatMul),
  });
  return detector as unknown as TfjsFaceMeshInternals;
}

/** A tfjs stage's normalised landmarks as a pose in image pixels (as the tfjs twin reports them). */
function tfjsPose(points: { x: number; y: number; z: number }[], image: RgbImage, names: readonly string[]): Pose {
  return { score: 1, keypoints: points.map((p, i) => ({ name: names[i] ?? String(i), x: p.x * image.widthPx, y: p.y * image.heightPx, z: p.z * image.widthPx, score: 1 })) };
}

/** The pose whose nose tip is nearest `to`'s, within `to`'s inter-ocular distance. */
function nearestByNose(poses: readonly Pose[], to: Pose): Pose | null {
  const nose = to.keypoints[FACE_MESH_NOSE_TIP_INDEX]!;
  let best: Pose | null = null;
  let bestD = interOcular(to);
  for (const pose of poses) {
    const k = pose.keypoints[FACE_MESH_NOSE_TIP_INDEX]!;
    const d = Math.hypot(k.x - nose.x, k.y - nose.y);
    if (d < bestD) [best, bestD] = [pose, d];
  }
  return best;
}

beforeAll(async () => {
  requireModelFiles([...LITERT_MODELS.map((m) => m.id), ...LITERT_MODELS.map((m) => tfjsTwin(m).id)]);
  await startWasmBackend();
  for (const dir of [HANDS_FACES_FIXTURE_DIR, PEOPLE_FIXTURE_DIR]) {
    const gt = JSON.parse(readFileSync(join(dir, 'annotations.json'), 'utf8')) as PeopleFixture;
    for (const image of gt.images) {
      const pixels = await loadImage(join(dir, image.file_name));
      inputs.push({ label: image.file_name, image: pixels });
      for (const person of gt.annotations.filter((a) => a.image_id === image.id && a.area >= MIN_PERSON_AREA_PX2 && !a.iscrowd)) {
        inputs.push({ label: `${image.file_name} person ${person.id}`, image: cropView(pixels, personCrop(person.bbox, image, 0.25)) });
      }
    }
  }
  for (const file of ['tfjs_portrait.jpg', 'tfjs_pose.jpg']) inputs.push({ label: file, image: await loadImage(join(FACE_LITERT_FIXTURE_DIR, file)) });
  // The images' own tensors (kept by the images until released), made before any tensor count below.
  for (const input of inputs) tfjsImageTensor(input.image);
});

afterAll(() => {
  for (const input of inputs) releaseImage(input.image);
});

describe('Face Mesh on LiteRT.js', () => {
  it('has the 468-point entry with its tfjs twin; the attention mesh is refused on LiteRT (custom ops)', () => {
    expect(LITERT_MODELS.map((m) => [m.id, m.keypointLayout, tfjsTwin(m).id])).toEqual([['facemesh-litert', 'face468', 'facemesh']]);
    const attention = MODELS.find((m) => m.id === 'facemesh-attention')!;
    const onLiteRt: ModelInfo = { ...LITERT_MODELS[0]!, id: 'attention-on-litert', keypointLayout: attention.keypointLayout, config: { ...LITERT_MODELS[0]!.config, refineLandmarks: true } };
    expect(() => checkModelAdapter(onLiteRt)).toThrow(/custom ops Landmarks2TransformMatrix/);
  });

  describe.each(LITERT_MODELS.map((m) => m.id))('%s', (id) => {
    const info = LITERT_MODELS.find((m) => m.id === id)!;
    const names = layoutById(info.keypointLayout).keypointNames;
    let stages: FaceMeshLiteRtStages;
    let reference: TfjsFaceMeshInternals;
    beforeAll(async () => {
      stages = await loadFaceMeshLiteRtStages(info, context);
      reference = await tfjsInternals(tfjsTwin(info), stages.maxFaces);
    });
    afterAll(() => {
      stages?.dispose();
      reference?.dispose();
    });

    /** Every region LiteRT's detector and region stage give, per input: the regions both landmark stages are compared on. */
    async function liteRtRegions(input: Input): Promise<FaceRegion[]> {
      const { detections } = await stages.detect(input.image);
      return associateRegions(detections.map((d) => regionFromDetection(d, input.image.widthPx, input.image.heightPx)));
    }

    /** Our landmark stage against face-landmarks-detection's, on LiteRT's regions; ours moved by `shiftPx` (the control). */
    async function landmarkStage(shiftPx: number): Promise<Distances> {
      const out = emptyDistances();
      for (const input of inputs) {
        for (const region of await liteRtRegions(input)) {
          const expected = await reference.faceLandmark(region, tfjsImageTensor(input.image));
          const { pose } = await stages.landmarks(input.image, { ...region, xCenter: region.xCenter + shiftPx / input.image.widthPx });
          if (!expected || !pose) {
            if (expected || pose) out.mismatches.push(`${input.label}: a face in one landmark stage only`);
            continue;
          }
          addFace(out, pose, tfjsPose(expected, input.image, names));
        }
      }
      return finish(out);
    }

    /** LiteRT's faces (`estimate`) against the tfjs twin's, every input, matched by nose tip. */
    async function fullPipeline(estimate: (image: RgbImage) => Promise<Pose[]>): Promise<Distances> {
      const tfjs = await load(tfjsTwin(info));
      const out = emptyDistances();
      try {
        for (const input of inputs) {
          const [faces, expected] = [await estimate(input.image), (await tfjs.estimate(input.image, { mode: 'still' })).poses];
          if (faces.length !== expected.length) out.mismatches.push(`${input.label}: ${faces.length} faces, tfjs ${expected.length}`);
          for (const face of expected) {
            const match = nearestByNose(faces, face);
            if (match) addFace(out, match, face);
            else out.mismatches.push(`${input.label}: no LiteRT face at a tfjs face`);
          }
        }
      } finally {
        tfjs.dispose();
      }
      return finish(out);
    }

    it('networks: the .tflite detector and mesh give the tfjs graphs’ outputs on the same input', async () => {
      const input = inputs.find((i) => i.label === 'tfjs_portrait.jpg')!;
      const [region] = await liteRtRegions(input);
      const crop = stages.landmarkInput(input.image, region!);
      const liteRt = await stages.landmark.run(crop);
      const output = (name: string) => liteRt[stages.landmark.outputNames.indexOf(name)]!;
      const [flag, mesh] = tf.tidy(() => reference.landmarkModel.execute(tf.tensor4d(crop, [1, 192, 192, 3]), ['output_faceflag', 'output_mesh']) as tf.Tensor[]);
      const [flagTfjs, meshTfjs] = [flag!.dataSync(), mesh!.dataSync()];
      tf.dispose([flag!, mesh!]);
      const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, k) => Math.abs(v - b[k]!)));
      const flagProbability = 1 / (1 + Math.exp(-output('conv2d_31')[0]!));
      const meshDiff = maxDiff(output('conv2d_21'), meshTfjs);

      // The detector on tfjs's own 128² letterboxed input of the same photo (face-detection's tensor: [logit, 16 coordinates]).
      const { widthPx, heightPx } = input.image;
      const side = Math.max(widthPx, heightPx);
      const boxed = tf.tidy(() => {
        const image = tfjsImageTensor(input.image);
        const padded = tf.pad(image, [[(side - heightPx) >> 1, side - heightPx - ((side - heightPx) >> 1)], [(side - widthPx) >> 1, side - widthPx - ((side - widthPx) >> 1)], [0, 0]]);
        return tf.sub(tf.div(tf.image.resizeBilinear(padded as tf.Tensor3D, [128, 128]), 127.5), 1);
      });
      const boxedValues = boxed.dataSync() as Float32Array;
      const tfjsDetector = tf.tidy(() => (reference.detector.detectorModel.execute(tf.expandDims(boxed), 'Identity:0') as tf.Tensor).dataSync());
      boxed.dispose();
      const detectorOut = await stages.detector.run(boxedValues);
      const boxes = detectorOut[stages.detector.outputNames.indexOf('regressors')]!;
      const scores = detectorOut[stages.detector.outputNames.indexOf('classificators')]!;
      const boxDiff = maxDiff(boxes, Array.from(boxes, (_, k) => tfjsDetector[Math.floor(k / 16) * 17 + 1 + (k % 16)]!));
      const scoreDiff = maxDiff(scores, Array.from(scores, (_, k) => tfjsDetector[k * 17]!));
      console.log(`${id} networks vs tfjs graphs: face flag ${flagTfjs[0]!.toFixed(6)} vs sigmoid(.tflite) ${flagProbability.toFixed(6)}; mesh max |Δ| ${meshDiff.toExponential(1)} crop px; detector boxes max |Δ| ${boxDiff.toExponential(1)} (128² px), score logits ${scoreDiff.toExponential(1)}`);
      expect(Math.abs(flagProbability - flagTfjs[0]!)).toBeLessThanOrEqual(1e-5);
      expect(meshDiff).toBeLessThanOrEqual(1e-2);
      expect(boxDiff).toBeLessThanOrEqual(1e-2);
      expect(scoreDiff).toBeLessThanOrEqual(1e-2);
    });

    it('detector + region stage: the same regions as face-landmarks-detection', async () => {
      const centre: number[] = [], size: number[] = [], rotation: number[] = [];
      let faces = 0;
      for (const input of inputs) {
        const ours = await liteRtRegions(input);
        const theirs = (await reference.detector.detectFaces(tfjsImageTensor(input.image), false)).map((d) => reference.faceDetectionFrontDetectionToRoi(d, { width: input.image.widthPx, height: input.image.heightPx }));
        expect(ours.length, input.label).toBe(theirs.length);
        ours.forEach((r, i) => {
          const t = theirs[i]!;
          faces++;
          centre.push(Math.hypot((r.xCenter - t.xCenter) / t.width, (r.yCenter - t.yCenter) / t.height));
          size.push(Math.abs(r.width / t.width - 1), Math.abs(r.height / t.height - 1));
          rotation.push(Math.abs(r.rotation - t.rotation));
        });
      }
      const max = (v: number[]) => Math.max(...v);
      console.log(`${id} regions vs tfjs on ${faces} faces: centre max ${max(centre).toExponential(1)} of the size, size max ${max(size).toExponential(1)}, rotation max ${max(rotation).toExponential(1)} rad`);
      expect(faces).toBeGreaterThanOrEqual(8);
      expect(max(centre)).toBeLessThanOrEqual(1e-4);
      expect(max(size)).toBeLessThanOrEqual(1e-4);
      expect(max(rotation)).toBeLessThanOrEqual(1e-4);
    });

    it('landmark stage on the same region as tfjs agrees to float rounding; half a pixel off fails the same check', async () => {
      const same = await landmarkStage(0);
      const off = await landmarkStage(HALF_PIXEL);
      console.log(`${id} landmark stage vs tfjs on ${same.faces} regions: xy / IOD ${summary(same.xy)}; z / IOD ${summary(same.z)}; half a pixel off: xy ${summary(off.xy)}`);
      expect(same.mismatches).toEqual([]);
      expect(same.faces).toBeGreaterThanOrEqual(8);
      expect(agrees(same)).toBe(true);
      expect(same.z[same.z.length - 1]).toBeLessThanOrEqual(MAX_BOUND);
      expect(agrees(off)).toBe(false);
    });

    it('full pipeline: the same faces as the tfjs twin to float rounding; a half-pixel crop offset fails the same check', async () => {
      const adapter = await load(info);
      try {
        expect(adapter.runtime).toBe('litert');
        const same = await fullPipeline(async (image) => (await adapter.estimate(image, { mode: 'still' })).poses);
        const broken = await fullPipeline(async (image) => {
          const poses: Pose[] = [];
          for (const region of await liteRtRegions({ label: '', image })) {
            const { pose } = await stages.landmarks(image, { ...region, xCenter: region.xCenter + HALF_PIXEL / image.widthPx });
            if (pose) poses.push(pose);
          }
          return poses;
        });
        console.log(`${id} full pipeline vs tfjs on ${same.faces} faces of ${inputs.length} inputs: xy / IOD ${summary(same.xy)}; z / IOD ${summary(same.z)}; half-pixel crop offset: xy ${summary(broken.xy)}`);
        expect(same.mismatches).toEqual([]);
        expect(same.faces).toBeGreaterThanOrEqual(8);
        expect(agrees(same)).toBe(true);
        expect(agrees(broken)).toBe(false);
      } finally {
        adapter.dispose();
      }
    });

    it('repeated estimates leave neither LiteRT heap growth nor tf tensors behind', async () => {
      const adapter = await load(info);
      try {
        const input = inputs.find((i) => i.label === 'tfjs_portrait.jpg')!;
        const crop = { xPx: 100, yPx: 50, widthPx: 600, heightPx: 600 };
        expect((await adapter.estimate(input.image, { mode: 'still' })).poses.length).toBe(1);
        expect((await estimateInCrop(adapter, input.image, crop)).poses.length).toBe(1);
        const heapBefore = liteRtHeapBytes();
        const tensorsBefore = tf.memory().numTensors;
        expect(heapBefore).toBeGreaterThan(0);
        for (let i = 0; i < 10; i++) await adapter.estimate(input.image, { mode: 'still' });
        for (let i = 0; i < 10; i++) await estimateInCrop(adapter, input.image, crop);
        expect(liteRtHeapBytes()).toBe(heapBefore);
        expect(tf.memory().numTensors).toBe(tensorsBefore);
      } finally {
        adapter.dispose();
      }
    });
  });
});
