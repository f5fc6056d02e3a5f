import type { CocoImage, CocoKeypointAnnotation, CocoKeypointsGroundTruth } from '../core/coco/cocoTypes';
import { DatasetLookupBuilder, type DatasetLookup } from '../core/coco/datasetLookup';
import type { GroundTruthState } from './evaluationSlice';
import type { ImageItem } from './types';

/** Images match ground truth by `file_name`; dropped folders prefix names with their path, so compare base names. */
export function baseName(name: string): string {
  // lastIndexOf, not a split: the index takes the base name of every ground-truth image (100,000s of them).
  const cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return cut < 0 ? name : name.slice(cut + 1);
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
  annotationsByGtImageId: ReadonlyMap<number, readonly CocoKeypointAnnotation[]>;
  /** Added images the ground truth does not list, or lists without any annotation. */
  appImagesWithoutAnnotations: string[];
  /** How many ground-truth images have annotations but no matching added file (see gtImagesWithoutFiles). */
  gtImagesWithoutFilesCount: number;
}

/** What an index needs from the dataset alone: built once per dataset, whichever images are added. */
interface DatasetIndex {
  lookup: DatasetLookup;
  gtImageByName: Map<string, CocoImage>;
  counts: GroundTruthCounts;
}

const datasetIndexes = new WeakMap<CocoKeypointsGroundTruth, DatasetIndex>();

/**
 * Builds a dataset's index piece by piece, so a large ground truth arriving in chunks from the JSON worker is
 * indexed chunk by chunk (a few milliseconds each) instead of in one pass over 250,000 annotations that would
 * hold the page for a few hundred milliseconds. `register` hands it to groundTruthIndex for that dataset.
 */
export class DatasetIndexBuilder {
  private readonly lookup = new DatasetLookupBuilder();
  private readonly gtImageByName = new Map<string, CocoImage>();
  private readonly counts: GroundTruthCounts = { images: 0, people: 0, labelledKeypoints: 0, ignoredAnnotations: 0 };

  addImages(images: readonly CocoImage[]): void {
    this.lookup.addImages(images);
    this.counts.images += images.length;
    for (const image of images) if (image.file_name) this.gtImageByName.set(baseName(image.file_name), image);
  }

  addAnnotations(annotations: readonly CocoKeypointAnnotation[]): void {
    this.lookup.addAnnotations(annotations);
    const { counts } = this;
    for (const annotation of annotations) {
      let labelled = 0;
      for (let i = 2; i < annotation.keypoints.length; i += 3) if ((annotation.keypoints[i] ?? 0) > 0) labelled++;
      counts.labelledKeypoints += labelled;
      if (annotation.iscrowd || annotation.num_keypoints === 0) counts.ignoredAnnotations++;
      else counts.people++;
    }
  }

  /** Makes this the index of `dataset`, which must hold exactly the images and annotations added, in order. */
  register(dataset: CocoKeypointsGroundTruth): void {
    datasetIndexes.set(dataset, { lookup: this.lookup.register(dataset), gtImageByName: this.gtImageByName, counts: this.counts });
  }
}

function datasetIndex(dataset: CocoKeypointsGroundTruth): DatasetIndex {
  let index = datasetIndexes.get(dataset);
  if (!index) {
    const builder = new DatasetIndexBuilder();
    builder.addImages(dataset.images);
    builder.addAnnotations(dataset.annotations);
    builder.register(dataset);
    index = datasetIndexes.get(dataset)!;
  }
  return index;
}

let cache: { gt: GroundTruthState; images: ImageItem[]; index: GroundTruthIndex } | null = null;

/** Links added images to ground-truth entries; memoised on the two inputs (both immutable in the store). */
export function groundTruthIndex(gt: GroundTruthState | null, images: ImageItem[]): GroundTruthIndex | null {
  if (!gt) return null;
  if (cache && cache.gt === gt && cache.images === images) return cache.index;
  const { dataset } = gt;
  const { lookup, gtImageByName, counts } = datasetIndex(dataset);
  const annotationsByGtImageId = lookup.annotationsByImageId;
  const gtImageByAppImageId = new Map<string, CocoImage>();
  const appImageIdByGtImageId = new Map<number, string>();
  const appImagesWithoutAnnotations: string[] = [];
  let matchedAnnotatedImages = 0;
  for (const image of images) {
    const gtImage = gtImageByName.get(baseName(image.name));
    if (gtImage && !appImageIdByGtImageId.has(gtImage.id)) {
      gtImageByAppImageId.set(image.id, gtImage);
      appImageIdByGtImageId.set(gtImage.id, image.id);
      if ((annotationsByGtImageId.get(gtImage.id)?.length ?? 0) > 0) matchedAnnotatedImages++;
    }
    if (!gtImage || (annotationsByGtImageId.get(gtImage.id)?.length ?? 0) === 0) appImagesWithoutAnnotations.push(image.name);
  }
  const index: GroundTruthIndex = {
    dataset,
    counts,
    gtImageByAppImageId,
    appImageIdByGtImageId,
    annotationsByGtImageId,
    appImagesWithoutAnnotations,
    gtImagesWithoutFilesCount: lookup.annotatedImageCount - matchedAnnotatedImages,
  };
  cache = { gt, images, index };
  return index;
}

/**
 * The first `limit` ground-truth images that have annotations but no matching added file, in file order: a scan
 * that stops as soon as it has them (the panel names a few; a dataset can list 100,000s).
 */
export function gtImagesWithoutFiles(index: GroundTruthIndex, limit: number): CocoImage[] {
  const found: CocoImage[] = [];
  if (index.gtImagesWithoutFilesCount === 0) return found;
  const seen = new Set<number>();
  for (const image of index.dataset.images) {
    if (found.length >= limit) break;
    if (seen.has(image.id)) continue;
    seen.add(image.id);
    if (!index.appImageIdByGtImageId.has(image.id) && (index.annotationsByGtImageId.get(image.id)?.length ?? 0) > 0) found.push(image);
  }
  return found;
}
