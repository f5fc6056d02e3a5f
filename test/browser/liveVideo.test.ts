/**
 * Live mode shown large, and a video file played through the models (issue 10.9).
 *
 * The video is made in the page at test time (nothing binary is committed): MediaRecorder records a
 * canvas that shows test/fixtures/people/000000234748.jpg (one man standing) as VP8 WebM. The same photo
 * goes through the app's still mode, which gives the independent reference for where the keypoints
 * belong. A recorder in the page (an init script around Worker) sees every estimate request and every
 * reply the inference worker sends, so the test knows which keypoints the model gave for the frame on
 * screen and which timestamps were passed, without asking the app.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { COCO_KEYPOINT_SIGMAS } from '../../src/core/metrics/oks';
import { BROWSER_FIXTURES_DIR, PEOPLE_DIR, dropFiles, fakeCameraArgs, filePayload, getState, openApp, selectModels, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const PHOTO = '000000234748.jpg';
const SECOND_PHOTO = '000000030752.jpg';
const FEED = join(BROWSER_FIXTURES_DIR, 'webcam-person.mjpeg');
/** The recorded video's length; long enough for the checks made while it plays. */
const VIDEO_SECONDS = 8;
/** Black added to the right of the photo in the video. */
const VIDEO_EXTRA_WIDTH_PX = 320;
/** MoveNet SinglePose Lightning's colour on screen (render/palette.ts: the first model's). */
const LIGHTNING_RGB = [0xff, 0x3b, 0x30] as const;
/** The app's default confidence threshold: keypoints below it are not drawn. */
const MIN_SCORE = 0.3;
/**
 * Per-keypoint OKS against the still reference that counts as "the same place" (see tolerancePx): 0.5, the
 * threshold of COCO's AP50. The video path legitimately differs from still mode (pose-detection's crop
 * from the previous frame, its smoothing filter, VP8's loss): measured 2–23 px on this 132 px person, up
 * to OKS 0.65 on an ankle; a mirrored or misplaced overlay is off by far more.
 */
const SAME_PLACE_OKS = 0.5;

interface Keypoint {
  x: number;
  y: number;
  score: number;
}
interface LiveLog {
  requests: { requestId: number; imageKey: string; mode: string; timestampMs: number | null }[];
  poses: { requestId: number; modelId: string; poses: { keypoints: Keypoint[] }[] }[];
  done: number[];
}

const sessions: AppSession[] = [];

afterAll(async () => {
  for (const session of sessions) await session.close();
});

/** Before the app's first script: every Worker's estimate requests and replies are logged on window.__kbLive. */
async function openWithRecorder(extraArgs: string[] = []): Promise<AppSession> {
  const session = await openApp({
    extraArgs,
    beforeGoto: async (context) => {
      await context.addInitScript(() => {
        const log = { requests: [] as unknown[], poses: [] as unknown[], done: [] as number[] };
        (window as unknown as { __kbLive: typeof log }).__kbLive = log;
        const post = Worker.prototype.postMessage;
        Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
          const m = message as { type?: string; requestId: number; imageKey: string; mode: string; timestampMs?: number };
          if (m?.type === 'estimate') log.requests.push({ requestId: m.requestId, imageKey: m.imageKey, mode: m.mode, timestampMs: m.timestampMs ?? null });
          return (post as (...args: unknown[]) => void).call(this, message, ...rest);
        } as typeof Worker.prototype.postMessage;
        const Original = window.Worker;
        window.Worker = class extends Original {
          constructor(url: string | URL, options?: WorkerOptions) {
            super(url, options);
            this.addEventListener('message', (event: MessageEvent) => {
              const m = event.data as { type?: string; requestId: number; modelId: string; poses: unknown };
              if (m?.type === 'poses') log.poses.push({ requestId: m.requestId, modelId: m.modelId, poses: m.poses });
              if (m?.type === 'estimateDone') log.done.push(m.requestId);
            });
          }
        };
      });
    },
  });
  sessions.push(session);
  return session;
}

async function liveLog(page: Page): Promise<LiveLog> {
  return page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { __kbLive: unknown }).__kbLive)) as never);
}

/** Records VIDEO_SECONDS of VP8 WebM in the page: a canvas showing the photo at its top left, a frame every 33 ms. */
async function recordPhotoVideo(page: Page): Promise<Buffer> {
  const photo = filePayload(join(PEOPLE_DIR, PHOTO));
  const base64 = await page.evaluate(
    async ({ photoBase64, seconds, EXTRA_WIDTH_PX }) => {
      const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(photoBase64), (c) => c.charCodeAt(0))], { type: 'image/jpeg' }));
      const canvas = document.createElement('canvas');
      // The photo at the top left, black beside it: image pixels stay video pixels, and the person is off
      // the middle, so a mirrored overlay would land far from him. VP8 wants even sizes (the 425-row photo gets one black row).
      canvas.width = bitmap.width + EXTRA_WIDTH_PX;
      canvas.height = bitmap.height + (bitmap.height % 2);
      const ctx = canvas.getContext('2d');
      if (!ctx) throw new Error('no 2d context');
      const stream = canvas.captureStream(0);
      const [track] = stream.getVideoTracks() as CanvasCaptureMediaStreamTrack[];
      const recorder = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: 4_000_000 });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (event) => chunks.push(event.data);
      const stopped = new Promise((resolve) => (recorder.onstop = resolve));
      recorder.start(500);
      const startedMs = performance.now();
      while (performance.now() - startedMs < seconds * 1000) {
        ctx.fillStyle = '#000';
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(bitmap, 0, 0);
        track?.requestFrame();
        await new Promise((resolve) => setTimeout(resolve, 33));
      }
      recorder.stop();
      await stopped;
      const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(text);
    },
    { photoBase64: photo.base64, seconds: VIDEO_SECONDS, EXTRA_WIDTH_PX: VIDEO_EXTRA_WIDTH_PX },
  );
  return Buffer.from(base64, 'base64');
}

/**
 * Where the dots of one colour are drawn on a canvas, found from its pixels: pixels of the colour whose
 * whole 5×5 neighbourhood is that colour (a dot's inside; bones, 0.6 of a dot's radius wide, have none),
 * gathered within `searchPx` of each expected point; the centroid of those is the drawn dot.
 */
async function drawnDots(page: Page, selector: string, rgb: readonly number[], expected: { x: number; y: number }[], searchPx: number): Promise<({ x: number; y: number } | null)[]> {
  return page.evaluate(
    ({ selector, rgb, expected, searchPx }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(selector);
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) throw new Error(`no canvas ${selector}`);
      const { width, height } = canvas;
      const data = ctx.getImageData(0, 0, width, height).data;
      const isColour = (x: number, y: number) => {
        if (x < 0 || y < 0 || x >= width || y >= height) return false;
        const i = (y * width + x) * 4;
        return Math.abs((data[i] ?? 0) - (rgb[0] ?? 0)) <= 40 && Math.abs((data[i + 1] ?? 0) - (rgb[1] ?? 0)) <= 40 && Math.abs((data[i + 2] ?? 0) - (rgb[2] ?? 0)) <= 40;
      };
      const inside = (x: number, y: number) => {
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) if (!isColour(x + dx, y + dy)) return false;
        return true;
      };
      return expected.map((p) => {
        let sx = 0;
        let sy = 0;
        let n = 0;
        for (let y = Math.floor(p.y - searchPx); y <= Math.ceil(p.y + searchPx); y++) {
          for (let x = Math.floor(p.x - searchPx); x <= Math.ceil(p.x + searchPx); x++) {
            if ((x - p.x) ** 2 + (y - p.y) ** 2 > searchPx ** 2 || !inside(x, y)) continue;
            sx += x + 0.5;
            sy += y + 0.5;
            n++;
          }
        }
        return n > 0 ? { x: sx / n, y: sy / n } : null;
      });
    },
    { selector, rgb, expected, searchPx },
  );
}

async function boxWidth(page: Page, selector: string): Promise<number> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} not on screen`);
  return box.width;
}

async function framesAnswered(page: Page): Promise<number> {
  return Number(await page.getByTestId('webcam-stats').getAttribute('data-frames'));
}

const MAIN_VIDEO_CANVAS = 'main canvas[aria-label="Video with keypoints"]';

describe('live view large, and a video file through the models', () => {
  it('plays a video through the live pipeline: frames answered, keypoints drawn where the model put them, increasing video timestamps, pause, the end hands back to the gallery', async () => {
    const app = await openWithRecorder();
    const { page } = app;
    const video = await recordPhotoVideo(page);
    console.log(`live video: recorded ${VIDEO_SECONDS} s of VP8 WebM, ${video.length} bytes`);
    expect(await waitForBackend(page)).toBe('wasm');
    await selectModels(page, ['MoveNet SinglePose Lightning']);

    // The independent reference: the same model on the same photo in still mode, through the gallery.
    await dropFiles(page, [filePayload(join(PEOPLE_DIR, PHOTO))]);
    await waitForCellsDone(page, [PHOTO], ['movenet-lightning'], 120_000);
    const still = await getState(page);
    const photoId = still.images.find((i) => i.name === PHOTO)?.id ?? '';
    const reference = (still.results[`${photoId}|movenet-lightning`]?.poses as { keypoints: Keypoint[] }[] | undefined)?.[0]?.keypoints ?? [];
    expect(reference).toHaveLength(17);

    // Tolerance from the reference itself: COCO's OKS per keypoint, with the person's area taken as the
    // box around the reference's keypoints. A keypoint within tolerancePx[k] of the reference has a
    // per-keypoint OKS of at least SAME_PLACE_OKS.
    const sure = reference.filter((k) => k.score >= MIN_SCORE);
    const areaPx2 = (Math.max(...sure.map((k) => k.x)) - Math.min(...sure.map((k) => k.x))) * (Math.max(...sure.map((k) => k.y)) - Math.min(...sure.map((k) => k.y)));
    const tolerancePx = COCO_KEYPOINT_SIGMAS.map((sigma) => Math.sqrt(2 * Math.log(1 / SAME_PLACE_OKS) * (2 * sigma) ** 2 * areaPx2));
    console.log(`live video: reference person ${Math.sqrt(areaPx2).toFixed(0)} px (√area); tolerance ${Math.min(...tolerancePx).toFixed(1)}–${Math.max(...tolerancePx).toFixed(1)} px`);

    // Play the file: it opens large, in the main area.
    await page.locator('input[type=file][accept="video/*"]').setInputFiles({ name: 'person.webm', mimeType: 'video/webm', buffer: video });
    await page.locator(MAIN_VIDEO_CANVAS).waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=webcam-stats]')?.getAttribute('data-frames')) >= 5, undefined, { timeout: 60_000, polling: 100 });
    expect(await page.getByTestId('webcam-stats').getAttribute('data-source')).toBe('file');
    const largeWidth = await boxWidth(page, MAIN_VIDEO_CANVAS);
    await page.getByRole('button', { name: 'Show small' }).click();
    const tileWidth = await boxWidth(page, 'aside canvas[aria-label="Video with keypoints"]');
    expect(await page.locator(MAIN_VIDEO_CANVAS).count()).toBe(0);
    await page.getByRole('button', { name: 'Show large' }).click();
    await page.locator(MAIN_VIDEO_CANVAS).waitFor();
    console.log(`live video: canvas ${largeWidth.toFixed(0)} px wide large, ${tileWidth.toFixed(0)} px in the sidebar`);
    expect(largeWidth).toBeGreaterThanOrEqual(2 * tileWidth);

    // Pause: once the frame in flight is answered, no request follows.
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Play' }).waitFor();
    const settled = async () => {
      const log = await liveLog(page);
      const sent = log.requests.filter((r) => r.imageKey.startsWith('webcam:file:'));
      return sent.every((r) => log.done.includes(r.requestId)) ? sent.length : -1;
    };
    await expect.poll(settled, { timeout: 10_000 }).toBeGreaterThan(0);
    const sentAtPause = await settled();
    await page.waitForTimeout(1500);
    expect(await settled()).toBe(sentAtPause);

    // Every frame went as video, with the video's own time: increasing, within the file's length.
    const log = await liveLog(page);
    const frames = log.requests.filter((r) => r.imageKey.startsWith('webcam:file:'));
    expect(frames.every((r) => r.mode === 'video')).toBe(true);
    const stamps = frames.map((r) => r.timestampMs ?? NaN);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]).toBeGreaterThan(stamps[i - 1] ?? Infinity);
    expect(stamps[0]).toBeGreaterThanOrEqual(0);
    expect(stamps.at(-1)).toBeLessThanOrEqual(VIDEO_SECONDS * 1000 + 500);
    console.log(`live video: ${frames.length} frames sent at pause, video time ${stamps[0]?.toFixed(0)}–${stamps.at(-1)?.toFixed(0)} ms`);

    // The frame on screen is the last one answered; its keypoints are the worker's reply to that request.
    const last = frames.at(-1);
    const answer = log.poses.find((p) => p.requestId === last?.requestId && p.modelId === 'movenet-lightning')?.poses[0]?.keypoints ?? [];
    expect(answer).toHaveLength(17);
    // Body keypoints drawn, and apart from every other drawn dot (overlapping dots hide each other's middles).
    const drawnIndices = answer
      .map((k, i) => ({ k, i }))
      .filter(({ k, i }) => i >= 5 && k.score >= MIN_SCORE && answer.every((o, j) => j === i || o.score < MIN_SCORE || Math.hypot(o.x - k.x, o.y - k.y) >= 12))
      .map(({ i }) => i);
    expect(drawnIndices.length).toBeGreaterThanOrEqual(6);
    const dots = await drawnDots(page, MAIN_VIDEO_CANVAS, LIGHTNING_RGB, drawnIndices.map((i) => answer[i] as Keypoint), 6);
    const measured = drawnIndices.map((k, n) => {
      const dot = dots[n];
      const model = answer[k] as Keypoint;
      const ref = reference[k] as Keypoint;
      return {
        k,
        model,
        toModel: dot ? Math.hypot(dot.x - model.x, dot.y - model.y) : Infinity,
        toReference: dot ? Math.hypot(dot.x - ref.x, dot.y - ref.y) : Infinity,
      };
    });
    console.log(
      `live video: drawn dots\n  ${measured.map((m) => `${m.k}: ${m.toModel.toFixed(2)} px from the frame's answer, ${m.toReference.toFixed(1)} px from still mode (tolerance ${tolerancePx[m.k]?.toFixed(1)})`).join('\n  ')}`,
    );
    // The tolerance tells a right overlay from a mirrored one: mirrored, most of these dots would lie outside it.
    const frameWidth = await page.locator(MAIN_VIDEO_CANVAS).evaluate((c) => (c as HTMLCanvasElement).width);
    const mirroredOutside = measured.filter((m) => Math.hypot(frameWidth - (reference[m.k]?.x ?? 0) - (reference[m.k]?.x ?? 0), 0) > (tolerancePx[m.k] ?? 0));
    expect(mirroredOutside.length).toBe(measured.length);
    for (const m of measured) {
      // Drawn where the model said, on this frame (not mirrored: a recorded video is shown as recorded)...
      expect(m.toModel, `keypoint ${m.k}: drawn dot vs the model's (${m.model.x.toFixed(1)}, ${m.model.y.toFixed(1)})`).toBeLessThanOrEqual(1.5);
      // ...and where the still reference puts it.
      expect(m.toReference, `keypoint ${m.k}: drawn dot vs still mode`).toBeLessThanOrEqual(tolerancePx[m.k] ?? 0);
    }

    // While live, the batch waits: a photo added now is not run...
    await dropFiles(page, [filePayload(join(PEOPLE_DIR, SECOND_PHOTO))]);
    await page.waitForTimeout(2000);
    const secondId = (await getState(page)).images.find((i) => i.name === SECOND_PHOTO)?.id ?? '';
    expect((await getState(page)).results[`${secondId}|movenet-lightning`]?.status).not.toBe('done');

    // ...until the video plays to its end: live mode ends and the gallery runs it.
    const framesBefore = await framesAnswered(page);
    await page.getByRole('button', { name: 'Play' }).click();
    await page.locator(MAIN_VIDEO_CANVAS).waitFor({ state: 'detached', timeout: (VIDEO_SECONDS + 60) * 1000 });
    const afterLog = await liveLog(page);
    expect(afterLog.requests.filter((r) => r.imageKey.startsWith('webcam:file:')).length).toBeGreaterThan(sentAtPause);
    expect(await page.getByRole('region', { name: 'Live view' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Play a video file…' }).isVisible()).toBe(true);
    await waitForCellsDone(page, [PHOTO, SECOND_PHOTO], ['movenet-lightning'], 120_000);
    console.log(`live video: ${framesBefore} frames answered at pause, ${afterLog.requests.filter((r) => r.imageKey.startsWith('webcam:file:')).length} sent in all`);

    // A file that is not a video: one clear message in the panel, nothing left live.
    await page.locator('input[type=file][accept="video/*"]').setInputFiles({ name: 'holiday.webm', mimeType: 'video/webm', buffer: Buffer.from('these are my holiday notes, not a video\n') });
    const alert = page.getByRole('region', { name: 'Webcam' }).getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toMatch(/^This browser cannot play “holiday\.webm”: it is not a video, or its format or codec is not one this browser decodes\. Convert it to WebM/);
    expect(await page.locator('canvas[aria-label="Video with keypoints"]').count()).toBe(0);
    expect(app.pageErrors).toEqual([]);
  });

  it('shows the webcam large in the main area, keypoints on it, and Esc puts it back in the sidebar', async () => {
    if (!existsSync(FEED)) throw new Error(`${FEED} missing: run node test/fixtures/browser/make-webcam-mjpeg.mjs`);
    const app = await openWithRecorder(fakeCameraArgs(FEED));
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    await page.getByRole('button', { name: 'Start webcam' }).click();
    const tile = 'aside canvas[aria-label="Webcam with keypoints"]';
    const large = 'main canvas[aria-label="Webcam with keypoints"]';
    await page.locator(tile).waitFor({ timeout: 30_000 });
    const tileWidth = await boxWidth(page, tile);

    await page.getByRole('button', { name: 'Show large' }).click();
    await page.locator(large).waitFor();
    expect(await page.locator(tile).count()).toBe(0);
    const largeWidth = await boxWidth(page, large);
    console.log(`live webcam: canvas ${largeWidth.toFixed(0)} px wide large, ${tileWidth.toFixed(0)} px in the sidebar`);
    expect(largeWidth).toBeGreaterThanOrEqual(2 * tileWidth);
    // Frames go on being answered and drawn with keypoints while large.
    const framesAtLarge = await framesAnswered(page);
    await page.waitForFunction(
      (from) => {
        const el = document.querySelector('main [data-testid=webcam-stats]');
        return Number(el?.getAttribute('data-frames')) >= from + 3 && Number(el?.getAttribute('data-keypoints')) > 0;
      },
      framesAtLarge,
      { timeout: 60_000, polling: 250 },
    );
    // The gallery is not shown meanwhile; the large view has the focus, so Esc leaves it.
    expect(await page.getByRole('region', { name: 'Live view' }).evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await page.locator(tile).waitFor();
    expect(await page.locator(large).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Live view' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Stop webcam' }).click();
    await page.locator(tile).waitFor({ state: 'detached' });
    expect(app.pageErrors).toEqual([]);
  });
});
