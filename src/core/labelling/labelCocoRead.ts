/**
 * Reading COCO entries into label persons and images: shared by the import and by ensureImage, which claims an
 * imported image entry that no image matched when the file was read (its file was added later).
 */
import type { ParseProblem } from '../coco/cocoTypes';
import { describeValue, isRecord } from '../coco/jsonInput';
import { baseName, keypointBox, type ImageSize } from './labelGeometry';
import type { LabelBox, LabelDocument, LabelImage, LabelKeypoint, LabelPerson, LabelSkeleton, Visibility } from './labelTypes';

export const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Where an entry is, as the project's parser names it: `annotations[12] (id 187952)`. */
export function entryWhere(list: string, index: number, entry: unknown): string {
  const id = isRecord(entry) ? entry['id'] : undefined;
  return `${list}[${index}]${isFiniteNumber(id) ? ` (id ${id})` : ''}`;
}

/** The keypoints of a COCO annotation in the skeleton's order, or why they cannot be labelled. */
export function readKeypoints(raw: unknown, skeleton: LabelSkeleton): { keypoints: LabelKeypoint[] } | { error: string } {
  const count = skeleton.keypointNames.length;
  if (!Array.isArray(raw)) return { error: `keypoints must be a list of ${3 * count} numbers, got ${describeValue(raw)}` };
  if (raw.length !== 3 * count) return { error: `keypoints has ${raw.length} numbers, expected ${3 * count} (x, y, v for each of the ${count} keypoints)` };
  const keypoints: LabelKeypoint[] = [];
  for (let i = 0; i < count; i++) {
    const [x, y, v] = [raw[3 * i], raw[3 * i + 1], raw[3 * i + 2]];
    const name = skeleton.keypointNames[i];
    if (!isFiniteNumber(x) || !isFiniteNumber(y)) return { error: `keypoint ${name}: x, y must be finite numbers, got ${describeValue(x)}, ${describeValue(y)}` };
    if (v !== 0 && v !== 1 && v !== 2) return { error: `keypoint ${name}: visibility is ${describeValue(v)}, expected 0, 1 or 2` };
    if (v > 0 && (x < 0 || y < 0)) return { error: `keypoint ${name}: (${x}, ${y}) is outside the image (COCO keypoints are ≥ 0)` };
    keypoints.push({ x, y, v: v as Visibility });
  }
  return { keypoints };
}

function readBox(raw: unknown): LabelBox | null {
  if (!Array.isArray(raw) || raw.length !== 4 || !raw.every(isFiniteNumber)) return null;
  const [x, y, w, h] = raw as number[];
  if (w! < 0 || h! < 0) return null;
  return [x!, y!, w!, h!];
}

/**
 * An annotation of the labelled category as a person, or why it cannot be one (then it is kept verbatim, not
 * labelled). A missing or malformed bbox is rebuilt from the keypoints (noted); a wrong num_keypoints is noted
 * (the export recomputes it).
 */
export function readPerson(
  raw: Record<string, unknown>,
  skeleton: LabelSkeleton,
  image: ImageSize,
  key: string,
  where: string,
  problems: ParseProblem[],
): LabelPerson | null {
  const note = (message: string) => problems.push({ where, message: `${where}: ${message}` });
  const read = readKeypoints(raw['keypoints'], skeleton);
  if ('error' in read) {
    note(`${read.error}; kept in the export as it was, not labelled here`);
    return null;
  }
  const { keypoints } = read;
  let box = readBox(raw['bbox']);
  if (!box) {
    box = keypointBox(keypoints, image) ?? [0, 0, 0, 0];
    note(`bbox is ${describeValue(raw['bbox'])}, not [x, y, width, height]; made from the keypoints, [${box.map((v) => Math.round(v)).join(', ')}]`);
  }
  const labelled = keypoints.filter((k) => k.v > 0).length;
  const numKeypoints = raw['num_keypoints'];
  if (numKeypoints !== undefined && numKeypoints !== labelled) note(`num_keypoints is ${describeValue(numKeypoints)} but ${labelled} keypoints are labelled; the export writes ${labelled}`);
  const crowd = raw['iscrowd'];
  if (crowd !== undefined && crowd !== 0 && crowd !== 1 && crowd !== true && crowd !== false) note(`iscrowd is ${describeValue(crowd)}, expected 0 or 1; kept as it was`);
  return {
    key,
    annotationId: raw['id'] as number,
    box,
    keypoints,
    // The file's labels are someone's ground truth: they count as reviewed, unlike a model's pre-label.
    reviewed: keypoints.map(() => true),
    origin: { kind: 'imported' },
    importedFields: raw,
  };
}

/** A label image from an imported entry matched to an app image (the app's file name and measured size). */
export function importedImage(entry: Record<string, unknown>, image: { fileName: string } & ImageSize, persons: LabelPerson[]): LabelImage {
  return {
    fileName: image.fileName,
    widthPx: image.widthPx,
    heightPx: image.heightPx,
    cocoImageId: entry['id'] as number,
    status: 'todo',
    persons,
    deletedPrelabels: [],
    importedFields: entry,
  };
}

/**
 * The document with an unmatched imported image entry of this base name (and its annotations) turned into a label
 * image for `image`; null when there is none. Its annotations were checked at import: those that could not be
 * labelled were kept verbatim apart, so every one left here reads.
 */
export function claimImportedImage(doc: LabelDocument, image: { fileName: string } & ImageSize): LabelDocument | null {
  const { unmatchedImages, unmatchedAnnotations } = doc.passthrough;
  const name = baseName(image.fileName);
  // Only an entry with an id no label image has: a duplicate id (reported at import) stays as it was.
  const taken = new Set(Object.values(doc.images).map((im) => im.cocoImageId));
  const at = unmatchedImages.findIndex(
    (e) => isRecord(e) && isFiniteNumber(e['id']) && !taken.has(e['id']) && typeof e['file_name'] === 'string' && baseName(e['file_name']) === name,
  );
  const entry = unmatchedImages[at];
  if (!isRecord(entry)) return null;
  const id = entry['id'];
  let nextKey = doc.nextPersonKey;
  const persons: LabelPerson[] = [];
  const rest: unknown[] = [];
  const ignored: ParseProblem[] = [];
  unmatchedAnnotations.forEach((a, i) => {
    if (!isRecord(a) || a['image_id'] !== id) return rest.push(a);
    const person = readPerson(a, doc.skeleton, image, `p${nextKey}`, `annotations (unmatched ${i})`, ignored);
    if (!person) return rest.push(a);
    nextKey++;
    persons.push(person);
  });
  return {
    ...doc,
    nextPersonKey: nextKey,
    images: { ...doc.images, [image.fileName]: importedImage(entry, image, persons) },
    passthrough: { ...doc.passthrough, unmatchedImages: unmatchedImages.filter((_, i) => i !== at), unmatchedAnnotations: rest },
  };
}
