/**
 * Boxes, areas and names the labelling modules share: one rule each, so the export, the corrections and the
 * sigma estimate agree on what a person's box and area are.
 */
import type { LabelBox, LabelKeypoint, LabelPerson } from './labelTypes';

export interface ImageSize {
  widthPx: number;
  heightPx: number;
}

/** The name part of a path: images match COCO entries by base name, as the app's ground-truth index does. */
export function baseName(name: string): string {
  const cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return cut < 0 ? name : name.slice(cut + 1);
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** A point moved into the image: COCO keypoints are non-negative pixels inside it (the parser rejects negatives). */
export function clampToImage(point: { x: number; y: number }, size: ImageSize): { x: number; y: number } {
  return { x: clamp(point.x, 0, size.widthPx), y: clamp(point.y, 0, size.heightPx) };
}

/** Positive width and height (a box drawn right-to-left has a negative one), clamped to the image. */
export function normaliseBox(box: LabelBox, size: ImageSize): LabelBox {
  const [x, y, w, h] = box;
  const x0 = clamp(Math.min(x, x + w), 0, size.widthPx);
  const x1 = clamp(Math.max(x, x + w), 0, size.widthPx);
  const y0 = clamp(Math.min(y, y + h), 0, size.heightPx);
  const y1 = clamp(Math.max(y, y + h), 0, size.heightPx);
  return [x0, y0, x1 - x0, y1 - y0];
}

export const sameBox = (a: LabelBox, b: LabelBox) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];

export function boxIou(a: LabelBox, b: LabelBox): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Margin around the keypoints' extent, per side, as a fraction of the extent on that axis. COCO's boxes enclose
 * the person's outline, which reaches past the outermost joints (top of the head above the eyes, hands past the
 * wrists, feet past the ankles): on the 62 persons with ≥ 10 labelled keypoints in the COCO dev set
 * (../shared/data/coco-dev) the median gap between keypoint extent and bbox is 0.13 (left), 0.16 (right), 0.14
 * (top) and 0.10 (bottom) of the extent. One eighth on every side is close to all four.
 */
export const PRELABEL_BOX_MARGIN = 0.125;

/**
 * A box from keypoints: their extent plus PRELABEL_BOX_MARGIN each side, clamped to the image. A side the
 * keypoints give no extent on (one keypoint, or all in a line) gets a tenth of the other side, at least 2 px, so
 * the box is never empty. Null when no keypoint is labelled.
 */
export function keypointBox(keypoints: readonly LabelKeypoint[], size: ImageSize): LabelBox | null {
  const labelled = keypoints.filter((k) => k.v > 0);
  if (labelled.length === 0) return null;
  const xs = labelled.map((k) => k.x);
  const ys = labelled.map((k) => k.y);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  let w = Math.max(...xs) - x0;
  let h = Math.max(...ys) - y0;
  const cx = x0 + w / 2;
  const cy = y0 + h / 2;
  w *= 1 + 2 * PRELABEL_BOX_MARGIN;
  h *= 1 + 2 * PRELABEL_BOX_MARGIN;
  const minSidePx = 2;
  w = Math.max(w, h / 10, minSidePx);
  h = Math.max(h, w / 10, minSidePx);
  return normaliseBox([cx - w / 2, cy - h / 2, w, h], size);
}

/**
 * The area a person is written with (COCO's `area`, OKS's scale s²). COCO's `area` is the person's segmentation
 * area, not the box's: an imported annotation keeps its `area` when it has a `segmentation` (edits here never
 * change a segmentation, so the area still describes it) or when its box is still the imported one (nothing the
 * area could be derived from has changed: a keypoint moved does not change a person's size). Otherwise there is no
 * outline, and the box's width × height is the best measure of size there is.
 */
export function personAreaPx2(person: Pick<LabelPerson, 'box' | 'importedFields'>): number {
  const fields = person.importedFields;
  const area = fields?.['area'];
  if (fields && typeof area === 'number' && Number.isFinite(area) && area >= 0) {
    if (fields['segmentation'] !== undefined) return area;
    const bbox = fields['bbox'];
    if (Array.isArray(bbox) && bbox.length === 4 && bbox.every((v, i) => v === person.box[i])) return area;
  }
  return person.box[2] * person.box[3];
}

/** Keypoints of a person as COCO's flat `[x, y, v, …]`, x = y = 0 where v = 0 (COCO's convention for "not labelled"). */
export function flatKeypoints(keypoints: readonly LabelKeypoint[]): number[] {
  const flat: number[] = [];
  for (const k of keypoints) flat.push(k.v > 0 ? k.x : 0, k.v > 0 ? k.y : 0, k.v);
  return flat;
}
