// The webcam soak (issue 10.8): the app's live mode on Chromium's fake camera for N frames, with the
// worker's tensor count and bytes (reported after every frame) and the page's JS heap (after a forced GC)
// read once the first frames are warm and again at the end. Nothing should grow.
/* global document */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath, waitForApp } from './app.mjs';
import { mainHeapAfterGc } from './browserBench.mjs';

/** Frames before the first reading: models loaded, kernels compiled, pools filled. */
const WARM_FRAMES = 200;

async function reading(context, page) {
  const stats = await page.evaluate(() => {
    const el = document.querySelector('[data-testid=webcam-stats]');
    const number = (name) => (el?.getAttribute(name) ? Number(el.getAttribute(name)) : null);
    return { frames: number('data-frames') ?? 0, tensors: number('data-tensors'), tensorBytes: number('data-tensor-bytes'), fps: number('data-fps') };
  });
  return { ...stats, pageHeapBytes: await mainHeapAfterGc(context, page) };
}

/** Runs the webcam for `frames` answered frames on the app's default models; `feedPath`: a Y4M or MJPEG file. */
export async function runWebcamSoak({ url, feedPath, frames, timeoutS, log }) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'keypoint-bench-soak-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${feedPath}`],
    viewport: { width: 1400, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await waitForApp(page);
    const startedMs = Date.now();
    await page.getByRole('button', { name: 'Start webcam' }).click();
    const framesNow = () => page.evaluate(() => Number(document.querySelector('[data-testid=webcam-stats]')?.getAttribute('data-frames') ?? 0));
    const waitFor = async (target) => {
      let lastLogMs = Date.now();
      for (;;) {
        const n = await framesNow();
        if (n >= target) return;
        if (Date.now() - startedMs > timeoutS * 1000) throw new Error(`webcam soak: ${n} of ${target} frames after ${timeoutS} s`);
        if (Date.now() - lastLogMs > 30_000) {
          log(`webcam soak: ${n} of ${frames} frames`);
          lastLogMs = Date.now();
        }
        await page.waitForTimeout(500);
      }
    };
    await waitFor(WARM_FRAMES);
    const warm = await reading(context, page);
    const warmAtMs = Date.now();
    await waitFor(frames);
    const end = await reading(context, page);
    const endAtMs = Date.now();
    await page.getByRole('button', { name: 'Stop webcam' }).click().catch(() => undefined);
    const framesPerS = ((end.frames - warm.frames) / (endAtMs - warmAtMs)) * 1000;
    return {
      frames: end.frames,
      warmFrames: warm.frames,
      wallMs: endAtMs - startedMs,
      framesPerS,
      warm,
      end,
      tensorGrowth: warm.tensors !== null && end.tensors !== null ? end.tensors - warm.tensors : null,
      tensorBytesGrowth: warm.tensorBytes !== null && end.tensorBytes !== null ? end.tensorBytes - warm.tensorBytes : null,
      pageHeapGrowthBytes: end.pageHeapBytes !== null && warm.pageHeapBytes !== null ? end.pageHeapBytes - warm.pageHeapBytes : null,
    };
  } finally {
    await context.close().catch(() => undefined);
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
