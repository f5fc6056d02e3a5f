/**
 * Loads the reduced COCO evaluation vectors in test/fixtures/coco-eval (see its README.md). Test-only, Node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../../../src/core/coco/cocoTypes';
import { parseGroundTruth } from '../../../src/core/coco/parseGroundTruth';
import { parseResults } from '../../../src/core/coco/parseResults';

export const FIXTURE_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'coco-eval');
export const SPLITS = ['dev', 'dev_with_negatives', 'dev_no_large'] as const;
export type Split = (typeof SPLITS)[number];

/** pycocotools evalImgs entry of one image for one area range. */
export interface ExpectedEvalImg {
  dtIds: number[];
  gtIds: number[];
  dtMatches: number[][];
  gtMatches: number[][];
  dtIgnore: number[][];
  gtIgnore: number[];
}

export interface ExpectedDetail {
  /** key "imageId,categoryId" -> D×G OKS (rows: dets by score, cut to 20; columns: GT in file order). */
  ious: Record<string, number[][]>;
  rowDtIds: Record<string, number[]>;
  colGtIds: Record<string, number[]>;
  areaRngLbl: string[];
  /** area label -> image id -> evalImgs entry. */
  evalImgs: Record<string, Record<string, ExpectedEvalImg>>;
  /** [T][R][A] */
  precision: number[][][];
  /** [T][A] */
  recall: number[][];
  /** detection id (1-based results position) -> loadRes area, px². */
  dtAreaById: Record<string, number>;
  iouThrs: number[];
  recThrs: number[];
}

export interface ExpectedSet {
  stats: number[];
  summaryLines: string[];
  nDets: number;
}

function readGz(name: string): unknown {
  return JSON.parse(new TextDecoder().decode(gunzipSync(readFileSync(join(FIXTURE_DIR, name))))) as unknown;
}

const cache = new Map<string, unknown>();
function cached<T>(key: string, load: () => T): T {
  if (!cache.has(key)) cache.set(key, load());
  return cache.get(key) as T;
}

export function loadExpected(): Record<Split, Record<string, ExpectedSet>> {
  return cached('expected', () => JSON.parse(readFileSync(join(FIXTURE_DIR, 'expected.json'), 'utf8')) as Record<Split, Record<string, ExpectedSet>>);
}

/** Ground truth of a split, through the real parser (which must report no problem for it). */
export function loadGroundTruth(split: Split): CocoKeypointsGroundTruth {
  return cached(`gt.${split}`, () => {
    const parsed = parseGroundTruth(readGz(`gt.${split}.json.gz`));
    if (!parsed.value || parsed.problems.length > 0) {
      throw new Error(`fixture gt.${split} did not parse: ${parsed.problems.map((p) => p.message).join('; ')}`);
    }
    return parsed.value;
  });
}

/** Raw results lists of a split, by set name. */
export function loadRawResults(split: Split): Record<string, unknown[]> {
  return cached(`results.${split}`, () => readGz(`results.${split}.json.gz`) as Record<string, unknown[]>);
}

/** Results of one set, through the real parser (which must keep every detection). */
export function loadResults(split: Split, name: string): CocoKeypointResult[] {
  const raw = loadRawResults(split)[name];
  const parsed = parseResults(raw, { groundTruth: loadGroundTruth(split) });
  if (!parsed.value || parsed.value.length !== raw?.length) {
    throw new Error(`fixture results ${split}/${name} did not parse: ${parsed.problems.map((p) => p.message).join('; ')}`);
  }
  return parsed.value;
}

export function loadDetail(split: Split): Record<string, ExpectedDetail> {
  return cached(`detail.${split}`, () => readGz(`detail.${split}.json.gz`) as Record<string, ExpectedDetail>);
}

/** Every (split, set name) pair, in fixture order. */
export function allSets(): [Split, string][] {
  const expected = loadExpected();
  return SPLITS.flatMap((split) => Object.keys(expected[split]).map((name): [Split, string] => [split, name]));
}
