/**
 * "Evaluate every model against the user's ground truth", in real Chromium against the production build,
 * driven as a user would: ground truth picked or dropped with the photos, malformed files, both evaluation
 * protocols, imported predictions (before and after the ground truth), the verdict, every export, and the
 * worst-first view. Every number the page shows is checked against the Node side (src/core) run on the same
 * input: the fixture files, or the poses the browser itself produced (read from the store).
 *
 * One browser and one page (plus a fresh page for the "predictions before ground truth" case); the steps run
 * in order and build on each other. Models: the default pair, MoveNet Lightning and BlazePose lite.
 * Fixtures: test/fixtures/evaluation (see SOURCES.md there; made by make-fixtures.mjs).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../../src/core/coco/cocoTypes';
import { parseGroundTruth } from '../../src/core/coco/parseGroundTruth';
import { parseResults } from '../../src/core/coco/parseResults';
import { posesToCocoResults } from '../../src/core/evaluation/conversion';
import { evaluateColumn, type ImageLatency, type ModelMetrics } from '../../src/core/evaluation/evaluateColumn';
import { parseCsv } from '../unit/evaluation/csvReader';
import { PROTOCOL_DESCRIPTIONS, type EvaluationProtocol } from '../../src/core/evaluation/protocol';
import { pairPosesWithAnnotations } from '../../src/core/gtMatching';
import { toCoco17 } from '../layoutHelpers';
import { COCO17 } from '../../src/core/layouts/builtinLayouts';
import { layoutById } from '../../src/core/layouts';
import type { Pose } from '../../src/core/types';
import { modelInfo } from '../../src/inference/modelCatalogue';
import { cellGrid } from '../../src/render/screenshot';
import { expectCleanPages, exportScreenshot, rowTitles } from './exportScreenshotLayout';
import { DEFAULT_CONFIDENCE_THRESHOLD } from '../../src/store/appStore';
import {
  PEOPLE_DIR,
  REPO_ROOT,
  dropFiles,
  filePayload,
  galleryCells,
  getState,
  openApp,
  pngSize,
  selectModels,
  waitForBackend,
  waitForCellsDone,
  type AppSession,
  type StateSnapshot,
} from './harness';

const EVALUATION_DIR = join(REPO_ROOT, 'test', 'fixtures', 'evaluation');
const GT_PATH = join(EVALUATION_DIR, 'annotations.json');
const MALFORMED_PATH = join(EVALUATION_DIR, 'malformed-annotations.json');
const NOISY_PATH = join(EVALUATION_DIR, 'noisy.results.json');

const MODEL_IDS = ['movenet-lightning', 'blazepose-lite'] as const;
/** Added with the ground truth: four it lists, and 234748, which it does not. */
const ADDED = ['000000030752.jpg', '000000126995.jpg', '000000463557.jpg', '000000000790.jpg', '000000234748.jpg'];
/** In annotations.json with annotations, never added as a file (129648 is listed too, without annotations: not missing). */
const NOT_ADDED = '000000121181.jpg';
const NOT_IN_GT = '000000234748.jpg';
const CELL_TIMEOUT_MS = 150_000;

const gtText = readFileSync(GT_PATH, 'utf8');
const GT_SHA256 = createHash('sha256').update(readFileSync(GT_PATH)).digest('hex');
const gt = parsedGroundTruth(gtText);
const noisyText = readFileSync(NOISY_PATH, 'utf8');
/** The metrics table's "Images" cell of a column scored on the four added images the ground truth lists. */
const SCORED_ON_FOUR = `4/${gt.images.length}`;

function parsedGroundTruth(text: string): CocoKeypointsGroundTruth {
  const parsed = parseGroundTruth(text);
  if (!parsed.value) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  return parsed.value;
}

/** 3 decimals, as the metrics table shows a value; -1 (no GT person in the area range) is 'n/a', null '—'. */
const fmt3 = (value: number | null): string => (value === null ? '—' : value < 0 ? 'n/a' : value.toFixed(3));

// ---------------------------------------------------------------------------------------------------------------
// Reading the page

interface EvaluationState {
  groundTruth: { fileName: string; images: number; annotations: number; problems: number } | null;
  externalColumns: { id: string; name: string; fileName: string; results: number }[];
  pendingPredictions: string[];
  evaluationProtocol: EvaluationProtocol;
  pck: { alpha: number; normalizer: 'bbox' | 'torso' };
}

/** The evaluation slice of the store, as plain data (the harness' getState covers images and results). */
async function evaluationState(page: Page): Promise<EvaluationState> {
  return page.evaluate(() => {
    const s = (window as unknown as { keypointBench: { getState: () => Record<string, unknown> } }).keypointBench.getState() as unknown as {
      groundTruth: { fileName: string; dataset: { images: unknown[]; annotations: unknown[] }; problems: unknown[] } | null;
      externalColumns: { id: string; name: string; fileName: string; results: unknown[] }[];
      pendingPredictions: { fileName: string }[];
      evaluationProtocol: 'whole' | 'crops';
      pckAlpha: number;
      pckNormalizer: 'bbox' | 'torso';
    };
    return {
      groundTruth: s.groundTruth
        ? { fileName: s.groundTruth.fileName, images: s.groundTruth.dataset.images.length, annotations: s.groundTruth.dataset.annotations.length, problems: s.groundTruth.problems.length }
        : null,
      externalColumns: s.externalColumns.map((c) => ({ id: c.id, name: c.name, fileName: c.fileName, results: c.results.length })),
      pendingPredictions: s.pendingPredictions.map((p) => p.fileName),
      evaluationProtocol: s.evaluationProtocol,
      pck: { alpha: s.pckAlpha, normalizer: s.pckNormalizer },
    };
  });
}

async function showTab(page: Page, name: 'Gallery' | 'Metrics & verdict' | 'Worst first'): Promise<void> {
  const tab = page.getByRole('tab', { name, exact: true });
  await tab.click();
  await expect.poll(() => tab.getAttribute('aria-selected')).toBe('true');
}

interface MetricsRow {
  columnId: string;
  label: string;
  AP: string;
  AR: string;
  PCK: string;
  images: string;
  /** "crops without a pose / crops" under person crops, else "images without a pose". */
  noPose: string;
}

/** The metrics table as shown: label, AP, AR, PCK and "evaluated/total" images per column. */
async function metricsRows(page: Page): Promise<MetricsRow[]> {
  return page.getByTestId('metrics-table').locator('tbody tr[data-column-id]').evaluateAll((rows) =>
    rows.map((row) => ({
      columnId: row.getAttribute('data-column-id') ?? '',
      label: row.querySelector('th')?.textContent?.trim() ?? '',
      // The value itself; its interval sits beside it in span.ci.
      AP: row.querySelector('td[data-stat=AP] .value')?.textContent ?? '',
      AR: row.querySelector('td[data-stat=AR] .value')?.textContent ?? '',
      PCK: row.querySelector('td[data-stat=PCK] .value')?.textContent ?? '',
      images: row.querySelector('td[data-stat=images]')?.textContent ?? '',
      noPose: row.querySelector('td[data-stat=no-pose]')?.textContent ?? '',
    })),
  );
}

/** Waits until the metrics table has exactly these columns, each scored on `images` (e.g. "4/5"). */
async function waitForMetricsRows(page: Page, columnIds: readonly string[], images: string): Promise<MetricsRow[]> {
  await expect
    .poll(async () => (await metricsRows(page)).map((r) => `${r.columnId}:${r.images}`), { timeout: 30_000 })
    .toEqual(columnIds.map((id) => `${id}:${images}`));
  return metricsRows(page);
}

/** Waits (reading the store, whatever tab is shown) until every image × model has a finished cell under `protocol`. */
async function waitForResults(page: Page, imageNames: readonly string[], protocol: EvaluationProtocol, timeoutMs = CELL_TIMEOUT_MS): Promise<StateSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await getState(page);
    const cells = imageNames.flatMap((name) => {
      const image = state.images.find((im) => im.name === name);
      return MODEL_IDS.map((modelId) => ({ name, modelId, cell: image ? state.results[cellKey(image.id, modelId, protocol)] : undefined }));
    });
    const failed = cells.filter((c) => c.cell?.status === 'error');
    if (failed.length > 0) throw new Error(`cells failed:\n${failed.map((c) => `  ${c.name} × ${c.modelId}: ${c.cell?.error ?? ''}`).join('\n')}`);
    if (cells.every((c) => c.cell?.status === 'done')) return state;
    if (Date.now() > deadline) {
      const pending = cells.filter((c) => c.cell?.status !== 'done').map((c) => `  ${c.name} × ${c.modelId}: ${c.cell?.status ?? 'no cell'}`);
      throw new Error(`not all ${protocol} cells done after ${timeoutMs / 1000} s:\n${pending.join('\n')}`);
    }
    await page.waitForTimeout(500);
  }
}

function cellKey(imageId: string, modelId: string, protocol: EvaluationProtocol): string {
  return protocol === 'whole' ? `${imageId}|${modelId}` : `${imageId}|${modelId}|crops`;
}

interface Download {
  fileName: string;
  bytes: Buffer;
}

async function download(page: Page, button: Locator): Promise<Download> {
  const [event] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { fileName: event.suggestedFilename(), bytes: readFileSync(await event.path()) };
}

// ---------------------------------------------------------------------------------------------------------------
// The Node side

/** Counts computed straight from a ground-truth file's annotations (not with the app's own counting code). */
function expectedCounts(dataset: CocoKeypointsGroundTruth) {
  const scorable = dataset.annotations.filter((a) => a.iscrowd === 0 && a.num_keypoints > 0);
  const labelled = dataset.annotations.reduce((sum, a) => sum + a.keypoints.filter((v, i) => i % 3 === 2 && v > 0).length, 0);
  return { images: dataset.images.length, people: scorable.length, labelledKeypoints: labelled, ignored: dataset.annotations.length - scorable.length };
}

function statusLine(fileName: string, dataset: CocoKeypointsGroundTruth): string {
  const c = expectedCounts(dataset);
  return `${fileName}: ${c.images} images · ${c.people} people · ${c.labelledKeypoints} labelled keypoints · ${c.ignored} crowd/ignored`;
}

const gtImageByName = new Map(gt.images.map((im) => [im.file_name ?? '', im]));

/** A model column scored in Node exactly as the page should: the browser's poses → COCO results → evaluateColumn. */
function nodeModelMetrics(state: StateSnapshot, modelId: string, protocol: EvaluationProtocol, pck: EvaluationState['pck']): ModelMetrics {
  const layout = modelInfo(modelId).keypointLayout;
  const imageIdsEvaluated: number[] = [];
  const results: CocoKeypointResult[] = [];
  const latencies: ImageLatency[] = [];
  for (const image of state.images) {
    const gtImage = gtImageByName.get(image.name);
    const cell = state.results[cellKey(image.id, modelId, protocol)];
    if (!gtImage || cell?.status !== 'done') continue;
    imageIdsEvaluated.push(gtImage.id);
    results.push(...posesToCocoResults(gtImage.id, cell.poses, layoutById(layout), COCO17));
    if (cell.imageLatencyMs !== null) latencies.push({ imageMs: cell.imageLatencyMs, inferences: cell.inferences ?? 1 });
  }
  return evaluateColumn({ columnId: modelId, displayName: modelId, protocol, gt, imageIdsEvaluated, results, latencies, pck, oneResultPerCrop: protocol === 'crops' });
}

/** The imported noisy predictions scored in Node on the given ground-truth images. */
function nodeNoisyMetrics(imageNames: readonly string[], pck: EvaluationState['pck']): ModelMetrics {
  const parsed = parseResults(noisyText, { groundTruth: gt });
  if (!parsed.value || parsed.problems.length > 0) throw new Error(`noisy.results.json: ${parsed.problems.map((p) => p.message).join('; ')}`);
  const imageIdsEvaluated = imageNames.map((name) => gtImageByName.get(name)?.id).filter((id) => id !== undefined);
  return evaluateColumn({ columnId: 'noisy', displayName: 'noisy', protocol: 'whole', gt, imageIdsEvaluated, results: parsed.value, latencies: [], pck });
}

function expectRowMatches(row: MetricsRow | undefined, metrics: ModelMetrics, what: string): void {
  expect(row, `${what}: no row in the metrics table`).toBeDefined();
  expect({ AP: row?.AP, AR: row?.AR, PCK: row?.PCK }, what).toEqual({ AP: fmt3(metrics.stats.AP), AR: fmt3(metrics.stats.AR), PCK: fmt3(metrics.pck.value) });
  const { withoutPose } = metrics;
  const noPose = withoutPose.crops !== null ? `${withoutPose.crops}/${withoutPose.cropsTotal} crops` : `${withoutPose.images} image${withoutPose.images === 1 ? '' : 's'}`;
  expect(row?.noPose, `${what}: inputs without a pose`).toBe(noPose);
}

// ---------------------------------------------------------------------------------------------------------------

let app: AppSession;
/** Filled in as the steps run. */
const measured: { crops?: Record<string, ModelMetrics>; noisy?: ModelMetrics; externalId?: string } = {};

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

describe('evaluation against the user\'s ground truth, in Chromium (production build)', () => {
  it('lists each problem of a malformed ground truth by its entry, still counts the good annotations, names a non-JSON file, and the images keep working', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).not.toBe('');
    expect((await getState(page)).selectedModelIds).toEqual([...MODEL_IDS]);

    const malformed = parseGroundTruth(readFileSync(MALFORMED_PATH, 'utf8'));
    // The fixture is what it claims: two good annotations kept, five bad ones reported (one problem each).
    expect(malformed.value?.annotations.map((a) => a.id)).toEqual([204343, 442177]);
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(MALFORMED_PATH);
    const status = page.getByTestId('gt-status');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('malformed-annotations.json:');
    expect(await status.textContent()).toContain(statusLine('malformed-annotations.json', malformed.value ?? gt));
    expect(expectedCounts(malformed.value ?? gt)).toEqual({ images: 2, people: 2, labelledKeypoints: 32, ignored: 0 });

    const problems = await page.getByTestId('gt-problems').locator('li').allTextContents();
    const expectedProblems: [string, RegExp][] = [
      ['annotations[1] (id 900001)', /keypoints has 50 numbers, expected 51/],
      ['annotations[2] (id 900002)', /keypoints\[15\] \(x of left_shoulder\) is NaN, expected a finite number/],
      ['annotations[4] (id 900003)', /keypoints\[18\] \(x of right_shoulder\) is -4\.5, expected a pixel coordinate ≥ 0/],
      ['annotations[5] (id 900004)', /image_id 999999 is not in "images"/],
      ['annotations[6] (id 900005)', /missing "area"/],
    ];
    expect(problems, problems.join('\n')).toHaveLength(expectedProblems.length);
    expectedProblems.forEach(([entry, reason], i) => {
      expect(problems[i]?.startsWith(`${entry}: `), `problem ${i}: ${problems[i]}`).toBe(true);
      expect(problems[i]).toMatch(reason);
    });
    expect(await page.locator('details.problems summary').textContent()).toBe('5 problems in malformed-annotations.json (those entries were skipped)');
    // The good annotations' images are listed in the ground truth; none is added yet.
    expect(await page.getByTestId('gt-missing-images').textContent()).toBe('Annotations whose image is missing (2): 000000030752.jpg, 000000126995.jpg');

    // Fatal problems: a file that is not JSON, and JSON of the wrong shape. Each gets an alert naming the file;
    // the ground truth already loaded stays.
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles([
      { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"images": [ this is not JSON\n') },
      { name: 'shapeless.json', mimeType: 'application/json', buffer: Buffer.from('{"images": 3, "annotations": []}\n') },
    ]);
    const brokenAlert = page.getByRole('alert').filter({ hasText: 'broken.json' });
    await expect.poll(() => brokenAlert.count(), { timeout: 10_000 }).toBe(1);
    expect(await brokenAlert.textContent()).toMatch(/^broken\.json: not JSON \(/);
    const shapeAlert = page.getByRole('alert').filter({ hasText: 'shapeless.json' });
    await expect.poll(() => shapeAlert.count(), { timeout: 10_000 }).toBe(1);
    expect(await shapeAlert.textContent()).toMatch(/^shapeless\.json: ground truth must have "images", "annotations" and "categories" arrays: "images" is 3, "categories" is missing/);
    expect((await evaluationState(page)).groundTruth).toEqual({ fileName: 'malformed-annotations.json', images: 2, annotations: 2, problems: 5 });

    // The images keep working: a photo of the (malformed) ground truth is shown, matched and run per person.
    const photo = '000000030752.jpg';
    await page.getByLabel('Add images', { exact: true }).setInputFiles(join(PEOPLE_DIR, photo));
    const cells = await waitForCellsDone(page, [photo], MODEL_IDS, CELL_TIMEOUT_MS);
    for (const cell of cells) expect(cell.poses, `${cell.image} × ${cell.modelId}`).toBe(1);
    const state = await getState(page);
    const image = state.images.find((im) => im.name === photo);
    for (const modelId of MODEL_IDS) {
      const cell = state.results[cellKey(image?.id ?? '', modelId, 'crops')];
      expect(cell?.status, `${photo} × ${modelId} (crops)`).toBe('done');
      expect(cell?.poses.map((p) => p.cropIndex)).toEqual([0]);
    }
    expect(await page.getByTestId('gt-missing-images').textContent()).toBe('Annotations whose image is missing (1): 000000126995.jpg');
    expect(await page.locator('[data-testid=gt-status] .hint').first().textContent()).toBe('1 added images matched.');

    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('.gallery-row').length === 0);
  });

  it('matches dropped photos to dropped ground truth: the counts shown are the file\'s, and both unmatched lists name the right files', async () => {
    const { page } = app;
    await dropFiles(page, [filePayload(GT_PATH, 'application/json'), ...ADDED.map((name) => filePayload(join(PEOPLE_DIR, name)))]);
    const status = page.getByTestId('gt-status');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('annotations.json:');
    const expected = expectedCounts(gt);
    // 6 images (129648 without annotations); 11 people (4 + 1 + 2 + 1 + 3 on 121181); ignored: the crowd region of
    // 121181 and the keypoint-less child of 463557.
    expect(expected).toMatchObject({ images: 6, people: 11, ignored: 2 });
    expect(await page.locator('[data-testid=gt-status] .gt-summary').textContent()).toBe(`${statusLine('annotations.json', gt)}×`);
    expect(await page.getByTestId('gt-images-without-annotations').textContent()).toBe(`Images without annotations (1): ${NOT_IN_GT}`);
    expect(await page.getByTestId('gt-missing-images').textContent()).toBe(`Annotations whose image is missing (1): ${NOT_ADDED}`);
    expect(await page.getByTestId('gt-problems').count()).toBe(0);
    await expect.poll(() => page.locator('[data-testid=gt-status] .hint').first().textContent()).toBe('4 added images matched.');

    const evaluation = await evaluationState(page);
    expect(evaluation.groundTruth).toEqual({ fileName: 'annotations.json', images: gt.images.length, annotations: gt.annotations.length, problems: 0 });
    expect(evaluation.evaluationProtocol).toBe('crops');
    expect(await page.getByLabel('Evaluation protocol', { exact: true }).inputValue()).toBe('crops');

    // With ground truth the default protocol is person crops: one pose per labelled person on listed images,
    // the whole image for the one the ground truth does not list.
    const state = await waitForResults(page, ADDED, 'crops');
    for (const image of state.images) {
      const persons = gt.annotations.filter((a) => a.image_id === gtImageByName.get(image.name)?.id && a.iscrowd === 0 && a.num_keypoints > 0);
      for (const modelId of MODEL_IDS) {
        const poses = state.results[cellKey(image.id, modelId, 'crops')]?.poses ?? [];
        if (image.name === NOT_IN_GT) expect(poses.every((p) => p.cropIndex === undefined), `${image.name} × ${modelId}`).toBe(true);
        else {
          // Each crop gives at most its best pose; MoveNet SinglePose always returns one.
          const cropIndices = poses.map((p) => p.cropIndex ?? -1).sort((a, b) => a - b);
          expect(new Set(cropIndices).size, `${image.name} × ${modelId}: ${cropIndices.join()}`).toBe(cropIndices.length);
          expect(cropIndices.every((i) => i >= 0 && i < persons.length), `${image.name} × ${modelId}: ${cropIndices.join()}`).toBe(true);
          if (modelId === 'movenet-lightning') expect(cropIndices, image.name).toEqual(persons.map((_, i) => i));
        }
      }
    }
  });

  it('shows AP/AR/PCK equal to evaluateColumn in Node on the browser\'s own poses, under both protocols', async () => {
    const { page } = app;
    const { pck } = await evaluationState(page);
    await showTab(page, 'Metrics & verdict');
    const metricsDescription = page.locator('section.metrics > p.hint');
    const protocolField = page.locator('.field', { has: page.getByLabel('Evaluation protocol', { exact: true }) });

    const check = async (protocol: EvaluationProtocol): Promise<{ table: string; metrics: Record<string, ModelMetrics> }> => {
      const state = await waitForResults(page, ADDED, protocol);
      const rows = await waitForMetricsRows(page, MODEL_IDS, SCORED_ON_FOUR);
      const metrics: Record<string, ModelMetrics> = {};
      for (const modelId of MODEL_IDS) {
        const node = nodeModelMetrics(state, modelId, protocol, pck);
        metrics[modelId] = node;
        expect(node.imagesEvaluated).toBe(4);
        expectRowMatches(rows.find((r) => r.columnId === modelId), node, `${modelId} (${protocol})`);
      }
      expect(await metricsDescription.textContent()).toBe(PROTOCOL_DESCRIPTIONS[protocol]);
      expect(await protocolField.locator('.hint').textContent()).toBe(PROTOCOL_DESCRIPTIONS[protocol]);
      console.log(
        `${protocol}: ${MODEL_IDS.map((id) => `${id} AP ${fmt3(metrics[id]?.stats.AP ?? null)} AR ${fmt3(metrics[id]?.stats.AR ?? null)} PCK ${fmt3(metrics[id]?.pck.value ?? null)} median ${metrics[id]?.medianImageLatencyMs?.toFixed(1)} ms/image`).join(' · ')}`,
      );
      return { table: (await page.getByTestId('metrics-table').textContent()) ?? '', metrics };
    };

    const crops = await check('crops');

    // PCK settings: α = 0.1 of the torso diameter re-scores PCK (AP and AR stay), as in Node; then back to 0.2 of the box.
    const alphaInput = page.getByLabel('PCK α', { exact: true });
    const normaliser = page.locator('select:has(option[value=torso])');
    await alphaInput.fill('0.1');
    await normaliser.selectOption('torso');
    await expect.poll(() => evaluationState(page).then((e) => e.pck)).toEqual({ alpha: 0.1, normalizer: 'torso' });
    await expect.poll(() => page.getByTestId('metrics-table').locator('thead th').nth(6).textContent()).toBe('PCK@0.1');
    const torsoState = await getState(page);
    const torsoRows = await metricsRows(page);
    for (const modelId of MODEL_IDS) {
      const node = nodeModelMetrics(torsoState, modelId, 'crops', { alpha: 0.1, normalizer: 'torso' });
      expectRowMatches(torsoRows.find((r) => r.columnId === modelId), node, `${modelId} (crops, PCK@0.1 torso)`);
      expect(node.pck.value, modelId).not.toBe(crops.metrics[modelId]?.pck.value);
    }
    await alphaInput.fill('0.2');
    await normaliser.selectOption('bbox');
    await expect.poll(() => page.getByTestId('metrics-table').textContent()).toBe(crops.table);

    await page.getByLabel('Evaluation protocol', { exact: true }).selectOption('whole');
    expect((await evaluationState(page)).evaluationProtocol).toBe('whole');
    const whole = await check('whole');
    expect(whole.table).not.toBe(crops.table);
    // Back to crops: the cached results come back unchanged, nothing re-runs.
    const before = await getState(page);
    await page.getByLabel('Evaluation protocol', { exact: true }).selectOption('crops');
    await expect.poll(() => metricsDescription.textContent()).toBe(PROTOCOL_DESCRIPTIONS.crops);
    expect(await page.getByTestId('metrics-table').textContent()).toBe(crops.table);
    const after = await getState(page);
    for (const [key, cell] of Object.entries(before.results)) expect(after.results[key], key).toEqual(cell);
    measured.crops = crops.metrics;
  });

  it('adds imported COCO results as a column with the AP computed in Node, and renames it', async () => {
    const { page } = app;
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(NOISY_PATH);
    await expect.poll(async () => (await evaluationState(page)).externalColumns.length, { timeout: 10_000 }).toBe(1);
    const [external] = (await evaluationState(page)).externalColumns;
    const detections = (JSON.parse(noisyText) as unknown[]).length;
    expect(external).toMatchObject({ name: 'noisy', fileName: 'noisy.results.json', results: detections });
    const externalId = external?.id ?? '';
    expect(externalId).toMatch(/^ext-\d+$/);
    measured.externalId = externalId;

    // Metrics: scored (whole image, as imported) on the four added images the ground truth lists.
    const { pck } = await evaluationState(page);
    const noisy = nodeNoisyMetrics(ADDED.filter((name) => name !== NOT_IN_GT), pck);
    measured.noisy = noisy;
    expect(noisy.detections).toBe(detections - 3); // the three players of 121181 have no file
    const rows = await waitForMetricsRows(page, [...MODEL_IDS, externalId], SCORED_ON_FOUR);
    expectRowMatches(rows.find((r) => r.columnId === externalId), noisy, 'imported predictions');
    expect(rows.find((r) => r.columnId === externalId)?.label).toBe('noisy');
    console.log(`noisy.results.json: AP ${fmt3(noisy.stats.AP)} AR ${fmt3(noisy.stats.AR)} PCK ${fmt3(noisy.pck.value)}`);

    // Gallery: a column of its own, with the file's detections on each matched image.
    await showTab(page, 'Gallery');
    await expect.poll(() => page.getByRole('columnheader').allTextContents()).toEqual(['MoveNet SinglePose Lightning', 'BlazePose lite', 'noisy']);
    const results = JSON.parse(noisyText) as { image_id: number }[];
    const cells = (await galleryCells(page)).filter((c) => c.modelId === externalId);
    expect(cells.map((c) => c.image).sort()).toEqual([...ADDED].sort());
    for (const cell of cells) {
      const gtImage = gtImageByName.get(cell.image);
      if (!gtImage) {
        expect(cell, cell.image).toMatchObject({ status: 'waiting', poses: null });
        continue;
      }
      expect(cell, cell.image).toMatchObject({ status: 'done', poses: results.filter((r) => r.image_id === gtImage.id).length });
      expect(cell.caption).toMatch(/^noisy: imported · \d+ poses?$/);
    }

    // Rename (Enter commits): the table, the gallery and the store follow.
    const newName = 'GT + 4% noise';
    const nameInput = page.getByLabel('Name of the predictions from noisy.results.json', { exact: true });
    await nameInput.fill(newName);
    await nameInput.press('Enter');
    await expect.poll(() => page.getByRole('columnheader').allTextContents()).toEqual(['MoveNet SinglePose Lightning', 'BlazePose lite', newName]);
    expect((await evaluationState(page)).externalColumns.map((c) => c.name)).toEqual([newName]);
    await showTab(page, 'Metrics & verdict');
    expect((await metricsRows(page)).map((r) => r.label)).toEqual(['MoveNet SinglePose Lightning', 'BlazePose lite', newName]);
  });

  it('gives a verdict from the targets, and exports CSV, JSON, COCO results (.zip) and PNGs that match the table', async () => {
    const { page } = app;
    const crops = measured.crops;
    const noisy = measured.noisy;
    const externalId = measured.externalId ?? '';
    if (!crops || !noisy) throw new Error('the metrics steps did not run');
    const columnIds = [...MODEL_IDS, externalId];
    const { pck } = await evaluationState(page);
    const metricsOf = (id: string) => (id === externalId ? noisy : crops[id]);

    // AP target between the two models' measured APs: the better one passes, the other fails.
    const [lowId, highId] = [...MODEL_IDS].sort((a, b) => (crops[a]?.stats.AP ?? 0) - (crops[b]?.stats.AP ?? 0));
    const lowAp = crops[lowId ?? '']?.stats.AP ?? 0;
    const highAp = crops[highId ?? '']?.stats.AP ?? 0;
    expect(highAp - lowAp, `the two models' AP (${lowAp}, ${highAp}) must differ to split them`).toBeGreaterThan(0.01);
    const apTarget = Number(((lowAp + highAp) / 2).toFixed(3));
    const verdict = page.getByTestId('verdict');
    await verdict.getByLabel('AP ≥', { exact: true }).fill(String(apTarget));
    await verdict.getByLabel('PCK@0.2 ≥', { exact: true }).fill('');
    await verdict.getByLabel('Median latency per image ≤', { exact: true }).fill('');
    // The verdict is judged on the bootstrap intervals (computed in the analysis worker): wait for them.
    await expect.poll(() => page.getByTestId('intervals-status').getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    const outcomes = () => verdict.locator('li[data-column-id]').evaluateAll((items) => items.map((li) => [li.getAttribute('data-column-id'), li.getAttribute('data-outcome')]));
    /** Each column's AP interval as the table shows it (span.ci's data-ci), which must hold its AP. */
    const apIntervals = async () => {
      const pairs = await page.getByTestId('metrics-table').locator('tbody tr[data-column-id]').evaluateAll((rows) =>
        rows.map((row) => [row.getAttribute('data-column-id') ?? '', row.querySelector('td[data-stat=AP] .ci')?.getAttribute('data-ci') ?? ''] as const),
      );
      return new Map(pairs.map(([id, ci]) => [id, ci.split(',').map(Number) as [number, number]]));
    };
    /** The three outcomes by their definition: the whole interval meets the target, misses it, or straddles it. */
    const expectedOutcome = ([lower, upper]: [number, number], target: number) => (lower >= target ? 'pass' : upper < target ? 'fail' : 'inconclusive');
    let intervals = await apIntervals();
    for (const id of columnIds) {
      const [lower, upper] = intervals.get(id) ?? [Number.NaN, Number.NaN];
      const ap = metricsOf(id)?.stats.AP ?? Number.NaN;
      expect(lower, `${id}: AP ${ap} in [${lower}, ${upper}]`).toBeLessThanOrEqual(ap);
      expect(upper, `${id}: AP ${ap} in [${lower}, ${upper}]`).toBeGreaterThanOrEqual(ap);
    }
    await expect.poll(outcomes).toEqual(columnIds.map((id) => [id, expectedOutcome(intervals.get(id)!, apTarget)]));
    console.log(`verdict: AP ≥ ${apTarget} (between ${lowId} ${lowAp.toFixed(3)} and ${highId} ${highAp.toFixed(3)}; imported ${noisy.stats.AP.toFixed(3)}): ${JSON.stringify(await outcomes())}; intervals ${JSON.stringify([...intervals])}`);
    const lowText = (await verdict.locator(`li[data-column-id="${lowId}"]`).textContent()) ?? '';
    expect(lowText).toMatch(new RegExp(`^(PASS|FAIL|INCONCLUSIVE) · .* · AP ${lowAp.toFixed(3)} \\[[−\\d.]+, [−\\d.]+\\] vs ≥ ${apTarget.toFixed(3)}: (pass|fail|inconclusive, about [\\d,]+ more labelled people would likely settle it)$`));
    expect(await page.getByTestId('verdict-basis').textContent()).toMatch(/^dataset-wide: \d+ images?, \d+ labelled (people|person); 95% bootstrap intervals, 1,000 resamples of the images, seed 1$/);

    // A latency target instead: the models are measured, the imported predictions have no latency (not decided).
    const slowest = Math.max(...MODEL_IDS.map((id) => crops[id]?.medianImageLatencyMs ?? Number.POSITIVE_INFINITY));
    await verdict.getByLabel('AP ≥', { exact: true }).fill('');
    await verdict.getByLabel('Median latency per image ≤', { exact: true }).fill(String(Math.ceil(slowest + 1)));
    await expect.poll(async () => (await outcomes()).find(([id]) => id === externalId)?.[1]).toBe('none');
    expect(await verdict.locator(`li[data-column-id="${externalId}"]`).textContent()).toMatch(/^NOT DECIDED · GT \+ 4% noise · median latency not measured \(target ≤ \d+\.0 ms\)$/);
    // Back to the AP split for the exports.
    await verdict.getByLabel('Median latency per image ≤', { exact: true }).fill('');
    await verdict.getByLabel('AP ≥', { exact: true }).fill(String(apTarget));
    intervals = await apIntervals();
    await expect.poll(outcomes).toEqual(columnIds.map((id) => [id, expectedOutcome(intervals.get(id)!, apTarget)]));

    const table = await metricsRows(page);
    // CSV: one row per column, in table order, with the table's values in full precision.
    const csv = await download(page, page.getByRole('button', { name: 'Export metrics CSV' }));
    expect(csv.fileName).toMatch(/^keypoint-bench-.*-metrics\.csv$/);
    const [header, ...rows] = parseCsv(csv.bytes.toString('utf8'));
    const col = (name: string) => {
      const i = header?.indexOf(name) ?? -1;
      if (i < 0) throw new Error(`CSV has no ${name} column: ${header?.join(',')}`);
      return i;
    };
    expect(rows.map((r) => r[col('column_id')])).toEqual(columnIds);
    for (const row of rows) {
      const id = row[col('column_id')] ?? '';
      const shown = table.find((r) => r.columnId === id);
      const metrics = metricsOf(id);
      expect(row[col('model')]).toBe(shown?.label);
      expect(row[col('protocol')]).toBe(id === externalId ? 'whole' : 'crops');
      for (const [stat, csvName] of [['AP', 'AP'], ['AR', 'AR'], ['PCK', 'PCK@0.2']] as const) {
        expect(fmt3(Number(row[col(csvName)])), `${id} ${stat}`).toBe(shown?.[stat]);
      }
      expect(Number(row[col('AP')])).toBeCloseTo(metrics?.stats.AP ?? Number.NaN, 12);
      // The AP interval in full precision, the one the table shows.
      expect([Number(row[col('AP_ci_low')]), Number(row[col('AP_ci_high')])], `${id} AP interval`).toEqual(intervals.get(id));
      expect(row[col('ci_resamples')]).toBe('1000');
      expect(`${row[col('images_evaluated')]}/${row[col('images_total')]}`).toBe(shown?.images);
      // Provenance on every row: the ground truth's sha256 is of the dropped file's bytes; weights from the manifest.
      expect(row[col('gt_file')]).toBe('annotations.json');
      expect(row[col('gt_sha256')]).toBe(GT_SHA256);
      expect(row[col('app_version')]).toMatch(/^([0-9a-f]{4,40}(-dirty)?|unknown)$/);
      if (id !== externalId) {
        for (const file of modelInfo(id).files) expect(row[col('weights_sha256')]).toContain(`${file.name} ${file.sha256}`);
        expect(Number(row[col('published_value')]), id).toBe(modelInfo(id).published?.value);
      }
    }

    // JSON: the protocol (and its description), every column, the targets and the same verdict.
    const json = await download(page, page.getByRole('button', { name: 'Export metrics JSON' }));
    const report = JSON.parse(json.bytes.toString('utf8')) as {
      protocol: string;
      protocolDescription: string;
      metrics: { columnId: string; displayName: string; stats: Record<string, number> }[];
      targets: { apMin: number | null };
      verdict: { columnId: string; pass: boolean | null }[];
      intervalVerdict: { columnId: string; outcome: string | null }[];
      intervals: { resamples: number; seed: number; columns: { columnId: string; intervals: Record<string, { lower: number; upper: number }> }[] };
      provenance: { groundTruth: { sha256: string }; protocol: string; models: { id: string }[]; confidenceThreshold: number };
    };
    expect(report.protocol).toBe('crops');
    expect(report.provenance.groundTruth.sha256).toBe(GT_SHA256);
    expect(report.provenance.models.map((m) => m.id)).toEqual([...MODEL_IDS]);
    expect(report.provenance.confidenceThreshold).toBe(DEFAULT_CONFIDENCE_THRESHOLD);
    expect(report.protocolDescription).toBe(PROTOCOL_DESCRIPTIONS.crops);
    expect(report.metrics.map((m) => m.columnId)).toEqual(columnIds);
    for (const m of report.metrics) expect(m.stats['AP'], m.columnId).toBeCloseTo(metricsOf(m.columnId)?.stats.AP ?? Number.NaN, 12);
    // The imported column is scored from the file's own entries, so all 10 stats are those Node (the CLI's
    // `score` path) gives the same file on the same images, to the last bit.
    expect(report.metrics.find((m) => m.columnId === externalId)?.stats, 'imported predictions: the 10 stats').toEqual(noisy.stats);
    expect(report.targets.apMin).toBe(apTarget);
    expect(report.intervalVerdict.map((v) => [v.columnId, v.outcome ?? 'none'])).toEqual(await outcomes());
    expect(report.intervals.columns.map((c) => [c.columnId, [c.intervals['AP']?.lower, c.intervals['AP']?.upper]])).toEqual(columnIds.map((id) => [id, intervals.get(id)]));
    expect([report.intervals.resamples, report.intervals.seed]).toEqual([1000, 1]);

    // Zip: one results.json per column, each a valid COCO results list for this ground truth that scores, in Node,
    // to the column's AP in the table.
    const zip = await download(page, page.getByRole('button', { name: 'Export all COCO results (.zip)' }));
    expect(zip.fileName).toMatch(/^keypoint-bench-.*-coco-results\.zip$/);
    const files = unzipSync(new Uint8Array(zip.bytes));
    const fileOfColumn: Record<string, string> = {
      'movenet-lightning': 'MoveNet_SinglePose_Lightning.results.json',
      'blazepose-lite': 'BlazePose_lite.results.json',
      [externalId]: 'GT_4_noise.results.json',
    };
    expect(Object.keys(files).sort()).toEqual([...Object.values(fileOfColumn), 'provenance.json'].sort());
    expect((JSON.parse(strFromU8(files['provenance.json'] ?? new Uint8Array())) as { groundTruth: { sha256: string } }).groundTruth.sha256).toBe(GT_SHA256);
    const scoredImageIds = ADDED.map((name) => gtImageByName.get(name)?.id).filter((id) => id !== undefined);
    for (const [columnId, name] of Object.entries(fileOfColumn)) {
      const parsed = parseResults(strFromU8(files[name] ?? new Uint8Array()), { groundTruth: gt });
      expect(parsed.problems, name).toEqual([]);
      const results = parsed.value ?? [];
      expect(results.length, name).toBe(metricsOf(columnId)?.detections);
      const rescored = evaluateColumn({ columnId, displayName: name, protocol: 'crops', gt, imageIdsEvaluated: scoredImageIds, results, latencies: [], pck });
      expect(rescored.stats.AP, name).toBeCloseTo(metricsOf(columnId)?.stats.AP ?? Number.NaN, 12);
    }
    // The imported column's file is the imported file's own entries on the scored images, unchanged.
    const noisyEntries = (JSON.parse(noisyText) as { image_id: number }[]).filter((r) => scoredImageIds.includes(r.image_id));
    expect(JSON.parse(strFromU8(files[fileOfColumn[externalId] ?? ''] ?? new Uint8Array()))).toEqual(noisyEntries);
    // A row's own "results.json" button gives that column's file of the zip.
    const lightningRow = page.locator(`[data-testid=metrics-table] tr[data-column-id="movenet-lightning"]`);
    const single = await download(page, lightningRow.getByRole('button', { name: 'results.json' }));
    expect(single.fileName).toBe('MoveNet_SinglePose_Lightning.results.json');
    expect(single.bytes.toString('utf8')).toBe(strFromU8(files['MoveNet_SinglePose_Lightning.results.json'] ?? new Uint8Array()));

    // Metrics PNG.
    const metricsPng = await download(page, page.getByRole('button', { name: 'Export metrics PNG' }));
    expect(metricsPng.fileName).toMatch(/^keypoint-bench-.*-metrics\.png$/);
    const metricsPngSize = pngSize(metricsPng.bytes);
    expect(metricsPngSize.width).toBeGreaterThan(400);
    expect(metricsPngSize.height).toBeGreaterThan(300);

    // Sidebar "Export screenshot" of the gallery: every ready image (not only the rows on screen), then the dataset-wide
    // blocks under their own headings: the verdict (a line per column), the published figures, the provenance.
    await showTab(page, 'Gallery');
    const gridState = await getState(page);
    const ready = gridState.images.filter((im) => im.status === 'ready');
    expect(ready.length).toBeGreaterThan(0);
    const screenshot = await exportScreenshot(page);
    expect(screenshot.fileName).toMatch(/^keypoint-bench-.*\.(png|zip)$/);
    expectCleanPages(screenshot);
    expect(rowTitles(screenshot)).toEqual(ready.map((im) => im.name));
    const size = screenshot.pngs[0]?.size ?? { width: 0, height: 0 };
    expect(size.width).toBe(cellGrid('grid', columnIds.length).pageWidthPx);
    const headings = screenshot.layouts[0]?.texts.filter((t) => t.role === 'heading').map((t) => t.text) ?? [];
    expect(headings[0]).toMatch(/^Verdict — whole dataset: \d+ images?, \d+ labelled (person|people); 95% bootstrap intervals \(1,000 resamples of \d+ images, seed 1\)$/);
    expect(headings.slice(1)).toEqual(['Published figures (other conditions)', 'Provenance']);
    console.log(`screenshot: ${screenshot.pngs.map((p) => `${p.size.width}×${p.size.height}`).join(', ')}, ${ready.length} rows × ${columnIds.length} columns`);
    if (screenshot.pngs.length === 1) await expect.poll(() => page.getByTestId('export-status').textContent()).toBe(`Saved ${screenshot.fileName} (${size.width}×${size.height})`);
  });

  it('shows the worst images first (lowest mean OKS, as in Node), and a keypoint filter re-ranks them by that keypoint', async () => {
    const { page } = app;
    const pck = (await evaluationState(page)).pck;
    const state = await getState(page);
    await showTab(page, 'Worst first');
    const failures = page.locator('section.failures');
    const figures = () =>
      page.getByTestId('failures').locator('figure[data-image-name]').evaluateAll((items) =>
        items.map((f) => ({ name: f.getAttribute('data-image-name') ?? '', caption: f.querySelector('figcaption')?.textContent ?? '' })),
      );

    for (const modelId of [...MODEL_IDS].reverse()) {
      await failures.getByLabel('Model', { exact: true }).selectOption(modelId);
      const metrics = nodeModelMetrics(state, modelId, 'crops', pck);
      const worstFirst = metrics.perImage.filter((im) => im.meanOks !== null);
      await expect.poll(async () => (await figures()).map((f) => f.name)).toEqual(worstFirst.map((im) => im.fileName));
      const shown = await figures();
      const lowest = Math.min(...worstFirst.map((im) => im.meanOks ?? 1));
      expect(worstFirst[0]?.meanOks).toBe(lowest);
      expect(shown[0]?.caption).toMatch(new RegExp(`^#1 ${worstFirst[0]?.fileName.replace('.', '\\.')} · mean OKS ${lowest.toFixed(3)} · `));
      console.log(`worst first (${modelId}): ${worstFirst.map((im) => `${im.fileName} ${im.meanOks?.toFixed(3)}`).join(', ')}`);
    }

    // One keypoint: ranked by the worst error of that keypoint (relative to person size), computed here the same
    // way from the browser's poses; MoveNet Lightning.
    const modelId = 'movenet-lightning';
    await failures.getByLabel('Model', { exact: true }).selectOption(modelId);
    const byOks = await figures();
    const ranking = (keypoint: string) => keypointRanking(state, modelId, keypoint, nodeModelMetrics(state, modelId, 'crops', pck));
    // Prefer a keypoint whose ranking differs from the mean-OKS one.
    const candidates = ['left_wrist', 'right_wrist', 'left_ankle', 'right_ankle', 'left_knee', 'right_knee', 'nose', 'left_hip'];
    const keypoint = candidates.find((k) => ranking(k).map((r) => r.name).join() !== byOks.map((f) => f.name).join()) ?? 'left_wrist';
    const expected = ranking(keypoint);
    await failures.getByLabel('Keypoint', { exact: true }).selectOption(keypoint);
    await expect.poll(async () => (await figures()).map((f) => f.name)).toEqual(expected.map((r) => r.name));
    const byKeypoint = await figures();
    byKeypoint.forEach((f, i) => expect(f.caption).toMatch(new RegExp(`^#${i + 1} \\S+ · ${keypoint.replace('_', ' ')} error ${expected[i]?.errorText.replace('.', '\\.')} · `)));
    expect(byKeypoint).not.toEqual(byOks);
    console.log(`worst first (${modelId}, ${keypoint}): ${expected.map((r) => `${r.name} ${r.errorText}`).join(', ')}`);
  });

  it('holds predictions dropped before the ground truth, and makes them a column once it arrives (fresh page)', async () => {
    const page = await app.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await page.goto(app.baseUrl);
      await page.waitForFunction(() => 'keypointBench' in window);
      await selectModels(page, []);
      await dropFiles(page, [filePayload(NOISY_PATH, 'application/json')]);
      const pendingAlert = page.getByRole('alert').filter({ hasText: 'noisy.results.json' });
      await expect.poll(() => pendingAlert.count(), { timeout: 10_000 }).toBe(1);
      expect(await pendingAlert.textContent()).toMatch(/^noisy\.results\.json: predictions kept; add the ground-truth annotations\.json/);
      expect(await page.getByText('Waiting for ground truth to read: noisy.results.json').count()).toBe(1);
      expect(await evaluationState(page)).toMatchObject({ groundTruth: null, externalColumns: [], pendingPredictions: ['noisy.results.json'] });

      const photo = '000000030752.jpg';
      await dropFiles(page, [filePayload(GT_PATH, 'application/json'), filePayload(join(PEOPLE_DIR, photo))]);
      await expect.poll(async () => (await evaluationState(page)).externalColumns.length, { timeout: 10_000 }).toBe(1);
      const evaluation = await evaluationState(page);
      expect(evaluation.pendingPredictions).toEqual([]);
      expect(evaluation.externalColumns[0]).toMatchObject({ name: 'noisy', fileName: 'noisy.results.json' });
      const externalId = evaluation.externalColumns[0]?.id ?? '';
      expect(await page.getByText('Waiting for ground truth to read').count()).toBe(0);

      await expect.poll(() => page.getByRole('columnheader').allTextContents(), { timeout: 10_000 }).toEqual(['noisy']);
      const gtId = gtImageByName.get(photo)?.id;
      const onPhoto = (JSON.parse(noisyText) as { image_id: number }[]).filter((r) => r.image_id === gtId).length;
      await expect.poll(async () => (await galleryCells(page)).map((c) => [c.image, c.modelId, c.status, c.poses]), { timeout: 15_000 }).toEqual([[photo, externalId, 'done', onPhoto]]);

      await showTab(page, 'Metrics & verdict');
      const rows = await waitForMetricsRows(page, [externalId], `1/${gt.images.length}`);
      expectRowMatches(rows[0], nodeNoisyMetrics([photo], evaluation.pck), 'imported predictions on one image');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('raised no page errors', () => {
    expect(app.pageErrors).toEqual([]);
  });
});

/**
 * The worst-first order under a one-keypoint filter, from the same poses: per image, the largest error of that
 * keypoint over its labelled people (poses paired to people greedily by OKS), relative to sqrt(area); a person
 * without a paired pose counts as missed (infinitely bad). Images where no person has the keypoint are left out.
 */
function keypointRanking(state: StateSnapshot, modelId: string, keypoint: string, metrics: ModelMetrics): { name: string; errorText: string }[] {
  const k = COCO17.keypointNames.indexOf(keypoint);
  const layout = modelInfo(modelId).keypointLayout;
  const list: { name: string; score: number; errorText: string }[] = [];
  for (const imageResult of metrics.perImage) {
    if (imageResult.meanOks === null) continue;
    const image = state.images.find((im) => im.name === imageResult.fileName);
    const annotations = gt.annotations.filter((a) => a.image_id === imageResult.imageId && !a.iscrowd && a.num_keypoints > 0);
    const poses: Pose[] = (state.results[cellKey(image?.id ?? '', modelId, 'crops')]?.poses ?? []).map((p) => toCoco17(p, layout));
    const pairing = pairPosesWithAnnotations(poses, annotations);
    let worst: number | null = null;
    annotations.forEach((a, i) => {
      if ((a.keypoints[k * 3 + 2] ?? 0) <= 0) return;
      const predicted = poses[pairing[i] ?? -1]?.keypoints[k];
      const error = predicted ? Math.hypot(predicted.x - (a.keypoints[k * 3] ?? 0), predicted.y - (a.keypoints[k * 3 + 1] ?? 0)) / Math.sqrt(Math.max(1, a.area)) : Number.POSITIVE_INFINITY;
      worst = Math.max(worst ?? 0, error);
    });
    if (worst === null) continue;
    const value: number = worst;
    list.push({ name: imageResult.fileName, score: -value, errorText: Number.isFinite(value) ? `${value.toFixed(2)} × person size` : 'person missed' });
  }
  return list.sort((a, b) => a.score - b.score);
}
