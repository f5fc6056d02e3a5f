import type { CocoImage, CocoKeypointAnnotation, CocoKeypointsGroundTruth } from '../core/coco/cocoTypes';
import type { GroundTruthState } from './evaluationSlice';
import type { ImageItem } from './types';

/** Images match ground truth by `file_name`; dropped folders prefix names with their path, so compare base names. */
export function baseName(name: string): string {
  const parts = name.split(/[\\/]/);
  return parts[parts.length - 1] ?? name;
}

export interface GroundTruthCounts {
  images: number;
  /** Non-crowd annotations with at least one labelled keypoint: the people the evaluation counts. */
  people: number;
  labelledKeypoints: number;
  /** Crowd regions and people without keypoints: the evaluation ignores them (they only absorb detections). */
  ignoredAnnotations: number;
}

export interface GroundTruthIndex {
  dataset: CocoKeypointsGroundTruth;
  counts: GroundTruthCounts;
  gtImageByAppImageId: Map<string, CocoImage>;
  appImageIdByGtImageId: Map<number, string>;
  annotationsByGtImageId: Map<number, CocoKeypointAnnotation[]>;
  /** Added images the ground truth does not list, or lists without any annotation. */
  appImagesWithoutAnnotations: string[];
  /** Ground-truth images that have annotations but no matching added file. */
  gtImagesWithoutFiles: CocoImage[];
}

export function countGroundTruth(dataset: CocoKeypointsGroundTruth): GroundTruthCounts {
  let people = 0;
  let labelledKeypoints = 0;
  let ignoredAnnotations = 0;
  for (const annotation of dataset.annotations) {
    let labelled = 0;
    for (let i = 2; i < annotation.keypoints.length; i += 3) if ((annotation.keypoints[i] ?? 0) > 0) labelled++;
    labelledKeypoints += labelled;
    if (annotation.iscrowd || annotation.num_keypoints === 0) ignoredAnnotations++;
    else people++;
  }
  return { images: dataset.images.length, people, labelledKeypoints, ignoredAnnotations };
}

let cache: { gt: GroundTruthState; images: ImageItem[]; index: GroundTruthIndex } | null = null;

/** Links added images to ground-truth entries; memoised on the two inputs (both immutable in the store). */
export function groundTruthIndex(gt: GroundTruthState | null, images: ImageItem[]): GroundTruthIndex | null {
  if (!gt) return null;
  if (cache && cache.gt === gt && cache.images === images) return cache.index;
  const { dataset } = gt;
  const annotationsByGtImageId = new Map<number, CocoKeypointAnnotation[]>();
  for (const annotation of dataset.annotations) {
    const list = annotationsByGtImageId.get(annotation.image_id) ?? [];
    list.push(annotation);
    annotationsByGtImageId.set(annotation.image_id, list);
  }
  const gtImageByName = new Map<string, CocoImage>();
  for (const image of dataset.images) if (image.file_name) gtImageByName.set(baseName(image.file_name), image);
  const gtImageByAppImageId = new Map<string, CocoImage>();
  const appImageIdByGtImageId = new Map<number, string>();
  const appImagesWithoutAnnotations: string[] = [];
  for (const image of images) {
    const gtImage = gtImageByName.get(baseName(image.name));
    if (gtImage && !appImageIdByGtImageId.has(gtImage.id)) {
      gtImageByAppImageId.set(image.id, gtImage);
      appImageIdByGtImageId.set(gtImage.id, image.id);
    }
    if (!gtImage || (annotationsByGtImageId.get(gtImage.id)?.length ?? 0) === 0) appImagesWithoutAnnotations.push(image.name);
  }
  const gtImagesWithoutFiles = dataset.images.filter(
    (image) => !appImageIdByGtImageId.has(image.id) && (annotationsByGtImageId.get(image.id)?.length ?? 0) > 0,
  );
  const index: GroundTruthIndex = {
    dataset,
    counts: countGroundTruth(dataset),
    gtImageByAppImageId,
    appImageIdByGtImageId,
    annotationsByGtImageId,
    appImagesWithoutAnnotations,
    gtImagesWithoutFiles,
  };
  cache = { gt, images, index };
  return index;
}
