/**
 * The worst-first view told truthfully, in real Chromium against the production build: each person's best OKS (the
 * max over every detection of the image, matched or not) equals the COCO OKS computed here by hand from the
 * browser's own poses; the error-type filter keeps exactly the images whose coco-analyze labels (as the app's
 * analysis worker computed them) have that error, and says when they are being computed; a person-free image lists
 * each model's detections there as false positives with their scores; the per-image table sorts by a column
 * (mouse and keyboard, aria-sort) and a row opens its image.
 *
 * Fixtures: test/fixtures/people (photos + annotations.json). The ground truth given to the page is that file with
 * the annotations of 000000234748.jpg left out, so the page sees a listed image without a labelled person on which
 * the models do find someone. Whole-image protocol, MoveNet SinglePose and MultiPose Lightning (MultiPose: several
 * detections an image). Beside them an imported predictions file made here from the ground truth: one person of
 * 000000126995.jpg moved by 0.15 × sqrt(area), an OKS just under 0.5 (a near miss COCO leaves unmatched), the other
 * exact.
 */
import { COCO17 } from '../../src/core/layouts/builtinLayouts';
import { layoutById } from '../../src/core/layouts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CocoKeypointAnnotation, CocoKeypointResult, CocoKeypointsGroundTruth } from '../../src/core/coco/cocoTypes';
import { parseGroundTruth } from '../../src/core/coco/parseGroundTruth';
import { posesToCocoResults } from '../../src/core/evaluation/conversion';
import { evaluateColumn, type ModelMetrics } from '../../src/core/evaluation/evaluateColumn';
import { modelInfo } from '../../src/inference/modelCatalogue';
import { PEOPLE_DIR, dropFiles, filePayload, getState, openApp, selectModels, waitForBackend, type AppSession, type StateSnapshot } from './harness';
import { handOks } from '../unit/evaluation/handOks';

const MODELS = [
  { id: 'movenet-lightning', name: 'MoveNet SinglePose Lightning' },
  { id: 'movenet-multipose', name: 'MoveNet MultiPose Lightning' },
] as const;
const PERSON_FREE = '000000234748.jpg';
const ADDED = ['000000000790.jpg', '000000126995.jpg', '000000030752.jpg', '000000463557.jpg', '000000121181.jpg', PERSON_FREE];
const CELL_TIMEOUT_MS = 180_000;

const original = JSON.parse(readFileSync(join(PEOPLE_DIR, 'annotations.json'), 'utf8')) as { images: { id: number; file_name: string }[]; annotations: { image_id: number }[] };
const personFreeId = original.images.find((im) => im.file_name === PERSON_FREE)?.id ?? -1;
const gtText = JSON.stringify({ ...original, annotations: original.annotations.filter((a) => a.image_id !== personFreeId) });
const gt: CocoKeypointsGroundTruth = (() => {
  const parsed = parseGroundTruth(gtText);
  if (!parsed.value) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.value;
})();
const gtIdByName = new Map(gt.images.map((im) => [im.file_name ?? '', im.id]));

/** The annotation's keypoints moved by (dx, dy) as a COCO result. */
function shifted(ann: CocoKeypointAnnotation, dxPx: number, score: number): CocoKeypointResult {
  const keypoints: number[] = [];
  for (let k = 0; k < 17; k++) keypoints.push(ann.keypoints[k * 3]! + dxPx, ann.keypoints[k * 3 + 1]!, 1);
  return { image_id: ann.image_id, category_id: ann.category_id, keypoints, score };
}

const NEAR_MISS_IMAGE = 126995;
const [nearMissPerson, exactPerson] = gt.annotations.filter((a) => a.image_id === NEAR_MISS_IMAGE && a.iscrowd === 0 && a.num_keypoints > 0);
const nearMissResults = [shifted(nearMissPerson!, 0.15 * Math.sqrt(nearMissPerson!.area), 0.9), shifted(exactPerson!, 0, 0.8)];
const NEAR_MISS_FILE = 'near-miss.results.json';

interface NodeColumn {
  metrics: ModelMetrics;
  resultsByImage: Map<number, CocoKeypointResult[]>;
  /** Per scorable person (annotation id): the hand-computed max OKS over the image's detections (null: no detection). */
  bestOks: Map<number, number | null>;
}

/** The column as Node sees it from the browser's poses: the COCO evaluation (who is matched) and the best OKS by hand. */
function nodeColumn(state: StateSnapshot, modelId: string): NodeColumn {
  const layout = modelInfo(modelId).keypointLayout;
  const results: CocoKeypointResult[] = [];
  const imageIdsEvaluated: number[] = [];
  for (const image of state.images) {
    const gtId = gtIdByName.get(image.name);
    const cell = state.results[`${image.id}|${modelId}`];
    if (gtId === undefined || cell?.status !== 'done') continue;
    imageIdsEvaluated.push(gtId);
    results.push(...posesToCocoResults(gtId, cell.poses, layoutById(layout), COCO17));
  }
  const metrics = evaluateColumn({ columnId: modelId, displayName: modelId, protocol: 'whole', gt, imageIdsEvaluated, results, latencies: [], pck: { alpha: 0.2, normalizer: 'bbox' } });
  const resultsByImage = new Map<number, CocoKeypointResult[]>();
  for (const r of results) resultsByImage.set(r.image_id, [...(resultsByImage.get(r.image_id) ?? []), r]);
  const bestOks = new Map<number, number | null>();
  for (const ann of gt.annotations) {
    if (ann.iscrowd || ann.num_keypoints === 0 || !imageIdsEvaluated.includes(ann.image_id)) continue;
    const detections = resultsByImage.get(ann.image_id) ?? [];
    bestOks.set(ann.id, detections.length ? Math.max(...detections.map((d) => handOks(ann, d))) : null);
  }
  return { metrics, resultsByImage, bestOks };
}

async function waitForWholeResults(page: Page): Promise<StateSnapshot> {
  const deadline = Date.now() + CELL_TIMEOUT_MS;
  for (;;) {
    const state = await getState(page);
    const cells = ADDED.flatMap((name) => MODELS.map((m) => state.results[`${state.images.find((im) => im.name === name)?.id ?? ''}|${m.id}`]));
    const failed = cells.filter((c) => c?.status === 'error');
    if (failed.length) throw new Error(`cells failed: ${failed.map((c) => c?.error).join('; ')}`);
    if (cells.every((c) => c?.status === 'done')) return state;
    if (Date.now() > deadline) throw new Error(`cells not done: ${cells.map((c) => c?.status ?? 'none').join(', ')}`);
    await page.waitForTimeout(500);
  }
}

interface ErrorsSnapshot {
  status: string;
  errors: { summary: { columnId: string; unavailable: string | null }; images: { gtImageId: number; detections: { labels: string }[] }[] }[] | null;
}

async function intervals(page: Page): Promise<ErrorsSnapshot> {
  return page.evaluate(() => {
    const s = (window as unknown as { keypointBench: { getIntervals: () => ErrorsSnapshot } }).keypointBench.getIntervals();
    return { status: s.status, errors: s.errors };
  });
}

const figures = (page: Page) =>
  page.getByTestId('failures').locator('figure[data-image-name]').evaluateAll((items) =>
    items.map((f) => ({
      name: f.getAttribute('data-image-name') ?? '',
      persons: [...f.querySelectorAll('li[data-annotation-id]')].map((li) => ({ annotationId: Number(li.getAttribute('data-annotation-id')), text: li.textContent ?? '' })),
    })),
  );

const tableRows = (page: Page) =>
  page.getByTestId('per-image-table').locator('tbody tr[data-image-name]').evaluateAll((rows) =>
    rows.map((row) => ({
      name: row.getAttribute('data-image-name') ?? '',
      values: Object.fromEntries([...row.querySelectorAll('td[data-key]')].map((td) => [td.getAttribute('data-key') ?? '', td.textContent ?? ''])),
    })),
  );

let app: AppSession;
let state: StateSnapshot;
const node = new Map<string, NodeColumn>();

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

describe('worst first, truthfully (production build, Chromium)', () => {
  it('runs two models on the people photos under whole image, against ground truth with one person-free image', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).not.toBe('');
    await selectModels(page, MODELS.map((m) => m.name));
    expect(gt.annotations.some((a) => a.image_id === personFreeId)).toBe(false);
    expect(gt.images.some((im) => im.id === personFreeId)).toBe(true);
    await dropFiles(page, [{ name: 'annotations.json', type: 'application/json', base64: Buffer.from(gtText).toString('base64') }]);
    await expect.poll(() => page.getByTestId('gt-status').textContent(), { timeout: 10_000 }).toContain('annotations.json:');
    await page.getByLabel('Evaluation protocol', { exact: true }).selectOption('whole');
    await dropFiles(page, [
      { name: NEAR_MISS_FILE, type: 'application/json', base64: Buffer.from(JSON.stringify(nearMissResults)).toString('base64') },
      ...ADDED.map((name) => filePayload(join(PEOPLE_DIR, name))),
    ]);
    state = await waitForWholeResults(page);
    for (const m of MODELS) node.set(m.id, nodeColumn(state, m.id));
    await page.getByRole('tab', { name: 'Worst first', exact: true }).click();
  });

  it("shows each person's best OKS: the max of the hand-computed OKS over the image's detections, matched or not", async () => {
    const { page } = app;
    const view = page.locator('section.failures');
    let unmatchedWithOks = 0;
    for (const m of MODELS) {
      await view.getByLabel('Model', { exact: true }).selectOption(m.id);
      const column = node.get(m.id)!;
      const withPeople = column.metrics.perImage.filter((im) => im.meanOks !== null).map((im) => im.fileName);
      await expect.poll(async () => (await figures(page)).map((f) => f.name)).toEqual(withPeople);
      const lines: string[] = [];
      for (const figure of await figures(page)) {
        const imageResult = column.metrics.perImage.find((im) => im.fileName === figure.name)!;
        expect(figure.persons.map((p) => p.annotationId), figure.name).toEqual(imageResult.persons.map((p) => p.annotationId));
        for (const shown of figure.persons) {
          const best = column.bestOks.get(shown.annotationId);
          const matched = imageResult.persons.find((p) => p.annotationId === shown.annotationId)?.oks ?? null;
          lines.push(`${figure.name}#${shown.annotationId}: ${shown.text}`);
          if (best === null || best === undefined) {
            expect(shown.text).toBe('missed · no detection on the image');
            continue;
          }
          expect(shown.text, `${figure.name} person ${shown.annotationId}`).toMatch(new RegExp(`^best OKS ${best.toFixed(3).replace('.', '\\.')} `));
          if (matched === null) {
            expect(shown.text).toContain('(unmatched at 0.5');
            if (best > 0.0005) unmatchedWithOks++;
          } else {
            expect(shown.text).toMatch(/\(matched\)|· matched OKS /);
            expect(best).toBeGreaterThanOrEqual(matched - 1e-12);
          }
        }
      }
      console.log(`best OKS per person (${m.id}):\n  ${lines.join('\n  ')}`);
    }
    console.log(`unmatched people with a best OKS above 0.000 (models): ${unmatchedWithOks}`);

    // The case the view exists for: a person COCO matching left unmatched still shows the OKS it nearly reached.
    const near = handOks(nearMissPerson!, nearMissResults[0]!);
    expect(near).toBeGreaterThan(0.45);
    expect(near).toBeLessThan(0.5);
    const select = view.getByLabel('Model', { exact: true });
    const externalId = await select.locator('option', { hasText: 'near-miss' }).getAttribute('value');
    await select.selectOption(externalId ?? '');
    const figure = page.getByTestId('failures').locator('figure[data-image-name="000000126995.jpg"]');
    await expect.poll(() => figure.locator(`li[data-annotation-id="${nearMissPerson!.id}"]`).textContent()).toBe(`best OKS ${near.toFixed(3)} (unmatched at 0.5)`);
    expect(await figure.locator(`li[data-annotation-id="${exactPerson!.id}"]`).textContent()).toBe('best OKS 1.000 (matched)');
    expect(await figure.locator('figcaption').textContent()).toMatch(/ · mean OKS 0\.500 · 2 people, 1 missed$/);
    console.log(`near miss (${NEAR_MISS_FILE}): person ${nearMissPerson!.id} best OKS ${near.toFixed(4)}, unmatched`);
  });

  it('the error-type filter keeps exactly the images whose taxonomy has that error, and says when it is being computed', async () => {
    const { page } = app;
    const view = page.locator('section.failures');
    const status = page.getByTestId('error-filter-status');
    await expect.poll(async () => (await intervals(page)).errors !== null, { timeout: 120_000 }).toBe(true);
    const { errors } = await intervals(page);
    const m = MODELS.find((model) => errors?.find((e) => e.summary.columnId === model.id)?.summary.unavailable === null);
    expect(m, `an analysable column: ${JSON.stringify(errors?.map((e) => e.summary))}`).toBeDefined();
    const analysis = errors!.find((e) => e.summary.columnId === m!.id)!;
    await view.getByLabel('Model', { exact: true }).selectOption(m!.id);
    const all = (await figures(page)).map((f) => f.name);
    const letters = { jitter: 'J', inversion: 'I', swap: 'S', miss: 'M' } as const;
    const withLetter = (letter: string) =>
      all.filter((name) => analysis.images.find((im) => im.gtImageId === gtIdByName.get(name))?.detections.some((d) => d.labels.includes(letter)));
    // The type that narrows the list most while keeping some image (ties: the first in the tool's order).
    const [type, letter] = (Object.entries(letters) as [keyof typeof letters, string][])
      .filter(([, l]) => withLetter(l).length > 0)
      .sort((a, b) => withLetter(a[1]).length - withLetter(b[1]).length)[0]!;
    const expected = withLetter(letter);
    console.log(`error filter (${m!.id}): ${type} on ${expected.join(', ')} of ${all.join(', ')}`);
    await view.getByLabel('Error type', { exact: true }).selectOption(type);
    await expect.poll(async () => (await figures(page)).map((f) => f.name)).toEqual(expected);
    expect(await status.textContent()).toBe(`${expected.length} of ${all.length} images with ${type} at any keypoint`);
    expect((await tableRows(page)).map((r) => r.name).sort()).toEqual([...expected].sort());
    // Any error: the images with any of the four letters.
    await view.getByLabel('Error type', { exact: true }).selectOption('any');
    const anyError = all.filter((name) => Object.values(letters).some((l) => withLetter(l).includes(name)));
    await expect.poll(async () => (await figures(page)).map((f) => f.name)).toEqual(anyError);

    // A new evaluation input (PCK α) makes the analysis stale: the filter says it is being computed, then fills in.
    const alpha = page.getByLabel('PCK α', { exact: true });
    await view.getByLabel('Error type', { exact: true }).selectOption(type);
    await alpha.fill('0.3');
    await expect.poll(() => status.textContent(), { timeout: 5_000 }).toMatch(/^Error types are being computed/);
    expect(await figures(page)).toEqual([]);
    await expect.poll(() => status.textContent(), { timeout: 120_000 }).toMatch(/^\d+ of \d+ images with /);
    await alpha.fill('0.2');
    await expect.poll(() => status.textContent(), { timeout: 120_000 }).toBe(`${expected.length} of ${all.length} images with ${type} at any keypoint`);
    await view.getByLabel('Error type', { exact: true }).selectOption('off');
    expect(await status.count()).toBe(0);
  });

  it("lists a person-free image's detections per model as false positives, with their scores", async () => {
    const { page } = app;
    const item = page.getByTestId('person-free').locator(`li[data-image-name="${PERSON_FREE}"]`);
    for (const m of MODELS) {
      const detections = node.get(m.id)!.resultsByImage.get(personFreeId) ?? [];
      const scores = detections.map((d) => d.score).sort((a, b) => b - a).map((s) => s.toFixed(2));
      const n = detections.length;
      const fps = node.get(m.id)!.metrics.perImage.find((im) => im.imageId === personFreeId)?.falsePositives;
      expect(fps, 'every detection on an image without people is a COCO false positive').toBe(n);
      const expected = n === 0 ? `${m.name}: no detections` : `${m.name}: ${n} detection${n === 1 ? '' : 's'}, ${n === 1 ? 'a false positive' : 'all false positives'} (score${n === 1 ? '' : 's'} ${scores.join(', ')})`;
      expect(await item.locator(`li[data-column-id="${m.id}"]`).textContent()).toBe(expected);
      console.log(`person-free ${PERSON_FREE}: ${expected}`);
    }
    // MoveNet SinglePose always returns a pose: the image is not a silent 0.
    expect(node.get('movenet-lightning')!.resultsByImage.get(personFreeId)?.length).toBe(1);
  });

  it('sorts the per-image table by a column (mouse and keyboard, aria-sort), and a row opens its image', async () => {
    const { page } = app;
    const table = page.getByTestId('per-image-table');
    const key = 'bestOks:movenet-multipose';
    const header = table.locator(`th[data-key="${key}"]`);
    const column = node.get('movenet-multipose')!;
    const expectedMeanBest = (name: string): string => {
      const persons = column.metrics.perImage.find((im) => im.fileName === name)?.persons ?? [];
      if (persons.length === 0) return '—';
      return (persons.reduce((sum, p) => sum + (column.bestOks.get(p.annotationId) ?? 0), 0) / persons.length).toFixed(3);
    };
    const numbers = (values: string[]) => values.filter((v) => v !== '—').map(Number);

    await header.getByRole('button').click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    let rows = await tableRows(page);
    expect(rows.map((r) => r.name).sort()).toEqual([...ADDED].sort());
    for (const r of rows) expect(r.values[key], r.name).toBe(expectedMeanBest(r.name));
    let values = rows.map((r) => r.values[key] ?? '');
    expect(numbers(values)).toEqual([...numbers(values)].sort((a, b) => a - b));
    // The person-free image has nothing to average: last, whichever way.
    expect(values.at(-1)).toBe('—');
    console.log(`table by ${key} ascending: ${rows.map((r) => `${r.name} ${r.values[key]}`).join(', ')}`);

    await header.getByRole('button').click();
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    values = (await tableRows(page)).map((r) => r.values[key] ?? '');
    expect(numbers(values)).toEqual([...numbers(values)].sort((a, b) => b - a));
    expect(values.at(-1)).toBe('—');

    // Keyboard: focus the false-positives header and press Enter.
    const fpHeader = table.locator('th[data-key="falsePositives"]');
    await fpHeader.getByRole('button').focus();
    await page.keyboard.press('Enter');
    expect(await fpHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await header.getAttribute('aria-sort')).toBe('none');
    rows = await tableRows(page);
    const fps = rows.map((r) => Number(r.values.falsePositives));
    expect(fps).toEqual([...fps].sort((a, b) => a - b));

    // A row opens its image in the gallery, as the grid does.
    const target = rows[0]!.name;
    await table.locator(`tr[data-image-name="${target}"] td`).first().click();
    await expect.poll(() => page.getByRole('tab', { name: 'Gallery', exact: true }).getAttribute('aria-selected')).toBe('true');
    const after = await getState(page);
    expect(after.focusedImageId).toBe(after.images.find((im) => im.name === target)?.id);
  });

  it('under person crops, says the person-free image is not run (nothing to crop) instead of showing 0', async () => {
    const { page } = app;
    await page.getByLabel('Evaluation protocol', { exact: true }).selectOption('crops');
    await page.getByRole('tab', { name: 'Worst first', exact: true }).click();
    const item = page.getByTestId('person-free').locator(`li[data-image-name="${PERSON_FREE}"]`);
    for (const m of MODELS) {
      await expect
        .poll(() => item.locator(`li[data-column-id="${m.id}"]`).textContent(), { timeout: 30_000 })
        .toBe(`${m.name}: not run: person crops need a labelled person (whole image shows its false positives)`);
    }
    // The imported file is scored from its own entries under either protocol: it has none on that image.
    expect(await item.locator('li[data-column-id]').last().textContent()).toBe('near-miss: no detections');
  });

  it('raised no page errors', () => {
    expect(app.pageErrors).toEqual([]);
  });
});
