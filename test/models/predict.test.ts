/**
 * `keypoint-bench predict` on real photos without ground truth (in process, WASM): one file per model in the
 * model's own layout that the project's COCO parser reads back, with as many annotations as the model found and
 * the same keypoints the shared pipeline gives; and `score --sigmas`, whose AP is pycocotools' with those sigmas.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs, type PredictArgs, type ScoreArgs } from '../../src/cli/args';
import { runPredict } from '../../src/cli/predictCommand';
import { runScore } from '../../src/cli/scoreCommand';
import type { CliIo } from '../../src/cli/terminal';
import { parseGroundTruth } from '../../src/core/coco/parseGroundTruth';
import { parseResults } from '../../src/core/coco/parseResults';
import { layoutById, layoutOfCategory } from '../../src/core/layouts';
import { evaluateKeypoints } from '../../src/core/metrics/cocoEval';
import { DEFAULT_MODEL_IDS, modelInfo } from '../../src/inference/modelCatalogue';
import { PEOPLE_FIXTURE_DIR, requireModelFiles } from './realModelHarness';

const PHOTOS = ['000000121181.jpg', '000000030752.jpg'];
const work = mkdtempSync(join(tmpdir(), 'kb-predict-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

function quietIo(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', stderrIsTty: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('keypoint-bench predict', () => {
  it("writes each model's predictions in its own layout, readable as COCO ground truth and as COCO results", async () => {
    requireModelFiles([...DEFAULT_MODEL_IDS]);
    const images = join(work, 'images');
    const out = join(work, 'out');
    mkdirSync(images, { recursive: true });
    for (const name of PHOTOS) copyFileSync(join(PEOPLE_FIXTURE_DIR, name), join(images, name));
    const args = parseArgs(['predict', '--images', images, '--out', out]) as PredictArgs;
    const io = quietIo();
    const outcome = await runPredict(args, io, { appVersion: 'test', now: () => new Date(0) });
    expect(outcome.images).toBe(PHOTOS.length);
    for (const id of DEFAULT_MODEL_IDS) {
      const text = readFileSync(join(out, `${id}.predictions.json`), 'utf8');
      const parsed = parseGroundTruth(text);
      expect(parsed.problems, id).toEqual([]);
      const dataset = parsed.value!;
      expect(dataset.images.map((im) => im.file_name)).toEqual([...PHOTOS].sort());
      // The category is the model's layout, so reading the file back gives that layout.
      expect(layoutOfCategory(dataset.categories[0]!)).toBe(layoutById(modelInfo(id).keypointLayout));
      expect(dataset.annotations).toHaveLength(outcome.instances[id]!);
      expect(dataset.annotations.length, `${id} found someone on photos of people`).toBeGreaterThan(0);
      const asResults = parseResults(JSON.parse(text).annotations, { groundTruth: dataset });
      expect(asResults.problems).toEqual([]);
      expect(io.out).toContain(`${id}: ${outcome.instances[id]} found`);
    }
  }, 240_000);
});

describe('score --sigmas', () => {
  it("scores with the given sigmas exactly as pycocotools' evaluation with them, and names them in the provenance", async () => {
    const gtPath = join(PEOPLE_FIXTURE_DIR, 'annotations.json');
    const resultsPath = join(import.meta.dirname, '..', 'fixtures', 'evaluation', 'noisy.results.json');
    const gt = parseGroundTruth(readFileSync(gtPath, 'utf8')).value!;
    const results = parseResults(readFileSync(resultsPath, 'utf8'), { groundTruth: gt }).value!;
    const strict = Array.from({ length: 17 }, () => 0.02);
    const args = parseArgs(['score', '--gt', gtPath, '--results', resultsPath, '--json', '--bootstrap', '0', '--no-errors', '--sigmas', strict.join(',')]) as ScoreArgs;
    const json = await runScore(args, quietIo(), { appVersion: 'test' });
    expect(json.stats.AP).toBe(evaluateKeypoints(gt, results, { sigmas: strict }).stats[0]);
    expect(json.stats.AP).toBeLessThan(evaluateKeypoints(gt, results).stats[0]!);
    expect(json.provenance.scoring?.sigmas).toBe('given by the user');
    const wrong = parseArgs(['score', '--gt', gtPath, '--results', resultsPath, '--sigmas', '0.1,0.2']) as ScoreArgs;
    await expect(runScore(wrong, quietIo())).rejects.toThrow(/--sigmas 2 sigmas for 17 keypoints/);
  });
});
