/**
 * The inference worker stops mid-batch and the batch still finishes (issue 10.6): the worker closes
 * itself (as a crash or out-of-memory kill would: no error event reaches the page), throws an uncaught
 * error, loses its WebGL context, or loses its WebGPU device. Each is done from inside the real worker
 * through Playwright's handle on it, so the app has no test hook for it. WebGL and WebGPU run on
 * SwiftShader here.
 */
import { join } from 'node:path';
import type { Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE_DIR, dropFiles, filePayload, getState, openApp, selectModels, waitForBackend, type AppSession, type StateSnapshot } from './harness';

const ALL_IMAGES = ['000000000790.jpg', '000000027731.jpg', '000000030752.jpg', '000000121181.jpg', '000000126995.jpg', '000000129648.jpg', '000000234748.jpg', '000000463557.jpg'];

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

/** The inference worker now running (the newest, once a restart has made another). */
function inferenceWorker(): Worker {
  const workers = app.page.workers().filter((w) => w.url().includes('inferenceWorker'));
  const worker = workers[workers.length - 1];
  if (!worker) throw new Error(`no inference worker among ${app.page.workers().map((w) => w.url()).join(', ')}`);
  return worker;
}

async function waitForState(predicate: (state: StateSnapshot) => boolean, what: string, timeoutMs: number): Promise<StateSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await getState(app.page);
    if (predicate(state)) return state;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not reached within ${timeoutMs / 1000} s; last state: ${JSON.stringify({ backend: state.backend, batch: state.batch, notices: state.notices, results: state.results }).slice(0, 3000)}`);
    }
    await app.page.waitForTimeout(100);
  }
}

const cells = (state: StateSnapshot) => Object.values(state.results);

/**
 * Drops `images`, waits until at least one cell is done and some are running, stops the worker with
 * `kill` (run inside it), and expects a new worker, one notice saying what happened, and every cell
 * done on `backend` with no error.
 */
async function stopMidBatch(images: string[], modelIds: string[], backend: string, kill: () => void, reason: RegExp, timeoutMs: number): Promise<void> {
  const { page } = app;
  if ((await getState(page)).images.length > 0) await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await waitForState((s) => s.images.length === 0 && s.backend.status === 'ready', 'cleared', 30_000);
  const noticesBefore = (await getState(page)).notices.length;
  const errorsBefore = app.pageErrors.length;
  const oldWorker = inferenceWorker();
  await dropFiles(page, images.map((name) => filePayload(join(PEOPLE_DIR, name))));
  const atKill = await waitForState(
    (s) => cells(s).some((c) => c.status === 'done') && cells(s).some((c) => c.status === 'running'),
    'some cells done, some running',
    timeoutMs,
  );
  await oldWorker.evaluate(kill).catch(() => undefined); // the worker may be gone before it answers
  const running = cells(atKill).filter((c) => c.status === 'running').length;

  const total = images.length * modelIds.length;
  const done = await waitForState(
    (s) => cells(s).length === total && cells(s).every((c) => c.status === 'done' || c.status === 'error') && s.batch.done === s.batch.total,
    'every cell settled and the batch counted',
    timeoutMs,
  );
  // The batch finished: every cell done, on the same backend, none failed.
  expect(cells(done).filter((c) => c.status !== 'done')).toEqual([]);
  expect(new Set(cells(done).map((c) => c.backend))).toEqual(new Set([backend]));
  expect(done.batch).toMatchObject({ total: images.length, done: images.length });
  expect(done.backend).toMatchObject({ active: backend, status: 'ready' });
  // A fresh worker took over, and the page said so once, in plain words.
  expect(inferenceWorker()).not.toBe(oldWorker);
  const notices = done.notices.slice(noticesBefore).map((n) => n.message);
  expect(notices).toHaveLength(1);
  expect(notices[0]).toMatch(/^The inference worker stopped: /);
  expect(notices[0]).toMatch(reason);
  expect(notices[0]).toMatch(/Started a new one and queued again the \d+ results? it was working on\./);
  expect(running).toBeGreaterThan(0);
  expect(app.pageErrors.slice(errorsBefore).filter((line) => line.startsWith('pageerror'))).toEqual([]);
}

describe('recovery from a stopped worker', () => {
  it('WASM: the worker closes itself mid-batch (as a crash would): a new worker finishes the batch', async () => {
    expect(await waitForBackend(app.page)).toBe('wasm');
    await selectModels(app.page, ['MoveNet SinglePose Thunder', 'BlazePose heavy']);
    await stopMidBatch(ALL_IMAGES, ['movenet-thunder', 'blazepose-heavy'], 'wasm', () => setTimeout(() => self.close(), 0), /stopped \(crashed or ran out of memory\)/, 180_000);
  });

  it('WASM: an uncaught error in the worker mid-batch: a new worker finishes the batch', async () => {
    await stopMidBatch(
      ALL_IMAGES,
      ['movenet-thunder', 'blazepose-heavy'],
      'wasm',
      () =>
        setTimeout(() => {
          throw new Error('thrown by the recovery test');
        }, 0),
      /threw .*thrown by the recovery test/,
      180_000,
    );
  });

  it('WebGL: the context is lost mid-batch: a new worker finishes the batch on WebGL', async () => {
    await selectModels(app.page, ['MoveNet SinglePose Lightning']);
    await app.page.getByTestId('backend-select').selectOption('webgl');
    await waitForState((s) => s.backend.active === 'webgl' && s.backend.status === 'ready', 'WebGL ready', 120_000);
    await stopMidBatch(
      ALL_IMAGES.slice(0, 6),
      ['movenet-lightning'],
      'webgl',
      () => {
        // tfjs keeps its engine on the global object; its WebGL backend holds the context it draws with.
        const engine = (self as unknown as { _tfengine: { findBackend: (name: string) => { gpgpu: { gl: WebGL2RenderingContext } } } })._tfengine;
        engine.findBackend('webgl').gpgpu.gl.getExtension('WEBGL_lose_context')?.loseContext();
      },
      /the WebGL context was lost/,
      300_000,
    );
  });

  it('WebGPU: the device is lost mid-batch: a new worker finishes the batch on WebGPU', async () => {
    await app.page.getByTestId('backend-select').selectOption('webgpu');
    await waitForState((s) => s.backend.active === 'webgpu' && s.backend.status === 'ready', 'WebGPU ready', 120_000);
    await stopMidBatch(
      ALL_IMAGES.slice(0, 2),
      ['movenet-lightning'],
      'webgpu',
      () => {
        const engine = (self as unknown as { _tfengine: { findBackend: (name: string) => { device: GPUDevice } } })._tfengine;
        engine.findBackend('webgpu').device.destroy();
      },
      /the WebGPU device was lost/,
      400_000,
    );
  });
});
