// Targets (reported, never asserted) and the Markdown report of `npm run bench`.

export const TARGETS = {
  overheadMax: 1.1,
  /** The user's job (M images × K models as the gallery runs them): batch wall ÷ Σ raw network time, on WASM. */
  jobOverheadMax: 1.05,
  autoWithinFraction: 0.1,
  firstKeypointsMaxMs: 1500,
  evaluationMaxMs: 1000,
  longTaskCountMax: 0,
  /** JS heaps are read without a forced garbage collection: growth up to this much is noise, not a leak. */
  heapToleranceBytes: 1024 * 1024,
};

const MB = 1024 * 1024;
const num = (v, digits = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–');
const ms = (v) => (typeof v === 'number' && Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '–');
const mb = (v) => (typeof v === 'number' ? (v / MB).toFixed(1) : '–');
const arrow = (a, b, f) => (a === null && b === null ? '–' : `${f(a)}→${f(b)}`);

/**
 * A row's configuration: `wasm/Nt` with N the threads read back from the WASM module. Rows saved
 * before the read-back (no `wasmThreadsRequested` field) hold only the request, which tfjs 4.22
 * silently halved (backend.cc caps the pool at hardwareConcurrency / 2): they say "requested".
 */
export const configLabel = (row) => {
  if (row.backend !== 'wasm') return row.backend;
  if (row.wasmThreadsRequested === undefined) return row.wasmThreads ? `wasm/${row.wasmThreads}t requested` : 'wasm';
  if (row.wasmThreads !== null) return `wasm/${row.wasmThreads}t`;
  return row.wasmThreadsRequested !== null ? `wasm/${row.wasmThreadsRequested}t requested` : 'wasm';
};

/**
 * The row Auto's choice corresponds to: the chosen backend; on WASM the thread count Auto's own
 * worker read back (the app's default), or for older runs the core count.
 */
function autoRowFor(rows, modelId, chosen, autoWasmThreads) {
  const candidates = rows.filter((r) => r.modelId === modelId && r.backend === chosen && r.status === 'ok');
  if (chosen !== 'wasm') return candidates[0] ?? null;
  return candidates.find((r) => r.wasmThreads === autoWasmThreads) ?? candidates.find((r) => r.wasmThreads === null) ?? null;
}

/** Every target with PASS / FAIL / n/a and the figures behind it. */
export function evaluateTargets(result) {
  const rows = result.browser?.rows ?? [];
  const cores = result.machine.browserHardwareConcurrency ?? result.machine.cores;
  const models = [...new Set(rows.map((r) => r.modelId))];
  const targets = [];

  // 1. Overhead ≤ 1.10 on WASM, per model (each WASM thread count).
  for (const row of rows.filter((r) => r.backend === 'wasm')) {
    const ok = row.status === 'ok' && row.overheadRatio !== null;
    targets.push({
      group: 'overhead',
      target: `overhead ≤ ${TARGETS.overheadMax.toFixed(2)} on WASM`,
      subject: `${row.displayName} (${configLabel(row)})`,
      value: ok ? `${row.overheadRatio.toFixed(2)} (p50 ${ms(row.latencyP50Ms)} ms / raw ${ms(row.rawP50Ms)} ms)` : row.error ?? 'not measured',
      verdict: ok ? (row.overheadRatio <= TARGETS.overheadMax ? 'PASS' : 'FAIL') : 'n/a',
    });
  }

  // 0. The webcam soak: no growth in tensors or heap over its frames.
  const soak = result.webcamSoak;
  if (soak) {
    const ok = !soak.error && soak.tensorGrowth !== null && soak.pageHeapGrowthBytes !== null;
    const heapOk = ok && soak.pageHeapGrowthBytes <= SOAK_HEAP_SLACK_BYTES;
    targets.push({
      group: 'soak',
      target: 'webcam soak: no growth in tensors or heap',
      subject: ok ? `${soak.frames} webcam frames (from frame ${soak.warmFrames})` : 'webcam soak',
      value: ok ? `tensors ${soak.warm.tensors} → ${soak.end.tensors} (${soak.tensorBytesGrowth >= 0 ? '+' : ''}${soak.tensorBytesGrowth} B); page heap after GC ${(soak.warm.pageHeapBytes / 1e6).toFixed(2)} → ${(soak.end.pageHeapBytes / 1e6).toFixed(2)} MB` : soak.error ?? 'not measured',
      verdict: ok ? (soak.tensorGrowth === 0 && soak.tensorBytesGrowth === 0 && heapOk ? 'PASS' : 'FAIL') : 'n/a',
    });
  }

  // 1b. The user's job: wall ÷ Σ raw ≤ 1.05 on WASM.
  const job = result.job;
  if (job) {
    const ok = job.status === 'ok' && typeof job.jobOverhead === 'number';
    targets.push({
      group: 'job',
      target: `job overhead ≤ ${TARGETS.jobOverheadMax.toFixed(2)} on WASM`,
      // The target is about the app's default threads; a job run on other threads (--job-threads) says so.
      subject: `${jobSubject(job)}${result.options?.jobThreads ? ` — --job-threads ${result.options.jobThreads}, not necessarily the app's default` : ''}`,
      value: ok
        ? `${job.jobOverhead.toFixed(3)} (wall ${ms(job.wallMs)} ms / Σ raw ${ms(job.rawSumMs)} ms); without the decodes ${job.jobOverheadWithoutDecode.toFixed(3)} (Σ decode ${ms(job.decodeSumMs)} ms)${(job.rounds?.length ?? 0) > 1 ? `; median of ${job.rounds.length} rounds: ${job.rounds.map((r) => r.figures.jobOverhead.toFixed(3)).join(', ')}` : ''}`
        : job.error ?? 'not measured',
      verdict: ok ? (job.jobOverhead <= TARGETS.jobOverheadMax ? 'PASS' : 'FAIL') : 'n/a',
    });
  }

  // 2. Auto's latency within 10% of the fastest backend measured, per model.
  const decisions = result.browser?.autoDecisions ?? [];
  const chosenCounts = {};
  for (const d of decisions) if (d) chosenCounts[d.chosen] = (chosenCounts[d.chosen] ?? 0) + 1;
  const chosen = Object.entries(chosenCounts).sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const autoWasmThreads = decisions.find((d) => d?.wasmThreadsActual !== undefined)?.wasmThreadsActual ?? cores;
  for (const modelId of models) {
    const ok = rows.filter((r) => r.modelId === modelId && r.status === 'ok' && r.latencyP50Ms !== null);
    const name = ok[0]?.displayName ?? modelId;
    if (!chosen || ok.length === 0) {
      targets.push({ group: 'auto', target: 'Auto within 10% of the fastest', subject: name, value: 'Auto was not asked or nothing measured', verdict: 'n/a' });
      continue;
    }
    const fastest = ok.reduce((a, b) => (b.latencyP50Ms < a.latencyP50Ms ? b : a));
    const autoRow = autoRowFor(rows, modelId, chosen, autoWasmThreads);
    if (!autoRow) {
      targets.push({ group: 'auto', target: 'Auto within 10% of the fastest', subject: name, value: `Auto picks ${chosen}, which was not measured for this model`, verdict: 'n/a' });
      continue;
    }
    const ratio = autoRow.latencyP50Ms / fastest.latencyP50Ms;
    targets.push({
      group: 'auto',
      target: 'Auto within 10% of the fastest',
      subject: name,
      value: `Auto → ${configLabel(autoRow)} ${ms(autoRow.latencyP50Ms)} ms; fastest ${configLabel(fastest)} ${ms(fastest.latencyP50Ms)} ms (×${ratio.toFixed(2)}; ${ok.length} configs measured)`,
      verdict: ratio <= 1 + TARGETS.autoWithinFraction ? 'PASS' : 'FAIL',
    });
  }

  // 3. Leak check: 0 tensors leaked and no heap growth, on the rows that ran the leak check.
  const leakRows = rows.filter((r) => r.leakCheckInferences > 0);
  for (const row of leakRows) {
    if (row.status !== 'ok') {
      targets.push({ group: 'leak', target: '0 tensors leaked, no heap growth', subject: `${row.displayName} (${configLabel(row)})`, value: row.error ?? 'failed', verdict: 'n/a' });
      continue;
    }
    const tensorDelta = (row.tensorsAfter ?? 0) - (row.tensorsBefore ?? 0);
    const bytesDelta = (row.tensorBytesAfter ?? 0) - (row.tensorBytesBefore ?? 0);
    const workerDelta = row.workerHeapBytesAfter !== null && row.workerHeapBytesBefore !== null ? row.workerHeapBytesAfter - row.workerHeapBytesBefore : null;
    const mainDelta = row.mainHeapBytesAfter !== null && row.mainHeapBytesBefore !== null ? row.mainHeapBytesAfter - row.mainHeapBytesBefore : null;
    // The bench's own reading after a forced GC, where it has one, judges the main heap; the app's reading is shown beside it.
    const gcDelta = row.gcMainHeapBytesAfter != null && row.gcMainHeapBytesBefore != null ? row.gcMainHeapBytesAfter - row.gcMainHeapBytesBefore : null;
    // A runtime's own WASM heap (LiteRT, MediaPipe solutions) only grows, and a solution fills its WebGL pools in its
    // first frames: both are judged over the leak check's own window, after every measured estimate.
    const leakWindow = row.leakCheck ?? null;
    const runtimeHeapDelta = leakWindow?.end.runtimeHeapBytes != null && leakWindow.start.runtimeHeapBytes != null ? leakWindow.end.runtimeHeapBytes - leakWindow.start.runtimeHeapBytes : null;
    const gpuDelta = leakWindow?.end.runtimeGpuObjects != null && leakWindow.start.runtimeGpuObjects != null ? leakWindow.end.runtimeGpuObjects - leakWindow.start.runtimeGpuObjects : null;
    const heapOk = [workerDelta, gcDelta ?? mainDelta, runtimeHeapDelta].every((d) => d === null || d <= TARGETS.heapToleranceBytes) && (gpuDelta === null || gpuDelta <= 0);
    const sign = (d) => (d === null ? '–' : `${d >= 0 ? '+' : ''}${(d / MB).toFixed(2)} MB`);
    targets.push({
      group: 'leak',
      target: '0 tensors leaked, no heap growth',
      subject: `${row.displayName} (${configLabel(row)}, ${row.inferencesMeasured} inferences, ${row.leakCheckInferences} in the leak check)`,
      value: `tensors ${row.tensorsBefore}→${row.tensorsAfter} (${tensorDelta >= 0 ? '+' : ''}${tensorDelta}, ${bytesDelta >= 0 ? '+' : ''}${bytesDelta} B); worker heap ${workerDelta === null ? 'not exposed' : sign(workerDelta)}; main heap ${sign(mainDelta)} (app, no GC)${gcDelta === null ? '' : `, ${sign(gcDelta)} after forced GC`}${runtimeHeapDelta === null ? '' : `; ${row.runtime} heap ${sign(runtimeHeapDelta)}`}${gpuDelta === null ? '' : `; GPU objects ${leakWindow.start.runtimeGpuObjects}→${leakWindow.end.runtimeGpuObjects} over the leak check`} (tolerance ${(TARGETS.heapToleranceBytes / MB).toFixed(0)} MB)`,
      verdict: tensorDelta === 0 && bytesDelta === 0 && heapOk ? 'PASS' : 'FAIL',
    });
  }
  if (leakRows.length === 0) targets.push({ group: 'leak', target: '0 tensors leaked, no heap growth', subject: 'all', value: 'leak check not run (--leak 0)', verdict: 'n/a' });

  // 4. No main-thread long task > 50 ms during the batch: one line per configuration, failing rows named.
  const observerWorks = result.browser?.longTaskCheck?.works !== false;
  const configs = [...new Set(rows.map(configLabel))];
  for (const config of configs) {
    const inConfig = rows.filter((r) => configLabel(r) === config);
    const measured = observerWorks ? inConfig.filter((r) => r.status === 'ok' && r.longTasks) : [];
    const offenders = measured.filter((r) => r.longTasks.count > TARGETS.longTaskCountMax);
    const maxMs = Math.max(0, ...measured.map((r) => r.longTasks.maxMs));
    targets.push({
      group: 'longtasks',
      target: '0 main-thread long tasks (> 50 ms) during the batch',
      subject: `${config}: ${measured.length} of ${inConfig.length} models measured`,
      value: measured.length === 0
        ? observerWorks ? 'no row measured' : 'long tasks not observable in this browser'
        : offenders.length === 0
          ? `0 long tasks in every row (longest ${ms(maxMs)} ms)`
          : offenders.map((r) => `${r.displayName}: ${r.longTasks.count} (max ${ms(r.longTasks.maxMs)} ms)`).join('; '),
      verdict: measured.length === 0 ? 'n/a' : offenders.length === 0 ? 'PASS' : 'FAIL',
    });
  }

  // 5. First keypoints ≤ 1.5 s.
  const first = result.firstKeypoints;
  targets.push({
    group: 'first',
    target: `first keypoints ≤ ${(TARGETS.firstKeypointsMaxMs / 1000).toFixed(1)} s (warm HTTP cache)`,
    subject: first?.backend ? `Auto → ${first.backend}, 1 image, models ${Object.keys(first.parts?.modelsReadyMs ?? {}).join(' + ')}` : 'page load',
    value: first?.firstKeypointsMs != null ? `${first.firstKeypointsMs} ms (median of ${first.allRunsMs.length}: ${first.allRunsMs.join(', ')} ms)` : first?.error ?? 'not measured',
    verdict: first?.firstKeypointsMs != null ? (first.firstKeypointsMs <= TARGETS.firstKeypointsMaxMs && first.backend === 'wasm' ? 'PASS' : 'FAIL') : 'n/a',
  });

  // 6. Evaluation of 5,000 × 20 < 1 s.
  const ev = result.node?.evaluation;
  targets.push({
    group: 'evaluation',
    target: 'evaluation of 5,000 images × 20 detections < 1 s',
    subject: 'scripts/bench-eval.ts, first (cold) run',
    value: ev?.ok ? `${ev.firstRunMs} ms first run (CPU ${ev.firstRunCpuMs} ms); median of ${ev.warmRuns} more ${ev.warmMedianMs} ms` : ev?.error ?? 'not measured',
    verdict: ev?.ok ? (ev.firstRunMs < TARGETS.evaluationMaxMs ? 'PASS' : 'FAIL') : 'n/a',
  });
  return targets;
}

/** The results table: one line per model × backend (× WASM threads). */
export function resultsTable(rows) {
  const header = [
    'Model', 'Backend', 'n', 'Load ms', 'First inf. ms', 'p50 ms', 'p95 ms', 'Model p50 ms', 'Raw p50 ms', 'Overhead', 'Images/s',
    'Tensors before→after', 'Worker heap MB', 'Runtime heap MB', 'Main heap MB', 'Long tasks (max ms)',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    if (r.status !== 'ok') {
      const error = String(r.error ?? 'failed').replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 160);
      lines.push(`| ${r.displayName} | ${configLabel(r)} | ${r.imageCount ?? '–'} | ${ms(r.loadMs)} | ${ms(r.firstInferenceMs)} | failed: ${error} |${' |'.repeat(header.length - 6)}`);
      continue;
    }
    const lt = r.longTasks ? `${r.longTasks.count} (${ms(r.longTasks.maxMs)})` : '–';
    lines.push(
      `| ${[
        r.displayName,
        configLabel(r),
        r.imageCount,
        ms(r.loadMs),
        ms(r.firstInferenceMs),
        ms(r.latencyP50Ms),
        ms(r.latencyP95Ms),
        ms(r.modelP50Ms),
        ms(r.rawP50Ms),
        num(r.overheadRatio, 2),
        num(r.throughputImagesPerS, 1),
        arrow(r.tensorsBefore, r.tensorsAfter, (v) => (v === null ? '–' : String(v))),
        arrow(r.workerHeapBytesBefore, r.workerHeapBytesAfter, mb),
        arrow(r.runtimeHeapBytesBefore ?? null, r.runtimeHeapBytesAfter ?? null, mb),
        arrow(r.mainHeapBytesBefore, r.mainHeapBytesAfter, mb),
        lt,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** Where the WASM pipeline's time goes, per row: outside the adapter, pose-detection around the network, the network. */
export function overheadTable(rows) {
  const wasm = rows.filter((r) => r.backend === 'wasm' && r.status === 'ok');
  if (wasm.length === 0) return null;
  const lines = [
    '| Model | Backend | p50 ms | outside the adapter ms (p50 − model p50) | of which file → pixels → tensor in the worker ms (decoder) | pose-detection pre/post ms (model p50 − raw p50) | network ms (raw p50) | Overhead | Overhead without the file decode ((p50 − decode) / raw) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of wasm) {
    lines.push(`| ${r.displayName} | ${configLabel(r)} | ${ms(r.latencyP50Ms)} | ${ms(r.latencyP50Ms - r.modelP50Ms)} | ${ms(r.decodeP50Ms)}${r.decoder ? ` (${r.decoder})` : ''} | ${ms(r.modelP50Ms - r.rawP50Ms)} | ${ms(r.rawP50Ms)} | ${num(r.overheadRatio, 2)} | ${r.rawP50Ms && r.decodeP50Ms !== null ? num((r.latencyP50Ms - r.decodeP50Ms) / r.rawP50Ms, 2) : '–'} |`);
  }
  return lines.join('\n');
}

/** "M images × K models (wasm/Nt)". */
export function jobSubject(job) {
  const label = configLabel({ backend: job.backend, wasmThreads: job.wasmThreads, wasmThreadsRequested: job.wasmThreadsRequested });
  const images = job.requestCount ?? '–';
  const models = job.modelIds?.length ?? '–';
  return `${images} images × ${models} models (${label})`;
}

const share = (part, whole) => (typeof part === 'number' && typeof whole === 'number' && whole > 0 ? `${((100 * part) / whole).toFixed(0)} %` : '–');

/**
 * The user's job: its figures, where its wall time goes, and per model the job's sums beside the
 * model's single-image overhead on the same configuration (a row of this run with the job's
 * backend and thread count, where there is one), with the decode shown separately.
 */
export function jobTable(job, rows) {
  if (job.status !== 'ok') return `Job ${jobSubject(job)} failed: ${job.error ?? 'unknown error'}`;
  const out = [
    '| Job | Wall ms | Σ raw ms | **Job overhead** (wall / Σ raw) | Σ decode ms | Overhead without the decodes ((wall − Σ decode) / Σ raw) | Σ pre/post ms (Σ adapter − Σ raw) | Outside the adapters ms (wall − Σ adapter − Σ decode) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    `| ${jobSubject(job)}, ${job.inFlight} in flight | ${ms(job.wallMs)} | ${ms(job.rawSumMs)} | **${num(job.jobOverhead, 3)}** | ${ms(job.decodeSumMs)}${job.decoder ? ` (${job.decoder})` : ''} | ${num(job.jobOverheadWithoutDecode, 3)} | ${ms(job.prePostSumMs)} | ${ms(job.outsideSumMs)} |`,
    '',
    `Wall time: networks ${share(job.rawSumMs, job.wallMs)}, pre/post-processing ${share(job.prePostSumMs, job.wallMs)}, decodes ${share(job.decodeSumMs, job.wallMs)}, outside the adapters ${share(job.outsideSumMs, job.wallMs)}.`,
  ];
  const rounds = job.rounds ?? [];
  if (rounds.length > 1) {
    out.push('');
    out.push(`Rounds (the median one is shown): job overhead ${rounds.map((r, i) => `${num(r.figures.jobOverhead, 3)}${i === job.medianRound ? ' (shown)' : ''}`).join(', ')}; one image in flight ${rounds.map((r) => num(r.oneInFlight.jobOverhead, 3)).join(', ')}; Σ raw ${rounds.map((r) => ms(r.figures.rawSumMs)).join(', ')} ms.`);
  }
  const one = job.oneInFlight;
  if (one) {
    out.push('');
    out.push(`Diagnostic, one image in flight (no decode overlapping a model; not the target's figure): wall ${ms(one.wallMs)} ms → ${num(one.jobOverhead, 3)} (without the decodes ${num(one.jobOverheadWithoutDecode, 3)}; Σ adapter ${ms(one.modelSumMs)} ms, Σ decode ${ms(one.decodeSumMs)} ms, outside ${ms(one.outsideSumMs)} ms).`);
  }
  out.push(
    '',
    `| Model | Σ raw ms (images) | Σ adapter ms | Adapter / raw in the job | Σ pre/post ms |${one ? ' Σ adapter ms, one in flight |' : ''} Single image: p50 ms | decode p50 ms | raw p50 ms | overhead | overhead without decode |`,
    `|---|---:|---:|---:|---:|${one ? '---:|' : ''}---:|---:|---:|---:|---:|`,
  );
  for (const m of job.perModel ?? []) {
    const row = rows.find((r) => r.modelId === m.modelId && r.backend === job.backend && r.status === 'ok' && r.wasmThreads === job.wasmThreads);
    const name = rows.find((r) => r.modelId === m.modelId)?.displayName ?? m.modelId;
    const withoutDecode = row && row.rawP50Ms && row.decodeP50Ms != null ? (row.latencyP50Ms - row.decodeP50Ms) / row.rawP50Ms : null;
    const oneModel = one?.perModel.find((x) => x.modelId === m.modelId);
    out.push(`| ${name} | ${ms(m.rawSumMs)} (${m.rawCount}) | ${ms(m.modelSumMs)} | ${num(m.adapterOverhead, 2)} | ${ms(m.modelSumMs - m.rawSumMs)} |${one ? ` ${ms(oneModel?.modelSumMs)} |` : ''} ${ms(row?.latencyP50Ms)} | ${ms(row?.decodeP50Ms)} | ${ms(row?.rawP50Ms)} | ${num(row?.overheadRatio, 2)} | ${num(withoutDecode, 2)} |`);
  }
  return out.join('\n');
}

export function targetsTable(targets) {
  const lines = ['| Target | Subject | Measured | Result |', '|---|---|---|---|'];
  for (const t of targets) lines.push(`| ${t.target} | ${t.subject} | ${String(t.value).replace(/\|/g, '\\|')} | **${t.verdict}** |`);
  return lines.join('\n');
}

function summaryCounts(targets) {
  const counts = { PASS: 0, FAIL: 0, 'n/a': 0 };
  for (const t of targets) counts[t.verdict]++;
  return counts;
}

export function markdownReport(result) {
  const { machine, options } = result;
  const rows = result.browser?.rows ?? [];
  const targets = result.targets;
  const counts = summaryCounts(targets);
  const out = [];
  out.push(`# Keypoint Bench — bench ${result.mode} run, ${result.startedAtIso}`);
  out.push('');
  out.push(`- Machine: ${machine.cores} cores (${machine.cpuModel}), ${(machine.totalMemoryBytes / 1024 ** 3).toFixed(0)} GiB RAM, load average at start ${machine.loadAverageStart.map((v) => v.toFixed(2)).join(' / ')}, at end ${machine.loadAverageEnd?.map((v) => v.toFixed(2)).join(' / ') ?? '–'}`);
  out.push(`- Browser: ${machine.chromiumVersion ?? 'unknown'}; ${machine.userAgent ?? ''}; cross-origin isolated: ${machine.crossOriginIsolated}`);
  out.push(`- GPU/renderer: WebGL "${machine.webglRenderer ?? '–'}"; WebGPU "${machine.webgpuAdapter ?? '–'}"`);
  if (result.browser) {
    out.push(`- Auto picks: ${result.browser.autoSummary}`);
    out.push(`- Images: the ${result.fixtureCount} dev fixtures (test/fixtures/people) repeated to n per row: ${options.images} on WASM${options.backends.some((b) => b !== 'wasm') ? `, ${options.slowImages} on ${options.backends.filter((b) => b !== 'wasm').join('/')}` : ''}; leak check ${options.leak} extra inferences per model on ${result.browser.leakConfig ?? '–'}${options.jobImages ? `; job ${options.jobImages} images × ${options.models.length} models, ${options.jobRounds ?? 1} round${options.jobRounds === 1 ? '' : 's'}` : ''}`);
    out.push(`- Browser benchmark wall time: ${(result.browser.wallMs / 1000).toFixed(0)} s; whole bench: ${(result.totalWallMs / 1000).toFixed(0)} s`);
  }
  out.push('');
  if (rows.length > 0) {
    out.push('## Results');
    out.push('');
    out.push(resultsTable(rows));
    out.push('');
    out.push('p50/p95: the whole app pipeline per image, one at a time, from the request to the poses on the UI thread (file handed to the worker → decoded there → tensor → model → reply). Model p50: the adapter alone in the worker. Raw p50: the network(s) alone on the same inputs. Overhead = p50 / raw p50. Images/s: batch with two images in flight. Heaps: JS heap before the measurement → after the last inference (no forced GC). Long tasks: main-thread tasks > 50 ms during the batch. See bench/README.md.');
    out.push('');
    const breakdown = overheadTable(rows);
    if (breakdown) {
      out.push('### Where the WASM time goes (medians; the parts are differences of medians, so approximate)');
      out.push('');
      out.push(breakdown);
      out.push('');
    }
  }
  if (result.job) {
    out.push(`## Your job: ${jobSubject(result.job)}`);
    out.push('');
    out.push(jobTable(result.job, rows));
    out.push('');
    out.push(`The job as the gallery runs it: one request per image carrying every model (each image decoded once for all of them), two images in flight, the next sent when one is done, in a fresh worker on WASM with the app's default threads (unless \`--job-threads\` says otherwise). Wall: from the first request to the last \`estimateDone\`. Σ raw: every model's network(s) alone on every image, re-run on the exact inputs in a separate pass (\`measureRaw\`, one image at a time), so no re-run is inside the wall time. Each round runs the timed pass, the raw pass and the one-in-flight diagnostic (the two timed passes swap places every round); the round with the median job overhead is shown. Σ adapter: the adapters' estimate times in the timed pass; Σ decode: the worker's file → pixels → tensor, the part not overlapped with earlier work. Single image: this run's row with the same backend and thread count (one image, one model at a time). See bench/README.md.`);
    out.push('');
  }
  if (result.scale) out.push(...scaleSection(result.scale), '');
  if (result.labelScale) out.push(...labelSection(result.labelScale), '');
  if (result.webcamSoak) out.push(...webcamSoakSection(result.webcamSoak), '');
  if (result.firstKeypoints && !result.firstKeypoints.error) {
    const f = result.firstKeypoints;
    const p = f.parts;
    out.push('## First keypoints (warm HTTP cache)');
    out.push('');
    out.push(`Median ${f.firstKeypointsMs} ms from navigation start to the first gallery cell with \`data-status=done\` (${f.firstCellModel}), runs: ${f.allRunsMs.join(', ')} ms. Backend: ${f.backend} (Auto: ${f.decisionReason ?? '–'}).`);
    out.push('');
    out.push('| Milestone (median run) | ms since navigation start |');
    out.push('|---|---:|');
    const milestone = (label, v) => out.push(`| ${label} | ${v ?? '–'} |`);
    milestone('HTML received', p.htmlReceivedMs);
    milestone('DOMContentLoaded', p.domContentLoadedMs);
    milestone('app mounted (window.keypointBench)', p.appMountedMs);
    milestone('file input in the DOM', p.fileInputAttachedMs);
    milestone('image added to the store', p.imageAddedMs);
    milestone('image decoded (ready)', p.imageReadyMs);
    milestone(`backend ready (${f.backend})`, p.backendReadyMs);
    for (const [id, v] of Object.entries(p.modelsReadyMs)) milestone(`${id} ready (load ${p.modelLoadMs[id] ?? '–'} ms + warm-up ${p.modelWarmupMs[id] ?? '–'} ms)`, v);
    for (const [id, v] of Object.entries(p.resultDoneMs)) milestone(`${id} result in the store (model time ${p.firstResultLatencyMs[id] ?? '–'} ms)`, v);
    milestone('**first cell done in the DOM**', p.firstCellDoneMs);
    milestone('next animation frame', p.firstCellFrameMs);
    out.push('');
    out.push(`HTTP cache: served from cache: ${f.httpCache.servedFromCache.join(', ') || 'nothing'}; fetched from the server again (${(f.httpCache.fetchedBytes / MB).toFixed(1)} MB): ${f.httpCache.fetchedFromServer.join(', ') || 'nothing'} (serve.mjs sends \`Cache-Control: no-cache\` with an ETag for everything outside /assets/, so the browser revalidates those and gets 304 Not Modified: a round trip, no body).`);
    out.push('');
  } else if (result.firstKeypoints?.error) {
    out.push(`## First keypoints\n\nFailed: ${result.firstKeypoints.error}\n`);
  }
  if (result.node) {
    out.push('## Node');
    out.push('');
    const cli = result.node.cli;
    if (cli?.ok) {
      out.push(`- CLI \`${cli.command}\` on ${cli.images} images (each through ${cli.models.length} models, ${cli.backend}): ${(cli.wallMs / 1000).toFixed(2)} s wall → **${cli.imagesPerSWall.toFixed(2)} images/s** including process start-up and model load; ${cli.imagesPerSCli?.toFixed(2) ?? '–'} images/s by the CLI's own "done in ${cli.cliDoneMs ? (cli.cliDoneMs / 1000).toFixed(1) : '–'} s"; steady state ${cli.imagesPerSSteady?.toFixed(2) ?? '–'} images/s from the median model times (${cli.perModel.map((m) => `${m.modelId} ${ms(m.medianLatencyMs)} ms`).join(', ')}).`);
    } else if (cli) out.push(`- CLI failed: ${cli.error}`);
    const ev = result.node.evaluation;
    if (ev?.ok) out.push(`- COCO evaluation, ${ev.images} images × ${ev.detectionsPerImage} detections: first run ${ev.firstRunMs} ms (CPU ${ev.firstRunCpuMs} ms), median of ${ev.warmRuns} further runs ${ev.warmMedianMs} ms (CPU ${ev.warmMedianCpuMs} ms).`);
    else if (ev) out.push(`- Evaluation failed: ${ev.error}`);
    out.push('');
  }
  out.push(`## Targets (${counts.PASS} PASS, ${counts.FAIL} FAIL, ${counts['n/a']} n/a — reported, not asserted)`);
  out.push('');
  out.push(targetsTable(targets));
  out.push('');
  if (result.notes.length > 0) {
    out.push('## Notes');
    out.push('');
    for (const note of result.notes) out.push(`- ${note}`);
    out.push('');
  }
  return out.join('\n');
}

/** Notes for the report, from the result alone (so a saved JSON can be re-rendered). */
export function buildNotes(result) {
  const { options } = result;
  const notes = [];
  const load = result.machine.loadAverageStart[0];
  if (load > options.cores * 0.5) notes.push(`The machine was busy: load average ${load.toFixed(2)} on ${options.cores} cores at the start (other processes share the CPU), so times are pessimistic and noisy; per-row load averages are in the JSON.`);
  if (result.browser) {
    const slow = options.backends.filter((b) => b !== 'wasm');
    if (slow.length > 0) notes.push(`${slow.join(', ')} ran ${options.slowImages} image${options.slowImages === 1 ? '' : 's'} per model (WASM: ${options.images}): WebGL/WebGPU are software (SwiftShader) on this machine and CPU is plain JavaScript, all far slower.`);
    if (options.leak > 0) notes.push(`The leak check (${options.leak} extra inferences) ran once per model, on ${result.browser.leakConfig}; the other rows' tensors before→after cover only the measured 2 + 2n inferences.`);
    const okRows = result.browser.rows.filter((r) => r.status === 'ok');
    if (okRows.length > 0 && okRows.every((r) => r.workerHeapBytesBefore === null)) notes.push('The app reports no worker heap (workerHeapBytes is null in every row): Chromium exposes performance.memory only on the page, not in dedicated workers, so worker-side leaks show only through the tensor counts/bytes. The main-thread heap is judged on the bench\'s own reading after a forced GC (DevTools HeapProfiler.collectGarbage).');
    const check = result.browser.longTaskCheck;
    if (check) notes.push(`Long-task self-check: a deliberate 120 ms main-thread task was ${check.works ? `seen (${check.seenMs.map((v) => v.toFixed(0)).join(', ')} ms)` : 'NOT seen, so the long-task figures are not trustworthy'}.`);
    const failed = result.browser.rows.filter((r) => r.status !== 'ok');
    for (const r of failed) notes.push(`${r.modelId} on ${configLabel(r)} failed: ${r.error}`);
    const wasmRows = result.browser.rows.filter((r) => r.backend === 'wasm' && r.status === 'ok');
    const capped = wasmRows.filter((r) => r.wasmThreadsRequested != null && r.wasmThreads != null && r.wasmThreads !== r.wasmThreadsRequested);
    for (const r of capped) notes.push(`${r.displayName}: ${r.wasmThreadsRequested} WASM threads requested, the module made ${r.wasmThreads} (tfjs caps the pool at 8).`);
    if (wasmRows.some((r) => r.wasmThreadsRequested === undefined)) notes.push('This run predates reading the WASM thread count back: its wasm/Nt rows are labelled "requested", and with tfjs 4.22 a request for N threads ran min(N, hardwareConcurrency / 2), so on 2 cores every row ran 1 thread.');
    const auto = (result.browser.autoDecisions ?? []).find((d) => d?.wasmThreadsActual !== undefined);
    if (auto) notes.push(`The app's default WASM thread count here (read back by Auto's worker): ${auto.wasmThreadsActual} (${auto.wasmThreadsRequested ?? '–'} requested).`);
  }
  if (result.wasmBinariesFetched.length > 0) notes.push(`WASM binaries the workers fetched: ${result.wasmBinariesFetched.join(', ')}.`);
  if (result.pageErrors.length > 0) notes.push(`${result.pageErrors.length} page/console errors (first: ${result.pageErrors[0]}); all in the JSON.`);
  return notes;
}

const megabytes = (bytes) => (bytes === null || bytes === undefined ? '–' : `${(bytes / 1e6).toFixed(0)} MB`);
const rate = (v) => (v === null || v === undefined ? '–' : v.toFixed(2));

/** The label run (issue 13): Label mode with many photos, what a labeller waits for. */
export function labelSection(label) {
  if (label.error) return ['## Label run', '', `Failed: ${label.error}`];
  const stat = (s) => (s.medianMs === null ? '–' : `${s.medianMs.toFixed(1)} / ${s.maxMs.toFixed(1)} ms`);
  return [
    `## Label run: ${label.images} photos of ${label.widthPx}×${label.heightPx}, pre-labelled from ${label.modelId}`,
    '',
    '| Frame interval | Open the Label tab | Pre-label all | Nudge → painted (median / max) | Next image → painted | Next image → full picture | Accept → painted | Save one edit | Long tasks (count / max) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${label.frameIntervalMs?.toFixed(1) ?? '–'} ms | ${label.openLabelTabMs} ms | ${label.prelabelAllMs} ms (${label.prelabelled.persons} persons) | ${stat(label.nudgeToPaint)} | ${stat(label.nextImageToPaint)} | ${label.nextImageToFullPicture ? stat(label.nextImageToFullPicture) : '–'} | ${stat(label.acceptToPaint)} | ${stat(label.saveOneEdit)} | ${label.longTasks.count} / ${label.longTasks.maxMs.toFixed(0)} ms |`,
  ];
}

/** The scale run (issue 10.7): many large photos through the gallery, with it on screen. */
export function scaleSection(scale) {
  if (scale.error) return ['## Scale run', '', `Failed: ${scale.error}`];
  return [
    `## Scale run: ${scale.images} photos of ${scale.widthPx}×${scale.heightPx} (${((scale.widthPx * scale.heightPx) / 1e6).toFixed(1)} MP, ${(scale.fileBytes / 1e9).toFixed(2)} GB) × ${scale.models.join(', ')}`,
    '',
    '| Wall | Images/s | Cells/s, 2nd tenth | Cells/s, 9th tenth | Peak memory (all Chromium processes) | Peak page JS heap | Long tasks (count / max / p95 / total) | Rows mounted (max) | Errors (images / cells) | Session at the end |',
    '|---:|---:|---:|---:|---:|---:|---|---:|---|---|',
    `| ${(scale.wallMs / 1000).toFixed(0)} s | ${rate(scale.imagesPerS)} | ${rate(scale.cellsPerSFirstTenth)} | ${rate(scale.cellsPerSLastTenth)} | ${megabytes(scale.peakRssBytes)} | ${megabytes(scale.peakHeapBytes)} | ${scale.longTasks.count} / ${scale.longTasks.maxMs.toFixed(0)} ms / ${scale.longTasks.p95Ms === null ? '–' : `${scale.longTasks.p95Ms.toFixed(0)} ms`} / ${(scale.longTasks.totalMs / 1000).toFixed(1)} s | ${scale.maxMountedRows} | ${scale.imageErrors} / ${scale.cellErrors} | ${scale.finalSaveStatus} |`,
    '',
    `Peak memory by process (each kind's own peak, MB): ${Object.entries(scale.peakRssBytesByProcess ?? {}).map(([kind, bytes]) => `${kind} ${(bytes / 1e6).toFixed(0)}`).join(', ') || 'not sampled'}.`,
    '',
    'All photos are added at once through the app\'s file input, with the gallery on screen (scrolled down a screen every 3 s); wall: from handing the files to the page to the last cell done. The throughput of the 2nd and the 9th tenth of the cells compares the start of the batch with its end: the same figure means the work per result does not grow with the number of results. Peak memory: resident memory summed over every process of this browser profile, sampled once a second (Linux). Long tasks: main-thread tasks over 50 ms (PerformanceObserver). The session is saved to IndexedDB as it runs, photos included.',
  ];
}

/** What a forced-GC heap reading may move by without being growth: V8's own caches and code. */
const SOAK_HEAP_SLACK_BYTES = 1_000_000;

/** The webcam soak (issue 10.8). */
export function webcamSoakSection(soak) {
  if (soak.error) return ['## Webcam soak', '', `Failed: ${soak.error}`];
  return [
    `## Webcam soak: ${soak.frames} frames`,
    '',
    '| Frames | Frames/s | Tensors (frame ' + soak.warmFrames + ' → end) | Tensor bytes (→ end) | Page JS heap after GC (→ end) |',
    '|---:|---:|---|---|---|',
    `| ${soak.frames} | ${soak.framesPerS.toFixed(1)} | ${soak.warm.tensors} → ${soak.end.tensors} | ${soak.warm.tensorBytes} → ${soak.end.tensorBytes} | ${(soak.warm.pageHeapBytes / 1e6).toFixed(2)} → ${(soak.end.pageHeapBytes / 1e6).toFixed(2)} MB |`,
    '',
    `The app's live mode on Chromium's fake camera (test/fixtures/browser/webcam-person.mjpeg), default models; readings once ${soak.warmFrames} frames were answered and at the end. Tensors and bytes: the worker's, reported after every frame (\`estimateDone\`). Heap: the page's, after two forced GCs (the worker's heap is not exposed by Chromium). Pass: tensors and bytes unchanged, heap within ${SOAK_HEAP_SLACK_BYTES / 1e6} MB.`,
  ];
}
