/**
 * Speed of the exact COCO keypoint evaluation on a synthetic set: 5,000 images, 20 detections each
 * (seeded, so every run evaluates the same data). Run: `npm run bench:eval` (or `npx tsx scripts/bench-eval.ts`).
 * Prints the time of the first (cold) evaluation and the median of the following runs, in milliseconds (wall clock,
 * and CPU time of the process, which includes garbage collection threads).
 */

import type { CocoKeypointAnnotation, CocoKeypointResult, CocoKeypointsGroundTruth } from '../src/core/coco/cocoTypes';
import { evaluateKeypoints } from '../src/core/metrics/cocoEval';
import { DEFAULT_COCO_LAYOUT as COCO17 } from '../src/core/layouts';

const IMAGE_COUNT = 5000;
const DETECTIONS_PER_IMAGE = 20;
const SEED = 20240611;
const WARM_RUNS = 5;

/** mulberry32: small, fast, deterministic PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildSyntheticSet(): { gt: CocoKeypointsGroundTruth; results: CocoKeypointResult[] } {
  const random = mulberry32(SEED);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const images = [];
  const annotations: CocoKeypointAnnotation[] = [];
  const results: CocoKeypointResult[] = [];
  let annotationId = 1;
  for (let imageIndex = 0; imageIndex < IMAGE_COUNT; imageIndex++) {
    const imageId = 100000 + imageIndex * 7;
    images.push({ id: imageId, file_name: `${imageId}.jpg`, width: 640, height: 480 });
    // 1–12 people; about 1 in 10 is a crowd region or has no labelled keypoint (both ignored by COCO).
    const people = 1 + Math.floor(random() * 12);
    const imagePeople: { keypoints: number[]; width: number }[] = [];
    for (let p = 0; p < people; p++) {
      const width = 20 + random() * 200;
      const height = width * (1.5 + random());
      const x = random() * (640 - width);
      const y = random() * (480 - Math.min(height, 470));
      const kind = random();
      const keypoints: number[] = [];
      let labelled = 0;
      for (let k = 0; k < COCO17.keypointNames.length; k++) {
        if (kind < 0.1 || random() < 0.2) {
          keypoints.push(0, 0, 0);
        } else {
          keypoints.push(x + random() * width, y + random() * height, 2);
          labelled++;
        }
      }
      annotations.push({
        id: annotationId++,
        image_id: imageId,
        category_id: 1,
        keypoints,
        num_keypoints: labelled,
        bbox: [x, y, width, height],
        area: width * height * 0.6,
        iscrowd: kind < 0.03 ? 1 : 0,
      });
      if (labelled > 0) imagePeople.push({ keypoints, width });
    }
    // Twenty detections: noisy copies of the people (some duplicated), the rest random skeletons.
    for (let d = 0; d < DETECTIONS_PER_IMAGE; d++) {
      const source = d < imagePeople.length * 1.3 ? imagePeople[d % Math.max(1, imagePeople.length)] : undefined;
      const keypoints: number[] = [];
      if (source) {
        const noisePx = source.width * (0.01 + 0.15 * random());
        for (let k = 0; k < 17; k++) {
          keypoints.push(source.keypoints[k * 3]! + gaussian() * noisePx, source.keypoints[k * 3 + 1]! + gaussian() * noisePx, 1);
        }
      } else {
        const cx = random() * 640;
        const cy = random() * 480;
        const sizePx = 20 + random() * 150;
        for (let k = 0; k < 17; k++) keypoints.push(cx + (random() - 0.5) * sizePx, cy + random() * sizePx * 2, 1);
      }
      results.push({ image_id: imageId, category_id: 1, keypoints, score: Math.round(random() * 1000) / 1000 });
    }
  }
  const categories = [{ id: 1, name: 'person', keypoints: COCO17.keypointNames }];
  return { gt: { images, annotations, categories }, results };
}

const { gt, results } = buildSyntheticSet();
/** Wall-clock and CPU (user + system) milliseconds of one evaluation; CPU time is less sensitive to a busy machine. */
const timeOnce = (): { ms: number; cpuMs: number; stats: readonly number[] } => {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const evaluation = evaluateKeypoints(gt, results);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, stats: evaluation.stats };
};
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const cold = timeOnce();
const warm = Array.from({ length: WARM_RUNS }, () => timeOnce());
console.log(
  `COCO keypoint evaluation, ${IMAGE_COUNT} images × ${DETECTIONS_PER_IMAGE} detections ` +
    `(${gt.annotations.length} ground-truth annotations, ${results.length} detections)`,
);
console.log(`first run: ${cold.ms.toFixed(0)} ms (CPU ${cold.cpuMs.toFixed(0)} ms)`);
console.log(
  `median of ${WARM_RUNS} further runs: ${median(warm.map((r) => r.ms)).toFixed(0)} ms ` +
    `(CPU ${median(warm.map((r) => r.cpuMs)).toFixed(0)} ms)`,
);
console.log(`AP ${cold.stats[0]!.toFixed(4)}, AR ${cold.stats[5]!.toFixed(4)} (sanity check; the data is random)`);
