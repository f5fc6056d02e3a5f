/**
 * Label mode's skeleton editor and mapping table as a labeller uses them (production build, real Chromium): edit the
 * person skeleton (rename a keypoint, add two with a bone and a left/right pair, set sigmas, watch the uniform-sigma
 * warning come and go, rename the category), choose which MoveNet Lightning keypoint fills the renamed one, pre-label,
 * and check the filled keypoint against the model's own cell; export and compare the category exactly with one
 * built here from the edits made; reload and find the skeleton and the mapping table as they were. Then estimate
 * sigmas from a second labelling made here with a known offset, and remove a labelled keypoint (asked first, undoable).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportsSigmas } from '../../src/core/labelling';
import type { LabelSkeleton } from '../../src/core/labelling/labelTypes';
import { COCO17 } from '../../src/core/layouts/builtinLayouts';
import type { Pose } from '../../src/core/types';
import { MODELS } from '../../src/inference/modelCatalogue';
import { PEOPLE_DIR, getState, openApp, selectModels, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const PHOTO = '000000030752.jpg';
const MODEL = MODELS.find((m) => m.id === 'movenet-lightning')!;
const THRESHOLD = 0.3;

interface LabelDocSnapshot {
  skeleton: LabelSkeleton;
  mappingTables?: Record<string, Record<string, string | null>>;
  images: Record<string, { status: string; persons: { keypoints: { x: number; y: number; v: number }[] }[] }>;
}

async function labelDoc(page: Page): Promise<LabelDocSnapshot | null> {
  return page.evaluate(() => {
    const s = (window as unknown as { keypointBench: { getState: () => { labelHistory: { present: unknown } | null } } }).keypointBench.getState();
    return JSON.parse(JSON.stringify(s.labelHistory?.present ?? null)) as never;
  });
}

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

describe('Label mode: any skeleton', () => {
  it('edits the skeleton, maps a model keypoint onto a renamed one, exports the category exactly, and keeps both over a reload', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    await selectModels(page, [MODEL.displayName]);
    await page.getByLabel('Add images', { exact: true }).setInputFiles([join(PEOPLE_DIR, PHOTO)]);
    await waitForCellsDone(page, [PHOTO], [MODEL.id], 120_000);
    const state = await getState(page);
    const image = state.images.find((im) => im.name === PHOTO)!;
    const poses = (state.results[`${image.id}|${MODEL.id}`] as { poses: Pose[] }).poses;
    expect(poses.length).toBe(1);
    const modelKeypoints = poses[0]!.keypoints;

    await page.getByRole('tab', { name: 'Label' }).click();
    await page.getByRole('button', { name: 'Start labelling' }).click();
    const warnings = page.getByTestId('skeleton-sigma-warning');
    // COCO's person skeleton has COCO's published sigmas: nothing to warn about.
    expect(await warnings.count()).toBe(0);

    // The editor is folded away until asked for.
    const editor = page.getByTestId('skeleton-editor');
    expect(await editor.isVisible()).toBe(false);
    await page.getByTestId('label-skeleton').locator('summary').click();
    expect(await editor.isVisible()).toBe(true);

    // Rename nose → snout (Enter commits).
    await page.getByLabel('Name of keypoint 1', { exact: true }).fill('snout');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await labelDoc(page))!.skeleton.keypointNames[0]).toBe('snout');

    // A keypoint with its own sigma: the sigmas are still all known.
    await page.getByLabel('New keypoint name').fill('left_horn');
    await page.getByLabel("New keypoint's OKS sigma").fill('0.04');
    await page.getByRole('button', { name: 'Add keypoint' }).click();
    await expect.poll(async () => (await labelDoc(page))!.skeleton.keypointNames.length).toBe(18);
    expect(await warnings.count()).toBe(0);

    // One without: a uniform guess, flagged in the editor and in the view's header.
    await page.getByLabel('New keypoint name').fill('right_horn');
    await page.getByRole('button', { name: 'Add keypoint' }).click();
    await expect.poll(() => warnings.count()).toBe(2);
    expect(await page.locator('.label-view > [data-testid=skeleton-sigma-warning]').count()).toBe(1);

    // A bone and a left/right pair between them.
    await page.getByLabel('Bone from').selectOption({ label: 'left_horn' });
    await page.getByLabel('Bone to').selectOption({ label: 'right_horn' });
    await page.getByRole('button', { name: 'Add bone' }).click();
    await page.getByLabel('Left/right counterpart of left_horn').selectOption({ label: 'right_horn' });
    await expect.poll(async () => (await labelDoc(page))!.skeleton.mirror.slice(17)).toEqual([18, 17]);

    // Its sigma set: the core keeps a set flagged while it started as a guess; confirming the list clears it.
    await page.getByLabel('OKS sigma of right_horn').fill('0.04');
    await page.getByLabel('OKS sigma of right_horn').press('Enter');
    await expect.poll(async () => (await labelDoc(page))!.skeleton.sigmas[18]).toBe(0.04);
    expect(await warnings.count()).toBe(2);
    await page.getByRole('button', { name: 'I set these sigmas: stop flagging them' }).click();
    await expect.poll(() => warnings.count()).toBe(0);

    // The category.
    await page.getByLabel('Category name').fill('creature');
    await page.getByLabel('Category name').press('Enter');
    await page.getByLabel('Supercategory').fill('animal');
    await page.getByLabel('Supercategory').press('Enter');
    await expect.poll(async () => (await labelDoc(page))!.skeleton.supercategory).toBe('animal');
    expect((await labelDoc(page))!.skeleton.name).toBe('creature');

    // The mapping: snout is no COCO-17 name, so it starts with none; fill it from the model's best-scored eye.
    await page.getByLabel('Pre-label from').selectOption({ label: MODEL.displayName });
    const table = page.getByTestId('label-mapping');
    expect(await table.getAttribute('data-layout')).toBe('coco17');
    expect(await table.getByLabel('Model keypoint for snout').inputValue()).toBe('');
    expect(await table.getByLabel('Model keypoint for left_shoulder').inputValue()).toBe('left_shoulder');
    expect(await table.getByLabel('Model keypoint for left_horn').inputValue()).toBe('');
    const eyes = [1, 2].filter((i) => modelKeypoints[i]!.score >= THRESHOLD);
    expect(eyes.length).toBeGreaterThan(0);
    const chosen = eyes.reduce((a, b) => (modelKeypoints[b]!.score > modelKeypoints[a]!.score ? b : a));
    const chosenName = COCO17.keypointNames[chosen]!;
    await table.getByLabel('Model keypoint for snout').selectOption(chosenName);
    await expect.poll(async () => (await labelDoc(page))!.mappingTables).toEqual({ coco17: { snout: chosenName } });
    expect(await table.locator('tr[data-keypoint=snout]').getAttribute('data-source')).toBe(chosenName);

    await page.getByRole('button', { name: 'Pre-label this image' }).click();
    await expect.poll(async () => (await labelDoc(page))?.images[PHOTO]?.persons.length).toBe(1);
    const labelled = (await labelDoc(page))!.images[PHOTO]!.persons[0]!.keypoints;
    expect(labelled[0]).toEqual({ x: modelKeypoints[chosen]!.x, y: modelKeypoints[chosen]!.y, v: 2 });
    // The other COCO names by name, the horns absent.
    for (let i = 1; i < 17; i++) {
      const k = modelKeypoints[i]!;
      expect(labelled[i]!.v, COCO17.keypointNames[i]).toBe(k.score >= THRESHOLD ? 2 : 0);
      if (k.score >= THRESHOLD) expect(labelled[i]).toEqual({ x: k.x, y: k.y, v: 2 });
    }
    expect(labelled.slice(17).map((k) => k.v)).toEqual([0, 0]);

    await page.getByRole('button', { name: 'Accept all (Enter)' }).click();
    await expect.poll(async () => (await labelDoc(page))!.images[PHOTO]!.status).toBe('done');

    // The export's category, built from the edits made: COCO-17 with nose renamed, the horns, their bone (1-based).
    const doc = (await labelDoc(page))!;
    expect(exportsSigmas(doc.skeleton)).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export COCO keypoints' }).click()]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as { categories: unknown[]; annotations: { keypoints: number[]; area: number }[] };
    expect(exported.categories).toEqual([
      {
        id: 1,
        name: 'creature',
        supercategory: 'animal',
        keypoints: ['snout', ...COCO17.keypointNames.slice(1), 'left_horn', 'right_horn'],
        skeleton: [...COCO17.edges.map(([a, b]) => [a + 1, b + 1]), [18, 19]],
        sigmas: [...COCO17.oksSigmas, 0.04, 0.04],
      },
    ]);
    expect(exported.annotations).toHaveLength(1);
    expect(exported.annotations[0]!.keypoints.slice(0, 3)).toEqual([modelKeypoints[chosen]!.x, modelKeypoints[chosen]!.y, 2]);
    expect(exported.annotations[0]!.keypoints).toHaveLength(19 * 3);

    // Over a reload: the skeleton and the mapping table come back, and the table shows the choice.
    await page.evaluate(() => (window as unknown as { keypointBench: { flushSession: () => Promise<void> } }).keypointBench.flushSession());
    await page.reload();
    await waitForBackend(page);
    await expect.poll(async () => (await labelDoc(page))?.images[PHOTO]?.persons.length, { timeout: 30_000 }).toBe(1);
    const restored = (await labelDoc(page))!;
    expect(restored.skeleton).toEqual(doc.skeleton);
    expect(restored.mappingTables).toEqual({ coco17: { snout: chosenName } });
    if (!(await page.getByTestId('label-prelabel').isVisible())) await page.getByRole('tab', { name: 'Label' }).click();
    await page.getByLabel('Pre-label from').selectOption({ label: MODEL.displayName });
    expect(await page.getByTestId('label-mapping').getByLabel('Model keypoint for snout').inputValue()).toBe(chosenName);

    // A second labelling of the same image: every placed point 3 px right and 4 px down (d = 5 px), same box and
    // area, so each keypoint both placed has σ = sqrt(d² / s²) = 5 / sqrt(area) from its one pair.
    await page.getByTestId('label-skeleton').locator('summary').click();
    const second = structuredClone(exported) as { annotations: { keypoints: number[]; area: number }[] };
    const kp = second.annotations[0]!.keypoints;
    for (let i = 0; i < kp.length; i += 3) if (kp[i + 2]! > 0) [kp[i], kp[i + 1]] = [kp[i]! + 3, kp[i + 1]! + 4];
    const dir = mkdtempSync(join(tmpdir(), 'kb-second-'));
    const secondPath = join(dir, 'second.json');
    writeFileSync(secondPath, JSON.stringify(second));
    await page.getByLabel('Second labelling of the same images').setInputFiles(secondPath);
    // The page reads the file from disk when it opens it: it is removed at the end.
    await expect.poll(() => page.getByTestId('skeleton-estimate').textContent()).toContain('second.json: 1 person labelled in both.');
    const placed = labelled.map((k, i) => [i, k.v] as const).filter(([, v]) => v > 0).map(([i]) => i);
    const sigma = 5 / Math.sqrt(exported.annotations[0]!.area);
    const estimate = page.getByTestId('skeleton-estimate');
    // Ten pairs needed by default: none has enough.
    expect(await estimate.getByRole('button', { name: 'No keypoint has 10 pairs yet' }).isDisabled()).toBe(true);
    await page.getByLabel('Pairs needed per keypoint').fill('1');
    const rowOf = (name: string) => estimate.locator(`tr[data-keypoint="${name}"] td`);
    const names = doc.skeleton.keypointNames;
    expect(await rowOf(names[placed[0]!]!).allTextContents()).toEqual([doc.skeleton.sigmas[placed[0]!]!.toFixed(4), sigma.toFixed(4), '1']);
    expect(await rowOf('right_horn').allTextContents()).toEqual(['0.0400', '—', '0']);
    await estimate.getByRole('button', { name: `Apply ${placed.length} estimated sigmas (${19 - placed.length} kept: fewer than 1 pairs)` }).click();
    await expect.poll(async () => (await labelDoc(page))!.skeleton.sigmaSource.kind).toBe('given');
    const estimated = (await labelDoc(page))!.skeleton.sigmas;
    estimated.forEach((value, i) => {
      if (placed.includes(i)) expect(value, names[i]).toBeCloseTo(sigma, 12);
      else expect(value, names[i]).toBe(doc.skeleton.sigmas[i]);
    });

    // Removing a keypoint persons have placed asks first, and says how many points go; undo brings it back.
    const victim = names[placed[placed.length - 1]!]!;
    await page.getByRole('button', { name: `Remove ${victim}`, exact: true }).click();
    const confirm = page.getByTestId('skeleton-remove-confirm');
    expect(await confirm.textContent()).toContain(`1 placed point of ${victim}`);
    await confirm.getByRole('button', { name: `Keep ${victim}` }).click();
    expect(await confirm.count()).toBe(0);
    expect((await labelDoc(page))!.skeleton.keypointNames).toHaveLength(19);
    await page.getByRole('button', { name: `Remove ${victim}`, exact: true }).click();
    await confirm.getByRole('button', { name: `Remove ${victim} and its 1 placed point` }).click();
    await expect.poll(async () => (await labelDoc(page))!.skeleton.keypointNames.includes(victim)).toBe(false);
    expect((await labelDoc(page))!.images[PHOTO]!.persons[0]!.keypoints).toHaveLength(18);
    // A keypoint nobody placed goes at once.
    await page.getByRole('button', { name: 'Remove right_horn', exact: true }).click();
    await expect.poll(async () => (await labelDoc(page))!.skeleton.keypointNames).not.toContain('right_horn');
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    await expect.poll(async () => (await labelDoc(page))!.skeleton.keypointNames).toEqual(names);
    expect((await labelDoc(page))!.skeleton.sigmas).toEqual(estimated);
    rmSync(dir, { recursive: true, force: true });
  }, 150_000);
});
