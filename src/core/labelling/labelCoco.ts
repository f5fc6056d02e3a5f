/**
 * COCO keypoints in and out of Label mode with nothing lost: the import keeps every entry and key it does not
 * label (other categories, images not added here, info, licenses, extra keys), and the export writes them back as
 * they were, with the labelled persons' keypoints, num_keypoints, bbox and area from the edits.
 */
import type { ParseProblem } from '../coco/cocoTypes';
import { describeValue, isRecord, parseJsonText } from '../coco/jsonInput';
import { importedImage, isFiniteNumber, entryWhere, readPerson } from './labelCocoRead';
import { isJudged } from './labelEdits';
import { baseName, flatKeypoints, personAreaPx2, type ImageSize } from './labelGeometry';
import { skeletonCategory, skeletonFromCategory } from './labelSkeleton';
import type { LabelDocument, LabelImage, LabelImageStatus, LabelPerson, LabelSkeleton } from './labelTypes';

export interface ImportedCoco {
  /** Null only when nothing can be labelled: not a JSON object with the three lists, or no usable category. */
  doc: LabelDocument | null;
  problems: ParseProblem[];
}

const TOP_LEVEL_LISTS = ['images', 'annotations', 'categories'] as const;

/** An image added to the app: its name (as the app shows it, maybe under a folder) and its upright size. */
export type AppImage = { fileName: string } & ImageSize;

/**
 * Reads a COCO keypoints file to label, matched to the app's images.
 *
 * The category labelled: `options.categoryId`, else the only category with a `keypoints` list, else (several) the
 * one with the most annotations. Images match by file_name as the app's ground-truth index matches them: base
 * names (a folder prefix on either side is ignored), case-sensitive, each image entry to one added image; a second
 * entry with the same base name is reported and kept unmatched. An image's size is the app's (the pixels being
 * labelled); a file that says otherwise is reported.
 *
 * Entries that are not labelled here are kept verbatim and written back by exportCoco: every top-level key but the
 * three lists, other categories and their annotations, image entries no added image matches (ensureImage claims
 * them when their image is added) with their annotations, and entries that cannot be read (reported). Each
 * labelled image's and annotation's full object is kept as `importedFields`. Nothing is thrown.
 */
export function importCoco(raw: unknown, images: readonly AppImage[], options: { categoryId?: number } = {}): ImportedCoco {
  const problems: ParseProblem[] = [];
  const fatal = (message: string): ImportedCoco => ({ doc: null, problems: [...problems, { where: 'file', message }] });
  let root = raw;
  if (typeof raw === 'string') {
    const parsed = parseJsonText(raw);
    if (!parsed.ok) return fatal(`not JSON: ${parsed.error}`);
    root = parsed.value;
  }
  if (!isRecord(root)) return fatal(`a COCO keypoints file is a JSON object with "images", "annotations" and "categories", got ${describeValue(root)}`);
  const missing = TOP_LEVEL_LISTS.filter((key) => !Array.isArray(root[key]));
  if (missing.length > 0) return fatal(`a COCO keypoints file needs "images", "annotations" and "categories" lists: ${missing.map((k) => `"${k}" is ${describeValue(root[k])}`).join(', ')}`);
  const rawImages = root['images'] as unknown[];
  const rawAnnotations = root['annotations'] as unknown[];
  const rawCategories = root['categories'] as unknown[];

  const categoryIndex = chooseCategory(rawCategories, rawAnnotations, options.categoryId, problems);
  if (categoryIndex < 0) return fatal('no category to label: "categories" has no entry with a numeric id');
  const read = skeletonFromCategory(rawCategories[categoryIndex], entryWhere('categories', categoryIndex, rawCategories[categoryIndex]));
  problems.push(...read.problems);
  const skeleton = read.skeleton;
  if (!skeleton) return fatal(`the category to label (categories[${categoryIndex}]) cannot be used: ${read.problems.map((p) => p.message).join('; ')}`);

  const topLevel: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(root)) if (!(TOP_LEVEL_LISTS as readonly string[]).includes(key)) topLevel[key] = value;

  // Images: the first entry of each base name is matched to the first added image of that base name.
  const appByName = new Map<string, AppImage>();
  for (const image of images) if (!appByName.has(baseName(image.fileName))) appByName.set(baseName(image.fileName), image);
  const matched = new Map<number, { entry: Record<string, unknown>; image: AppImage }>();
  const knownImageIds = new Set<number>();
  const imageEntryById = new Map<number, Record<string, unknown>>();
  const claimedNames = new Set<string>();
  const unmatchedImages: unknown[] = [];
  const imageIds: number[] = [];
  let maxImageId = 0;
  rawImages.forEach((entry, index) => {
    const where = entryWhere('images', index, entry);
    const note = (message: string) => problems.push({ where, message: `${where}: ${message}` });
    const id = isRecord(entry) ? entry['id'] : undefined;
    if (!isRecord(entry) || !isFiniteNumber(id)) {
      note(`${isRecord(entry) ? `id must be a number, got ${describeValue(id)}` : `expected an object, got ${describeValue(entry)}`}; kept in the export as it was`);
      unmatchedImages.push(entry);
      return;
    }
    if (knownImageIds.has(id)) {
      note(`duplicate image id ${id}; kept in the export as it was, not labelled`);
      unmatchedImages.push(entry);
      return;
    }
    knownImageIds.add(id);
    imageEntryById.set(id, entry);
    imageIds.push(id);
    maxImageId = Math.max(maxImageId, id);
    const fileName = entry['file_name'];
    const name = typeof fileName === 'string' ? baseName(fileName) : null;
    const image = name === null ? undefined : appByName.get(name);
    if (name !== null && claimedNames.has(name)) note(`another image entry has the file name ${name}; only the first is matched`);
    if (!image || name === null || claimedNames.has(name)) {
      unmatchedImages.push(entry);
      return;
    }
    claimedNames.add(name);
    for (const [key, size] of [['width', image.widthPx], ['height', image.heightPx]] as const) {
      if (entry[key] !== undefined && entry[key] !== size) note(`${key} is ${describeValue(entry[key])} but the image ${image.fileName} is ${size} px; labelled on the image's pixels, the entry kept as it was`);
    }
    matched.set(id, { entry, image });
  });

  // Annotations: the labelled category's on matched images become persons; the rest is kept verbatim.
  const personsByImage = new Map<number, LabelPerson[]>();
  const otherAnnotations: unknown[] = [];
  const unmatchedAnnotations: unknown[] = [];
  const annotationIds: number[] = [];
  const seenAnnotationIds = new Set<number>();
  let maxAnnotationId = 0;
  let nextKey = 1;
  rawAnnotations.forEach((entry, index) => {
    const where = entryWhere('annotations', index, entry);
    const note = (message: string) => problems.push({ where, message: `${where}: ${message}` });
    if (!isRecord(entry)) {
      note(`expected an object, got ${describeValue(entry)}; kept in the export as it was`);
      otherAnnotations.push(entry);
      return;
    }
    const id = entry['id'];
    if (isFiniteNumber(id)) {
      annotationIds.push(id);
      maxAnnotationId = Math.max(maxAnnotationId, id);
    }
    if (entry['category_id'] !== skeleton.categoryId) {
      otherAnnotations.push(entry);
      return;
    }
    const keepAsItWas = (why: string) => {
      note(`${why}; kept in the export as it was, not labelled here`);
      otherAnnotations.push(entry);
    };
    if (!isFiniteNumber(id)) return keepAsItWas(`id must be a number, got ${describeValue(id)}`);
    if (seenAnnotationIds.has(id)) return keepAsItWas(`duplicate annotation id ${id}`);
    seenAnnotationIds.add(id);
    const imageId = entry['image_id'];
    if (!isFiniteNumber(imageId) || !knownImageIds.has(imageId)) return keepAsItWas(`image_id ${describeValue(imageId)} is not in "images"`);
    const target = matched.get(imageId);
    // Annotations of unmatched images are checked now too, so a problem shows at import, not when their image is added.
    const entrySize = () => {
      const image = imageEntryById.get(imageId);
      return { widthPx: numberOr(image?.['width'], 0), heightPx: numberOr(image?.['height'], 0) };
    };
    const size = target ? target.image : entrySize();
    const person = readPerson(entry, skeleton, size, `p${nextKey}`, where, problems);
    if (!person) {
      otherAnnotations.push(entry);
      return;
    }
    if (!target) {
      unmatchedAnnotations.push(entry);
      return;
    }
    nextKey++;
    const list = personsByImage.get(imageId) ?? [];
    list.push(person);
    personsByImage.set(imageId, list);
  });

  const labelImages: Record<string, LabelImage> = {};
  for (const [id, { entry, image }] of matched) labelImages[image.fileName] = importedImage(entry, image, personsByImage.get(id) ?? []);

  const doc: LabelDocument = {
    skeleton,
    images: labelImages,
    passthrough: {
      topLevel,
      otherCategories: rawCategories.filter((_, i) => i !== categoryIndex),
      otherAnnotations,
      unmatchedImages,
      unmatchedAnnotations,
      importOrder: { imageIds, annotationIds, categoryIndex },
    },
    nextAnnotationId: Math.floor(maxAnnotationId) + 1,
    nextImageId: Math.floor(maxImageId) + 1,
    nextPersonKey: nextKey,
  };
  return { doc, problems };
}

const numberOr = (value: unknown, fallback: number) => (isFiniteNumber(value) ? value : fallback);

/** The index of the category to label (see importCoco), or -1. */
function chooseCategory(categories: readonly unknown[], annotations: readonly unknown[], wanted: number | undefined, problems: ParseProblem[]): number {
  const withId = categories.map((c, i) => ({ c, i })).filter(({ c }) => isRecord(c) && isFiniteNumber(c['id']));
  if (wanted !== undefined) {
    const found = withId.find(({ c }) => (c as Record<string, unknown>)['id'] === wanted);
    if (found) return found.i;
    problems.push({ where: 'categories', message: `categories: no category has id ${wanted}; choosing one with keypoints instead` });
  }
  const withKeypoints = withId.filter(({ c }) => Array.isArray((c as Record<string, unknown>)['keypoints']));
  const candidates = withKeypoints.length > 0 ? withKeypoints : withId;
  if (candidates.length === 0) return -1;
  if (candidates.length === 1) return candidates[0]!.i;
  const counts = new Map<unknown, number>();
  for (const a of annotations) if (isRecord(a)) counts.set(a['category_id'], (counts.get(a['category_id']) ?? 0) + 1);
  let best = candidates[0]!;
  for (const candidate of candidates) {
    if ((counts.get((candidate.c as Record<string, unknown>)['id']) ?? 0) > (counts.get((best.c as Record<string, unknown>)['id']) ?? 0)) best = candidate;
  }
  problems.push({
    where: 'categories',
    message: `categories: ${candidates.length} categories have keypoints; labelling "${String((best.c as Record<string, unknown>)['name'])}" (id ${String((best.c as Record<string, unknown>)['id'])}), the one with the most annotations; the others are kept as they are`,
  });
  return best.i;
}

/** Whether the export writes this person: see isJudged (an untouched pre-label on an image not marked done is not). */
const exportsPerson = (person: LabelPerson, image: LabelImage) => isJudged(person, image);

/**
 * Whether the export lists the image: an imported entry always (it is the file's); an image started here when it is
 * done, or still to do with a person to write. A skipped image started here is left out, since listing it without
 * its people would tell an evaluation that it has none.
 */
function exportsImage(image: LabelImage): boolean {
  if (image.importedFields) return true;
  if (image.status === 'done') return true;
  if (image.status === 'skipped') return false;
  return image.persons.some((p) => exportsPerson(p, image));
}

/** Imported keypoints written back verbatim when the edits left them as they were (same v, and x, y where labelled). */
function keypointsUnchanged(person: LabelPerson, skeleton: LabelSkeleton): boolean {
  const raw = person.importedFields?.['keypoints'];
  if (!Array.isArray(raw) || raw.length !== 3 * skeleton.keypointNames.length) return false;
  return person.keypoints.every((k, i) => raw[3 * i + 2] === k.v && (k.v === 0 || (raw[3 * i] === k.x && raw[3 * i + 1] === k.y)));
}

function annotationOf(person: LabelPerson, imageId: number, id: number, skeleton: LabelSkeleton): Record<string, unknown> {
  const fields = person.importedFields;
  const keypoints = fields && keypointsUnchanged(person, skeleton) ? fields['keypoints'] : flatKeypoints(person.keypoints);
  const crowd = fields?.['iscrowd'];
  return {
    ...(fields ?? {}),
    id,
    image_id: imageId,
    category_id: skeleton.categoryId,
    keypoints,
    num_keypoints: person.keypoints.filter((k) => k.v > 0).length,
    bbox: [...person.box],
    // COCO's `area` is the segmentation's area (OKS scale): kept from the file while its segmentation (never edited
    // here) or its unchanged box still describes the person, else the box's width × height (personAreaPx2).
    area: personAreaPx2(person),
    iscrowd: crowd === undefined ? 0 : crowd,
  };
}

/** Sorts entries into the file's order (by id); entries the file did not have keep their order, after it. */
function inFileOrder<T>(entries: readonly T[], idOf: (entry: T) => unknown, order: readonly number[] | undefined): T[] {
  const position = new Map<number, number>();
  order?.forEach((id, i) => {
    if (!position.has(id)) position.set(id, i);
  });
  const keyed = entries.map((entry, i) => {
    const id = idOf(entry);
    const at = isFiniteNumber(id) ? position.get(id) : undefined;
    return { entry, key: at ?? Number.POSITIVE_INFINITY, i };
  });
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return keyed.map((k) => k.entry);
}

interface ExportPlan {
  images: { image: LabelImage; id: number }[];
  persons: { person: LabelPerson; image: LabelImage; imageId: number; id: number }[];
}

/** Which images and persons the export writes, with their ids (new ones numbered in file-name order, then person order). */
function exportPlan(doc: LabelDocument): ExportPlan {
  const all = Object.values(doc.images).filter(exportsImage);
  const imported = all.filter((im) => im.cocoImageId !== null);
  const fresh = all.filter((im) => im.cocoImageId === null).sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
  let nextImageId = doc.nextImageId;
  const images = [...imported.map((image) => ({ image, id: image.cocoImageId! })), ...fresh.map((image) => ({ image, id: nextImageId++ }))];
  let nextAnnotationId = doc.nextAnnotationId;
  const persons: ExportPlan['persons'] = [];
  for (const { image, id: imageId } of images) {
    for (const person of image.persons) {
      if (!exportsPerson(person, image)) continue;
      persons.push({ person, image, imageId, id: person.annotationId ?? nextAnnotationId++ });
    }
  }
  return { images, persons };
}

/**
 * The document as a COCO keypoints file (a plain JSON value): the imported top-level keys first, then `images`
 * (imported entries verbatim, new ones {id, file_name, width, height}), `annotations` (imported fields kept,
 * keypoints as flat [x, y, v] with x = y = 0 where v = 0, num_keypoints = labelled keypoints, bbox = the person's
 * box, area by personAreaPx2, iscrowd kept or 0; new ids from nextAnnotationId) and `categories` (the others
 * verbatim, the skeleton in the labelled one's place, 1-based `skeleton`, `sigmas` only per exportsSigmas). Entries
 * keep the file's order. Not written: pre-labels nobody touched on images not marked done, and skipped images
 * started here (exportSummary counts both).
 */
export function exportCoco(doc: LabelDocument): Record<string, unknown> {
  const { passthrough } = doc;
  const plan = exportPlan(doc);
  const imageEntries: unknown[] = [
    ...plan.images.map(({ image, id }) => image.importedFields ?? { id, file_name: image.fileName, width: image.widthPx, height: image.heightPx }),
    ...passthrough.unmatchedImages,
  ];
  const annotationEntries: unknown[] = [
    ...plan.persons.map(({ person, imageId, id }) => annotationOf(person, imageId, id, doc.skeleton)),
    ...passthrough.otherAnnotations,
    ...passthrough.unmatchedAnnotations,
  ];
  const idOf = (entry: unknown) => (isRecord(entry) ? entry['id'] : undefined);
  const categories = [...passthrough.otherCategories];
  const at = Math.min(passthrough.importOrder?.categoryIndex ?? categories.length, categories.length);
  categories.splice(at, 0, skeletonCategory(doc.skeleton));
  return {
    ...passthrough.topLevel,
    images: inFileOrder(imageEntries, idOf, passthrough.importOrder?.imageIds),
    annotations: inFileOrder(annotationEntries, idOf, passthrough.importOrder?.annotationIds),
    categories,
  };
}

export interface ExportSummary {
  images: number;
  persons: number;
  /** Images of the document by status. */
  byStatus: Record<LabelImageStatus, number>;
  /** Pre-labelled persons nobody touched, on images not marked done: model output, not ground truth. */
  prelabelsLeftOut: number;
  /** Skipped images started here (and the persons on them), left out. */
  skippedImagesLeftOut: number;
  personsOnSkippedLeftOut: number;
  /** Entries kept as imported without being labelled here (other categories, images not added, unreadable ones). */
  passthroughAnnotations: number;
  passthroughImages: number;
  /** One sentence for the UI: what was written and what was left out. */
  text: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function exportSummary(doc: LabelDocument): ExportSummary {
  const plan = exportPlan(doc);
  const byStatus: Record<LabelImageStatus, number> = { todo: 0, done: 0, skipped: 0 };
  let prelabelsLeftOut = 0;
  let skippedImagesLeftOut = 0;
  let personsOnSkippedLeftOut = 0;
  for (const image of Object.values(doc.images)) {
    byStatus[image.status]++;
    const listed = exportsImage(image);
    if (!listed && image.status === 'skipped') {
      skippedImagesLeftOut++;
      personsOnSkippedLeftOut += image.persons.length;
      continue;
    }
    prelabelsLeftOut += image.persons.filter((p) => !exportsPerson(p, image)).length;
  }
  const passthroughAnnotations = doc.passthrough.otherAnnotations.length + doc.passthrough.unmatchedAnnotations.length;
  const passthroughImages = doc.passthrough.unmatchedImages.length;
  const parts = [`${plural(plan.images.length, 'image')} and ${plural(plan.persons.length, 'person')} (images here: ${byStatus.done} done, ${byStatus.todo} to do, ${byStatus.skipped} skipped)`];
  if (prelabelsLeftOut > 0) parts.push(`${plural(prelabelsLeftOut, 'pre-labelled person')} nobody reviewed left out`);
  if (skippedImagesLeftOut > 0) parts.push(`${plural(skippedImagesLeftOut, 'skipped image')} left out${personsOnSkippedLeftOut > 0 ? ` with ${plural(personsOnSkippedLeftOut, 'person')}` : ''}`);
  if (passthroughAnnotations + passthroughImages > 0) parts.push(`${plural(passthroughAnnotations, 'annotation')} and ${plural(passthroughImages, 'image entry', 'image entries')} kept as imported`);
  return {
    images: plan.images.length,
    persons: plan.persons.length,
    byStatus,
    prelabelsLeftOut,
    skippedImagesLeftOut,
    personsOnSkippedLeftOut,
    passthroughAnnotations,
    passthroughImages,
    text: parts.join('; '),
  };
}
