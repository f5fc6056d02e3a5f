// The scale run (issue 10.7): M large photos (default 1,000 of 12 megapixels, written at run time from the
// fixtures) added at once and run through the app's own gallery with it on screen, as a user would. Reports
// the batch's wall time, throughput at its start and at its end (flat when the UI work per result does not
// grow with the number of results), peak memory (all of Chromium's processes, and the page's JS heap) and
// the page's long tasks. Images are distinct files: each copy carries its own JPEG comment, so none is a repeat.
/* global window, document, performance, PerformanceObserver */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForApp } from './app.mjs';

/** A JPEG comment segment after SOI: the same picture, different bytes. */
function withComment(jpeg, text) {
  const body = Buffer.from(text, 'latin1');
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), segment, body, jpeg.subarray(2)]);
}

/** `count` JPEGs of about `megapixels` MP in a fresh folder: the fixtures upscaled once each, then copied with a comment. */
export async function writeScaleImages({ fixturesDir, count, megapixels, log }) {
  const Vips = (await import('wasm-vips')).default;
  const vips = await Vips();
  const dir = join(tmpdir(), `keypoint-bench-scale-${count}x${megapixels}mp`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const bases = [];
  for (const name of readdirSync(fixturesDir).filter((n) => n.endsWith('.jpg')).sort()) {
    const image = vips.Image.newFromFile(join(fixturesDir, name));
    const scale = Math.sqrt((megapixels * 1e6) / (image.width * image.height));
    const big = image.resize(scale, { kernel: 'lanczos3' });
    bases.push({ name, bytes: Buffer.from(big.writeToBuffer('.jpg', { Q: 90 })), widthPx: big.width, heightPx: big.height });
    big.delete();
    image.delete();
  }
  const paths = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const base = bases[i % bases.length];
    const file = join(dir, `scale-${String(i).padStart(5, '0')}.jpg`);
    // Padded by i: copies of one base differ in size too, so none has to be hashed to be told apart.
    const data = withComment(base.bytes, `keypoint-bench scale copy ${i} of ${base.name}${' '.repeat(i)}`);
    writeFileSync(file, data);
    bytes += data.length;
    paths.push(file);
  }
  log(`scale: wrote ${count} JPEGs of ${bases[0].widthPx}×${bases[0].heightPx} (${(bytes / 1e9).toFixed(2)} GB) to ${dir}`);
  return { dir, paths, bytes, widthPx: bases[0].widthPx, heightPx: bases[0].heightPx };
}

/**
 * Resident memory of every process started with this profile (the browser, renderers, GPU, utilities), Linux
 * only: the total, and by process kind (Chromium's `--type=`, with `--utility-sub-type` for utilities), so a
 * peak can be traced to the page, the GPU process or the storage service.
 */
function chromiumRss(userDataDir) {
  if (!existsSync('/proc')) return null;
  let total = 0;
  const byKind = {};
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!cmdline.includes(userDataDir)) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
      if (!rss) continue;
      const bytes = Number(rss[1]) * 1024;
      const type = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
      const subType = /--utility-sub-type=([\w.-]+)/.exec(cmdline)?.[1];
      const kind = subType ? `${type}:${subType.split('.').pop()}` : type;
      total += bytes;
      byKind[kind] = (byKind[kind] ?? 0) + bytes;
    } catch {
      // The process ended meanwhile.
    }
  }
  return { total, byKind };
}

/** Runs in the page before its scripts: every main-thread long task. */
function watchLongTasks() {
  window.__kbLongTasks = [];
  window.__kbLongFrames = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__kbLongTasks.push({ startMs: entry.startTime, durationMs: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  // Long animation frames name the scripts that made them (what ran, from which function and where), so the
  // worst tasks can be traced to their code; kept only over 150 ms.
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration < 150) continue;
      window.__kbLongFrames.push({
        startMs: Math.round(entry.startTime),
        durationMs: Math.round(entry.duration),
        scripts: entry.scripts.map((s) => ({ invoker: s.invoker, functionName: s.sourceFunctionName, sourceUrl: s.sourceURL.replace(/^.*\//, ''), charPosition: s.sourceCharPosition, durationMs: Math.round(s.duration) })),
      });
    }
  }).observe({ type: 'long-animation-frame', buffered: true });
}

const percentile = (values, fraction) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
};

/**
 * Adds every image to a fresh page of the app with `modelIds` selected, keeps the gallery on screen
 * (scrolling down a screen every few seconds, as someone watching it would), and waits for the batch.
 */
export async function runScale({ context, userDataDir, url, imagePaths, modelIds, timeoutS, log }) {
  const page = await context.newPage();
  await page.addInitScript(watchLongTasks);
  await page.goto(url);
  await waitForApp(page);
  await page.evaluate((ids) => window.keypointBench.getState().setSelectedModels(ids), modelIds);
  await page.evaluate(() => window.keypointBench.getState().setMainView('gallery'));
  const samples = [];
  const started = Date.now();
  const sample = async () => {
    const s = await page.evaluate(() => {
      const st = window.keypointBench.getState();
      const done = Object.values(st.results).filter((c) => c.status === 'done' || c.status === 'skipped' || c.status === 'error').length;
      return {
        images: st.images.length,
        ready: st.images.filter((im) => im.status === 'ready').length,
        imageErrors: st.images.filter((im) => im.status === 'error').length,
        cellsDone: done,
        cellErrors: Object.values(st.results).filter((c) => c.status === 'error').length,
        heapBytes: performance.memory?.usedJSHeapSize ?? null,
        mountedRows: document.querySelectorAll('.gallery-row').length,
        saveStatus: st.session.status,
      };
    });
    const rss = chromiumRss(userDataDir);
    const entry = { atMs: Date.now() - started, rssBytes: rss?.total ?? null, rssBytesByProcess: rss?.byKind ?? null, ...s };
    samples.push(entry);
    return entry;
  };
  await page.getByLabel('Add images', { exact: true }).setInputFiles(imagePaths);
  log(`scale: ${imagePaths.length} files handed to the page in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const wanted = imagePaths.length * modelIds.length;
  let last = await sample();
  let scrolls = 0;
  while (last.cellsDone + last.imageErrors * modelIds.length < wanted) {
    if (Date.now() - started > timeoutS * 1000) throw new Error(`scale: not done after ${timeoutS} s (${last.cellsDone} of ${wanted} cells)`);
    await page.waitForTimeout(1000);
    if (++scrolls % 3 === 0) await page.evaluate(() => window.scrollBy(0, window.innerHeight));
    last = await sample();
    if (samples.length % 15 === 0) {
      const kinds = Object.entries(last.rssBytesByProcess ?? {}).map(([kind, bytes]) => `${kind} ${(bytes / 1e6).toFixed(0)}`).join(', ');
      log(`scale: ${last.cellsDone} of ${wanted} cells, ${last.ready} images ready, rss ${((last.rssBytes ?? 0) / 1e6).toFixed(0)} MB (${kinds})`);
    }
  }
  const wallMs = Date.now() - started;
  const longTasks = await page.evaluate(() => window.__kbLongTasks);
  const longFrames = await page.evaluate(() => window.__kbLongFrames);
  // Throughput over the first and the last tenth of the cells: flat if a result's cost does not grow.
  const rateBetween = (fromCells, toCells) => {
    const a = samples.find((s) => s.cellsDone >= fromCells);
    const b = samples.find((s) => s.cellsDone >= toCells);
    return a && b && b.atMs > a.atMs ? ((b.cellsDone - a.cellsDone) / (b.atMs - a.atMs)) * 1000 : null;
  };
  const tenth = Math.max(1, Math.floor(wanted / 10));
  const result = {
    images: imagePaths.length,
    models: modelIds,
    wallMs,
    imagesPerS: (imagePaths.length / wallMs) * 1000,
    cellsPerSFirstTenth: rateBetween(tenth, 2 * tenth),
    cellsPerSLastTenth: rateBetween(wanted - 2 * tenth, wanted - tenth),
    peakRssBytes: Math.max(...samples.map((s) => s.rssBytes ?? 0)) || null,
    // Each kind's own peak (they need not coincide with the total's).
    peakRssBytesByProcess: samples.reduce((peaks, s) => {
      for (const [kind, bytes] of Object.entries(s.rssBytesByProcess ?? {})) peaks[kind] = Math.max(peaks[kind] ?? 0, bytes);
      return peaks;
    }, {}),
    peakHeapBytes: Math.max(...samples.map((s) => s.heapBytes ?? 0)) || null,
    maxMountedRows: Math.max(...samples.map((s) => s.mountedRows)),
    imageErrors: last.imageErrors,
    cellErrors: last.cellErrors,
    longTasks: { count: longTasks.length, maxMs: longTasks.reduce((m, t) => Math.max(m, t.durationMs), 0), p95Ms: percentile(longTasks.map((t) => t.durationMs), 0.95), totalMs: longTasks.reduce((sum, t) => sum + t.durationMs, 0) },
    finalSaveStatus: last.saveStatus,
    // The ten longest frames with the scripts that ran in them (LoAF), to trace a long task to its code.
    longestFrames: [...longFrames].sort((a, b) => b.durationMs - a.durationMs).slice(0, 10),
    samples,
  };
  await page.close();
  return result;
}
