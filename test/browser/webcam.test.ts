/**
 * Live webcam mode with Chromium's fake camera fed real frames of a person
 * (test/fixtures/browser/webcam-person.mjpeg, made by make-webcam-mjpeg.mjs next to it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_FIXTURES_DIR, fakeCameraArgs, foreignRequests, getState, openApp, waitForBackend, waitForLiveKeypoints, type AppSession } from './harness';

const FEED = join(BROWSER_FIXTURES_DIR, 'webcam-person.mjpeg');

let app: AppSession;

beforeAll(async () => {
  if (!existsSync(FEED)) throw new Error(`${FEED} missing: run node test/fixtures/browser/make-webcam-mjpeg.mjs`);
  app = await openApp({
    extraArgs: fakeCameraArgs(FEED),
  });
});

afterAll(async () => {
  await app?.close();
});

describe('webcam', () => {
  it('draws keypoints on live frames, reports FPS, and stops', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    const state = await getState(page);
    expect(state.selectedModelIds).toEqual(['movenet-lightning', 'blazepose-lite']);

    await page.getByRole('button', { name: 'Start webcam' }).click();
    const canvas = page.getByRole('img', { name: 'Webcam with keypoints' });
    await canvas.waitFor({ timeout: 30_000 });
    const stats = page.getByTestId('webcam-stats');
    // Frames are drawn with poses on them: FPS over the last 2 s and keypoints in the last frame.
    await waitForLiveKeypoints(page);
    const fps = Number(await stats.getAttribute('data-fps'));
    const keypoints = Number(await stats.getAttribute('data-keypoints'));
    console.log(`webcam: ${fps} FPS, ${keypoints} keypoints drawn; ${await stats.textContent()}`);
    expect(fps).toBeGreaterThan(0);
    // One clearly visible standing man, two models (17 + 33 keypoints): most are above the threshold.
    expect(keypoints).toBeGreaterThanOrEqual(17);
    expect(keypoints).toBeLessThanOrEqual(17 + 33);
    expect(await stats.textContent()).toMatch(/MoveNet SinglePose Lightning \d+(\.\d)? ms/);
    // The canvas shows the 640×480 camera frame.
    expect(await canvas.evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height])).toEqual([640, 480]);

    // Keep a handle on the camera stream to check its tracks after stopping.
    const streamHandle = await page.evaluateHandle(() => document.querySelector<HTMLVideoElement>('.webcam-view video')?.srcObject as MediaStream);
    expect(await streamHandle.evaluate((stream) => stream.getVideoTracks().map((t) => t.readyState))).toEqual(['live']);

    await page.getByRole('button', { name: 'Stop webcam' }).click();
    await canvas.waitFor({ state: 'detached' });
    expect(await stats.count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Start webcam' }).isVisible()).toBe(true);
    // The camera is released: its track has ended.
    expect(await streamHandle.evaluate((stream) => stream.getVideoTracks().map((t) => t.readyState))).toEqual(['ended']);
    expect(await page.getByRole('alert').filter({ hasText: /camera/i }).count()).toBe(0);
  });

  it('made only same-origin requests', () => {
    expect(foreignRequests(app.requests, app.baseUrl)).toEqual([]);
    expect(app.requests.some((url) => url.includes('/models/movenet-lightning'))).toBe(true);
  });
});
