/**
 * Images over the app's inference size (core/imageLimits: 1600 px on the long side) run downscaled in the CLI
 * exactly as in the app's worker: crops move into the downscaled pixels and keypoints come back in original
 * pixels. Reference: the same photo at its own size. A photo upscaled 3× (nearest neighbour, 1920 px wide) must
 * give, in its pixels, 3× the keypoints of the original within PCK@0.05 of the person (0.05 × the box's long
 * side): a forgotten scale-back is off by the 1920 → 1600 factor (17 %), far outside that.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CocoKeypointsGroundTruth } from '../../src/core/coco/cocoTypes';
import { processImage, loadAdapters } from '../../src/cli/imageProcessor';
import type { ModelAdapter } from '../../src/inference/modelAdapter';
import { decodeImageFile } from '../../src/node/nodeImages';
import { MODELS_DIR, PEOPLE_FIXTURE_DIR, modelWhere, readPeopleFixture, requireModelFiles, startWasmBackend } from './realModelHarness';

const FACTOR = 3;
const PCK_ALPHA = 0.05;
/** A model that sees the crop, and one given the box on the whole image: both spaces must scale. */
const MODEL_IDS = [modelWhere({ family: 'movenet', multiPerson: false }), modelWhere({ personInput: 'box' })];
const fixture = readPeopleFixture();
const image = fixture.images.find((i) => i.id === 30752);
const subject = fixture.annotations.find((a) => a.image_id === 30752 && a.iscrowd === 0 && a.num_keypoints > 0);

let dir = '';
let adapters: Map<string, ModelAdapter>;

function groundTruth(scale: number): CocoKeypointsGroundTruth {
  if (!image || !subject) throw new Error('fixture 30752 missing');
  return {
    images: [{ ...image, width: image.width * scale, height: image.height * scale }],
    annotations: [{
      ...subject,
      bbox: subject.bbox.map((v) => v * scale) as [number, number, number, number],
      area: subject.area * scale * scale,
      keypoints: subject.keypoints.map((v, i) => (i % 3 === 2 ? v : v * scale)),
    }],
    categories: [],
  } as unknown as CocoKeypointsGroundTruth;
}

beforeAll(async () => {
  requireModelFiles(MODEL_IDS);
  await startWasmBackend();
  if (!image) throw new Error('fixture 30752 missing');
  dir = mkdtempSync(join(tmpdir(), 'kb-large-'));
  const original = await decodeImageFile(join(PEOPLE_FIXTURE_DIR, image.file_name));
  const png = new PNG({ width: original.width * FACTOR, height: original.height * FACTOR });
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const src = (Math.floor(y / FACTOR) * original.width + Math.floor(x / FACTOR)) * 3;
      png.data.set([original.rgb[src] ?? 0, original.rgb[src + 1] ?? 0, original.rgb[src + 2] ?? 0, 255], (y * png.width + x) * 4);
    }
  }
  writeFileSync(join(dir, 'large.png'), PNG.sync.write(png));
  // The original as a lossless PNG too, so both sides decode the same way.
  const small = new PNG({ width: original.width, height: original.height });
  for (let p = 0; p < original.width * original.height; p++) small.data.set([original.rgb[p * 3] ?? 0, original.rgb[p * 3 + 1] ?? 0, original.rgb[p * 3 + 2] ?? 0, 255], p * 4);
  writeFileSync(join(dir, 'small.png'), PNG.sync.write(small));
  adapters = await loadAdapters(MODEL_IDS, MODELS_DIR);
});

afterAll(() => {
  for (const adapter of adapters?.values() ?? []) adapter.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('CLI on an image over the inference size', () => {
  it('runs it downscaled and reports keypoints in its own pixels (3× the original\'s, within PCK@0.05)', async () => {
    if (!subject) throw new Error('fixture 30752 missing');
    const small = await processImage(adapters, 'crops', { imageId: 30752, path: join(dir, 'small.png'), gt: groundTruth(1) });
    const large = await processImage(adapters, 'crops', { imageId: 30752, path: join(dir, 'large.png'), gt: groundTruth(FACTOR) });
    expect(large.sizePx).toEqual({ width: small.sizePx.width * FACTOR, height: small.sizePx.height * FACTOR });
    const tolerancePx = PCK_ALPHA * Math.max(subject.bbox[2], subject.bbox[3]) * FACTOR;
    for (const modelId of MODEL_IDS) {
      const smallPose = small.estimates.find((e) => e.modelId === modelId)?.estimate.poses[0];
      const largePose = large.estimates.find((e) => e.modelId === modelId)?.estimate.poses[0];
      expect(smallPose && largePose, modelId).toBeTruthy();
      let worstPx = 0;
      for (const [k, keypoint] of (smallPose?.keypoints ?? []).entries()) {
        if (keypoint.score < 0.5) continue;
        const other = largePose?.keypoints[k];
        if (!other) throw new Error('keypoint count differs');
        worstPx = Math.max(worstPx, Math.hypot(other.x - keypoint.x * FACTOR, other.y - keypoint.y * FACTOR));
      }
      console.log(`${modelId}: largest keypoint difference ${worstPx.toFixed(1)} px at 3× (tolerance ${tolerancePx.toFixed(1)} px)`);
      expect(worstPx, modelId).toBeLessThanOrEqual(tolerancePx);
    }
  });
});
