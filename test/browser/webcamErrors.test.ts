/**
 * The webcam when the camera cannot be had (issue 10.6): permission denied (no fake-UI switch, so
 * headless Chromium refuses the prompt), no camera at all (a fake device factory with zero devices),
 * and a camera that goes away while live (its track ends, as when it is unplugged). Each says what
 * happened in the webcam panel and leaves the page working.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CAMERA_ENDED_TEXT } from '../../src/features/webcam/cameraErrors';
import { BROWSER_FIXTURES_DIR, openApp, type AppSession } from './harness';

const FEED = join(BROWSER_FIXTURES_DIR, 'webcam-person.mjpeg');

const sessions: AppSession[] = [];

afterAll(async () => {
  for (const session of sessions) await session.close();
});

async function open(extraArgs: string[]): Promise<AppSession> {
  const session = await openApp({ extraArgs });
  sessions.push(session);
  return session;
}

/** The webcam panel's alert, once shown. */
async function webcamAlert(app: AppSession): Promise<string> {
  const alert = app.page.getByRole('region', { name: 'Webcam' }).getByRole('alert');
  await alert.waitFor({ timeout: 30_000 });
  return (await alert.textContent()) ?? '';
}

describe('webcam errors', () => {
  it('permission denied: says how to allow it; once allowed the camera starts; unplugged: says so and can start again', async () => {
    if (!existsSync(FEED)) throw new Error(`${FEED} missing: run node test/fixtures/browser/make-webcam-mjpeg.mjs`);
    const app = await open(['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${FEED}`]);
    const { page } = app;
    const start = page.getByRole('button', { name: 'Start webcam' });

    await start.click();
    expect(await webcamAlert(app)).toMatch(/^Camera access was denied\. Allow the camera for this page .*press Start webcam again \(the browser said: NotAllowedError: .+\)\.$/);
    expect(await start.isVisible()).toBe(true);
    expect(await page.getByRole('img', { name: 'Webcam with keypoints' }).count()).toBe(0);

    // The user allows the camera: the next start works and the message goes.
    await app.context.grantPermissions(['camera'], { origin: new URL(app.baseUrl).origin });
    await start.click();
    const canvas = page.getByRole('img', { name: 'Webcam with keypoints' });
    await canvas.waitFor({ timeout: 30_000 });
    expect(await page.getByRole('region', { name: 'Webcam' }).getByRole('alert').count()).toBe(0);

    // Unplugged: the browser ends the track and fires 'ended' (stop() alone fires nothing, so the test fires it too).
    await page.evaluate(() => {
      const stream = document.querySelector<HTMLVideoElement>('.webcam-view video')?.srcObject as MediaStream;
      const [track] = stream.getVideoTracks();
      track?.stop();
      track?.dispatchEvent(new Event('ended'));
    });
    expect(await webcamAlert(app)).toBe(CAMERA_ENDED_TEXT);
    await canvas.waitFor({ state: 'detached' });
    expect(await start.isVisible()).toBe(true);

    // And it starts again.
    await start.click();
    await canvas.waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Stop webcam' }).click();
    await canvas.waitFor({ state: 'detached' });
    expect(app.pageErrors).toEqual([]);
  });

  it('no camera: says none was found', async () => {
    const app = await open(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream=device-count=0']);
    await app.page.getByRole('button', { name: 'Start webcam' }).click();
    expect(await webcamAlert(app)).toMatch(/^No camera was found\. Connect a camera, then press Start webcam again \(the browser said: NotFoundError: .+\)\.$/);
    expect(await app.page.getByRole('button', { name: 'Start webcam' }).isVisible()).toBe(true);
    expect(app.pageErrors).toEqual([]);
  });
});
