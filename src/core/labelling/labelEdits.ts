/**
 * Edits of a label document. Each returns a new document and leaves its input unchanged; when nothing changes it
 * returns the input itself, so the history records no empty step. Every edit of a keypoint marks it reviewed.
 * Edits of an image the document does not hold yet return the input: call ensureImage first.
 */
import { claimImportedImage } from './labelCocoRead';
import { clampToImage, keypointBox, normaliseBox, sameBox, type ImageSize } from './labelGeometry';
import type { LabelBox, LabelDocument, LabelImage, LabelImageStatus, LabelKeypoint, LabelPerson, LabelSkeleton, Visibility } from './labelTypes';

export function emptyDocument(skeleton: LabelSkeleton): LabelDocument {
  return {
    skeleton,
    images: {},
    passthrough: { topLevel: {}, otherCategories: [], otherAnnotations: [], unmatchedImages: [], unmatchedAnnotations: [] },
    nextAnnotationId: 1,
    nextImageId: 1,
    nextPersonKey: 1,
  };
}

/**
 * The document with the image in it (status 'todo', no persons). An image entry of the imported file that no image
 * matched at import (it was not added yet) and has this base name is claimed now, with its annotations.
 */
export function ensureImage(doc: LabelDocument, image: { fileName: string } & ImageSize): LabelDocument {
  if (doc.images[image.fileName]) return doc;
  const claimed = claimImportedImage(doc, image);
  if (claimed) return claimed;
  const entry: LabelImage = {
    fileName: image.fileName,
    widthPx: image.widthPx,
    heightPx: image.heightPx,
    cocoImageId: null,
    status: 'todo',
    persons: [],
    deletedPrelabels: [],
    importedFields: null,
  };
  return { ...doc, images: { ...doc.images, [image.fileName]: entry } };
}

function withImage(doc: LabelDocument, fileName: string, change: (image: LabelImage) => LabelImage): LabelDocument {
  const image = doc.images[fileName];
  if (!image) return doc;
  const next = change(image);
  return next === image ? doc : { ...doc, images: { ...doc.images, [fileName]: next } };
}

function withPerson(doc: LabelDocument, fileName: string, key: string, change: (person: LabelPerson, image: LabelImage) => LabelPerson): LabelDocument {
  return withImage(doc, fileName, (image) => {
    const index = image.persons.findIndex((p) => p.key === key);
    const person = image.persons[index];
    if (!person) return image;
    const next = change(person, image);
    if (next === person) return image;
    return { ...image, persons: image.persons.map((p, i) => (i === index ? next : p)) };
  });
}

const markedReviewed = (reviewed: readonly boolean[], index: number) => (reviewed[index] ? reviewed : reviewed.map((r, i) => r || i === index));

/**
 * The box after a keypoint edit. A pre-label's box was made from its keypoints (keypointBox); while nobody has set
 * it, it follows them, so a corrected person's box (the export's bbox and area, the corrections' OKS scale) is
 * the corrected keypoints' and not the model's. A box someone drew, imported or fixed stays as it is: COCO's boxes
 * hold the person's outline, not the keypoints (5% of the dev set's labelled keypoints lie outside their box).
 */
function boxAfter(person: LabelPerson, keypoints: readonly LabelKeypoint[], image: ImageSize): LabelBox {
  if (person.origin.kind !== 'prelabel') return person.box;
  const derived = keypointBox(person.keypoints, image);
  if (!derived || !sameBox(derived, person.box)) return person.box;
  return keypointBox(keypoints, image) ?? person.box;
}

/**
 * Places keypoint `index` at `pointImagePx` (clamped to the image). An absent keypoint becomes visible; an occluded
 * one stays occluded. A pre-label's box follows its keypoints until someone sets it (boxAfter).
 */
export function moveKeypoint(doc: LabelDocument, fileName: string, personKey: string, index: number, pointImagePx: { x: number; y: number }): LabelDocument {
  return withPerson(doc, fileName, personKey, (person, image) => {
    const current = person.keypoints[index];
    if (!current) return person;
    const { x, y } = clampToImage(pointImagePx, image);
    const v: Visibility = current.v === 0 ? 2 : current.v;
    if (current.x === x && current.y === y && current.v === v && person.reviewed[index]) return person;
    const keypoints = person.keypoints.map((k, i) => (i === index ? { x, y, v } : k));
    return { ...person, keypoints, reviewed: markedReviewed(person.reviewed, index), box: boxAfter(person, keypoints, image) };
  });
}

/**
 * Marks keypoint `index` visible (2), occluded (1) or absent (0). Absent keeps the position (not exported), so
 * marking it again brings it back where it was: for a pre-label below the threshold, where the model put it. An
 * absent keypoint that never had a position (0, 0) appears at the box's centre, to be dragged.
 */
export function setVisibility(doc: LabelDocument, fileName: string, personKey: string, index: number, v: Visibility): LabelDocument {
  return withPerson(doc, fileName, personKey, (person, image) => {
    const current = person.keypoints[index];
    if (!current) return person;
    if (current.v === v && person.reviewed[index]) return person;
    let point = { x: current.x, y: current.y };
    if (current.v === 0 && v > 0) {
      if (point.x === 0 && point.y === 0) point = { x: person.box[0] + person.box[2] / 2, y: person.box[1] + person.box[3] / 2 };
      point = clampToImage(point, image);
    }
    const keypoints = person.keypoints.map((k, i) => (i === index ? { ...point, v } : k));
    return { ...person, keypoints, reviewed: markedReviewed(person.reviewed, index), box: boxAfter(person, keypoints, image) };
  });
}

/** A new person drawn as `box` (normalised), every keypoint absent; `key` is null when the image is not in the document. */
export function addPerson(doc: LabelDocument, fileName: string, box: LabelBox): { doc: LabelDocument; key: string | null } {
  const image = doc.images[fileName];
  if (!image) return { doc, key: null };
  const key = `p${doc.nextPersonKey}`;
  const count = doc.skeleton.keypointNames.length;
  const person: LabelPerson = {
    key,
    annotationId: null,
    box: normaliseBox(box, image),
    keypoints: Array.from({ length: count }, (): LabelKeypoint => ({ x: 0, y: 0, v: 0 })),
    reviewed: new Array<boolean>(count).fill(false),
    origin: { kind: 'drawn' },
    importedFields: null,
  };
  const next = { ...doc, nextPersonKey: doc.nextPersonKey + 1, images: { ...doc.images, [fileName]: { ...image, persons: [...image.persons, person] } } };
  return { doc: next, key };
}

/** Removes a person; a pre-labelled one is kept aside in `deletedPrelabels`, so the corrections count it. */
export function deletePerson(doc: LabelDocument, fileName: string, personKey: string): LabelDocument {
  return withImage(doc, fileName, (image) => {
    const person = image.persons.find((p) => p.key === personKey);
    if (!person) return image;
    return {
      ...image,
      persons: image.persons.filter((p) => p !== person),
      deletedPrelabels: person.origin.kind === 'prelabel' ? [...image.deletedPrelabels, person] : image.deletedPrelabels,
    };
  });
}

/** The person's box, normalised: positive width and height, clamped to the image. */
export function setBox(doc: LabelDocument, fileName: string, personKey: string, box: LabelBox): LabelDocument {
  return withPerson(doc, fileName, personKey, (person, image) => {
    const next = normaliseBox(box, image);
    return sameBox(next, person.box) ? person : { ...person, box: next };
  });
}

/** Marks keypoint `index` (every keypoint when omitted) reviewed without moving it: the labeller looked and agrees. */
export function markReviewed(doc: LabelDocument, fileName: string, personKey: string, index?: number): LabelDocument {
  return withPerson(doc, fileName, personKey, (person) => {
    if (index === undefined) return person.reviewed.every(Boolean) ? person : { ...person, reviewed: person.reviewed.map(() => true) };
    if (person.reviewed[index] !== false) return person;
    return { ...person, reviewed: markedReviewed(person.reviewed, index) };
  });
}

/** Every keypoint of the person reviewed, as it stands. */
export function acceptPerson(doc: LabelDocument, fileName: string, personKey: string): LabelDocument {
  return markReviewed(doc, fileName, personKey);
}

/** Every keypoint of every person on the image reviewed, and the image done. */
export function acceptImage(doc: LabelDocument, fileName: string): LabelDocument {
  return withImage(doc, fileName, (image) => {
    const allReviewed = image.persons.every((p) => p.reviewed.every(Boolean));
    if (allReviewed && image.status === 'done') return image;
    return { ...image, status: 'done', persons: allReviewed ? image.persons : image.persons.map((p) => (p.reviewed.every(Boolean) ? p : { ...p, reviewed: p.reviewed.map(() => true) })) };
  });
}

export function setImageStatus(doc: LabelDocument, fileName: string, status: LabelImageStatus): LabelDocument {
  return withImage(doc, fileName, (image) => (image.status === status ? image : { ...image, status }));
}

/**
 * Whether the labeller has touched a person: placed, moved, re-marked or accepted a keypoint, or changed the box
 * of a pre-label. Only a pre-label can be untouched; imported and drawn persons are the labeller's (or the file's).
 */
export function isTouched(person: LabelPerson): boolean {
  if (person.origin.kind !== 'prelabel') return true;
  return person.reviewed.some(Boolean) || !sameBox(person.box, person.origin.initialBox);
}

/**
 * Whether a person counts as ground truth: everything but a pre-label nobody touched on an image not marked done
 * (unreviewed model output is not ground truth; marking an image done vouches for what is on it).
 */
export function isJudged(person: LabelPerson, image: Pick<LabelImage, 'status'>): boolean {
  return image.status === 'done' || isTouched(person);
}

/** A crowd region (COCO `iscrowd` 1, imported): an area the evaluation ignores, not a person to label. */
export function isCrowd(person: LabelPerson): boolean {
  const crowd = person.importedFields?.['iscrowd'];
  return crowd === 1 || crowd === true;
}
