import { COCO17 } from '../../../src/core/layouts/builtinLayouts';
import { describe, expect, it } from 'vitest';
import {
  PROVENANCE_CSV_COLUMNS,
  PUBLISHED_CSV_COLUMNS,
  csvField,
  metricsToCsv,
  metricsToJson,
  type ExportContext,
  type MetricsJson,
  INTERVAL_CSV_COLUMNS,
  ERROR_CSV_COLUMNS,
} from '../../../src/core/evaluation/exportMetrics';
import { buildProvenance } from '../../../src/core/evaluation/provenance';
import { parseCsv } from './csvReader';
import type { EvaluationProtocol } from '../../../src/core/evaluation/protocol';
import { evaluateColumn, type ModelMetrics } from '../../../src/core/evaluation/evaluateColumn';
import { posesToCocoResults } from '../../../src/core/evaluation/conversion';
import { verdict } from '../../../src/core/evaluation/verdict';
import { peopleGroundTruth, perfectCocoPose, scorable } from './peopleFixture';

const gt = peopleGroundTruth();
const allIds = gt.images.map((i) => i.id);

function metricsWith(overrides: Partial<ModelMetrics> & { ap?: number }): ModelMetrics {
  const results = allIds.flatMap((id) =>
    posesToCocoResults(id, gt.annotations.filter((a) => a.image_id === id && scorable(a)).map((a) => perfectCocoPose(a)), COCO17, COCO17),
  );
  const base = evaluateColumn({
    columnId: 'movenet-thunder', displayName: 'MoveNet SinglePose Thunder', protocol: 'crops', gt,
    imageIdsEvaluated: allIds, results, latencies: [40, 50, 60].map((imageMs) => ({ imageMs, inferences: 1 })), pck: { alpha: 0.2, normalizer: 'bbox' }, oneResultPerCrop: true,
  });
  const m = { ...base, ...overrides };
  if (overrides.ap !== undefined) m.stats = { ...base.stats, AP: overrides.ap };
  delete (m as { ap?: number }).ap;
  return m;
}

/** An export context with only what these tests vary: protocol, backend and date. */
function context(protocol: EvaluationProtocol, backend: string | null, dateIso = '2025-01-02T03:04:05.000Z'): ExportContext {
  return {
    provenance: buildProvenance({
      appVersion: 'abc1234', date: new Date(dateIso), groundTruth: null, metrics: [], scoredLayout: null, models: [],
      backend, threads: null, protocol, confidenceThreshold: null,
    }),
    published: {},
  };
}

describe('verdict', () => {
  it('passes, fails, and says "not measurable" per target', () => {
    const good = metricsWith({ ap: 0.8 });
    const slowAndBad = metricsWith({ columnId: 'b', ap: 0.5, medianImageLatencyMs: 120 });
    const imported = metricsWith({ columnId: 'c', ap: 0.9, medianImageLatencyMs: null });
    const [a, b, c] = verdict([good, slowAndBad, imported], { apMin: 0.7, pckMin: 0.9, latencyMaxMs: 100 });
    expect(a!.pass).toBe(true);
    expect(a!.checks.map((x) => [x.target, x.required, x.measured, x.pass])).toEqual([
      ['AP', '≥ 0.700', '0.800', true],
      ['PCK', 'PCK@0.2 ≥ 0.900', '1.000', true],
      ['latency', '≤ 100.0 ms/image', '50.0 ms/image', true],
    ]);
    expect(b!.pass).toBe(false);
    expect(b!.checks.map((x) => x.pass)).toEqual([false, true, false]);
    // Imported predictions: no latency, so no verdict unless something fails.
    expect(c!.checks[2]).toEqual({ target: 'latency', required: '≤ 100.0 ms/image', measured: 'not measured', pass: null });
    expect(c!.pass).toBeNull();
    const [cFailing] = verdict([{ ...imported, stats: { ...imported.stats, AP: 0.1 } }], { apMin: 0.7, pckMin: null, latencyMaxMs: 100 });
    expect(cFailing!.pass).toBe(false);
  });

  it('handles no targets, NaN targets, exact equality, -1 AP and a null PCK', () => {
    const m = metricsWith({ ap: 0.7 });
    expect(verdict([m], { apMin: null, pckMin: null, latencyMaxMs: null })).toEqual([
      { columnId: m.columnId, displayName: m.displayName, checks: [], pass: null },
    ]);
    expect(verdict([m], { apMin: Number.NaN, pckMin: null, latencyMaxMs: null })[0]!.checks).toEqual([]);
    expect(verdict([m], { apMin: 0.7, pckMin: null, latencyMaxMs: 50 })[0]!.pass).toBe(true);
    const noGt = verdict([metricsWith({ ap: -1, pck: { ...m.pck, value: null } })], { apMin: 0.5, pckMin: 0.5, latencyMaxMs: null })[0]!;
    expect(noGt.checks.map((x) => [x.measured, x.pass])).toEqual([['not measured', null], ['not measured', null]]);
    expect(noGt.pass).toBeNull();
    expect(verdict([], { apMin: 0.5, pckMin: null, latencyMaxMs: null })).toEqual([]);
  });

  it('never prints a failing value equal to its target', () => {
    const [row] = verdict([metricsWith({ ap: 0.69996 })], { apMin: 0.7, pckMin: null, latencyMaxMs: null });
    expect(row!.checks[0]).toEqual({ target: 'AP', required: '≥ 0.70000', measured: '0.69996', pass: false });
  });
});

describe('metricsToCsv', () => {
  it('quotes per RFC 4180 and reads back', () => {
    const tricky = metricsWith({ columnId: 'import:1', displayName: 'My "best", model\nv2' });
    const csv = metricsToCsv([metricsWith({}), tricky], context('crops', 'wasm'));
    expect(csv).toContain('"My ""best"", model\nv2"');
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(3);
    const [header, first, second] = rows as [string[], string[], string[]];
    expect(header).toEqual([
      'column_id', 'model', 'protocol', 'backend', 'date', 'images_evaluated', 'images_total', 'detections',
      'AP', 'AP50', 'AP75', 'APm', 'APl', 'AR', 'AR50', 'AR75', 'ARm', 'ARl',
      'PCK@0.2', 'pck_alpha', 'pck_normalizer', 'pck_persons_skipped', 'pck_auc', 'nme',
      'median_latency_ms_per_image', 'median_latency_ms_per_inference', 'inferences', 'images_without_pose', 'crops_without_pose', 'crops_total',
      ...INTERVAL_CSV_COLUMNS, ...ERROR_CSV_COLUMNS, ...PUBLISHED_CSV_COLUMNS, ...PROVENANCE_CSV_COLUMNS,
    ]);
    expect(rows.every((r) => r.length === header.length)).toBe(true);
    expect(second[1]).toBe('My "best", model\nv2');
    const col = (name: string) => header.indexOf(name);
    expect(first[col('protocol')]).toBe('crops');
    expect(first[col('backend')]).toBe('wasm');
    expect(Number(first[col('AP')])).toBe(1);
    expect(Number(first[col('PCK@0.2')])).toBe(1);
    expect(Number(first[col('median_latency_ms_per_image')])).toBe(50);
    expect(Number(first[col('median_latency_ms_per_inference')])).toBe(50);
    expect(Number(first[col('inferences')])).toBe(3);
    expect(Number(first[col('crops_without_pose')])).toBe(0);
  });

  it('writes nulls as empty fields, names a generic PCK column for mixed α, and defuses formulas', () => {
    const a = metricsWith({ medianImageLatencyMs: null });
    const b = metricsWith({ displayName: '=HYPERLINK("x")', pck: { ...a.pck, alpha: 0.1 } });
    const rows = parseCsv(metricsToCsv([a, b], context('whole', null)));
    expect(rows[0]).toContain('PCK');
    expect(rows[1]![rows[0]!.indexOf('median_latency_ms_per_image')]).toBe('');
    expect(rows[1]![rows[0]!.indexOf('backend')]).toBe('');
    expect(rows[2]![1]).toBe(`'=HYPERLINK("x")`);
    expect(csvField(-1)).toBe('-1');
    expect(csvField('-fast')).toBe("'-fast");
    expect(csvField(Number.NaN)).toBe('');
  });

  it('writes just the header for no metrics', () => {
    expect(parseCsv(metricsToCsv([], context('whole', null)))).toHaveLength(1);
  });
});

describe('metricsToJson', () => {
  it('round-trips the metrics and carries protocol, backend, date and the verdict', () => {
    const metrics = [metricsWith({}), metricsWith({ columnId: 'x', displayName: 'My "best", model', medianImageLatencyMs: null, ap: -1 })];
    const targets = { apMin: 0.5, pckMin: null, latencyMaxMs: 100 };
    const text = metricsToJson(metrics, { ...context('crops', 'wasm'), targets });
    expect(text).toContain('\n  "');
    const parsed = JSON.parse(text) as MetricsJson;
    expect(parsed.metrics).toEqual(metrics);
    expect(parsed.protocol).toBe('crops');
    expect(parsed.protocolDescription).toContain('25%');
    expect(parsed.backend).toBe('wasm');
    expect(parsed.dateIso).toBe('2025-01-02T03:04:05.000Z');
    expect(parsed.targets).toEqual(targets);
    expect(parsed.verdict).toEqual(verdict(metrics, targets));
    const without = JSON.parse(metricsToJson(metrics, context('whole', null))) as MetricsJson;
    expect(without.verdict).toBeUndefined();
    expect(without.targets).toBeUndefined();
  });
});
