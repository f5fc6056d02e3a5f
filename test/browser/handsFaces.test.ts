/**
 * MediaPipe Hands and Face Mesh in the app (production build, inference worker, WASM): listed in the model list,
 * they run on a photo like every model and return plain poses with what they add: 21 hand keypoints with z, world
 * landmarks in metres and handedness in the subject's terms; 468 / 478 face points with z, the nose tip at COCO's
 * labelled nose.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pose } from '../../src/core/types';
import { MODELS, REPO_ROOT, getState, openApp, selectModels, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const PHOTO = '000000256353.jpg';
const PHOTO_PATH = join(REPO_ROOT, 'test', 'fixtures', 'hands-faces', PHOTO);
// The tfjs entries; their LiteRT twins are checked against them in liteRt.test.ts.
const HAND_MODELS = MODELS.filter((m) => m.kind === 'hand' && m.runtime === 'tfjs');
const FACE_MODELS = MODELS.filter((m) => m.kind === 'face' && m.runtime === 'tfjs');

/**
 * Ground truth of the photo's largest face (COCO annotation 2229097, test/fixtures/hands-faces/annotations.json):
 * its labelled nose, and the bound 3 × σ_nose·√area (COCO's nose annotator SD 0.026 of the person scale; see
 * test/models/handsFacesFixtures.ts): 3 × 0.026 × √23235.79 = 11.9 px.
 */
const GT = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'hands-faces', 'annotations.json'), 'utf8')) as {
  annotations: { id: number; keypoints: number[]; area: number }[];
};
const BIG_FACE = GT.annotations.find((a) => a.id === 2229097)!;
const GT_NOSE = [BIG_FACE.keypoints[0]!, BIG_FACE.keypoints[1]!] as const;
const NOSE_BOUND_PX = 3 * 0.026 * Math.sqrt(BIG_FACE.area);
/**
 * The young man faces the camera holding the big frame with both hands: his left hand is on the image's right
 * (its wrist at x > 400 px in this 621 px wide photo), his right hand on the image's left (x < 200 px).
 */
const IMAGE_RIGHT_X_PX = 400;

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

describe('MediaPipe Hands and Face Mesh in the app', () => {
  it('lists them, runs them in the worker on a photo, and returns hands with z, world landmarks and the subject’s handedness, faces with every mesh point', async () => {
    const { page } = app;
    expect(HAND_MODELS.length).toBe(2);
    expect(FACE_MODELS.length).toBe(2);
    expect(await waitForBackend(page)).toBe('wasm');
    await page.getByLabel('Add images', { exact: true }).setInputFiles([PHOTO_PATH]);
    const models = [...HAND_MODELS, ...FACE_MODELS];
    await selectModels(page, models.map((m) => m.name));
    await waitForCellsDone(page, [PHOTO], models.map((m) => m.id), 240_000);
    const state = await getState(page);
    const image = state.images.find((im) => im.name === PHOTO)!;
    const posesOf = (modelId: string) => (state.results[`${image.id}|${modelId}`]?.poses ?? []) as Pose[];
    const report: string[] = [];
    for (const model of HAND_MODELS) {
      const hands = posesOf(model.id);
      report.push(`${model.id}: ${hands.map((h) => `${h.labels?.handedness?.value} at x ${h.keypoints[0]!.x.toFixed(0)}`).join(', ')}`);
      expect(hands.length, model.id).toBeGreaterThan(0);
      for (const hand of hands) {
        expect(hand.keypoints.length).toBe(21);
        expect(hand.keypoints.every((k) => Number.isFinite(k.x) && Number.isFinite(k.y) && Number.isFinite(k.z))).toBe(true);
        expect(hand.world?.unit).toBe('m');
        expect(hand.world?.keypoints.length).toBe(21);
        expect(hand.world!.keypoints.every((k) => Math.abs(k.x) < 0.25 && Math.abs(k.y) < 0.25 && Math.abs(k.z) < 0.25)).toBe(true);
        const wristX = hand.keypoints[0]!.x;
        if (wristX > IMAGE_RIGHT_X_PX) expect(hand.labels?.handedness?.value, `${model.id}: the hand on the image's right`).toBe('left');
        if (wristX < 200) expect(hand.labels?.handedness?.value, `${model.id}: the hand on the image's left`).toBe('right');
      }
    }
    for (const model of FACE_MODELS) {
      const faces = posesOf(model.id);
      const points = model.name.includes('attention') ? 478 : 468;
      expect(faces.length, model.id).toBeGreaterThan(0);
      for (const face of faces) {
        expect(face.keypoints.length, model.id).toBe(points);
        expect(face.keypoints.every((k) => Number.isFinite(k.x) && Number.isFinite(k.y) && Number.isFinite(k.z))).toBe(true);
      }
      const noseErrors = faces.map((f) => Math.hypot(f.keypoints[1]!.x - GT_NOSE[0], f.keypoints[1]!.y - GT_NOSE[1]));
      report.push(`${model.id}: ${faces.length} face(s), nearest nose tip ${Math.min(...noseErrors).toFixed(1)} px (bound ${NOSE_BOUND_PX.toFixed(1)})`);
      expect(Math.min(...noseErrors), `${model.id}: nose tip`).toBeLessThanOrEqual(NOSE_BOUND_PX);
    }
    console.log(report.join('\n'));
  });
});
