/**
 * End-to-end harness: serves the production build (dist/, built beforehand by `npm run build`) with
 * scripts/serve.mjs on a free port, drives Debian's Chromium with playwright-core, and records every
 * request the page (and its workers) makes. Builds nothing itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { findChromium } from '../../scripts/chromium.mjs';
import type { CellResult, ImageItem } from '../../src/store/types';
import { layoutById, type LayoutKind } from '../../src/core/layouts';
import { MODELS as MANIFEST_MODELS } from '../../src/inference/modelCatalogue';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const DIST_DIR = join(REPO_ROOT, 'dist');
export const PEOPLE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'people');
export const ROTATED_DIR = join(REPO_ROOT, 'test', 'fixtures', 'rotated');
export const BROWSER_FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures', 'browser');

/**
 * The models' display names, in the app's order, with their ids, from the manifest (the one place model ids live);
 * `givenBox`: a "landmarks given the box" variant, which runs only under person crops with ground truth; `kind`:
 * what its layout covers (body, hand, face).
 */
export const MODELS: readonly { id: string; name: string; givenBox?: true; kind: LayoutKind; runtime: string }[] = MANIFEST_MODELS.map((m) => ({
  id: m.id,
  name: m.displayName,
  runtime: m.runtime,
  ...(m.personInput === 'box' ? { givenBox: true as const } : {}),
  kind: layoutById(m.keypointLayout).kind,
}));

/** The body models: the ones COCO person ground truth can score. */
export const BODY_MODELS = MODELS.filter((m) => m.kind === 'body');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

/** CHROMIUM_PATH or a standard install, looked up as `npm test`'s first step does (scripts/chromium.mjs). */
/** Chromium's fake camera, fed the frames of `feedPath` (Y4M or MJPEG), with permission granted. */
export const fakeCameraArgs = (feedPath: string): string[] => ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${feedPath}`];

/** Waits until the live view draws frames with poses on them: FPS over the last 2 s and keypoints in the last frame. */
export async function waitForLiveKeypoints(page: Page, timeoutMs = 120_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const el = document.querySelector('[data-testid=webcam-stats]');
      return Number(el?.getAttribute('data-fps')) > 0 && Number(el?.getAttribute('data-keypoints')) > 0;
    },
    undefined,
    { timeout: timeoutMs, polling: 250 },
  );
}

export function chromiumPath(): string {
  const { path, problem } = findChromium();
  if (path === null) throw new Error(problem);
  return path;
}

/** What the tests read from `window.keypointBench.getState()` (plain, serialisable parts only). */
export interface StateSnapshot {
  images: Pick<ImageItem, 'id' | 'name' | 'widthPx' | 'heightPx' | 'status' | 'error'>[];
  results: Record<string, Omit<CellResult, 'requestId'>>;
  backend: { choice: string; active: string | null; status: string; error: string | null };
  selectedModelIds: string[];
  visibleImageIds: string[];
  focusedImageId: string | null;
  notices: { area: string; message: string }[];
  batch: { total: number; done: number };
}

export interface AppSession {
  baseUrl: string;
  context: BrowserContext;
  page: Page;
  /** Every request URL seen so far, page and workers, in order. */
  requests: string[];
  /** Page errors and console errors, for failure messages. */
  pageErrors: string[];
  /** Stops scripts/serve.mjs (the page stays open): nothing can come from the network after this. */
  stopServer: () => void;
  close: () => Promise<void>;
}

export interface SessionOptions {
  /** Extra Chromium switches, e.g. the fake camera ones. */
  extraArgs?: string[];
  viewport?: { width: number; height: number };
  /** Runs before the first navigation, e.g. to add init scripts or listeners that must see the first load. */
  beforeGoto?: (context: BrowserContext, page: Page) => Promise<void>;
}

/** Starts scripts/serve.mjs on a free port and resolves with the URL it prints. */
export async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'serve.mjs'), '--port', String(port)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve.mjs printed no URL within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+?\/)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.mjs exited with ${code}:\n${output}`));
    });
  });
  return { url, child };
}

/** Server + Chromium + one page on the app, with every request recorded. */
export async function openApp(options: SessionOptions = {}): Promise<AppSession> {
  if (!existsSync(join(DIST_DIR, 'index.html'))) {
    throw new Error('dist/index.html not found: run `npm run build` first (the browser tests test the production build).');
  }
  const executablePath = chromiumPath();
  const server = await startServer();
  const userDataDir = mkdtempSync(join(tmpdir(), 'keypoint-bench-chromium-'));
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
      viewport: options.viewport ?? { width: 1400, height: 900 },
      acceptDownloads: true,
    });
    const requests: string[] = [];
    const pageErrors: string[] = [];
    // Context-level: includes requests from dedicated workers (the inference worker fetches the weights).
    context.on('request', (request) => requests.push(request.url()));
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console.error: ${message.text()}`);
    });
    await options.beforeGoto?.(context, page);
    await page.goto(server.url);
    await page.waitForFunction(() => 'keypointBench' in window);
    const ctx = context;
    return {
      baseUrl: server.url,
      context: ctx,
      page,
      requests,
      pageErrors,
      stopServer: () => server.child.kill(),
      close: async () => {
        await ctx.close().catch(() => undefined);
        server.child.kill();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close().catch(() => undefined);
    server.child.kill();
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The store's state, minus bitmaps, files and functions. */
export async function getState(page: Page): Promise<StateSnapshot> {
  return page.evaluate(() => {
    const s = (window as unknown as { keypointBench: { getState: () => Record<string, unknown> } }).keypointBench.getState() as unknown as {
      images: { id: string; name: string; widthPx: number; heightPx: number; status: string; error: string | null }[];
      results: Record<string, { status: string; poses: unknown[]; imageLatencyMs: number | null; inferences: number | null; backend: string | null; error: string | null }>;
      backend: { choice: string; active: string | null; status: string; error: string | null };
      selectedModelIds: string[];
      visibleImageIds: string[];
      focusedImageId: string | null;
      notices: { area: string; message: string }[];
      batch: { total: number; done: number };
    };
    return JSON.parse(
      JSON.stringify({
        images: s.images.map(({ id, name, widthPx, heightPx, status, error }) => ({ id, name, widthPx, heightPx, status, error })),
        results: Object.fromEntries(
          Object.entries(s.results).map(([k, c]) => [k, { status: c.status, poses: c.poses, imageLatencyMs: c.imageLatencyMs, inferences: c.inferences, backend: c.backend, error: c.error }]),
        ),
        backend: { choice: s.backend.choice, active: s.backend.active, status: s.backend.status, error: s.backend.error },
        selectedModelIds: s.selectedModelIds,
        visibleImageIds: s.visibleImageIds,
        focusedImageId: s.focusedImageId,
        notices: s.notices.map(({ area, message }) => ({ area, message })),
        batch: { total: s.batch.total, done: s.batch.done },
      }),
    ) as never;
  });
}

/** Waits until the backend is ready and returns its name. */
export async function waitForBackend(page: Page, timeoutMs = 120_000): Promise<string> {
  const status = page.getByTestId('backend-status');
  await page.waitForFunction(
    () => {
      const el = document.querySelector('[data-testid=backend-status]');
      return !!el && (el.getAttribute('data-backend') ?? '') !== '' && !/Measuring|Starting/.test(el.textContent ?? '');
    },
    undefined,
    { timeout: timeoutMs, polling: 250 },
  );
  return (await status.getAttribute('data-backend')) ?? '';
}

/** Ticks exactly the given models (by display name) in the model list. */
export async function selectModels(page: Page, names: readonly string[]): Promise<void> {
  for (const model of MODELS) {
    const box = page.getByRole('checkbox', { name: model.name, exact: true });
    const wanted = names.includes(model.name);
    // The list moves while models load (progress bars and settings appear under the ticked ones), so a click can
    // land beside a box that was stable a moment before: try again, then insist.
    for (let attempt = 1; ; attempt++) {
      try {
        await box.setChecked(wanted, { timeout: 10_000 });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    if ((await box.isChecked()) !== wanted) throw new Error(`${model.name}: the checkbox is ${wanted ? 'not ' : ''}ticked after three clicks`);
  }
}

/** Files as plain data for page.evaluate. */
export interface FilePayload {
  name: string;
  type: string;
  base64: string;
}

export function filePayload(path: string, type = 'image/jpeg', name = basename(path)): FilePayload {
  return { name, type, base64: readFileSync(path).toString('base64') };
}

/** Simulates dropping files onto the page: dragenter, dragover and drop on document.body with a real DataTransfer. */
export async function dropFiles(page: Page, files: FilePayload[]): Promise<void> {
  await page.evaluate((payloads) => {
    const dataTransfer = new DataTransfer();
    for (const p of payloads) {
      const bytes = Uint8Array.from(atob(p.base64), (c) => c.charCodeAt(0));
      dataTransfer.items.add(new File([bytes], p.name, { type: p.type }));
    }
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer }));
    }
  }, files);
}

export interface GalleryCell {
  image: string;
  modelId: string;
  status: string;
  poses: number | null;
  caption: string;
}

/**
 * Every gallery cell: image name, model, data-status, data-poses, caption. The gallery is virtualised (only
 * rows near the screen are in the DOM), so rows not mounted are read from the store, with an empty caption.
 */
export async function galleryCells(page: Page): Promise<GalleryCell[]> {
  return page.evaluate(() => {
    const mounted = [...document.querySelectorAll<HTMLElement>('.gallery-row')].flatMap((row) =>
      [...row.querySelectorAll<HTMLElement>('.cell[data-model-id]')].map((cell) => ({
        image: row.dataset.imageName ?? '',
        modelId: cell.dataset.modelId ?? '',
        status: cell.dataset.status ?? '',
        poses: cell.dataset.poses ? Number(cell.dataset.poses) : null,
        caption: cell.querySelector('figcaption')?.textContent ?? '',
      })),
    );
    type S = {
      images: { id: string; name: string; status: string }[];
      selectedModelIds: string[];
      results: Record<string, { status: string; poses: unknown[] } | undefined>;
      groundTruth: unknown;
      evaluationProtocol: string;
    };
    const bench = (window as unknown as { keypointBench?: { getState: () => S } }).keypointBench;
    if (!bench) return mounted;
    const s = bench.getState();
    const shown = new Set(mounted.map((c) => c.image));
    const crops = s.groundTruth !== null && s.evaluationProtocol === 'crops';
    const unmounted = s.images
      .filter((im) => !shown.has(im.name) && im.status !== 'error')
      .flatMap((im) =>
        s.selectedModelIds.map((modelId) => {
          const cell = s.results[crops ? `${im.id}|${modelId}|crops` : `${im.id}|${modelId}`];
          return { image: im.name, modelId, status: cell?.status ?? 'waiting', poses: cell?.status === 'done' ? cell.poses.length : null, caption: '' };
        }),
      );
    return [...mounted, ...unmounted];
  });
}

/**
 * Waits until every listed image has a gallery row whose cells are exactly `modelIds`, all `done`.
 * Fails early, listing them, as soon as any cell is `error`.
 */
export async function waitForCellsDone(page: Page, imageNames: readonly string[], modelIds: readonly string[], timeoutMs: number): Promise<GalleryCell[]> {
  const deadline = Date.now() + timeoutMs;
  let last: GalleryCell[] = [];
  for (;;) {
    last = (await galleryCells(page)).filter((c) => imageNames.includes(c.image));
    const errors = last.filter((c) => c.status === 'error');
    if (errors.length > 0) {
      throw new Error(`cells failed:\n${errors.map((c) => `  ${c.image} × ${c.modelId}: ${c.caption}`).join('\n')}`);
    }
    const complete = imageNames.every((name) => {
      const cells = last.filter((c) => c.image === name);
      return cells.length === modelIds.length && modelIds.every((id) => cells.some((c) => c.modelId === id && c.status === 'done'));
    });
    if (complete) return last;
    if (Date.now() > deadline) {
      const pending = imageNames.flatMap((name) =>
        modelIds
          .map((id) => ({ id, cell: last.find((c) => c.image === name && c.modelId === id) }))
          .filter(({ cell }) => cell?.status !== 'done')
          .map(({ id, cell }) => `  ${name} × ${id}: ${cell ? cell.status : 'no cell'}`),
      );
      const unexpected = last.filter((c) => !modelIds.includes(c.modelId)).map((c) => `  ${c.image} × ${c.modelId}: unexpected column`);
      throw new Error(`not all cells done after ${timeoutMs / 1000} s (${last.length} cells seen):\n${[...pending, ...unexpected].join('\n')}`);
    }
    await page.waitForTimeout(500);
  }
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  const signature = '89504e470d0a1a0a';
  if (bytes.subarray(0, 8).toString('hex') !== signature) throw new Error('not a PNG (bad signature)');
  if (bytes.subarray(12, 16).toString('ascii') !== 'IHDR') throw new Error('not a PNG (no IHDR first)');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Requests that left the page's origin (blob: and data: URLs are local). */
export function foreignRequests(requests: readonly string[], baseUrl: string): string[] {
  const origin = new URL(baseUrl).origin;
  return requests.filter((url) => {
    if (url.startsWith('blob:') || url.startsWith('data:')) return false;
    return new URL(url).origin !== origin;
  });
}

/**
 * Calls `handler` with each MediaPipe-solution worker the page starts (the classic workers the runtime names
 * "<model id> (MediaPipe solution)", started inside the inference worker), with that name.
 */
export function onSolutionWorkers(page: Page, handler: (worker: Worker, name: string) => unknown): void {
  page.on('worker', (worker) => {
    void worker
      .evaluate(() => self.name)
      .then((name) => (name.endsWith('(MediaPipe solution)') ? handler(worker, name) : undefined))
      .catch(() => undefined);
  });
}
