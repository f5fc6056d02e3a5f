/**
 * Parses an untrusted COCO keypoints ground-truth file (`person_keypoints_*.json` layout).
 * Bad entries are skipped and reported one by one; only a file that is not JSON or lacks the
 * `images` / `annotations` / `categories` arrays is rejected as a whole.
 */

import { DEFAULT_COCO_LAYOUT } from '../layouts';
import {
  COCO_PERSON_KEYPOINT_COUNT,
  type CocoBbox,
  type CocoImage,
  type CocoKeypointAnnotation,
  type CocoKeypointCategory,
  type CocoKeypointsGroundTruth,
  type ParseOutcome,
  type ParseProblem,
} from './cocoTypes';
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
  type ProgressCounter,
} from './jsonInput';

/**
 * Parses and validates COCO keypoints ground truth.
 *
 * Checks, per entry (the entry is skipped, the rest kept):
 * - categories: numeric unique `id`, string `name`, `keypoints` a list of names (missing: the 17 COCO names are assumed, with a note);
 * - images: numeric unique `id`; a malformed `width`/`height`/`file_name` is dropped with a note;
 * - annotations: numeric unique `id`; `image_id` among `images`; `category_id` among `categories`;
 *   `keypoints` exactly 3×K finite numbers (K = the category's keypoint count) with x, y ≥ 0 and v in {0, 1, 2};
 *   `num_keypoints` a non-negative integer; `bbox` 4 finite numbers with x, y, w, h ≥ 0; `area` ≥ 0 (px²);
 *   `iscrowd` 0/1 (or a boolean).
 * Fields the keypoint evaluation never reads (`segmentation`, `ignore`, `info`, ...) are dropped.
 *
 * @param input JSON text, or an already-parsed value
 * @param options.onProgress called every PROGRESS_EVERY entries with the entries checked so far and the total
 */
export function parseGroundTruth(input: unknown, options: { onProgress?: ProgressCallback } = {}): ParseOutcome<CocoKeypointsGroundTruth> {
  const problems: ParseProblem[] = [];
  const fatal = (message: string): ParseOutcome<CocoKeypointsGroundTruth> => ({
    value: null,
    problems: [{ where: 'file', message }],
  });

  let root = input;
  if (typeof input === 'string') {
    const parsed = parseJsonText(input);
    if (!parsed.ok) return fatal(`ground truth is not JSON: ${parsed.error}`);
    root = parsed.value;
  }
  if (!isRecord(root)) {
    return fatal(`ground truth must be a JSON object with "images", "annotations" and "categories", got ${describeValue(root)}`);
  }
  const missing = ['images', 'annotations', 'categories'].filter((key) => !Array.isArray(root[key]));
  if (missing.length > 0) {
    const details = missing.map((key) => `"${key}" is ${describeValue(root[key])}`).join(', ');
    return fatal(`ground truth must have "images", "annotations" and "categories" arrays: ${details}`);
  }

  const rawCategories = root['categories'] as unknown[];
  const rawImages = root['images'] as unknown[];
  const rawAnnotations = root['annotations'] as unknown[];
  const progress = progressCounter(rawCategories.length + rawImages.length + rawAnnotations.length, options.onProgress);
  const categories = parseCategories(rawCategories, problems, progress);
  const images = parseImages(rawImages, problems, progress);
  const imageIds = new Set(images.map((image) => image.id));
  const categoryById = new Map(categories.map((category) => [category.id, category]));
  const annotations = parseAnnotations(rawAnnotations, imageIds, categoryById, problems, progress);
  options.onProgress?.(progress.total, progress.total);
  return { value: { images, annotations, categories }, problems };
}

function parseCategories(raw: readonly unknown[], problems: ParseProblem[], progress: ProgressCounter): CocoKeypointCategory[] {
  const out: CocoKeypointCategory[] = [];
  const seen = new Set<number>();
  raw.forEach((entry, index) => {
    progress.tick();
    const report = new EntryReport(problems, `categories[${index}]`);
    if (!isRecord(entry)) {
      report.fail(`expected an object, got ${describeValue(entry)}`);
      return;
    }
    report.where += idLabel(entry, 'id', 'id');
    const id = report.finiteNumber(entry, 'id');
    const name = entry['name'];
    if (typeof name !== 'string') report.fail(`name must be a string, got ${describeValue(name)}`);
    if (id !== undefined && seen.has(id)) report.fail(`duplicate category id ${id}; the first one is kept`);
    let keypointNames: readonly string[] = DEFAULT_COCO_LAYOUT.keypointNames;
    const keypoints = entry['keypoints'];
    if (keypoints === undefined) {
      report.note(`no "keypoints" list; assuming the ${COCO_PERSON_KEYPOINT_COUNT} COCO person keypoints`);
    } else if (!Array.isArray(keypoints) || keypoints.length === 0 || !keypoints.every((k) => typeof k === 'string')) {
      report.fail(`keypoints must be a non-empty list of keypoint names, got ${describeValue(keypoints)}`);
    } else {
      keypointNames = keypoints as string[];
    }
    if (report.failed || id === undefined || typeof name !== 'string') return;
    seen.add(id);
    const category: { -readonly [K in keyof CocoKeypointCategory]: CocoKeypointCategory[K] } = {
      id,
      name,
      keypoints: keypointNames,
    };
    if (typeof entry['supercategory'] === 'string') category.supercategory = entry['supercategory'];
    const skeleton = entry['skeleton'];
    if (Array.isArray(skeleton)) {
      const pairs = skeleton.filter(
        (pair): pair is [number, number] =>
          Array.isArray(pair) && pair.length === 2 && pair.every((v) => Number.isInteger(v)),
      );
      if (pairs.length === skeleton.length) category.skeleton = pairs;
      else report.note('skeleton is not a list of [a, b] integer pairs; ignored');
    }
    // Not COCO's own field, but how a dataset can bring OKS sigmas for its keypoints (one per keypoint).
    const sigmas = entry['sigmas'];
    if (sigmas !== undefined) {
      if (Array.isArray(sigmas) && sigmas.length === keypointNames.length && sigmas.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0)) {
        category.sigmas = sigmas as number[];
      } else {
        report.note(`sigmas must be ${keypointNames.length} positive numbers, one per keypoint; ignored`);
      }
    }
    const pairs = entry[LEFT_RIGHT_PAIRS_KEY];
    if (pairs !== undefined) {
      const problem = leftRightPairsProblem(pairs, keypointNames);
      if (problem === null) category.leftRightPairs = pairs as [string, string][];
      else report.note(`${LEFT_RIGHT_PAIRS_KEY}: ${problem}; ignored (pairs by left_/right_ names instead)`);
    }
    out.push(category);
  });
  return out;
}

/** The category key for left/right pairs by name (not COCO's own; this app's export writes it where names do not tell). */
export const LEFT_RIGHT_PAIRS_KEY = 'left_right_pairs';

/** Why `value` is not a list of left/right name pairs of `names` (each name in one pair at most), or null. */
export function leftRightPairsProblem(value: unknown, names: readonly string[]): string | null {
  if (!Array.isArray(value)) return `must be a list of [left, right] keypoint name pairs, got ${describeValue(value)}`;
  const used = new Set<string>();
  for (const pair of value) {
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((n) => typeof n === 'string' && names.includes(n)) || pair[0] === pair[1]) {
      return `${describeValue(pair)} is not a pair of two of the category's keypoint names`;
    }
    for (const n of pair as string[]) {
      if (used.has(n)) return `${n} is in more than one pair`;
      used.add(n);
    }
  }
  return null;
}

function parseImages(raw: readonly unknown[], problems: ParseProblem[], progress: ProgressCounter): CocoImage[] {
  const out: CocoImage[] = [];
  const seen = new Set<number>();
  raw.forEach((entry, index) => {
    progress.tick();
    const report = new EntryReport(problems, `images[${index}]`);
    if (!isRecord(entry)) {
      report.fail(`expected an object, got ${describeValue(entry)}`);
      return;
    }
    report.where += idLabel(entry, 'id', 'id');
    const id = report.finiteNumber(entry, 'id');
    if (id === undefined) return;
    if (seen.has(id)) {
      report.fail(`duplicate image id ${id}; the first one is kept`);
      return;
    }
    seen.add(id);
    const image: { -readonly [K in keyof CocoImage]: CocoImage[K] } = { id };
    const fileName = entry['file_name'];
    if (typeof fileName === 'string') image.file_name = fileName;
    else if (fileName !== undefined) report.note(`file_name must be a string, got ${describeValue(fileName)}; ignored`);
    for (const key of ['width', 'height'] as const) {
      const value = entry[key];
      if (value === undefined) continue;
      const n = numericValue(value);
      if (n !== undefined && Number.isFinite(n) && n > 0) image[key] = n;
      else report.note(`${key} is ${describeValue(value)}, expected a positive number of pixels; ignored`);
    }
    out.push(image);
  });
  return out;
}

function parseAnnotations(
  raw: readonly unknown[],
  imageIds: ReadonlySet<number>,
  categoryById: ReadonlyMap<number, CocoKeypointCategory>,
  problems: ParseProblem[],
  progress: ProgressCounter,
): CocoKeypointAnnotation[] {
  const out: CocoKeypointAnnotation[] = [];
  const seen = new Set<number>();
  raw.forEach((entry, index) => {
    progress.tick();
    const report = new EntryReport(problems, `annotations[${index}]`);
    if (!isRecord(entry)) {
      report.fail(`expected an object, got ${describeValue(entry)}`);
      return;
    }
    report.where += idLabel(entry, 'id', 'id');
    const id = report.finiteNumber(entry, 'id');
    if (id !== undefined && seen.has(id)) report.fail(`duplicate annotation id ${id}; the first one is kept`);

    const imageId = report.finiteNumber(entry, 'image_id');
    if (imageId !== undefined && !imageIds.has(imageId)) report.fail(`image_id ${imageId} is not in "images"`);

    const categoryId = report.finiteNumber(entry, 'category_id');
    const category = categoryId === undefined ? undefined : categoryById.get(categoryId);
    if (categoryId !== undefined && category === undefined) report.fail(`category_id ${categoryId} is not in "categories"`);

    const keypointNames = category?.keypoints ?? DEFAULT_COCO_LAYOUT.keypointNames;
    const keypoints = readGroundTruthKeypoints(entry['keypoints'], keypointNames, report);

    const numKeypointsRaw = entry['num_keypoints'];
    const numKeypoints = report.finiteNumber(entry, 'num_keypoints');
    if (numKeypoints !== undefined && (!Number.isInteger(numKeypoints) || numKeypoints < 0)) {
      report.fail(`num_keypoints is ${describeValue(numKeypointsRaw)}, expected a whole number ≥ 0`);
    }

    const bbox = readBbox(entry['bbox'], report);

    const area = report.finiteNumber(entry, 'area');
    if (area !== undefined && area < 0) report.fail(`area is ${area}, expected ≥ 0 square pixels`);

    const iscrowdRaw = entry['iscrowd'];
    let iscrowd: 0 | 1 | undefined;
    if (iscrowdRaw === 0 || iscrowdRaw === false) iscrowd = 0;
    else if (iscrowdRaw === 1 || iscrowdRaw === true) iscrowd = 1;
    else if (iscrowdRaw === undefined) report.fail('missing "iscrowd"');
    else report.fail(`iscrowd is ${describeValue(iscrowdRaw)}, expected 0 or 1`);

    if (
      report.failed ||
      id === undefined ||
      imageId === undefined ||
      categoryId === undefined ||
      keypoints === undefined ||
      numKeypoints === undefined ||
      bbox === undefined ||
      area === undefined ||
      iscrowd === undefined
    ) {
      return;
    }
    seen.add(id);
    out.push({
      id,
      image_id: imageId,
      category_id: categoryId,
      keypoints,
      num_keypoints: numKeypoints,
      bbox,
      area,
      iscrowd,
    });
  });
  return out;
}

/** Ground truth: visibility flags are 0/1/2 and coordinates are never negative. */
function readGroundTruthKeypoints(raw: unknown, names: readonly string[], report: EntryReport): number[] | undefined {
  return readKeypointArray(raw, names, report, (n, i) => {
    if (i % 3 === 2) return n === 0 || n === 1 || n === 2 ? null : 'expected a visibility flag 0, 1 or 2';
    return n < 0 ? 'expected a pixel coordinate ≥ 0' : null;
  });
}

function readBbox(raw: unknown, report: EntryReport): CocoBbox | undefined {
  if (raw === undefined) {
    report.fail('missing "bbox"');
    return undefined;
  }
  if (!Array.isArray(raw) || raw.length !== 4) {
    report.fail(`bbox must be [x, y, width, height], got ${describeValue(raw)}`);
    return undefined;
  }
  const values = raw.map((v: unknown) => numericValue(v));
  const labels = ['x', 'y', 'width', 'height'];
  for (let i = 0; i < 4; i++) {
    const n = values[i];
    if (n === undefined || !Number.isFinite(n)) {
      report.fail(`bbox ${labels[i]} is ${describeValue(raw[i])}, expected a finite number`);
      return undefined;
    }
    if (n < 0) {
      report.fail(`bbox ${labels[i]} is ${n}, expected ≥ 0 pixels`);
      return undefined;
    }
  }
  return values as unknown as CocoBbox;
}
