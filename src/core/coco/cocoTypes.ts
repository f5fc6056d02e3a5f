/**
 * COCO keypoints data as the evaluation reads it: ground truth (`person_keypoints_*.json` layout) and a
 * results list (what a model submission contains). Coordinates are image pixels of the original image,
 * origin at the top-left corner, x to the right, y down; areas are square pixels.
 *
 * Only the fields the keypoint evaluation or the app reads are kept: parsing drops `segmentation`,
 * `info`, `licenses` and any `ignore` field (pycocotools overwrites `ignore` anyway, README behaviour 3).
 */

/** `[x, y, width, height]` in pixels, (x, y) being the top-left corner. */
export type CocoBbox = readonly [x: number, y: number, width: number, height: number];

/** One entry of `images`. */
export interface CocoImage {
  readonly id: number;
  readonly file_name?: string;
  /** Pixels. */
  readonly width?: number;
  /** Pixels. */
  readonly height?: number;
}

/** One entry of `categories`; for COCO keypoints the single category is person (id 1, 17 keypoints). */
export interface CocoKeypointCategory {
  readonly id: number;
  readonly name: string;
  readonly supercategory?: string;
  /** Keypoint names in annotation order; their count K fixes the keypoint array length 3K. */
  readonly keypoints: readonly string[];
  /** Limb pairs as 1-based keypoint indices, as in the COCO file. */
  readonly skeleton?: readonly (readonly [number, number])[];
  /** Per-keypoint OKS sigmas, where the file gives them (an extra key some datasets add; not in COCO's own files). */
  readonly sigmas?: readonly number[];
  /**
   * Left/right counterparts by name, where the file gives them (`left_right_pairs`, an extra key this app writes for a
   * skeleton whose pairs its names do not tell, e.g. port_fin / starboard_fin); absent: pairs by left_/right_ names.
   */
  readonly leftRightPairs?: readonly (readonly [string, string])[];
  /** Sigmas the user typed (or a sidecar file gave) for this category; they win over `sigmas`. Set by the app, not read from files. */
  readonly userSigmas?: readonly number[];
}

/** One ground-truth person (or crowd region). */
export interface CocoKeypointAnnotation {
  readonly id: number;
  readonly image_id: number;
  readonly category_id: number;
  /** Flat `[x1, y1, v1, x2, y2, v2, ...]` (3K numbers), pixels; v: 0 unlabelled (x = y = 0), 1 labelled hidden, 2 visible. */
  readonly keypoints: readonly number[];
  /** Count of labelled keypoints as written in the file; pycocotools ignores the person when it is 0. */
  readonly num_keypoints: number;
  readonly bbox: CocoBbox;
  /** Segmentation area in square pixels (not the bbox area): OKS scale and area-range filter. */
  readonly area: number;
  readonly iscrowd: 0 | 1;
}

/** A parsed COCO keypoints ground-truth file. */
export interface CocoKeypointsGroundTruth {
  readonly images: readonly CocoImage[];
  readonly annotations: readonly CocoKeypointAnnotation[];
  readonly categories: readonly CocoKeypointCategory[];
}

/** One detection of a COCO keypoint results file. */
export interface CocoKeypointResult {
  readonly image_id: number;
  readonly category_id: number;
  /** Flat `[x1, y1, s1, ...]` (3K numbers), pixels; the third value of each triple is never read by the evaluation. */
  readonly keypoints: readonly number[];
  /** Detection confidence; only its order matters. */
  readonly score: number;
  /** Optional `[x, y, w, h]` pixels. If `results[0]` has a non-empty one, pycocotools derives every area from bboxes (README 2). */
  readonly bbox?: readonly number[];
}

/** One thing wrong with an input file. `message` names the entry too, so it can be shown on its own. */
export interface ParseProblem {
  /** The entry, e.g. `annotations[12] (id 187952)`, or `file` for the whole input. */
  readonly where: string;
  /** Full sentence, e.g. `annotations[12] (id 187952): keypoints has 50 numbers, expected 51`. */
  readonly message: string;
}

/**
 * Result of parsing untrusted input: bad entries are left out of `value` and listed in `problems`;
 * `value` is null only when the input as a whole is unusable (not JSON, wrong top-level shape).
 */
export interface ParseOutcome<T> {
  readonly value: T | null;
  readonly problems: readonly ParseProblem[];
}

/** Number of keypoints in COCO's person category. */
export const COCO_PERSON_KEYPOINT_COUNT = 17;
