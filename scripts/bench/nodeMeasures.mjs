// Node-side measurements: the CLI's throughput on the fixtures and the 5,000 × 20 COCO evaluation time.
/* global performance */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const startMs = performance.now();
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c.toString()));
    child.stderr.on('data', (c) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - startMs }));
  });
}

/**
 * `keypoint-bench eval` over the fixture folder: wall time of the whole command (process start,
 * model load and scoring included) and the CLI's own "done in" time, as images per second.
 */
export async function measureCli({ root, imagesDir, gtFile, models, imageCount, log }) {
  const out = mkdtempSync(join(tmpdir(), 'keypoint-bench-cli-'));
  try {
    const bin = join(root, 'bin', 'keypoint-bench.mjs');
    const args = [bin, 'eval', '--images', imagesDir, '--gt', gtFile, '--models', models.join(','), '--protocol', 'whole', '--out', out];
    log(`CLI: keypoint-bench eval --models ${models.join(',')} --protocol whole on ${imageCount} fixture images`);
    const result = await run(process.execPath, args, root);
    if (result.code !== 0) return { ok: false, error: `exit ${result.code}: ${result.stderr.slice(-2000)}`, wallMs: result.wallMs };
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    const doneMatch = /done in ([\d.]+) s/.exec(result.stderr + result.stdout);
    const cliDoneMs = doneMatch ? Number(doneMatch[1]) * 1000 : null;
    // metrics.json format 2: per-image latency is medianImageLatencyMs (format 1 called it medianLatencyMs).
    const perModel = (metrics.metrics ?? []).map((m) => ({ modelId: m.columnId, medianLatencyMs: m.medianImageLatencyMs ?? m.medianLatencyMs ?? null, imagesEvaluated: m.imagesEvaluated }));
    const sumMedianMs = perModel.reduce((a, m) => a + (m.medianLatencyMs ?? 0), 0);
    return {
      ok: true,
      command: `keypoint-bench eval --images ${imagesDir} --gt ${gtFile} --models ${models.join(',')} --protocol whole`,
      models,
      images: imageCount,
      wallMs: Math.round(result.wallMs),
      cliDoneMs,
      /** Images (each through every listed model) per second of the whole command. */
      imagesPerSWall: imageCount / (result.wallMs / 1000),
      /** The same per the CLI's own "done in" time (after process start-up). */
      imagesPerSCli: cliDoneMs ? imageCount / (cliDoneMs / 1000) : null,
      /** Steady state from the per-model median model time: 1000 / Σ medians. */
      imagesPerSSteady: sumMedianMs > 0 ? 1000 / sumMedianMs : null,
      perModel,
      backend: metrics.backend ?? null,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** scripts/bench-eval.ts: first (cold) and median-of-5 evaluation times. */
export async function measureEvaluation({ root, log }) {
  log('Evaluation: npx tsx scripts/bench-eval.ts (5,000 images × 20 detections)');
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const result = await run(tsx, [join(root, 'scripts', 'bench-eval.ts')], root);
  if (result.code !== 0) return { ok: false, error: `exit ${result.code}: ${result.stderr.slice(-2000)}` };
  const text = result.stdout;
  const first = /first run: (\d+) ms \(CPU (\d+) ms\)/.exec(text);
  const warm = /median of (\d+) further runs: (\d+) ms \(CPU (\d+) ms\)/.exec(text);
  const header = /(\d+) images × (\d+) detections \((\d+) ground-truth annotations, (\d+) detections\)/.exec(text);
  return {
    ok: !!first,
    output: text.trim(),
    images: header ? Number(header[1]) : null,
    detectionsPerImage: header ? Number(header[2]) : null,
    firstRunMs: first ? Number(first[1]) : null,
    firstRunCpuMs: first ? Number(first[2]) : null,
    warmRuns: warm ? Number(warm[1]) : null,
    warmMedianMs: warm ? Number(warm[2]) : null,
    warmMedianCpuMs: warm ? Number(warm[3]) : null,
  };
}
