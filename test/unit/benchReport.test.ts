/**
 * `npm run bench`'s report (scripts/bench/report.mjs): WASM rows are labelled by the thread count read
 * back from the module, runs saved before the read-back say "requested", and the Auto target compares
 * against the row with the thread count Auto's own worker read back (the app's default).
 */
import { describe, expect, it } from 'vitest';
import { benchReport } from './benchReportModule';

interface Row {
  backend: string;
  modelId: string;
  displayName: string;
  status: string;
  wasmThreads: number | null;
  wasmThreadsRequested?: number | null;
  latencyP50Ms: number | null;
  rawP50Ms: number | null;
  overheadRatio: number | null;
}
const report = benchReport;

const row = (wasmThreads: number | null, wasmThreadsRequested: number | null | undefined, latencyP50Ms: number, backend = 'wasm'): Row => ({
  backend,
  modelId: 'movenet-lightning',
  displayName: 'MoveNet Lightning',
  status: 'ok',
  wasmThreads,
  ...(wasmThreadsRequested !== undefined ? { wasmThreadsRequested } : {}),
  latencyP50Ms,
  rawP50Ms: latencyP50Ms / 1.05,
  overheadRatio: 1.05,
});

describe('bench report thread labels', () => {
  it('labels WASM rows by the count read back, and by the request only where nothing was read back', () => {
    expect(report.configLabel(row(2, 2, 40))).toBe('wasm/2t');
    expect(report.configLabel(row(8, 12, 40))).toBe('wasm/8t');
    expect(report.configLabel(row(null, 2, 40))).toBe('wasm/2t requested');
    expect(report.configLabel(row(null, null, 40))).toBe('wasm');
    expect(report.configLabel(row(null, null, 40, 'webgl'))).toBe('webgl');
    // Saved before the read-back: `wasmThreads` was only the request, which tfjs 4.22 halved.
    expect(report.configLabel(row(2, undefined, 40))).toBe('wasm/2t requested');
  });

  it("judges Auto against the row with the threads Auto's worker read back", () => {
    const result = {
      machine: { cores: 2, browserHardwareConcurrency: 2 },
      browser: {
        rows: [row(2, 2, 42), row(1, 1, 56)],
        autoDecisions: [{ chosen: 'wasm', reason: '', probes: [], wasmThreadsRequested: 1, wasmThreadsActual: 1 }],
      },
    };
    const auto = report.evaluateTargets(result).find((t) => t.group === 'auto');
    expect(auto?.value).toMatch(/^Auto → wasm\/1t 56\.0 ms; fastest wasm\/2t 42\.0 ms/);
    expect(auto?.verdict).toBe('FAIL');
  });
});
