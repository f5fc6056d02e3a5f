#!/usr/bin/env node
// `npm run bench`: builds and serves the app, drives headless Chromium through the in-app benchmark
// (window.keypointBench.runBenchmark) for every model × backend (× WASM threads) and for the user's job
// (every model together on every image, as the gallery runs them), measures the time to
// the first keypoints after a warm page load, the CLI throughput and the COCO evaluation time, and
// writes bench/results/bench-<date>-<mode>.json + .md and bench/results/latest.md. Targets are
// reported, never asserted: the exit status is non-zero only when the bench itself breaks.
// Usage: node scripts/bench.mjs --help
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumVersion, fixtureImages, launchBrowser, pageFacts, runCommand, startServer, waitForApp } from './bench/app.mjs';
import { QUICK_MODELS, parseArgs, USAGE } from './bench/args.mjs';
import { runBrowserBenchmark } from './bench/browserBench.mjs';
import { measureFirstKeypoints } from './bench/firstKeypoints.mjs';
import { runLabelScale } from './bench/labelRun.mjs';
import { runScale, writeScaleImages } from './bench/scaleRun.mjs';
import { runWebcamSoak } from './bench/webcamSoak.mjs';
import { measureCli, measureEvaluation } from './bench/nodeMeasures.mjs';
import { buildNotes, evaluateTargets, jobTable, markdownReport, resultsTable, targetsTable } from './bench/report.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'people');
const CLI_MODELS = QUICK_MODELS;

const t0 = Date.now();
const log = (text) => process.stdout.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (options.report) {
  // Re-render a saved run: targets, notes and the Markdown from its JSON (nothing is measured).
  const saved = JSON.parse(readFileSync(resolve(options.report), 'utf8'));
  saved.targets = evaluateTargets(saved);
  saved.notes = buildNotes(saved);
  writeFileSync(resolve(options.report), JSON.stringify(saved, null, 2) + '\n');
  const md = resolve(options.report).replace(/\.json$/, '.md');
  writeFileSync(md, markdownReport(saved) + '\n');
  process.stdout.write(`${targetsTable(saved.targets)}\n\nwrote ${md}\n`);
  process.exit(0);
}

const startedAt = new Date();
const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
const outDir = resolve(ROOT, options.out);
const baseName = `bench-${stamp}-${options.mode}`;
const jsonPath = join(outDir, `${baseName}.json`);
const mdPath = join(outDir, `${baseName}.md`);
mkdirSync(outDir, { recursive: true });

const images = fixtureImages(FIXTURES);
const result = {
  tool: 'keypoint-bench bench',
  // 2: rows carry wasmThreadsRequested, and wasmThreads is the count read back from the WASM module.
  // 3: `job`, the user's job (M images × K models as the gallery runs them) with `jobOverhead`.
  formatVersion: 3,
  mode: options.mode,
  status: 'running',
  startedAtIso: startedAt.toISOString(),
  finishedAtIso: null,
  totalWallMs: null,
  options,
  fixtureCount: images.length,
  machine: {
    cores: options.cores,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    loadAverageStart: loadavg(),
    loadAverageEnd: null,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    chromiumPath: null,
    chromiumVersion: null,
    userAgent: null,
    browserHardwareConcurrency: null,
    crossOriginIsolated: null,
    webglRenderer: null,
    webgpuAdapter: null,
    pageFacts: null,
  },
  firstKeypoints: null,
  browser: null,
  job: null,
  node: null,
  wasmBinariesFetched: [],
  pageErrors: [],
  targets: [],
  notes: [],
};
const save = () => writeFileSync(jsonPath, JSON.stringify(result, null, 2) + '\n');

async function main() {
  log(`mode ${options.mode}: models ${options.models.join(',')}; backends ${options.backends.join(',')}; ${options.images} images (${options.slowImages} on slow backends); leak ${options.leak}; WASM threads ${options.threads.join(',')}; ${options.cores} cores, load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  if (options.build) {
    log('building the app (npm run build)');
    await runCommand('npm', ['run', 'build', '--silent'], { cwd: ROOT, prefix: '  build: ' });
  }
  const server = await startServer(ROOT);
  log(`serving dist/ at ${server.url}`);
  let browser = null;
  try {
    browser = await launchBrowser();
    result.machine.chromiumPath = browser.executablePath;
    result.machine.chromiumVersion = chromiumVersion(browser.executablePath);
    {
      const page = await browser.context.newPage();
      await page.goto(server.url);
      await waitForApp(page);
      const facts = await pageFacts(page);
      result.machine.pageFacts = facts;
      result.machine.userAgent = facts.userAgent;
      result.machine.browserHardwareConcurrency = facts.hardwareConcurrency;
      result.machine.crossOriginIsolated = facts.crossOriginIsolated;
      await page.close();
      log(`${result.machine.chromiumVersion}; cross-origin isolated: ${facts.crossOriginIsolated}; hardwareConcurrency ${facts.hardwareConcurrency}`);
    }
    if (!options.skipFirst) {
      try {
        result.firstKeypoints = await measureFirstKeypoints({ context: browser.context, url: server.url, imagePath: images[0], runs: options.firstRuns, log });
        log(`first keypoints: median ${result.firstKeypoints.firstKeypointsMs} ms on ${result.firstKeypoints.backend}`);
      } catch (error) {
        result.firstKeypoints = { error: error instanceof Error ? error.message : String(error) };
        log(`first keypoints: FAILED: ${result.firstKeypoints.error}`);
      }
      save();
    }
    if (!options.skipBrowser) {
      const startMs = Date.now();
      result.browser = { rows: [], autoDecisions: [], wallMs: 0 };
      const bench = await runBrowserBenchmark({
        context: browser.context,
        url: server.url,
        imagePaths: images,
        options,
        log,
        onRow: (rows) => {
          result.browser.rows = rows;
          result.browser.wallMs = Date.now() - startMs;
          save();
        },
      });
      const { job, ...rowsPart } = bench;
      result.job = job;
      const decisions = bench.autoDecisions.filter(Boolean);
      const chosen = decisions.map((d) => d.chosen);
      const probes = decisions[0]?.probes ?? [];
      result.browser = {
        ...rowsPart,
        wallMs: Date.now() - startMs,
        autoSummary: decisions.length > 0 ? `${[...new Set(chosen)].join(', ')} (${chosen.length} asks; first: ${decisions[0].reason})` : 'not asked',
      };
      result.machine.webglRenderer = probes.find((p) => p.backend === 'webgl')?.detail ?? null;
      result.machine.webgpuAdapter = probes.find((p) => p.backend === 'webgpu')?.detail ?? null;
    }
    if (options.scale > 0) {
      let written = null;
      try {
        written = await writeScaleImages({ fixturesDir: FIXTURES, count: options.scale, megapixels: options.scaleMegapixels, log });
        const scale = await runScale({ context: browser.context, userDataDir: browser.userDataDir, url: server.url, imagePaths: written.paths, modelIds: options.scaleModels, timeoutS: options.scaleTimeoutS, log });
        result.scale = { ...scale, widthPx: written.widthPx, heightPx: written.heightPx, fileBytes: written.bytes };
        const peaks = Object.entries(scale.peakRssBytesByProcess ?? {}).map(([kind, bytes]) => `${kind} ${(bytes / 1e6).toFixed(0)}`).join(', ');
        log(`scale: ${scale.images} images in ${(scale.wallMs / 1000).toFixed(0)} s; peak RSS ${((scale.peakRssBytes ?? 0) / 1e6).toFixed(0)} MB (peaks by process, MB: ${peaks}); ${scale.longTasks.count} long tasks (max ${scale.longTasks.maxMs.toFixed(0)} ms)`);
      } catch (error) {
        result.scale = { error: error instanceof Error ? error.message : String(error) };
        log(`scale: FAILED: ${result.scale.error}`);
      } finally {
        if (written) rmSync(written.dir, { recursive: true, force: true });
      }
      save();
    }
    if (options.label > 0) {
      let written = null;
      try {
        written = await writeScaleImages({ fixturesDir: FIXTURES, count: options.label, megapixels: options.labelMegapixels, log });
        const label = await runLabelScale({ context: browser.context, url: server.url, imagePaths: written.paths, modelId: options.scaleModels[0], presses: 30, timeoutS: options.scaleTimeoutS, log });
        result.labelScale = { ...label, widthPx: written.widthPx, heightPx: written.heightPx };
        log(`label run: nudge → paint median ${label.nudgeToPaint.medianMs?.toFixed(1)} ms (max ${label.nudgeToPaint.maxMs?.toFixed(1)}), next image ${label.nextImageToPaint.medianMs?.toFixed(1)} ms, save ${label.saveOneEdit.medianMs?.toFixed(1)} ms`);
      } catch (error) {
        result.labelScale = { error: error instanceof Error ? error.message : String(error) };
        log(`label run: FAILED: ${result.labelScale.error}`);
      } finally {
        if (written) rmSync(written.dir, { recursive: true, force: true });
      }
      save();
    }
    if (options.webcamFrames > 0) {
      try {
        const feedPath = join(ROOT, 'test', 'fixtures', 'browser', 'webcam-person.mjpeg');
        result.webcamSoak = await runWebcamSoak({ url: server.url, feedPath, frames: options.webcamFrames, timeoutS: options.scaleTimeoutS, log });
        const w = result.webcamSoak;
        log(`webcam soak: ${w.frames} frames at ${w.framesPerS.toFixed(1)}/s; tensors ${w.warm.tensors} → ${w.end.tensors}, page heap ${(w.pageHeapGrowthBytes / 1e6).toFixed(2)} MB growth`);
      } catch (error) {
        result.webcamSoak = { error: error instanceof Error ? error.message : String(error) };
        log(`webcam soak: FAILED: ${result.webcamSoak.error}`);
      }
      save();
    }
    result.wasmBinariesFetched = [...new Set(browser.requests.filter((u) => u.includes('/tfjs-wasm/')).map((u) => new URL(u).pathname))];
    result.pageErrors = browser.pageErrors;
  } finally {
    await browser?.close();
    server.stop();
  }
  if (!options.skipNode) {
    result.node = {};
    result.node.cli = await measureCli({ root: ROOT, imagesDir: FIXTURES, gtFile: join(FIXTURES, 'annotations.json'), models: CLI_MODELS, imageCount: images.length, log });
    if (result.node.cli.ok) log(`CLI: ${result.node.cli.imagesPerSWall.toFixed(2)} images/s wall (${(result.node.cli.wallMs / 1000).toFixed(2)} s for ${images.length} images × ${CLI_MODELS.length} models)`);
    else log(`CLI FAILED: ${result.node.cli.error}`);
    result.node.evaluation = await measureEvaluation({ root: ROOT, log });
    if (result.node.evaluation.ok) log(`evaluation: first run ${result.node.evaluation.firstRunMs} ms, median ${result.node.evaluation.warmMedianMs} ms`);
    else log(`evaluation FAILED: ${result.node.evaluation.error}`);
  }
}

let exitCode = 0;
try {
  await main();
  result.status = 'done';
} catch (error) {
  result.status = 'broken';
  result.error = error instanceof Error ? error.stack ?? error.message : String(error);
  log(`bench broke: ${result.error}`);
  exitCode = 1;
}
result.machine.loadAverageEnd = loadavg();
result.finishedAtIso = new Date().toISOString();
result.totalWallMs = Date.now() - t0;
result.targets = evaluateTargets(result);
result.notes = buildNotes(result);
save();
const markdown = markdownReport(result);
writeFileSync(mdPath, markdown + '\n');
copyFileSync(mdPath, join(outDir, 'latest.md'));
process.stdout.write('\n');
if (result.browser?.rows.length) process.stdout.write(`${resultsTable(result.browser.rows)}\n\n`);
if (result.job) process.stdout.write(`${jobTable(result.job, result.browser?.rows ?? [])}\n\n`);
process.stdout.write(`${targetsTable(result.targets)}\n\n`);
log(`wrote ${jsonPath}, ${mdPath} and ${join(outDir, 'latest.md')} (${(result.totalWallMs / 1000).toFixed(0)} s in all)`);
process.exit(exitCode);
