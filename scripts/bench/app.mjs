// Build, serve and open the app in headless Chromium for the bench (same set-up as test/browser/harness.ts).
/* global window, document, clearTimeout */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from '../chromium.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--enable-precise-memory-info',
];

/** CHROMIUM_PATH or a standard install, looked up as `npm test`'s first step does (scripts/chromium.mjs). */
export function chromiumPath() {
  const { path, problem } = findChromium();
  if (path === null) throw new Error(problem);
  return path;
}

/** Runs a command, streaming its output with a prefix; rejects on a non-zero exit. */
export function runCommand(command, args, { cwd, prefix = '' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) process.stdout.write(`${prefix}${line}\n`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

/** Starts scripts/serve.mjs on a free port; resolves with the URL it prints and a stop function. */
export async function startServer(root) {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [join(root, 'scripts', 'serve.mjs'), '--port', String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve.mjs printed no URL within 20 s:\n${output}`)), 20_000);
    const onData = (chunk) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+?\/)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.mjs exited with ${code}:\n${output}`));
    });
  });
  return { url, stop: () => child.kill() };
}

export function chromiumVersion(path) {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** A persistent context on a fresh user-data-dir, every request (page and workers) recorded. */
export async function launchBrowser() {
  const executablePath = chromiumPath();
  const userDataDir = mkdtempSync(join(tmpdir(), 'keypoint-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const requests = [];
  const pageErrors = [];
  context.on('request', (request) => requests.push(request.url()));
  const watch = (page) => {
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console.error: ${message.text()}`);
    });
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  return {
    context,
    requests,
    pageErrors,
    executablePath,
    userDataDir,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export function fixtureImages(dir) {
  return readdirSync(dir)
    .filter((name) => /\.jpe?g$/i.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** Waits until the app's test/bench handle exists. */
export async function waitForApp(page, timeoutMs = 60_000) {
  await page.waitForFunction(() => 'keypointBench' in window, undefined, { timeout: timeoutMs });
}

/** Waits until the gallery's backend is ready (Auto has decided); returns the backend state. */
export async function waitForGalleryBackend(page, timeoutMs = 180_000) {
  await page.waitForFunction(() => window.keypointBench.getState().backend.status !== 'initialising', undefined, { timeout: timeoutMs, polling: 100 });
  return page.evaluate(() => {
    const { backend } = window.keypointBench.getState();
    return { choice: backend.choice, active: backend.active, status: backend.status, error: backend.error, decision: backend.decision };
  });
}

/** Adds files through the "Add images" input and waits until every image is decoded. */
export async function addImages(page, paths, timeoutMs = 120_000) {
  const input = page.locator('input[aria-label="Add images"]');
  await input.setInputFiles(paths);
  await page.waitForFunction(
    (count) => {
      const { images } = window.keypointBench.getState();
      return images.length >= count && images.every((i) => i.status !== 'decoding');
    },
    paths.length,
    { timeout: timeoutMs, polling: 100 },
  );
  return page.evaluate(() => window.keypointBench.getState().images.map((i) => ({ name: i.name, status: i.status, widthPx: i.widthPx, heightPx: i.heightPx, error: i.error })));
}

/** A page-side summary of the browser: user agent, cores, isolation, WebGL renderer as the page sees it. */
export async function pageFacts(page) {
  return page.evaluate(() => {
    let webglRenderer = null;
    try {
      const gl = document.createElement('canvas').getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      webglRenderer = gl ? String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) : null;
    } catch {
      webglRenderer = null;
    }
    return {
      userAgent: window.navigator.userAgent,
      hardwareConcurrency: window.navigator.hardwareConcurrency,
      crossOriginIsolated: window.crossOriginIsolated === true,
      deviceMemoryGb: window.navigator.deviceMemory ?? null,
      webglRendererOnPage: webglRenderer,
      webgpuExposed: 'gpu' in window.navigator,
    };
  });
}
