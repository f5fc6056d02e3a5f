/**
 * Pre-labelling: a model's poses as persons to correct, and afterwards how much of them the labeller kept, per
 * source ("BlazePose heavy needed 31% of keypoints moved on 12 images" is a verdict on the model by itself).
 */
import { layoutMapping, type KeypointLayout } from '../layouts';
import { keypointOks } from '../metrics/oks';
import type { Pose } from '../types';
import { isJudged } from './labelEdits';
import { boxIou, flatKeypoints, keypointBox, personAreaPx2 } from './labelGeometry';
import { skeletonLayout } from './labelSkeleton';
import type { LabelDocument, LabelKeypoint, LabelPerson, LabelSkeleton, PrelabelCorrections } from './labelTypes';

/** Which model keypoint fills each label keypoint. */
export interface LabelMapping {
  modelLayoutId: string;
  /** Per label keypoint (skeleton order), the model keypoint's index, or null: it starts absent. */
  sourceIndex: readonly (number | null)[];
  /** Label keypoint names no model keypoint fills. */
  unmapped: readonly string[];
  /** Per unmapped name, why. */
  reasons: Readonly<Record<string, string>>;
  /** One sentence about the unmapped ones for the UI; null when every keypoint is filled. */
  reason: string | null;
  /** How the mapped ones were found: 'same layout', 'by keypoint name', a table's description, 'your table'. */
  how: string;
}

/**
 * The mapping from a model's layout to the skeleton. Per label keypoint: the user's `table` entry when it has one
 * (label name → model name, or null for "none"), else core/layouts' mapping when one covers the whole skeleton
 * (the same layout, a MAPPING_TABLES entry, every name present), else the model keypoint of the same name.
 */
export function labelMapping(modelLayout: KeypointLayout, skeleton: LabelSkeleton, table?: Readonly<Record<string, string | null>>): LabelMapping {
  const names = skeleton.keypointNames;
  const whole = layoutMapping(modelLayout, skeletonLayout(skeleton));
  const sourceIndex: (number | null)[] = [];
  const reasons: Record<string, string> = {};
  let fromTable = false;
  names.forEach((name, i) => {
    if (table && Object.hasOwn(table, name)) {
      fromTable = true;
      const modelName = table[name];
      if (modelName === null || modelName === undefined) {
        reasons[name] = `your table maps ${name} to no ${modelLayout.displayName} keypoint`;
        sourceIndex.push(null);
        return;
      }
      const index = modelLayout.keypointNames.indexOf(modelName);
      if (index < 0) reasons[name] = `your table maps ${name} to "${modelName}", which ${modelLayout.displayName} does not have`;
      sourceIndex.push(index < 0 ? null : index);
      return;
    }
    const index = whole ? (whole.sourceIndex[i] ?? -1) : modelLayout.keypointNames.indexOf(name);
    if (index < 0) reasons[name] = `${modelLayout.displayName} has no keypoint named ${name}`;
    sourceIndex.push(index < 0 ? null : index);
  });
  const unmapped = names.filter((name) => reasons[name] !== undefined);
  const listed = unmapped.slice(0, 4).join(', ') + (unmapped.length > 4 ? `, … (${unmapped.length} in all)` : '');
  return {
    modelLayoutId: modelLayout.id,
    sourceIndex,
    unmapped,
    reasons,
    reason:
      unmapped.length === 0
        ? null
        : `${modelLayout.displayName} gives nothing for ${listed}: ${unmapped.length === 1 ? 'it starts' : 'they start'} absent (a mapping table can say which model keypoint to use)`,
    how: fromTable ? 'your table' : (whole?.how ?? 'by keypoint name'),
  };
}

/**
 * The user's choice for one label keypoint when pre-labelling from `modelLayoutId`: the model keypoint `modelName`,
 * or null (none: it starts absent). Same document when the label keypoint does not exist or the entry is unchanged.
 */
export function setMappingEntry(doc: LabelDocument, modelLayoutId: string, labelName: string, modelName: string | null): LabelDocument {
  if (!doc.skeleton.keypointNames.includes(labelName)) return doc;
  const table = doc.mappingTables?.[modelLayoutId] ?? {};
  if (Object.hasOwn(table, labelName) && table[labelName] === modelName) return doc;
  return { ...doc, mappingTables: { ...doc.mappingTables, [modelLayoutId]: { ...table, [labelName]: modelName } } };
}

/** Forgets the user's choices for `modelLayoutId`: every label keypoint is filled by name again. */
export function clearMappingTable(doc: LabelDocument, modelLayoutId: string): LabelDocument {
  if (!doc.mappingTables || !Object.hasOwn(doc.mappingTables, modelLayoutId)) return doc;
  const { [modelLayoutId]: _dropped, ...rest } = doc.mappingTables;
  return { ...doc, mappingTables: rest };
}

export interface PrelabelOptions {
  source: string;
  sourceName: string;
  /** Keypoints scoring below it start absent (v = 0). */
  scoreThreshold: number;
}

/** A pose whose box overlaps a kept person's this much is that person again (a re-run), not a new one: COCO's loosest match. */
const SAME_PERSON_IOU = 0.5;

/** A pose as label keypoints: mapped, scored keypoints visible; below the threshold, unmapped or outside the image absent. */
function poseKeypoints(pose: Pose, mapping: LabelMapping, threshold: number, size: { widthPx: number; heightPx: number }): LabelKeypoint[] {
  return mapping.sourceIndex.map((index): LabelKeypoint => {
    const k = index === null ? undefined : pose.keypoints[index];
    if (!k || !Number.isFinite(k.x) || !Number.isFinite(k.y)) return { x: 0, y: 0, v: 0 };
    const inside = k.x >= 0 && k.y >= 0 && k.x <= size.widthPx && k.y <= size.heightPx;
    // Absent keypoints keep the model's guess (clamped into the image): marking one visible brings it back there.
    const x = Math.min(Math.max(k.x, 0), size.widthPx);
    const y = Math.min(Math.max(k.y, 0), size.heightPx);
    return { x, y, v: inside && k.score >= threshold ? 2 : 0 };
  });
}

/**
 * Pre-labels an image with a model's poses: its pre-labelled persons nobody touched are replaced (unless the image
 * is marked done, which vouches for them); imported, drawn and touched persons stay, and a pose that overlaps one of them or a deleted pre-label (box IoU ≥ 0.5) is not
 * added again. One person
 * per other pose, with keypoints scoring below the threshold (or unmapped, or outside the image) absent, and the box
 * from the labelled keypoints (keypointBox: their extent plus an eighth each side, as COCO's boxes hold the outline
 * around the joints). A pose with no keypoint at or above the threshold gives no person. Same document when the
 * image is not in it, the mapping is for another skeleton, or nothing changes.
 */
export function prelabelImage(doc: LabelDocument, fileName: string, poses: readonly Pose[], mapping: LabelMapping, options: PrelabelOptions): LabelDocument {
  const image = doc.images[fileName];
  if (!image || mapping.sourceIndex.length !== doc.skeleton.keypointNames.length) return doc;
  const kept = image.persons.filter((p) => isJudged(p, image));
  const replaced = image.persons.length - kept.length;
  let nextKey = doc.nextPersonKey;
  const added: LabelPerson[] = [];
  for (const pose of poses) {
    const keypoints = poseKeypoints(pose, mapping, options.scoreThreshold, image);
    const box = keypointBox(keypoints, image);
    if (!box) continue;
    // A pose the labeller already has (kept), or deleted as wrong, is not offered again by a re-run.
    if (kept.some((p) => boxIou(p.box, box) >= SAME_PERSON_IOU) || image.deletedPrelabels.some((p) => p.origin.kind === 'prelabel' && boxIou(p.origin.initialBox, box) >= SAME_PERSON_IOU)) continue;
    added.push({
      key: `p${nextKey++}`,
      annotationId: null,
      box,
      keypoints,
      reviewed: keypoints.map(() => false),
      origin: {
        kind: 'prelabel',
        source: options.source,
        sourceName: options.sourceName,
        scoreThreshold: options.scoreThreshold,
        score: Number.isFinite(pose.score) ? pose.score : null,
        initial: keypoints,
        initialBox: box,
      },
      importedFields: null,
    });
  }
  if (replaced === 0 && added.length === 0) return doc;
  return { ...doc, nextPersonKey: nextKey, images: { ...doc.images, [fileName]: { ...image, persons: [...kept, ...added] } } };
}

const median = (values: readonly number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * OKS of a pre-label against its correction: the correction is the ground truth, the pre-label the prediction,
 * over the keypoints both labelled (added and removed ones are counted apart), with the skeleton's sigmas and the
 * corrected person's area as scale: personAreaPx2, which for a person made here is its box's width × height, the
 * `area` the export writes, so this is the OKS COCOeval would give the pre-label against the exported label.
 */
function prelabelOks(person: LabelPerson, initial: readonly LabelKeypoint[], sigmas: readonly number[]): number | null {
  const both = person.keypoints.map((k, i) => (initial[i]!.v > 0 ? k : { ...k, v: 0 as const }));
  return keypointOks(
    flatKeypoints(both),
    initial.map((k) => [k.x, k.y] as const),
    personAreaPx2(person),
    sigmas,
  );
}

/**
 * Per pre-label source, how the labeller corrected it, over the persons the labeller judged: touched ones, every
 * pre-label on an image marked done, and deleted ones (untouched pre-labels on other images are not a verdict yet).
 * Per keypoint either side labelled: unchanged (same x, y and v), moved (position or visible/occluded changed),
 * removed (labelled by the model, absent after; every labelled keypoint of a deleted person) and added (absent in the
 * pre-label, placed by the labeller; the keypoints of persons drawn on images the source pre-labelled too).
 */
export function prelabelCorrections(doc: LabelDocument): PrelabelCorrections[] {
  const bySource = new Map<string, PrelabelCorrections & { movedPersonOks: number[]; imageNames: Set<string> }>();
  const entry = (origin: { source: string; sourceName: string }) => {
    let c = bySource.get(origin.source);
    if (!c) {
      c = {
        source: origin.source,
        sourceName: origin.sourceName,
        images: 0,
        persons: 0,
        personsDeleted: 0,
        personsAdded: 0,
        keypoints: { unchanged: 0, moved: 0, added: 0, removed: 0 },
        movedPersonOks: [],
        medianMovedOks: null,
        imageNames: new Set(),
      };
      bySource.set(origin.source, c);
    }
    return c;
  };
  for (const image of Object.values(doc.images)) {
    const sourcesHere = new Set<string>();
    for (const person of image.persons) {
      if (person.origin.kind !== 'prelabel' || !isJudged(person, image)) continue;
      const c = entry(person.origin);
      sourcesHere.add(c.source);
      c.imageNames.add(image.fileName);
      c.persons++;
      const initial = person.origin.initial;
      let moved = 0;
      person.keypoints.forEach((k, i) => {
        const before = initial[i];
        if (!before) return;
        if (before.v > 0 && k.v > 0) {
          if (before.x === k.x && before.y === k.y && before.v === k.v) c.keypoints.unchanged++;
          else moved++;
        } else if (before.v > 0) c.keypoints.removed++;
        else if (k.v > 0) c.keypoints.added++;
      });
      c.keypoints.moved += moved;
      if (moved > 0) {
        const oks = prelabelOks(person, initial, doc.skeleton.sigmas);
        if (oks !== null) c.movedPersonOks.push(oks);
      }
    }
    for (const person of image.deletedPrelabels) {
      if (person.origin.kind !== 'prelabel') continue;
      const c = entry(person.origin);
      sourcesHere.add(c.source);
      c.imageNames.add(image.fileName);
      c.persons++;
      c.personsDeleted++;
      c.keypoints.removed += person.origin.initial.filter((k) => k.v > 0).length;
    }
    for (const person of image.persons) {
      if (person.origin.kind !== 'drawn') continue;
      for (const source of sourcesHere) {
        const c = bySource.get(source)!;
        c.personsAdded++;
        c.keypoints.added += person.keypoints.filter((k) => k.v > 0).length;
      }
    }
  }
  return [...bySource.values()].map(({ imageNames, ...c }) => ({ ...c, images: imageNames.size, medianMovedOks: median(c.movedPersonOks) }));
}

/**
 * The keypoints the source placed that the labeller judged: unchanged + moved + removed (a deleted person's count as
 * removed). The denominator of the percentages: what share of the model's own output had to be fixed. Added keypoints
 * are not in it (the model did not place them); they are given as a count.
 */
export function placedKeypoints(c: PrelabelCorrections): number {
  return c.keypoints.unchanged + c.keypoints.moved + c.keypoints.removed;
}

const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;

/**
 * "BlazePose heavy needed 31% of keypoints moved on 12 images (…)": moved ÷ placedKeypoints, then removed and added,
 * persons deleted and added, and the median OKS of the moved persons.
 */
export function correctionsSentence(c: PrelabelCorrections): string {
  const placed = placedKeypoints(c);
  const images = `${c.images} image${c.images === 1 ? '' : 's'}`;
  if (placed === 0) return `${c.sourceName} placed no keypoint the labeller has judged yet on ${images}; ${c.keypoints.added} added by hand.`;
  const details = [
    `${c.keypoints.moved} of the ${placed} keypoints it placed`,
    `${percent(c.keypoints.removed, placed)} removed`,
    `${c.keypoints.added} added`,
    `${c.personsDeleted} of ${c.persons} person${c.persons === 1 ? '' : 's'} deleted`,
    `${c.personsAdded} drawn`,
  ];
  if (c.medianMovedOks !== null) details.push(`median OKS ${c.medianMovedOks.toFixed(2)} between pre-label and correction for the ${c.movedPersonOks.length} moved`);
  return `${c.sourceName} needed ${percent(c.keypoints.moved, placed)} of keypoints moved on ${images} (${details.join('; ')}).`;
}
