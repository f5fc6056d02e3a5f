/**
 * Per-image lookups into a ground-truth dataset, built once per dataset object (datasets are immutable once read).
 * A COCO file can list 100,000s of images and annotations: anything done per image (its crops, its people) must
 * be a map lookup, never a scan of the whole file.
 */
import type { CocoImage, CocoKeypointAnnotation, CocoKeypointsGroundTruth } from './cocoTypes';

export interface DatasetLookup {
  /** An image's annotations, in file order. */
  readonly annotationsByImageId: ReadonlyMap<number, readonly CocoKeypointAnnotation[]>;
  /** The first image listed with each id. */
  readonly imageById: ReadonlyMap<number, CocoImage>;
  /** Distinct listed images with at least one annotation. */
  readonly annotatedImageCount: number;
}

const lookups = new WeakMap<CocoKeypointsGroundTruth, DatasetLookup>();

/**
 * Builds a lookup piece by piece, so a dataset arriving in chunks (from the JSON worker) is indexed a chunk at a
 * time instead of in one pass that would hold the page; `register` makes it the lookup of the finished dataset.
 */
export class DatasetLookupBuilder {
  private readonly annotationsByImageId = new Map<number, CocoKeypointAnnotation[]>();
  private readonly imageById = new Map<number, CocoImage>();
  private annotatedImageCount = 0;

  addImages(images: readonly CocoImage[]): void {
    for (const image of images) {
      if (this.imageById.has(image.id)) continue;
      this.imageById.set(image.id, image);
      if (this.annotationsByImageId.has(image.id)) this.annotatedImageCount++;
    }
  }

  addAnnotations(annotations: readonly CocoKeypointAnnotation[]): void {
    for (const annotation of annotations) {
      const list = this.annotationsByImageId.get(annotation.image_id);
      if (list) {
        list.push(annotation);
        continue;
      }
      this.annotationsByImageId.set(annotation.image_id, [annotation]);
      if (this.imageById.has(annotation.image_id)) this.annotatedImageCount++;
    }
  }

  /** Makes this the lookup of `dataset`, which must hold exactly the images and annotations added, in order. */
  register(dataset: CocoKeypointsGroundTruth): DatasetLookup {
    const lookup: DatasetLookup = { annotationsByImageId: this.annotationsByImageId, imageById: this.imageById, annotatedImageCount: this.annotatedImageCount };
    lookups.set(dataset, lookup);
    return lookup;
  }
}

export function datasetLookup(dataset: CocoKeypointsGroundTruth): DatasetLookup {
  const known = lookups.get(dataset);
  if (known) return known;
  const builder = new DatasetLookupBuilder();
  builder.addImages(dataset.images);
  builder.addAnnotations(dataset.annotations);
  return builder.register(dataset);
}

const NO_ANNOTATIONS: readonly CocoKeypointAnnotation[] = [];

export function annotationsOfImage(dataset: CocoKeypointsGroundTruth, imageId: number): readonly CocoKeypointAnnotation[] {
  return datasetLookup(dataset).annotationsByImageId.get(imageId) ?? NO_ANNOTATIONS;
}
