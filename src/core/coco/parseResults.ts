/**
 * Parses an untrusted COCO keypoint results file: a JSON array of
 * `{image_id, category_id, keypoints, score, bbox?}`. Bad detections are skipped and reported one by one.
 */

import { DEFAULT_COCO_LAYOUT } from '../layouts';
import type { CocoKeypointResult, CocoKeypointsGroundTruth, ParseOutcome, ParseProblem } from './cocoTypes';
import {
  EntryReport,
  describeValue,
  idLabel,
  isRecord,
  numericValue,
  parseJsonText,
  progressCounter,
  readKeypointArray,
  type ProgressCallback,
} from './jsonInput';

export interface ParseResultsOptions {
  /**
   * Ground truth to check against: `image_id` must be one of its images (pycocotools asserts this for the
   * whole file), `category_id` one of its categories, and the keypoint count K comes from the category.
   * Without it only the shape is checked and K = 17.
   */
  readonly groundTruth?: CocoKeypointsGroundTruth;
  /**
   * What to do with negative x/y (keypoints or bbox origin). Default `'allow'`: models legitimately place
   * a joint a few pixels outside the image, pycocotools scores such points normally, and 16 of the 31
   * reference vector sets contain some, so dropping them would change AP. `'reject'` skips the detection.
   */
  readonly negativeCoordinates?: 'allow' | 'reject';
  /** Called every PROGRESS_EVERY detections with the detections checked so far and the total. */
  readonly onProgress?: ProgressCallback;
}

/**
 * Parses and validates a COCO keypoint results list.
 *
 * Per detection (a bad one is skipped; the others stay in file order): `image_id` and `category_id` numbers
 * known to the ground truth when one is given; `keypoints` exactly 3×K finite numbers (pixels; the third value
 * of each triple may be any finite number, it is never read); `score` a finite number; `bbox`, if present,
 * `[]` or 4 finite numbers with width, height ≥ 0. Other fields are dropped.
 *
 * Note that skipping entries renumbers detections: the evaluation's detection ids are 1-based positions in the
 * list it is given.
 *
 * @param input JSON text, or an already-parsed value
 */
export function parseResults(input: unknown, options: ParseResultsOptions = {}): ParseOutcome<CocoKeypointResult[]> {
  const problems: ParseProblem[] = [];
  let root = input;
  if (typeof input === 'string') {
    const parsed = parseJsonText(input);
    if (!parsed.ok) return { value: null, problems: [{ where: 'file', message: `results file is not JSON: ${parsed.error}` }] };
    root = parsed.value;
  }
  if (!Array.isArray(root)) {
    return {
      value: null,
      problems: [
        {
          where: 'file',
          message: `results must be a JSON array of detections ({image_id, category_id, keypoints, score}), got ${describeValue(root)}`,
        },
      ],
    };
  }

  const gt = options.groundTruth;
  const imageIds = gt ? new Set(gt.images.map((image) => image.id)) : null;
  const keypointNamesByCategory = gt
    ? new Map(gt.categories.map((category) => [category.id, category.keypoints]))
    : null;
  const rejectNegative = options.negativeCoordinates === 'reject';

  const out: CocoKeypointResult[] = [];
  const progress = progressCounter(root.length, options.onProgress);
  root.forEach((entry: unknown, index) => {
    progress.tick();
    const report = new EntryReport(problems, `results[${index}]`);
    if (!isRecord(entry)) {
      report.fail(`expected an object, got ${describeValue(entry)}`);
      return;
    }
    report.where += idLabel(entry, 'image_id', 'image');
    const imageId = report.finiteNumber(entry, 'image_id');
    if (imageId !== undefined && imageIds && !imageIds.has(imageId)) {
      report.fail(`image_id ${imageId} is not an image of the ground truth`);
    }
    const categoryId = report.finiteNumber(entry, 'category_id');
    let names: readonly string[] = DEFAULT_COCO_LAYOUT.keypointNames;
    if (categoryId !== undefined && keypointNamesByCategory) {
      const known = keypointNamesByCategory.get(categoryId);
      if (known) names = known;
      else report.fail(`category_id ${categoryId} is not a category of the ground truth`);
    }
    const keypoints = readResultKeypoints(entry['keypoints'], names, rejectNegative, report);
    const score = report.finiteNumber(entry, 'score');
    const bbox = readOptionalBbox(entry['bbox'], rejectNegative, report);
    if (
      report.failed ||
      imageId === undefined ||
      categoryId === undefined ||
      keypoints === undefined ||
      score === undefined ||
      bbox === null
    ) {
      return;
    }
    out.push(
      bbox === undefined
        ? { image_id: imageId, category_id: categoryId, keypoints, score }
        : { image_id: imageId, category_id: categoryId, keypoints, score, bbox },
    );
  });

  options.onProgress?.(root.length, root.length);
  if (out.length === 0 && root.length === 0) {
    problems.push({ where: 'file', message: 'results list is empty: the COCO evaluation needs at least one detection' });
  }
  const first = out[0];
  if (first?.bbox && first.bbox.length > 0) {
    const without = out.filter((result) => !result.bbox || result.bbox.length === 0).length;
    if (without > 0) {
      problems.push({
        where: 'file',
        message:
          `the first detection has a bbox, so the COCO evaluation takes every detection's area from its bbox, ` +
          `but ${without} detection(s) have none: the evaluation will refuse this list`,
      });
    }
  }
  return { value: out, problems };
}

/** Results: the third value is never read (README 1); negative coordinates only when asked. */
function readResultKeypoints(raw: unknown, names: readonly string[], rejectNegative: boolean, report: EntryReport): number[] | undefined {
  return readKeypointArray(raw, names, report, (n, i) => (rejectNegative && i % 3 !== 2 && n < 0 ? 'expected a pixel coordinate ≥ 0' : null));
}

/** undefined: no bbox field; null: a bad one (already reported). */
function readOptionalBbox(raw: unknown, rejectNegative: boolean, report: EntryReport): number[] | undefined | null {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || (raw.length !== 0 && raw.length !== 4)) {
    report.fail(`bbox must be [x, y, width, height] or [], got ${describeValue(raw)}`);
    return null;
  }
  const labels = ['x', 'y', 'width', 'height'];
  const values: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const n = numericValue(raw[i]);
    if (n === undefined || !Number.isFinite(n)) {
      report.fail(`bbox ${labels[i]} is ${describeValue(raw[i])}, expected a finite number`);
      return null;
    }
    if (n < 0 && (i >= 2 || rejectNegative)) {
      report.fail(`bbox ${labels[i]} is ${n}, expected ≥ 0 pixels`);
      return null;
    }
    values.push(n);
  }
  return values;
}
