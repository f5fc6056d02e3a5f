/**
 * Failures the app must survive (issue 10.6): weight files that are corrupt or missing, and a backend
 * that cannot start. Chromium runs with the GPU and its software fallback turned off
 * (--disable-gpu --disable-software-rasterizer), so WebGL and WebGPU really cannot start here, while
 * WASM runs as usual. Weight files are spoiled on the wire with context.route, which also sees the
 * inference worker's requests (and the service worker's): the routes are in place before the page first
 * loads, since the service worker keeps every weight file it has seen intact and serves it from then on.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleMessage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE_DIR, REPO_ROOT, dropFiles, filePayload, getState, openApp, selectModels, waitForBackend, type AppSession, type StateSnapshot } from './harness';

const IMAGES = ['000000121181.jpg', '000000030752.jpg', '000000463557.jpg'];
const MANIFEST = JSON.parse(readFileSync(join(REPO_ROOT, 'models', 'manifest.json'), 'utf8')) as { models: { id: string; files: { name: string; sha256: string }[] }[] };
const manifestSha = (name: string) => MANIFEST.models.flatMap((m) => m.files).find((f) => f.name === name)?.sha256 ?? '';

let app: AppSession;
/** Every console message of the page and its workers, warnings included (tfjs logs its failures as warnings). */
const consoleLines: string[] = [];
/** MoveNet Lightning's weights with one byte flipped: the size is right, the weights are not. */
const CORRUPT = (() => {
  const bytes = Buffer.from(readFileSync(join(REPO_ROOT, 'models', 'movenet-lightning.bin')));
  bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
  return bytes;
})();
const served = { corrupt: 0, missing: 0 };

beforeAll(async () => {
  app = await openApp({
    extraArgs: ['--disable-gpu', '--disable-software-rasterizer'],
    // Both files belong to the models ticked at first open, so their first load already meets the routes.
    beforeGoto: async (context) => {
      await context.route('**/models/movenet-lightning.bin', (route) => {
        served.corrupt++;
        return route.fulfill({ status: 200, contentType: 'application/octet-stream', body: CORRUPT });
      });
      await context.route('**/models/blazepose-lite.bin', (route) => {
        served.missing++;
        return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
      });
    },
  });
  app.page.on('console', (message: ConsoleMessage) => consoleLines.push(`${message.type()}: ${message.text()}`));
});

afterAll(async () => {
  await app?.close();
});

/** Cells of the given images (by name) and model, from the store. */
function cellsOf(state: StateSnapshot, modelId: string) {
  const ids = new Set(state.images.filter((im) => IMAGES.includes(im.name)).map((im) => im.id));
  return Object.entries(state.results)
    .filter(([key]) => ids.has(key.split('|')[0] ?? '') && key.split('|')[1] === modelId)
    .map(([, cell]) => cell);
}

async function waitForState(predicate: (state: StateSnapshot) => boolean, what: string, timeoutMs = 120_000): Promise<StateSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await getState(app.page);
    if (predicate(state)) return state;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s; last state: ${JSON.stringify({ backend: state.backend, notices: state.notices, results: state.results }).slice(0, 3000)}`);
    await app.page.waitForTimeout(250);
  }
}

const allSettled = (state: StateSnapshot, modelIds: string[]) =>
  modelIds.every((id) => {
    const cells = cellsOf(state, id);
    return cells.length === IMAGES.length && cells.every((c) => c.status === 'done' || c.status === 'error');
  });

describe('failures', () => {
  it('a corrupt weight file fails its model naming the file and both hashes, a missing one names the file and the 404; the other models run', async () => {
    const { page, context } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    const corruptSha = createHash('sha256').update(CORRUPT).digest('hex');
    await selectModels(page, ['MoveNet SinglePose Lightning', 'MoveNet SinglePose Thunder', 'BlazePose lite']);
    await dropFiles(page, IMAGES.map((name) => filePayload(join(PEOPLE_DIR, name))));
    const state = await waitForState((s) => allSettled(s, ['movenet-lightning', 'movenet-thunder', 'blazepose-lite']), 'every cell done or failed');
    // The routes really served the inference worker's requests.
    expect(served.corrupt).toBeGreaterThan(0);
    expect(served.missing).toBeGreaterThan(0);

    const lightning = cellsOf(state, 'movenet-lightning');
    expect(lightning.map((c) => c.status)).toEqual(IMAGES.map(() => 'error'));
    for (const cell of lightning) {
      expect(cell.error).toContain('movenet-lightning.bin');
      expect(cell.error).toContain(corruptSha);
      expect(cell.error).toContain(manifestSha('movenet-lightning.bin'));
    }
    const blazepose = cellsOf(state, 'blazepose-lite');
    expect(blazepose.map((c) => c.status)).toEqual(IMAGES.map(() => 'error'));
    for (const cell of blazepose) expect(cell.error).toMatch(/blazepose-lite\.bin could not be loaded: the server answered 404/);
    // The model that was served intact runs on every image.
    const thunder = cellsOf(state, 'movenet-thunder');
    expect(thunder.map((c) => c.status)).toEqual(IMAGES.map(() => 'done'));
    expect(thunder.every((c) => c.poses.length > 0)).toBe(true);
    // Said where it happened: in the model list's notices, by file name.
    const notices = state.notices.filter((n) => n.area === 'models').map((n) => n.message);
    expect(notices.some((m) => m.includes('movenet-lightning.bin') && m.includes(corruptSha))).toBe(true);
    expect(notices.some((m) => m.includes('blazepose-lite.bin') && m.includes('404'))).toBe(true);
    await expect.poll(() => page.getByText(/movenet-lightning\.bin is corrupt/).count()).toBeGreaterThan(0);

    await context.unroute('**/models/movenet-lightning.bin');
    await context.unroute('**/models/blazepose-lite.bin');
    // Unticking drops the failed cells; ticking again loads the intact file (the service worker never kept the corrupt one).
    await selectModels(page, []);
    await selectModels(page, ['MoveNet SinglePose Lightning']);
  });

  for (const [choice, label] of [
    ['webgpu', 'WebGPU'],
    ['webgl', 'WebGL'],
  ] as const) {
    it(`choosing ${label} where it cannot start says so, falls back to Auto, clears the old backend's results and logs no error`, async () => {
      const { page } = app;
      const before = await waitForState((s) => s.backend.status === 'ready' && allSettled(s, ['movenet-lightning']), 'Lightning done on every image');
      expect(before.backend.active).toBe('wasm');
      expect(cellsOf(before, 'movenet-lightning').every((c) => c.status === 'done' && c.backend === 'wasm')).toBe(true);
      const noticesBefore = before.notices.length;
      const consoleBefore = consoleLines.length;
      const errorsBefore = app.pageErrors.length;
      // The fewest finished cells on screen from now on: the old backend's results must leave the view.
      await page.evaluate(() => {
        const w = window as unknown as { minDoneCells: number };
        const count = () => document.querySelectorAll('.cell[data-status=done]').length;
        w.minDoneCells = count();
        new MutationObserver(() => {
          w.minDoneCells = Math.min(w.minDoneCells, count());
        }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
      });
      expect(await page.evaluate(() => (window as unknown as { minDoneCells: number }).minDoneCells)).toBeGreaterThanOrEqual(IMAGES.length);

      await page.getByTestId('backend-select').selectOption(choice);
      const after = await waitForState(
        (s) => s.notices.length > noticesBefore && s.backend.status === 'ready' && allSettled(s, ['movenet-lightning']),
        `${label} refused, Auto back and Lightning done again`,
      );
      const notice = after.notices.slice(noticesBefore).find((n) => n.area === 'backend');
      expect(notice?.message).toMatch(new RegExp(`^${label} could not start: .+\\. Switched to Auto`));
      expect(notice?.message).not.toMatch(/TypeError|undefined|null/);
      await expect.poll(() => page.getByText(`${label} could not start`).count()).toBeGreaterThan(0);
      // The picker shows what is in use now: Auto, on WASM.
      expect(await page.getByTestId('backend-select').inputValue()).toBe('auto');
      expect(after.backend).toMatchObject({ choice: 'auto', active: 'wasm', status: 'ready', error: null });
      // The results of the backend in use before were taken off screen, then computed again.
      expect(await page.evaluate(() => (window as unknown as { minDoneCells: number }).minDoneCells)).toBe(0);
      expect(cellsOf(after, 'movenet-lightning').every((c) => c.status === 'done' && c.backend === 'wasm')).toBe(true);
      // No uncaught error, no console error, and not tfjs's own TypeError warning.
      expect(app.pageErrors.slice(errorsBefore)).toEqual([]);
      expect(consoleLines.slice(consoleBefore).filter((line) => /^error|TypeError|Initialization of backend/.test(line))).toEqual([]);
    });
  }
});
