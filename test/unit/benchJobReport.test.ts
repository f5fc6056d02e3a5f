/**
 * `npm run bench`'s job figures in the report (scripts/bench/report.mjs): the job target at 1.05, its
 * table with the decode apart, and the per-model single-image overhead taken from the row with the
 * job's backend and thread count.
 */
import { describe, expect, it } from 'vitest';
import { benchReport } from './benchReportModule';

const report = benchReport;

const job = (jobOverhead: number) => ({
  status: 'ok', error: null, backend: 'wasm', wasmThreads: 2, wasmThreadsRequested: 2, inFlight: 2, decoder: 'ImageDecoder', rawPassWallMs: 900,
  requestCount: 10, modelIds: ['movenet-lightning', 'blazepose-lite'], wallMs: 1000 * jobOverhead, rawSumMs: 1000, decodeSumMs: 60, modelSumMs: 1100,
  jobOverhead, jobOverheadWithoutDecode: (1000 * jobOverhead - 60) / 1000, prePostSumMs: 100, outsideSumMs: 1000 * jobOverhead - 1160,
  perModel: [
    { modelId: 'movenet-lightning', rawCount: 10, rawSumMs: 200, modelCount: 10, modelSumMs: 210, adapterOverhead: 1.05 },
    { modelId: 'blazepose-lite', rawCount: 10, rawSumMs: 800, modelCount: 10, modelSumMs: 890, adapterOverhead: 890 / 800 },
  ],
});
const row = (modelId: string, displayName: string, wasmThreads: number, p50: number, raw: number, decode: number) => ({
  backend: 'wasm', modelId, displayName, status: 'ok', wasmThreads, wasmThreadsRequested: wasmThreads,
  latencyP50Ms: p50, rawP50Ms: raw, decodeP50Ms: decode, overheadRatio: p50 / raw,
});
const result = (jobOverhead: number) => ({
  mode: 'quick', startedAtIso: '2026-12-01T00:00:00.000Z', totalWallMs: 1, fixtureCount: 8,
  options: { images: 10, backends: ['wasm'], slowImages: 5, leak: 0, cores: 2 },
  machine: { cores: 2, cpuModel: 'x', totalMemoryBytes: 1, loadAverageStart: [0, 0, 0], loadAverageEnd: [0, 0, 0], browserHardwareConcurrency: 2 },
  browser: { rows: [row('movenet-lightning', 'MoveNet Lightning', 1, 40, 30, 7), row('movenet-lightning', 'MoveNet Lightning', 2, 30, 24, 6)], autoDecisions: [], wallMs: 1, autoSummary: '' },
  job: job(jobOverhead),
  targets: [], notes: [],
});

describe('bench report: the job', () => {
  it('judges the job overhead against 1.05', () => {
    const pass = report.evaluateTargets(result(1.04)).find((t) => t.group === 'job');
    expect(pass).toMatchObject({ subject: '10 images × 2 models (wasm/2t)', verdict: 'PASS' });
    expect(pass?.value).toMatch(/^1\.040 \(wall 1040 ms \/ Σ raw 1000 ms\); without the decodes 0\.980 \(Σ decode 60\.0 ms\)$/);
    expect(report.evaluateTargets(result(1.06)).find((t) => t.group === 'job')?.verdict).toBe('FAIL');
    const failed = { ...result(1), job: { ...job(1), status: 'failed', error: 'boom', jobOverhead: null } };
    expect(report.evaluateTargets(failed).find((t) => t.group === 'job')).toMatchObject({ value: 'boom', verdict: 'n/a' });
    expect(report.evaluateTargets({ ...result(1), job: null }).some((t) => t.group === 'job')).toBe(false);
  });

  it('tables the job with the decode apart, and each model beside its single-image row on the same threads', () => {
    const text = report.jobTable(job(1.2), result(1.2).browser.rows);
    expect(text).toContain('| 10 images × 2 models (wasm/2t), 2 in flight | 1200 | 1000 | **1.200** | 60.0 (ImageDecoder) | 1.140 | 100 | 40.0 |');
    expect(text).toContain('networks 83 %, pre/post-processing 8 %, decodes 5 %, outside the adapters 3 %');
    // Lightning's single-image figures come from its 2-thread row (p50 30, decode 6, raw 24): overhead 1.25, without decode 1.00.
    expect(text).toContain('| MoveNet Lightning | 200 (10) | 210 | 1.05 | 10.0 | 30.0 | 6.0 | 24.0 | 1.25 | 1.00 |');
    // No BlazePose row in this run: its single-image columns are empty.
    expect(text).toContain('| blazepose-lite | 800 (10) | 890 | 1.11 | 90.0 | – | – | – | – | – |');
    const withOne = report.jobTable({ ...job(1.2), oneInFlight: { ...job(1.3), perModel: job(1.3).perModel.map((m) => ({ ...m, modelSumMs: m.modelSumMs - 5 })) } }, result(1.2).browser.rows);
    expect(withOne).toContain('one image in flight (no decode overlapping a model; not the target\'s figure): wall 1300 ms → 1.300 (without the decodes 1.240;');
    expect(withOne).toContain('| MoveNet Lightning | 200 (10) | 210 | 1.05 | 10.0 | 205 | 30.0 |');
    const rounds = [1.3, 1.2, 1.25].map((o) => ({ figures: job(o), oneInFlight: job(o + 0.1), rawPassWallMs: 900, firstPass: 'two-in-flight' }));
    expect(report.jobTable({ ...job(1.25), rounds, medianRound: 2 }, [])).toContain('Rounds (the median one is shown): job overhead 1.300, 1.200, 1.250 (shown); one image in flight 1.400, 1.300, 1.350;');
    expect(report.markdownReport({ ...result(1.2), targets: report.evaluateTargets(result(1.2)) })).toContain('## Your job: 10 images × 2 models (wasm/2t)');
  });
});
