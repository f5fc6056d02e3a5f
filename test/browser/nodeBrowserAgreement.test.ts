/**
 * Node and browser agree: with the WASM backend on both sides, the keypoints of the `keypoint-bench` CLI (Node,
 * src/cli) equal the app's (Chromium, the inference worker) within 0.5 px on the fixture photos, for MoveNet
 * Lightning and BlazePose lite (the app's default selection), whole-image protocol — on the JPEG files themselves
 * and on lossless PNG copies of them; and under person crops with the ground truth, for MoveNet Thunder (a crop per
 * person) and BlazePose lite given the box (the full image and the person's box).
 *
 * The JPEGs: Node decodes them to the pixels Chromium decodes (src/node/browserJpeg.ts, held bit-exact to Chromium
 * by test/unit/browserJpeg.test.ts). Before that, Node's jpeg-js and Chromium's libjpeg-turbo differed by 1–4
 * levels on about half of all RGB values, and the models amplified that noise: MoveNet Lightning keypoints moved by
 * up to 11.4 px, BlazePose lite's by up to 40 px (an unsure ankle). The PNG copies (made here from Node's decode,
 * never committed) decode to identical pixels on both sides whatever the JPEG decoder, so they separate the
 * pipelines from the decoders: a PNG failure is the pipeline, a JPEG-only failure is the decoder.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCoco17 } from '../layoutHelpers';
import type { KeypointLayoutId, Pose } from '../../src/core/types';
import { decodeImageFile } from '../../src/node/nodeImages';
import { MODELS, PEOPLE_DIR, REPO_ROOT, getState, openApp, selectModels, waitForBackend, waitForCellsDone, type AppSession, type StateSnapshot } from './harness';

/** The app's default selection, with their keypoint layouts. */
const COMPARED: readonly { id: string; layout: KeypointLayoutId }[] = [
  { id: 'movenet-lightning', layout: 'coco17' },
  { id: 'blazepose-lite', layout: 'blazepose33' },
];
const MAX_DIFFERENCE_PX = 0.5;
/**
 * Person crops: a single-stage model on each crop, and a "landmarks given the box" model, which gets the full image
 * and the ground-truth box (the worker moves both into its pixels): the two paths of the protocol.
 */
const COMPARED_CROPS: readonly { id: string; layout: KeypointLayoutId }[] = [
  { id: 'movenet-thunder', layout: 'coco17' },
  { id: 'blazepose-lite-box', layout: 'blazepose33' },
];

interface CocoResult {
  image_id: number;
  keypoints: number[];
}

interface FixtureImage {
  id: number;
  file_name: string;
}

const GT_PATH = join(PEOPLE_DIR, 'annotations.json');
const gtText = readFileSync(GT_PATH, 'utf8');
const fixtureImages = (JSON.parse(gtText) as { images: FixtureImage[] }).images;
const pngName = (jpegName: string) => `${basename(jpegName, '.jpg')}.png`;

function runCli(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'keypoint-bench.mjs'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

async function cliEval(imagesDir: string, gtPath: string, outDir: string, protocol: 'whole' | 'crops' = 'whole'): Promise<void> {
  const models = protocol === 'whole' ? COMPARED : COMPARED_CROPS;
  const run = await runCli(['eval', '--images', imagesDir, '--gt', gtPath, '--models', models.map((m) => m.id).join(','), '--protocol', protocol, '--out', outDir]);
  if (run.status !== 0) throw new Error(`keypoint-bench eval failed (${run.status}):\n${run.stderr}`);
}

let tmp: string;
let app: AppSession | null = null;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'keypoint-bench-agreement-'));
  // Lossless copies with the same ground truth under their .png names.
  const pngDir = join(tmp, 'png');
  mkdirSync(pngDir);
  for (const image of fixtureImages) {
    const decoded = await decodeImageFile(join(PEOPLE_DIR, image.file_name));
    const png = new PNG({ width: decoded.width, height: decoded.height });
    for (let i = 0; i < decoded.width * decoded.height; i++) {
      png.data[i * 4] = decoded.rgb[i * 3]!;
      png.data[i * 4 + 1] = decoded.rgb[i * 3 + 1]!;
      png.data[i * 4 + 2] = decoded.rgb[i * 3 + 2]!;
      png.data[i * 4 + 3] = 255;
    }
    writeFileSync(join(pngDir, pngName(image.file_name)), PNG.sync.write(png));
  }
  const pngGt = JSON.parse(gtText) as { images: FixtureImage[] };
  for (const image of pngGt.images) image.file_name = pngName(image.file_name);
  writeFileSync(join(tmp, 'annotations.png.json'), JSON.stringify(pngGt));
  // Node first, then the browser: the two never compete for the cores.
  await cliEval(pngDir, join(tmp, 'annotations.png.json'), join(tmp, 'out-png'));
  await cliEval(PEOPLE_DIR, GT_PATH, join(tmp, 'out-jpeg'));
  await cliEval(PEOPLE_DIR, GT_PATH, join(tmp, 'out-crops'), 'crops');
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Largest Node–browser distance over every keypoint of every pose (COCO-17 points; BlazePose mapped). */
function compare(
  state: StateSnapshot,
  outDir: string,
  nameOf: (image: FixtureImage) => string,
  models: readonly { id: string; layout: KeypointLayoutId }[] = COMPARED,
  cellSuffix = '',
): { maxPx: number; worst: string; count: number; perModel: string } {
  let maxPx = 0;
  let worst = 'every keypoint identical';
  let count = 0;
  const perModel: string[] = [];
  for (const model of models) {
    let modelMaxPx = 0;
    let modelSumPx = 0;
    let modelCount = 0;
    const cliResults = JSON.parse(readFileSync(join(outDir, `${model.id}.results.json`), 'utf8')) as CocoResult[];
    for (const image of fixtureImages) {
      const name = nameOf(image);
      const appImage = state.images.find((candidate) => candidate.name === name);
      if (!appImage) throw new Error(`${name} is not in the app`);
      const cell = state.results[`${appImage.id}|${model.id}${cellSuffix}`];
      expect(cell?.status, `${name} × ${model.id}`).toBe('done');
      expect(cell?.backend, `${name} × ${model.id}`).toBe('wasm');
      const browserPoses = (cell?.poses ?? []) as Pose[];
      const nodePoses = cliResults.filter((r) => r.image_id === image.id);
      expect(browserPoses.length, `${name} × ${model.id}: poses in the browser vs Node`).toBe(nodePoses.length);
      browserPoses.forEach((pose, p) => {
        const nodeKeypoints = nodePoses[p]!.keypoints;
        toCoco17(pose, model.layout).keypoints.forEach((point, k) => {
          const nodeX = nodeKeypoints[k * 3]!;
          const nodeY = nodeKeypoints[k * 3 + 1]!;
          const differencePx = Math.hypot(point.x - nodeX, point.y - nodeY);
          count++;
          modelCount++;
          modelSumPx += differencePx;
          modelMaxPx = Math.max(modelMaxPx, differencePx);
          if (differencePx > maxPx) {
            maxPx = differencePx;
            worst = `${name} × ${model.id}, ${point.name}: browser (${point.x.toFixed(3)}, ${point.y.toFixed(3)}) vs Node (${nodeX.toFixed(3)}, ${nodeY.toFixed(3)})`;
          }
        });
      });
    }
    perModel.push(`${model.id} max ${modelMaxPx.toFixed(4)} px, mean ${(modelSumPx / Math.max(1, modelCount)).toFixed(4)} px`);
  }
  return { maxPx, worst, count, perModel: perModel.join('; ') };
}

describe('Node (CLI) and browser keypoints', () => {
  it(`agree within ${MAX_DIFFERENCE_PX} px on the fixture JPEGs and on lossless copies of them (WASM backend)`, async () => {
    if (!app) throw new Error('app did not open');
    const { page } = app;
    await page.getByTestId('backend-select').selectOption('wasm');
    expect(await waitForBackend(page)).toBe('wasm');
    await selectModels(page, COMPARED.map((m) => MODELS.find((known) => known.id === m.id)!.name));
    const pngDir = join(tmp, 'png');
    await page.getByLabel('Add images', { exact: true }).setInputFiles([
      ...fixtureImages.map((image) => join(pngDir, pngName(image.file_name))),
      ...fixtureImages.map((image) => join(PEOPLE_DIR, image.file_name)),
    ]);
    const names = fixtureImages.flatMap((image) => [pngName(image.file_name), image.file_name]);
    await waitForCellsDone(page, names, COMPARED.map((m) => m.id), 240_000);
    const state = await getState(page);
    expect(state.backend.active).toBe('wasm');

    const lossless = compare(state, join(tmp, 'out-png'), (image) => pngName(image.file_name));
    const jpeg = compare(state, join(tmp, 'out-jpeg'), (image) => image.file_name);
    console.log(
      `Node vs browser, ${lossless.count} keypoints each:\n` +
        `  PNG (same pixels): largest difference ${lossless.maxPx.toFixed(4)} px (${lossless.worst}); ${lossless.perModel}\n` +
        `  JPEG (each side decoding the file): largest difference ${jpeg.maxPx.toFixed(4)} px (${jpeg.worst}); ${jpeg.perModel}`,
    );
    // Single-person models give one pose per image (a model that finds nobody must find nobody on both sides).
    expect(lossless.count).toBeGreaterThanOrEqual((COMPARED.length * fixtureImages.length * 17) / 2);
    expect(lossless.maxPx, lossless.worst).toBeLessThanOrEqual(MAX_DIFFERENCE_PX);
    expect(jpeg.count).toBe(lossless.count);
    expect(jpeg.maxPx, jpeg.worst).toBeLessThanOrEqual(MAX_DIFFERENCE_PX);
  });

  it(`agree within ${MAX_DIFFERENCE_PX} px under person crops, for a crop model and a "landmarks given the box" model`, async () => {
    if (!app) throw new Error('app did not open');
    const { page } = app;
    await selectModels(page, COMPARED_CROPS.map((m) => MODELS.find((known) => known.id === m.id)!.name));
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(GT_PATH);
    const names = fixtureImages.map((image) => image.file_name);
    await expect
      .poll(
        async () => {
          const state = await getState(page);
          return names.every((name) => {
            const image = state.images.find((candidate) => candidate.name === name);
            return COMPARED_CROPS.every((m) => image && state.results[`${image.id}|${m.id}|crops`]?.status === 'done');
          });
        },
        { timeout: 240_000, interval: 500 },
      )
      .toBe(true);
    const crops = compare(await getState(page), join(tmp, 'out-crops'), (image) => image.file_name, COMPARED_CROPS, '|crops');
    console.log(`Node vs browser under person crops, ${crops.count} keypoints: largest difference ${crops.maxPx.toFixed(4)} px (${crops.worst}); ${crops.perModel}`);
    expect(crops.count).toBeGreaterThanOrEqual(17 * fixtureImages.length);
    expect(crops.maxPx, crops.worst).toBeLessThanOrEqual(MAX_DIFFERENCE_PX);
  });
});
