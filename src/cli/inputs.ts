/** Reading the CLI's input files; every failure becomes a one-line InputError naming the file. */

import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { CocoKeypointResult, CocoKeypointsGroundTruth, ParseProblem } from '../core/coco/cocoTypes';
import { parseGroundTruth } from '../core/coco/parseGroundTruth';
import { parseResults } from '../core/coco/parseResults';
import { datasetWithUserSigmas, groundTruthLayout, parseSigmas } from '../core/layouts';
import { InputError } from './args';

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file or directory';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a directory, expected a file';
  if (e?.code === 'ENOTDIR') return 'is not a directory';
  return e instanceof Error ? e.message : String(error);
}

/** Reads a text file; one-line InputError when it cannot be read. */
export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${what} ${path}: ${reason(error)}`);
  }
}

/** Problems as warning lines, at most `max` of them plus a count of the rest. */
export function problemLines(problems: readonly ParseProblem[], prefix: string, max = 10): string[] {
  const lines = problems.slice(0, max).map((p) => `${prefix}${p.message}`);
  if (problems.length > max) lines.push(`${prefix}... and ${problems.length - max} more`);
  return lines;
}

export async function loadGroundTruth(path: string, warn: (line: string) => void): Promise<CocoKeypointsGroundTruth> {
  const parsed = parseGroundTruth(await readTextFile(path, 'ground truth'));
  if (!parsed.value) throw new InputError(`${path}: ${parsed.problems[0]?.message ?? 'not a COCO ground-truth file'}`);
  for (const line of problemLines(parsed.problems, `${basename(path)}: `)) warn(line);
  if (parsed.value.images.length === 0) throw new InputError(`${path}: the ground truth has no usable image`);
  return parsed.value;
}

export async function loadResults(path: string, gt: CocoKeypointsGroundTruth, warn: (line: string) => void): Promise<CocoKeypointResult[]> {
  const parsed = parseResults(await readTextFile(path, 'results'), { groundTruth: gt });
  if (!parsed.value) throw new InputError(`${path}: ${parsed.problems[0]?.message ?? 'not a COCO results file'}`);
  // Whole-file notes (e.g. an empty list) are passed on as they are; entry problems get a header saying what happens.
  const fileNotes = parsed.problems.filter((p) => p.where === 'file');
  const entryProblems = parsed.problems.filter((p) => p.where !== 'file');
  for (const line of problemLines(fileNotes, `${basename(path)}: `)) warn(line);
  if (entryProblems.length > 0) {
    warn(`${basename(path)}: ${entryProblems.length} problem(s); the affected detections are skipped (pycocotools would refuse the file):`);
    for (const line of problemLines(entryProblems, '  ')) warn(line);
  }
  return parsed.value;
}

/** File types the Node decoder reads (src/node/nodeImages.ts: JPEG and PNG). */
export const NODE_IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png'];
/** Types the browser app accepts but Node cannot decode: listed, not silently dropped. */
const OTHER_IMAGE_EXTENSIONS = ['.webp', '.gif', '.bmp', '.avif'];

export interface ImageMatch {
  imageId: number;
  fileName: string;
  path: string;
  /** From the ground truth, pixels (may be absent). */
  widthPx?: number;
  heightPx?: number;
}

export interface MatchedImages {
  matched: ImageMatch[];
  /** Image files with no ground-truth image of that name. */
  filesWithoutGt: string[];
  /** Ground-truth file names with no file in the folder. */
  gtWithoutFiles: string[];
  /** Image files Node cannot decode (WebP, GIF, ...). */
  undecodable: string[];
  /** Ground-truth file names given to more than one image id; the first id is used. */
  duplicateGtNames: string[];
}

/**
 * Pairs the image files of `dir` (not recursive) with ground-truth images by file name: the basename of
 * `file_name` (COCO files sometimes carry a folder, e.g. `val2017/0001.jpg`), case-sensitive as on disk.
 * Matched images come in ground-truth order.
 */
export async function matchImages(dir: string, gt: CocoKeypointsGroundTruth): Promise<MatchedImages> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new InputError(`--images ${dir} is not a directory`);
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read image folder ${dir}: ${reason(error)}`);
  }
  const files = new Set(entries.filter((name) => NODE_IMAGE_EXTENSIONS.includes(extname(name).toLowerCase())));
  const undecodable = entries.filter((name) => OTHER_IMAGE_EXTENSIONS.includes(extname(name).toLowerCase()));
  const undecodableSet = new Set(undecodable);
  const byName = new Map<string, (typeof gt.images)[number]>();
  const duplicateGtNames: string[] = [];
  const gtWithoutFiles: string[] = [];
  for (const image of gt.images) {
    if (!image.file_name) {
      gtWithoutFiles.push(`image id ${image.id} (no file_name)`);
      continue;
    }
    const name = basename(image.file_name.replace(/\\/g, '/'));
    if (byName.has(name)) duplicateGtNames.push(name);
    else byName.set(name, image);
  }
  const matched: ImageMatch[] = [];
  for (const [name, image] of byName) {
    if (!files.has(name)) {
      if (!undecodableSet.has(name)) gtWithoutFiles.push(name);
      continue;
    }
    const match: ImageMatch = { imageId: image.id, fileName: name, path: join(dir, name) };
    if (image.width !== undefined) match.widthPx = image.width;
    if (image.height !== undefined) match.heightPx = image.height;
    matched.push(match);
  }
  const filesWithoutGt = [...files].filter((name) => !byName.has(name));
  return { matched, filesWithoutGt, gtWithoutFiles, undecodable, duplicateGtNames };
}

/** "a.jpg, b.jpg, c.jpg and 12 more" */
export function listNames(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/**
 * `--sigmas`: a JSON file (a list, or {"sigmas": [...]}) or a comma-separated list, one per keypoint of the ground
 * truth's scored category; put on that category (core/layouts datasetWithUserSigmas), where every evaluation
 * reads them. Null: the ground truth as it is.
 */
export async function withSigmasOption(gt: CocoKeypointsGroundTruth, raw: string | null | undefined): Promise<CocoKeypointsGroundTruth> {
  if (raw === null || raw === undefined) return gt;
  const looksLikeList = /^[\s\d.,;eE+-]+$/.test(raw) || raw.trim().startsWith('[');
  const text = looksLikeList ? raw : await readTextFile(raw, '--sigmas file');
  const layout = groundTruthLayout(gt).layout;
  const parsed = parseSigmas(text, layout.keypointNames.length);
  if ('error' in parsed) throw new InputError(`--sigmas ${looksLikeList ? '' : `${raw}: `}${parsed.error} (${layout.displayName}: ${layout.keypointNames.length} keypoints)`);
  return datasetWithUserSigmas(gt, parsed.sigmas);
}

/** Creates the output folder (and its parents); a one-line InputError when it cannot. */
export async function makeOutputDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new InputError(`cannot create output folder ${dir}: ${reason(error)}`);
  }
}
