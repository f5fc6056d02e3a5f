/**
 * Imported COCO results files, through the path the UI uses (importJsonFile → store → evaluationSnapshot), against
 * `keypoint-bench score` on the same files and against pycocotools' own numbers: the 10 stats must be equal, with
 * and without `bbox`, with `area` and with fields no scorer reads. And "Export COCO results" of an imported column
 * must write the file's own entries back as they were.
 *
 * Fixtures: test/fixtures/coco-eval (the shared vectors with pycocotools' outputs) and
 * test/fixtures/imported-predictions (derived sets scored by pycocotools; see make-fixtures.py there).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runScore, type ScoreJson } from '../../../src/cli/scoreCommand';
import type { CliIo } from '../../../src/cli/terminal';
import { DEFAULT_PCK_SETTINGS } from '../../../src/core/evaluation/evaluateColumn';
import { KEYPOINT_STATS_NAMES } from '../../../src/core/metrics/cocoEval';
import { useAppStore } from '../../../src/store/appStore';
import { evaluationSnapshot, type ColumnEvaluation } from '../../../src/store/evaluationResults';
import { importJsonFile } from '../../../src/store/jsonImport';
import type { ImageItem } from '../../../src/store/types';
import { FIXTURE_DIR, loadExpected, loadRawResults } from '../metrics/cocoFixtures';

const DERIVED_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'imported-predictions');
/** pycocotools and this project's COCOeval agree to this (numpy's pairwise sums; README point 11 of the vectors). */
const PYCOCOTOOLS_TOLERANCE = 1e-12;

interface RawGroundTruth {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { image_id: number }[];
  categories: unknown[];
}
type RawEntry = Record<string, unknown> & { image_id: number };

const gtText = new TextDecoder().decode(gunzipSync(readFileSync(join(FIXTURE_DIR, 'gt.dev.json.gz'))));
const rawGt = JSON.parse(gtText) as RawGroundTruth;
const derivedResults = JSON.parse(new TextDecoder().decode(gunzipSync(readFileSync(join(DERIVED_DIR, 'results.json.gz'))))) as Record<string, RawEntry[]>;
const derivedExpected = JSON.parse(readFileSync(join(DERIVED_DIR, 'expected.json'), 'utf8')) as Record<string, { stats: number[]; nDets: number }>;

/** name → [results list as in the file, pycocotools' 10 stats on it]. */
const SETS: [name: string, results: RawEntry[], pycocotools: number[]][] = [
  ['with_bbox_field', loadRawResults('dev')['with_bbox_field'] as RawEntry[], loadExpected().dev['with_bbox_field']!.stats],
  ['mixed_realistic', loadRawResults('dev')['mixed_realistic'] as RawEntry[], loadExpected().dev['mixed_realistic']!.stats],
  ...Object.entries(derivedResults).map(([name, results]): [string, RawEntry[], number[]] => [name, results, derivedExpected[name]!.stats]),
];

const dir = mkdtempSync(join(tmpdir(), 'keypoint-bench-imported-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeFile(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

/** `keypoint-bench score --json` in-process on the given GT and results files. */
async function cliScore(gtPath: string, resultsPath: string): Promise<ScoreJson> {
  const io: CliIo = { stdout: () => undefined, stderr: () => undefined, stderrIsTty: false };
  return runScore({ command: 'score', gtPath, resultsPath, json: true, pck: DEFAULT_PCK_SETTINGS }, io);
}

function imageItem(image: RawGroundTruth['images'][number]): ImageItem {
  return {
    id: `img-${image.id}`,
    name: image.file_name,
    file: new Blob([]),
    source: 'user',
    status: 'ready',
    widthPx: image.width,
    heightPx: image.height,
    thumbnail: null,
    error: null,
  };
}

/**
 * As a user would: the photos (only their names matter here), then the ground truth and the results file picked
 * in the evaluation panel; returns the imported column of the snapshot the metrics view reads.
 */
async function importedColumn(fileName: string, resultsText: string, images: RawGroundTruth['images']): Promise<ColumnEvaluation> {
  useAppStore.getState().addImages(images.map(imageItem));
  await importJsonFile(new Blob([gtText]), 'annotations.json');
  await importJsonFile(new Blob([resultsText]), fileName);
  const snapshot = evaluationSnapshot(useAppStore.getState());
  const external = snapshot?.columns.filter((c) => c.column.kind === 'external') ?? [];
  expect(external, 'one imported column').toHaveLength(1);
  return external[0]!;
}

const statsList = (stats: Record<string, number>): number[] => KEYPOINT_STATS_NAMES.map((name) => stats[name]!);

beforeEach(() => {
  // No model columns: only the imported one is scored.
  useAppStore.setState({ images: [], results: {}, selectedModelIds: [], groundTruth: null, externalColumns: [], pendingPredictions: [], notices: [] });
});

describe('imported predictions are scored as `keypoint-bench score` scores the file', () => {
  it('the derived fixtures keep every vector detection and carry what they are named for', () => {
    for (const [name, results] of SETS) expect(results.length, name).toBe(name in derivedExpected ? derivedExpected[name]!.nDets : loadExpected().dev[name]!.nDets);
    expect(SETS.filter(([, r]) => 'bbox' in r[0]!).map(([n]) => n)).toEqual(['with_bbox_field', 'bbox_with_area', 'bbox_extra_fields']);
    expect(SETS.filter(([, r]) => 'area' in r[0]!).map(([n]) => n)).toEqual(['mixed_with_area', 'bbox_with_area', 'bbox_extra_fields']);
    expect(SETS.filter(([, r]) => 'attributes' in r[0]!).map(([n]) => n)).toEqual(['mixed_extra_fields', 'bbox_extra_fields']);
  });

  it.each(SETS)('%s: the 10 stats (and PCK) in the app equal the CLI and pycocotools', async (name, results, pycocotools) => {
    const resultsText = JSON.stringify(results);
    const column = await importedColumn(`${name}.results.json`, resultsText, rawGt.images);
    const cli = await cliScore(writeFile('gt.json', gtText), writeFile(`${name}.results.json`, resultsText));

    expect(column.metrics.imagesEvaluated).toBe(cli.images);
    expect(column.metrics.detections).toBe(cli.detections);
    expect(statsList(column.metrics.stats), 'app vs CLI').toEqual(statsList(cli.stats));
    expect(column.metrics.pck).toEqual(cli.pck);
    expect(column.metrics.perKeypoint).toEqual(cli.perKeypoint);
    statsList(column.metrics.stats).forEach((value, i) => {
      expect(Math.abs(value - pycocotools[i]!), `${KEYPOINT_STATS_NAMES[i]}: app ${value}, pycocotools ${pycocotools[i]}`).toBeLessThanOrEqual(PYCOCOTOOLS_TOLERANCE);
    });
  });

  it.each(SETS)('%s: exporting the imported column writes the file’s own entries back unchanged', async (name, results) => {
    const column = await importedColumn(`${name}.results.json`, JSON.stringify(results), rawGt.images);
    // What "Export COCO results" writes (MetricsView: JSON.stringify of the snapshot's results).
    expect(JSON.parse(JSON.stringify(column.results))).toEqual(results);
  });

  it('on part of the images: the app equals the CLI on the ground truth and results cut to those images, and exports those entries', async () => {
    const [name, results] = SETS[0]!;
    // Every other image with detections, leaving out the image of the file's first entry (whose bbox decides
    // how pycocotools reads the whole list) so the cut list starts elsewhere.
    const withDetections = [...new Set(results.map((r) => r.image_id))];
    const kept = new Set(withDetections.filter((_, i) => i % 2 === 1));
    const images = rawGt.images.filter((image) => kept.has(image.id));
    const column = await importedColumn(`${name}.results.json`, JSON.stringify(results), images);

    const cutResults = results.filter((r) => kept.has(r.image_id));
    const cutGt = { ...rawGt, images, annotations: rawGt.annotations.filter((a) => kept.has(a.image_id)) };
    const cli = await cliScore(writeFile('gt.cut.json', cutGt), writeFile('cut.results.json', cutResults));
    expect(column.metrics.imagesEvaluated).toBe(images.length);
    expect(statsList(column.metrics.stats)).toEqual(statsList(cli.stats));
    expect(JSON.parse(JSON.stringify(column.results))).toEqual(cutResults);
  });

  it('skips bad entries as the CLI does, and exports exactly the good ones (each paired with its own entry)', async () => {
    const [name, good] = SETS.find(([n]) => n === 'bbox_extra_fields')!;
    // Bad copies right before good entries they resemble: each differs from its neighbour in one checked field only.
    const bad = (entry: RawEntry, i: number): unknown[] => {
      const keypoints = entry['keypoints'] as number[];
      const bbox = entry['bbox'] as number[];
      switch (i % 5) {
        case 0: return [{ ...entry, keypoints: keypoints.slice(0, 50) }];
        case 1: return [{ ...entry, image_id: 999_999_999 }];
        case 2: return [{ ...entry, bbox: [bbox[0], bbox[1], -1, bbox[3]] }];
        case 3: return [{ ...entry, score: 'NaN' }, 'not a detection'];
        default: return [{ ...entry, category_id: 77 }];
      }
    };
    const mixed = good.flatMap((entry, i) => (i % 9 === 0 ? [...bad(entry, i / 9), entry] : [entry]));
    expect(mixed.length).toBeGreaterThan(good.length);
    const text = JSON.stringify(mixed);
    const column = await importedColumn(`${name}.results.json`, text, rawGt.images);
    const cli = await cliScore(writeFile('gt.json', gtText), writeFile('with-bad.results.json', text));
    expect(cli.detections).toBe(good.length);
    expect(statsList(column.metrics.stats)).toEqual(statsList(cli.stats));
    expect(JSON.parse(JSON.stringify(column.results))).toEqual(good);
  });

  it('refuses, as the CLI does, a file whose first entry has a bbox while others have none', async () => {
    const [, results] = SETS[0]!;
    const broken = results.map((entry, i) => (i === 5 ? Object.fromEntries(Object.entries(entry).filter(([key]) => key !== 'bbox')) : entry));
    const text = JSON.stringify(broken);
    await expect(cliScore(writeFile('gt.json', gtText), writeFile('broken.results.json', text))).rejects.toThrow(/bbox/);
    useAppStore.getState().addImages(rawGt.images.map(imageItem));
    await importJsonFile(new Blob([gtText]), 'annotations.json');
    await importJsonFile(new Blob([text]), 'broken.results.json');
    expect(useAppStore.getState().externalColumns).toEqual([]);
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([expect.stringMatching(/^broken\.results\.json: the first detection has a bbox.*not imported$/)]);
  });

  it('on part of the images of a file whose first entry has no bbox, entries with one are scored as the whole file reads them', async () => {
    // Only the entries on the first entry's image lack a bbox, so pycocotools reads this whole file by keypoint
    // extents; every other image has only entries with a bbox.
    const [, bboxed, withBboxes] = SETS[0]!;
    const firstImageId = bboxed[0]!.image_id;
    const withoutBbox = (entry: RawEntry): RawEntry => Object.fromEntries(Object.entries(entry).filter(([key]) => key !== 'bbox')) as RawEntry;
    const results = bboxed.map((entry) => (entry.image_id === firstImageId ? withoutBbox(entry) : entry));
    const text = JSON.stringify(results);
    const all = await importedColumn('partly.results.json', text, rawGt.images);
    // with_bbox_field is mixed_realistic plus bboxes: read by keypoint extents, it scores as mixed_realistic.
    const byExtents = loadExpected().dev['mixed_realistic']!.stats;
    statsList(all.metrics.stats).forEach((value, i) => expect(Math.abs(value - byExtents[i]!)).toBeLessThanOrEqual(PYCOCOTOOLS_TOLERANCE));
    expect(byExtents).not.toEqual(withBboxes);

    // The first image left out: the entries scored all have a bbox, yet the areas still come from the extents.
    useAppStore.setState({ images: [], groundTruth: null, externalColumns: [], notices: [] });
    const images = rawGt.images.filter((image) => image.id !== firstImageId);
    const part = await importedColumn('partly.results.json', text, images);
    const cut = results.filter((r) => r.image_id !== firstImageId);
    expect(cut.every((r) => 'bbox' in r)).toBe(true);
    const cutGt = { ...rawGt, images, annotations: rawGt.annotations.filter((a) => a.image_id !== firstImageId) };
    const gtPath = writeFile('gt.partly.json', cutGt);
    const cli = await cliScore(gtPath, writeFile('partly.cut.results.json', cut.map(withoutBbox)));
    expect(statsList(part.metrics.stats)).toEqual(statsList(cli.stats));
    expect(statsList(cli.stats), 'bboxes would change the areas on these images').not.toEqual(statsList((await cliScore(gtPath, writeFile('partly.bbox.results.json', cut))).stats));
    expect(JSON.parse(JSON.stringify(part.results))).toEqual(cut);
  });

  it('a file read before the ground truth is scored and exported the same once the ground truth arrives', async () => {
    const [name, results, pycocotools] = SETS.find(([n]) => n === 'bbox_extra_fields')!;
    useAppStore.getState().addImages(rawGt.images.map(imageItem));
    await importJsonFile(new Blob([JSON.stringify(results)]), `${name}.results.json`);
    expect(useAppStore.getState().externalColumns).toHaveLength(0);
    await importJsonFile(new Blob([gtText]), 'annotations.json');
    const column = evaluationSnapshot(useAppStore.getState())?.columns.find((c) => c.column.kind === 'external');
    statsList(column?.metrics.stats ?? {}).forEach((value, i) => expect(Math.abs(value - pycocotools[i]!)).toBeLessThanOrEqual(PYCOCOTOOLS_TOLERANCE));
    expect(JSON.parse(JSON.stringify(column?.results))).toEqual(results);
  });
});
