/**
 * Label mode's data: the ground truth a person makes or fixes here, as plain immutable values (every edit returns
 * a new document, so undo/redo is a list of documents and the session store saves what changed). Coordinates are
 * pixels of the original, upright image (COCO's convention: origin top-left, x right, y down).
 */
import type { SigmaSource } from '../layouts';

/** COCO's keypoint visibility: 0 not labelled (absent), 1 labelled but occluded, 2 labelled and visible. */
export type Visibility = 0 | 1 | 2;

export interface LabelKeypoint {
  /** Pixels; meaningless (and exported as 0) when `v` is 0. */
  x: number;
  y: number;
  v: Visibility;
}

/** `[x, y, width, height]`, pixels, (x, y) the top-left corner. */
export type LabelBox = readonly [x: number, y: number, width: number, height: number];

/** The skeleton being labelled, which the export writes as its COCO category. */
export interface LabelSkeleton {
  categoryId: number;
  /** The COCO category's `name`, e.g. 'person'. */
  name: string;
  supercategory: string;
  keypointNames: readonly string[];
  /** Bones, 0-based index pairs (the export writes COCO's 1-based `skeleton`). */
  edges: readonly (readonly [number, number])[];
  /** Per keypoint, its left/right counterpart (itself on the midline): mirroring and the inversion error class read it. */
  mirror: readonly number[];
  /** Per-keypoint OKS sigmas. */
  sigmas: readonly number[];
  /** Published (COCO's person sigmas), given (a file, the user), estimated (images labelled twice) or uniform (flagged). */
  sigmaSource: SigmaSource;
  /** The imported category's other keys, kept verbatim in the export. */
  extra: Readonly<Record<string, unknown>>;
}

/** Where a person came from; a pre-labelled one keeps what the model gave, so its corrections can be counted. */
export type PersonOrigin =
  | { kind: 'imported' }
  | { kind: 'drawn' }
  | {
      kind: 'prelabel';
      /** Model id, or an imported predictions column's id. */
      source: string;
      sourceName: string;
      /** Keypoints scoring below it started as absent (v = 0). */
      scoreThreshold: number;
      /** The instance's score, as the model gave it. */
      score: number | null;
      /** The keypoints as pre-labelled, before any edit (same length as the skeleton). */
      initial: readonly LabelKeypoint[];
      initialBox: LabelBox;
    };

export interface LabelPerson {
  /** Stable within the document; not the COCO id (which the export assigns or keeps). */
  key: string;
  /** The imported annotation's id (kept in the export); null for a person made here (the export assigns a fresh id). */
  annotationId: number | null;
  box: LabelBox;
  /** One per skeleton keypoint. */
  keypoints: readonly LabelKeypoint[];
  /** Per keypoint: a person placed, moved, re-marked or accepted it (pre-labels start unreviewed). */
  reviewed: readonly boolean[];
  origin: PersonOrigin;
  /** Every field of the imported annotation (segmentation, iscrowd, extra keys), kept verbatim unless the export recomputes it. */
  importedFields: Readonly<Record<string, unknown>> | null;
}

export type LabelImageStatus = 'todo' | 'done' | 'skipped';

export interface LabelImage {
  /** The file name that matches the app's image (as ground truth is matched: by file_name). */
  fileName: string;
  widthPx: number;
  heightPx: number;
  /** The imported image entry's id; null for an image labelled from scratch (the export assigns one). */
  cocoImageId: number | null;
  status: LabelImageStatus;
  persons: readonly LabelPerson[];
  /** Pre-labelled persons deleted by the labeller: kept only so the correction counts include them. */
  deletedPrelabels: readonly LabelPerson[];
  /** Every field of the imported image entry, kept verbatim. */
  importedFields: Readonly<Record<string, unknown>> | null;
}

export interface LabelDocument {
  skeleton: LabelSkeleton;
  /** By file name. */
  images: Readonly<Record<string, LabelImage>>;
  /**
   * What the imported file had besides the labelled category: its top-level keys other than images / annotations /
   * categories (info, licenses, anything else), its other categories and their annotations, and its image entries
   * that match no image here (with their annotations). The export writes all of it back unchanged.
   */
  passthrough: {
    topLevel: Readonly<Record<string, unknown>>;
    otherCategories: readonly unknown[];
    otherAnnotations: readonly unknown[];
    unmatchedImages: readonly unknown[];
    unmatchedAnnotations: readonly unknown[];
    /**
     * Where each imported entry stood in the file, so the export writes images, annotations and categories back in
     * the file's order (a round trip without edits gives the same JSON). Absent for a document started here.
     */
    importOrder?: {
      /** Image ids in file order. */
      imageIds: readonly number[];
      /** Annotation ids in file order (an entry without a numeric id is written after those with one). */
      annotationIds: readonly number[];
      /** The labelled category's index in the file's `categories`. */
      categoryIndex: number;
    };
  };
  /** Source of fresh ids: one more than the largest id seen. */
  nextAnnotationId: number;
  nextImageId: number;
  /** For person keys. */
  nextPersonKey: number;
  /**
   * Per model layout id, the user's choices of which model keypoint fills which label keypoint (label name → model
   * name, or null: none, it starts absent). App data, saved with the session, not exported: COCO has no place for it.
   * A label keypoint without an entry is filled by name (labelMapping).
   */
  mappingTables?: Readonly<Record<string, Readonly<Record<string, string | null>>>>;
}

/** Undo/redo: documents before and after the current one (newest last in `past`). */
export interface LabelHistory {
  past: readonly LabelDocument[];
  present: LabelDocument;
  future: readonly LabelDocument[];
  /** What made the present, when later steps of the same kind join it as one undo step (a run of keyboard nudges). */
  mergeKey?: string;
}

/** How much of one source's pre-labels the labeller kept, per keypoint that either side labelled. */
export interface PrelabelCorrections {
  source: string;
  sourceName: string;
  /** Images with at least one of this source's pre-labelled persons that the labeller judged. */
  images: number;
  /** Pre-labelled persons the labeller judged (touched, or on an image marked done), deleted ones included. */
  persons: number;
  /** Pre-labelled persons the labeller deleted, and persons drawn on images this source pre-labelled. */
  personsDeleted: number;
  personsAdded: number;
  keypoints: {
    /** Labelled by the model and left where it was, with the same visibility. */
    unchanged: number;
    /** Labelled by the model and moved (or re-marked visible/occluded). */
    moved: number;
    /** Absent in the pre-label (below the threshold, or no such keypoint), placed by the labeller. */
    added: number;
    /** Labelled by the model, marked absent by the labeller (or the person deleted). */
    removed: number;
  };
  /** OKS between each moved person's pre-label and its correction (the skeleton's sigmas, the box area as scale); median and each. */
  movedPersonOks: readonly number[];
  medianMovedOks: number | null;
}
