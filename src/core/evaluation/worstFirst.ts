/**
 * The worst-first view's numbers, per image of one column: each ground-truth person's best OKS over every detection
 * of the column on its image (matched or not), the image's false positives with their scores (person-free images
 * too), and the coco-analyze error letters of its detections for filtering. Pure; OKS is `keypointOks`, the same
 * function (and so the same value) as pycocotools' computeOks for a person with labelled keypoints.
 */

import type { CocoKeypointAnnotation, CocoKeypointResult, CocoKeypointsGroundTruth } from '../coco/cocoTypes';
import { keypointOks } from '../metrics/oks';
import type { ImageResult, ModelMetrics } from './evaluateColumn';

/** The OKS below which COCO matching (area 'all', loosest threshold) leaves a person unmatched. */
export const MATCH_OKS_THRESHOLD = 0.5;

/** coco-analyze's keypoint classes as the analysis worker spells them, one letter per COCO-17 keypoint ('-': unlabelled). */
export const ERROR_LETTERS = { jitter: 'J', inversion: 'I', swap: 'S', miss: 'M' } as const;
export type ErrorType = keyof typeof ERROR_LETTERS;
export const ERROR_TYPES: readonly ErrorType[] = ['jitter', 'inversion', 'swap', 'miss'];

/** What the analysis gives per image (structurally `ImageErrors` of the analysis protocol, which core may not import). */
export interface ImageErrorLabels {
  gtImageId: number;
  detections: readonly { labels: string }[];
  backgroundFalsePositives: number;
}

export interface PersonBestOks {
  annotationId: number;
  /** Highest OKS of any detection of the column on this image with this person; 0 when the image has none. */
  bestOks: number;
  /** Position of that detection among the image's detections (input order), or -1 when there are none. */
  bestDetection: number;
  /** OKS of the detection COCO matching gave this person at OKS 0.5 (area 'all'); null when it was missed. */
  matchedOks: number | null;
}

export type ErrorCounts = Record<ErrorType, number>;

export interface WorstFirstImage {
  imageId: number;
  fileName: string;
  /** The evaluation's mean OKS (a missed person counts 0); null without a scorable person. */
  meanOks: number | null;
  /** Mean of the persons' best OKS; null without a scorable person. */
  meanBestOks: number | null;
  persons: PersonBestOks[];
  matched: number;
  missed: number;
  /** Detections the column returned on the image, and their scores, highest first. */
  detections: number;
  detectionScores: number[];
  /** COCO false positives at OKS 0.5 (of the 20 best kept); on a person-free image every kept detection not on a crowd region. */
  falsePositives: number;
  /** Keypoint error counts of the image's analysed detections (all keypoints); null when the image was not analysed. */
  errorCounts: ErrorCounts | null;
  /** Background false positives of the analysis; null when not analysed. */
  backgroundFalsePositives: number | null;
}

/**
 * Best OKS of each person over `detections` (all of them, not only the 20 COCO keeps, and whoever matching gave
 * them to). A detection of another category never counts for a person.
 */
export function bestOksPerPerson(persons: readonly CocoKeypointAnnotation[], detections: readonly CocoKeypointResult[]): { bestOks: number; bestDetection: number }[] {
  return persons.map((person) => {
    let bestOks = 0;
    let bestDetection = -1;
    detections.forEach((detection, d) => {
      if (detection.category_id !== person.category_id) return;
      const points: [number, number][] = [];
      for (let k = 0; k + 1 < detection.keypoints.length; k += 3) points.push([detection.keypoints[k]!, detection.keypoints[k + 1]!]);
      const oks = keypointOks(person.keypoints, points, person.area) ?? 0;
      if (bestDetection < 0 || oks > bestOks) {
        bestOks = oks;
        bestDetection = d;
      }
    });
    return { bestOks, bestDetection };
  });
}

/** Counts of J, I, S and M letters over detections' labels, at one keypoint (COCO-17 index) or all (null). */
export function countErrorLetters(detections: readonly { labels: string }[], keypointIndex: number | null = null): ErrorCounts {
  const counts: ErrorCounts = { jitter: 0, inversion: 0, swap: 0, miss: 0 };
  for (const detection of detections) {
    for (const type of ERROR_TYPES) {
      const letter = ERROR_LETTERS[type];
      if (keypointIndex !== null) {
        if (detection.labels[keypointIndex] === letter) counts[type]++;
      } else {
        for (const l of detection.labels) if (l === letter) counts[type]++;
      }
    }
  }
  return counts;
}

/**
 * Does the analysis put `errorType` ('any': any of the four) on `keypointIndex` (null: any keypoint) of one of the
 * image's detections?
 */
export function hasError(image: ImageErrorLabels, errorType: ErrorType | 'any', keypointIndex: number | null): boolean {
  const counts = countErrorLetters(image.detections, keypointIndex);
  return errorType === 'any' ? ERROR_TYPES.some((t) => counts[t] > 0) : counts[errorType] > 0;
}

/**
 * One row per image the column was scored on (`metrics.perImage`, worst first), with best OKS per person and the
 * image's detections. `results` are the column's COCO results (any images; others are ignored); `errors` the
 * analysis' images of this column and `analysedImageIds` the images it covered (an image among them without an
 * entry had nothing to label), or null while it is not available.
 */
export function worstFirstImages(
  gt: CocoKeypointsGroundTruth,
  metrics: Pick<ModelMetrics, 'perImage'>,
  results: readonly CocoKeypointResult[],
  errors: { images: readonly ImageErrorLabels[]; analysedImageIds: ReadonlySet<number> } | null = null,
): WorstFirstImage[] {
  const annotationById = new Map(gt.annotations.map((a) => [a.id, a]));
  const detectionsByImage = new Map<number, CocoKeypointResult[]>();
  for (const r of results) {
    const list = detectionsByImage.get(r.image_id);
    if (list) list.push(r);
    else detectionsByImage.set(r.image_id, [r]);
  }
  const errorsByImage = new Map(errors?.images.map((image) => [image.gtImageId, image]) ?? []);
  return metrics.perImage.map((image: ImageResult): WorstFirstImage => {
    const detections = detectionsByImage.get(image.imageId) ?? [];
    const annotations = image.persons.map((p) => annotationById.get(p.annotationId));
    const best = bestOksPerPerson(annotations.filter((a) => a !== undefined), detections);
    let next = 0;
    const persons = image.persons.map((p, i): PersonBestOks => {
      // A person whose annotation is not in `gt` (a caller mixing files) has nothing to be scored against.
      const b = annotations[i] ? best[next++]! : { bestOks: 0, bestDetection: -1 };
      return { annotationId: p.annotationId, bestOks: b.bestOks, bestDetection: b.bestDetection, matchedOks: p.oks };
    });
    const matched = persons.filter((p) => p.matchedOks !== null).length;
    const analysed = errors?.analysedImageIds.has(image.imageId) ?? false;
    const imageErrors = errorsByImage.get(image.imageId);
    return {
      imageId: image.imageId,
      fileName: image.fileName,
      meanOks: image.meanOks,
      meanBestOks: persons.length > 0 ? persons.reduce((sum, p) => sum + p.bestOks, 0) / persons.length : null,
      persons,
      matched,
      missed: persons.length - matched,
      detections: detections.length,
      detectionScores: detections.map((d) => d.score).sort((a, b) => b - a),
      falsePositives: image.falsePositives,
      errorCounts: analysed ? countErrorLetters(imageErrors?.detections ?? []) : null,
      backgroundFalsePositives: analysed ? (imageErrors?.backgroundFalsePositives ?? 0) : null,
    };
  });
}

/** "best OKS 0.48 (unmatched at 0.5)", "OKS 0.72 (matched)", or "no detection on the image". */
export function personOksText(person: PersonBestOks): string {
  if (person.bestDetection < 0) return 'missed · no detection on the image';
  const best = `best OKS ${person.bestOks.toFixed(3)}`;
  if (person.matchedOks === null) {
    return person.bestOks < MATCH_OKS_THRESHOLD
      ? `${best} (unmatched at ${MATCH_OKS_THRESHOLD})`
      : `${best} (unmatched at ${MATCH_OKS_THRESHOLD}: that detection went to another person, or was past COCO's 20 best)`;
  }
  return person.matchedOks === person.bestOks ? `${best} (matched)` : `${best} · matched OKS ${person.matchedOks.toFixed(3)}`;
}

/** "2 detections, both false positives (scores 0.61, 0.33)" / "no detections". */
export function falsePositivesText(image: Pick<WorstFirstImage, 'detections' | 'detectionScores' | 'falsePositives'>): string {
  if (image.detections === 0) return 'no detections';
  const scores = image.detectionScores.map((s) => s.toFixed(2)).join(', ');
  const count = `${image.detections} detection${image.detections === 1 ? '' : 's'}`;
  const fp =
    image.falsePositives === image.detections
      ? image.detections === 1
        ? 'a false positive'
        : 'all false positives'
      : `${image.falsePositives} counted as false positives (the others on crowd/ignored regions or past COCO's 20)`;
  return `${count}, ${fp} (score${image.detections === 1 ? '' : 's'} ${scores})`;
}
