// The in-browser model × backend benchmark: window.keypointBench.runBenchmark, one row per call, then
// the user's job (every model together on every image) in one more call.
/* global window, clearTimeout, setInterval, clearInterval, AbortController */
import { loadavg } from 'node:os';
import { addImages, waitForApp, waitForGalleryBackend } from './app.mjs';
import { configLabel } from './report.mjs';

/** Backend start-up failures: the remaining models on that backend are not tried again. */
const BACKEND_START_FAILURE = /backend failed to initialise|start: no answer|asked for \w+, got/i;

/** A page with the fixtures added and the gallery idle (no model selected), ready for runBenchmark. */
export async function openBenchPage(context, url, imagePaths, log) {
  const page = await context.newPage();
  await page.goto(url);
  await waitForApp(page);
  const backend = await waitForGalleryBackend(page);
  // The gallery would otherwise run the default models on every added image, beside the benchmark.
  await page.evaluate(() => window.keypointBench.getState().setSelectedModels([]));
  const images = await addImages(page, imagePaths);
  const bad = images.filter((i) => i.status !== 'ready');
  if (bad.length > 0) throw new Error(`images failed to decode: ${bad.map((i) => `${i.name}: ${i.error}`).join('; ')}`);
  const longTaskCheck = await checkLongTaskObserver(page);
  log(`benchmark page ready: ${images.length} images, gallery backend ${backend.active} (Auto); long-task observer self-check: ${longTaskCheck.works ? 'sees' : 'MISSES'} a 120 ms task`);
  return { page, galleryBackend: backend, images, longTaskCheck };
}

/**
 * Self-check that main-thread long tasks are observable in this browser: a 120 ms busy task must
 * show up as a 'longtask' entry (otherwise "0 long tasks" would mean nothing).
 */
async function checkLongTaskObserver(page) {
  return page.evaluate(async () => {
    const seen = [];
    if (!window.PerformanceObserver?.supportedEntryTypes?.includes('longtask')) return { works: false, supported: false, seenMs: seen };
    const observer = new window.PerformanceObserver((list) => {
      for (const entry of list.getEntries()) seen.push(entry.duration);
    });
    observer.observe({ type: 'longtask', buffered: false });
    await new Promise((resolve) => {
      setTimeout(() => {
        const start = window.performance.now();
        while (window.performance.now() - start < 120) {
          // busy: one 120 ms task
        }
        resolve();
      }, 10);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    observer.disconnect();
    return { works: seen.some((d) => d >= 100), supported: true, seenMs: seen };
  });
}

/**
 * The page's (main thread's) JS heap after a forced full garbage collection (DevTools protocol), so
 * before/after figures of the leak check are not dominated by garbage that was simply not collected
 * yet. The workers' heaps cannot be read this way: they are gone when a row ends.
 */
export async function mainHeapAfterGc(context, page) {
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    await cdp.detach();
    return usedSize;
  } catch {
    return null;
  }
}

/**
 * One runBenchmark call in the page, with progress printed and a time budget: past it the call is
 * aborted (recorded as failed by the caller).
 */
async function runInPage(page, request, timeoutMs, log) {
  let lastText = '';
  const poll = setInterval(() => {
    page
      .evaluate(() => window.keypointBench.getState().benchmarkProgress)
      .then((progress) => {
        if (progress && progress.text !== lastText) {
          lastText = progress.text;
          log(`  ${progress.text}`);
        }
      })
      .catch(() => undefined);
  }, 2000);
  const load = loadavg();
  const startMs = Date.now();
  try {
    const answer = await page.evaluate(
      async ({ request, timeoutMs }) => {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), timeoutMs);
        try {
          const report = await window.keypointBench.runBenchmark({ ...request, signal: abort.signal });
          return { ok: true, report: JSON.parse(JSON.stringify(report)) };
        } catch (error) {
          return { ok: false, error: error instanceof Error ? error.message : String(error), timedOut: abort.signal.aborted };
        } finally {
          clearTimeout(timer);
        }
      },
      { request, timeoutMs },
    );
    return { ...answer, wallMs: Date.now() - startMs, loadAverageBefore: load, loadAverageAfter: loadavg() };
  } catch (error) {
    return { ok: false, error: `page failed: ${error instanceof Error ? error.message : String(error)}`, pageBroken: true, wallMs: Date.now() - startMs, loadAverageBefore: load, loadAverageAfter: loadavg() };
  } finally {
    clearInterval(poll);
  }
}

/** One model on one backend / thread count. */
export function runRow(page, { modelId, backend, threads, imageCount, leak, timeoutMs, log }) {
  const request = {
    modelIds: [modelId],
    backends: [backend],
    imageCount,
    leakCheckInferences: leak,
    ...(backend === 'wasm' && threads ? { wasmThreadCounts: [threads] } : {}),
  };
  return runInPage(page, request, timeoutMs, log);
}

/**
 * The user's job: `imageCount` images × every model together on WASM with the app's default threads,
 * as the gallery runs them (no per-model rows: backends is empty). Returns the job measurement,
 * failed with the reason when the call failed.
 */
export async function runJob(page, { models, imageCount, rounds, threads, timeoutMs, log }) {
  const request = { modelIds: models, backends: [], imageCount, job: true, jobImageCount: imageCount, jobRounds: rounds, ...(threads ? { jobWasmThreads: threads } : {}) };
  const answer = await runInPage(page, request, timeoutMs, log);
  const extra = { jobWallMs: answer.wallMs, loadAverageBefore: answer.loadAverageBefore, loadAverageAfter: answer.loadAverageAfter };
  if (answer.ok && answer.report.job) return { ...answer.report.job, ...extra };
  return {
    status: 'failed', error: answer.ok ? 'runBenchmark returned no job' : answer.timedOut ? `abandoned after the ${Math.round(timeoutMs / 1000)} s job budget` : answer.error,
    backend: 'wasm', wasmThreads: null, wasmThreadsRequested: null, inFlight: 2, decoder: null, rawPassWallMs: null, oneInFlight: null, medianRound: null, rounds: [], pageBroken: answer.pageBroken === true, ...extra,
  };
}

/** A failed row; `threads` is the request (nothing was read back from a module that did not run). */
const emptyRow = (modelId, backend, threads, error) => ({
  backend, wasmThreads: null, wasmThreadsRequested: backend === 'wasm' ? threads : null, modelId, displayName: modelId, status: 'failed', error,
  loadMs: null, firstInferenceMs: null, latencyP50Ms: null, latencyP95Ms: null, modelP50Ms: null, rawP50Ms: null,
  overheadRatio: null, decodeP50Ms: null, throughputImagesPerS: null, tensorsBefore: null, tensorsAfter: null,
  tensorBytesBefore: null, tensorBytesAfter: null, workerHeapBytesBefore: null, workerHeapBytesAfter: null,
  runtimeHeapBytesBefore: null, runtimeHeapBytesAfter: null, runtimeGpuObjectsBefore: null, runtimeGpuObjectsAfter: null,
  mainHeapBytesBefore: null, mainHeapBytesAfter: null, longTasks: null, inferencesMeasured: 0, leakCheck: null,
});

/** The configurations to run, in order: WASM first (all cores, with the leak check), then the others. */
export function plan(options) {
  const maxThreads = Math.max(...options.threads);
  const order = [...options.backends].sort((a, b) => (a === 'wasm' ? -1 : b === 'wasm' ? 1 : 0));
  const configs = [];
  for (const backend of order) {
    if (backend === 'wasm') {
      for (const threads of [...options.threads].sort((a, b) => b - a)) configs.push({ backend, threads, imageCount: options.images });
    } else configs.push({ backend, threads: null, imageCount: options.slowImages });
  }
  const leakConfig = configs.find((c) => c.backend === 'wasm' && c.threads === maxThreads) ?? configs[0];
  for (const c of configs) c.leak = c === leakConfig ? options.leak : 0;
  return { configs, leakConfig };
}

/** Where the leak check ran, by the thread count its rows read back (the request if none ran). */
function leakLabel(config, rows) {
  if (config.backend !== 'wasm') return config.backend;
  const ran = rows.find((r) => r.backend === 'wasm' && r.leakCheckInferences > 0 && r.wasmThreads !== null);
  return ran ? configLabel(ran) : `wasm/${config.threads}t requested`;
}

/**
 * Runs every model on every configuration. `onRow` is called after each row (for partial saves).
 * Returns the rows, the Auto decisions and per-row bookkeeping.
 */
export async function runBrowserBenchmark({ context, url, imagePaths, options, log, onRow }) {
  const { configs, leakConfig } = plan(options);
  let bench = await openBenchPage(context, url, imagePaths, log);
  const rows = [];
  const autoDecisions = [];
  const total = configs.length * options.models.length;
  let index = 0;
  for (const config of configs) {
    let backendDown = null;
    for (const modelId of options.models) {
      index++;
      const label = `${modelId} on ${config.backend}${config.threads ? ` (${config.threads} thread${config.threads === 1 ? '' : 's'} requested)` : ''}`;
      if (backendDown) {
        rows.push({ ...emptyRow(modelId, config.backend, config.threads, `not run: ${config.backend} did not start (${backendDown})`), imageCount: config.imageCount, leakCheckInferences: 0 });
        log(`[${index}/${total}] ${label}: skipped, backend did not start`);
        continue;
      }
      log(`[${index}/${total}] ${label}: ${config.imageCount} images${config.leak ? `, leak check ${config.leak}` : ''} (load average ${loadavg()[0].toFixed(2)})`);
      const gcHeapBefore = config.leak > 0 ? await mainHeapAfterGc(context, bench.page) : null;
      const answer = await runRow(bench.page, { modelId, backend: config.backend, threads: config.threads, imageCount: config.imageCount, leak: config.leak, timeoutMs: options.rowTimeoutS * 1000, log });
      let row;
      if (answer.ok) {
        row = answer.report.rows[0] ?? emptyRow(modelId, config.backend, config.threads, 'runBenchmark returned no row');
        autoDecisions.push(answer.report.autoDecision);
        bench.lastReport = answer.report;
      } else {
        row = emptyRow(modelId, config.backend, config.threads, answer.timedOut ? `abandoned after the ${options.rowTimeoutS} s row budget` : answer.error);
      }
      const gcHeapAfter = config.leak > 0 && !answer.pageBroken ? await mainHeapAfterGc(context, bench.page) : null;
      row = { ...row, gcMainHeapBytesBefore: gcHeapBefore, gcMainHeapBytesAfter: gcHeapAfter, imageCount: config.imageCount, leakCheckInferences: config.leak, rowWallMs: answer.wallMs, loadAverageBefore: answer.loadAverageBefore, loadAverageAfter: answer.loadAverageAfter };
      rows.push(row);
      log(
        row.status === 'ok'
          ? `[${index}/${total}] ${label}: ran on ${configLabel(row)}; p50 ${row.latencyP50Ms?.toFixed(1)} ms, raw ${row.rawP50Ms?.toFixed(1)} ms, overhead ${row.overheadRatio?.toFixed(2)}, ${row.throughputImagesPerS?.toFixed(1)} images/s, tensors ${row.tensorsBefore}→${row.tensorsAfter} (${(answer.wallMs / 1000).toFixed(0)} s)`
          : `[${index}/${total}] ${label}: FAILED: ${row.error} (${(answer.wallMs / 1000).toFixed(0)} s)`,
      );
      if (row.status !== 'ok' && row.loadMs === null && BACKEND_START_FAILURE.test(row.error ?? '')) backendDown = row.error;
      if (answer.pageBroken) {
        log('benchmark page broke; opening a fresh one');
        await bench.page.close().catch(() => undefined);
        bench = await openBenchPage(context, url, imagePaths, log);
      }
      await onRow?.(rows);
    }
  }
  let job = null;
  if (options.jobImages > 0) {
    log(`job: ${options.jobImages} images × ${options.models.length} models together on wasm (${options.jobThreads ? `${options.jobThreads} threads requested` : 'app default threads'}), two images in flight, ${options.jobRounds} round${options.jobRounds === 1 ? '' : 's'} (load average ${loadavg()[0].toFixed(2)})`);
    // The job runs all K models, three passes a round: its budget is one row's per model and round.
    job = await runJob(bench.page, { models: options.models, imageCount: options.jobImages, rounds: options.jobRounds, threads: options.jobThreads, timeoutMs: options.rowTimeoutS * 1000 * options.models.length * options.jobRounds, log });
    log(
      job.status === 'ok'
        ? `job on wasm/${job.wasmThreads}t: wall ${job.wallMs.toFixed(0)} ms, Σraw ${job.rawSumMs.toFixed(0)} ms → jobOverhead ${job.jobOverhead.toFixed(3)} (without decode ${job.jobOverheadWithoutDecode.toFixed(3)}; Σdecode ${job.decodeSumMs.toFixed(0)} ms, Σpre/post ${job.prePostSumMs.toFixed(0)} ms, outside ${job.outsideSumMs.toFixed(0)} ms); one image in flight: wall ${job.oneInFlight?.wallMs.toFixed(0) ?? '–'} ms → ${job.oneInFlight?.jobOverhead?.toFixed(3) ?? '–'}; median of rounds ${job.rounds.map((r) => r.figures.jobOverhead.toFixed(3)).join(', ')}`
        : `job FAILED: ${job.error}`,
    );
  }
  const report = bench.lastReport ?? null;
  await bench.page.close().catch(() => undefined);
  return {
    rows,
    job,
    autoDecisions,
    galleryBackend: bench.galleryBackend,
    longTaskCheck: bench.longTaskCheck,
    leakConfig: leakConfig ? leakLabel(leakConfig, rows) : null,
    reportMeta: report ? { userAgent: report.userAgent, hardwareConcurrency: report.hardwareConcurrency, crossOriginIsolated: report.crossOriginIsolated } : null,
  };
}
