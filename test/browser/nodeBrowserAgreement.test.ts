/**
 * Node and browser agree: on the fixture photos, with the WASM backend on both sides, the keypoints of the
 * `keypoint-bench` CLI (Node: jpeg-js decoding, tfjs-backend-wasm) equal the app's (Chromium: createImageBitmap,
 * the inference worker) within 0.5 px, for MoveNet Lightning and BlazePose lite (the app's default selection),
 * whole-image protocol.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCoco17 } from '../../src/core/keypointMapping';
import type { KeypointLayoutId, Pose } from '../../src/core/types';
import { MODELS, PEOPLE_DIR, REPO_ROOT, getState, openApp, selectModels, waitForBackend, waitForCellsDone, type AppSession } from './harness';

/** The app's default selection, with their keypoint layouts. */
const COMPARED: readonly { id: string; layout: KeypointLayoutId }[] = [
  { id: 'movenet-lightning', layout: 'coco17' },
  { id: 'blazepose-lite', layout: 'blazepose33' },
];
const MAX_DIFFERENCE_PX = 0.5;

interface CocoResult {
  image_id: number;
  keypoints: number[];
  score: number;
}

interface FixtureImage {
  id: number;
  file_name: string;
}

const fixtureImages = (JSON.parse(readFileSync(join(PEOPLE_DIR, 'annotations.json'), 'utf8')) as { images: FixtureImage[] }).images;

function runCli(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'keypoint-bench.mjs'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

let outDir: string;
let app: AppSession | null = null;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'keypoint-bench-agreement-'));
  // Node first, then the browser: the two never compete for the cores.
  const cli = await runCli([
    'eval', '--images', PEOPLE_DIR, '--gt', join(PEOPLE_DIR, 'annotations.json'),
    '--models', COMPARED.map((m) => m.id).join(','), '--protocol', 'whole', '--out', outDir,
  ]);
  if (cli.status !== 0) throw new Error(`keypoint-bench eval failed (${cli.status}):\n${cli.stderr}`);
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('Node (CLI) and browser keypoints', () => {
  it(`agree within ${MAX_DIFFERENCE_PX} px on every fixture photo (WASM backend)`, async () => {
    if (!app) throw new Error('app did not open');
    const { page } = app;
    await page.getByTestId('backend-select').selectOption('wasm');
    expect(await waitForBackend(page)).toBe('wasm');
    const names = COMPARED.map((m) => MODELS.find((known) => known.id === m.id)!.name);
    await selectModels(page, names);
    await page.getByLabel('Add images', { exact: true }).setInputFiles(fixtureImages.map((image) => join(PEOPLE_DIR, image.file_name)));
    await waitForCellsDone(page, fixtureImages.map((image) => image.file_name), COMPARED.map((m) => m.id), 240_000);
    const state = await getState(page);
    expect(state.backend.active).toBe('wasm');

    let maxDifferencePx = 0;
    let worst = '';
    let compared = 0;
    for (const model of COMPARED) {
      const cliResults = JSON.parse(readFileSync(join(outDir, `${model.id}.results.json`), 'utf8')) as CocoResult[];
      for (const image of fixtureImages) {
        const appImage = state.images.find((candidate) => candidate.name === image.file_name);
        if (!appImage) throw new Error(`${image.file_name} is not in the app`);
        const cell = state.results[`${appImage.id}|${model.id}`];
        expect(cell?.status, `${image.file_name} × ${model.id}`).toBe('done');
        expect(cell?.backend).toBe('wasm');
        const browserPoses = (cell?.poses ?? []) as Pose[];
        const nodePoses = cliResults.filter((r) => r.image_id === image.id);
        expect(browserPoses.length, `${image.file_name} × ${model.id}: poses in the browser vs Node`).toBe(nodePoses.length);
        browserPoses.forEach((pose, p) => {
          const browserPoints = toCoco17(pose, model.layout).keypoints;
          const nodeKeypoints = nodePoses[p]!.keypoints;
          browserPoints.forEach((point, k) => {
            const differencePx = Math.hypot(point.x - nodeKeypoints[k * 3]!, point.y - nodeKeypoints[k * 3 + 1]!);
            compared++;
            if (differencePx > maxDifferencePx) {
              maxDifferencePx = differencePx;
              worst = `${image.file_name} × ${model.id}, pose ${p}, ${point.name}: browser (${point.x.toFixed(3)}, ${point.y.toFixed(3)}) vs Node (${nodeKeypoints[k * 3]!.toFixed(3)}, ${nodeKeypoints[k * 3 + 1]!.toFixed(3)})`;
            }
          });
        });
      }
    }
    console.log(`Node vs browser: ${compared} keypoints compared, largest difference ${maxDifferencePx.toFixed(4)} px (${worst || 'none'})`);
    expect(compared).toBeGreaterThanOrEqual(COMPARED.length * fixtureImages.length * 17);
    expect(maxDifferencePx, worst).toBeLessThanOrEqual(MAX_DIFFERENCE_PX);
  });
});
