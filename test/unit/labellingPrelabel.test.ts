/**
 * Pre-labelling (src/core/labelling/prelabel.ts): mappings from a model's layout to the skeleton, poses as persons
 * to correct, and the corrections per source, with every expected count worked out by hand below.
 */
import { describe, expect, it } from 'vitest';
import { layoutById } from '../../src/core/layouts';
import {
  acceptPerson,
  addPerson,
  correctionsSentence,
  deletePerson,
  emptyDocument,
  ensureImage,
  exportCoco,
  exportSummary,
  labelMapping,
  moveKeypoint,
  placedKeypoints,
  prelabelCorrections,
  prelabelImage,
  clearMappingTable,
  renameKeypoint,
  setBox,
  setMappingEntry,
  setImageStatus,
  setVisibility,
  skeletonFromCategory,
  skeletonFromLayout,
  type LabelDocument,
} from '../../src/core/labelling';
import type { Pose } from '../../src/core/types';

const COCO = layoutById('coco17');
const BLAZEPOSE = layoutById('blazepose33');
const skeleton = skeletonFromLayout(COCO, { id: 1, name: 'person', supercategory: 'person' });
const A = { fileName: 'a.jpg', widthPx: 640, heightPx: 480 };
const B = { fileName: 'b.jpg', widthPx: 640, heightPx: 480 };
const OPTIONS = { source: 'm1', sourceName: 'Model One', scoreThreshold: 0.5 };
const mapping = labelMapping(COCO, skeleton);

/** A COCO-17 pose: keypoint i at (x0 + dx·i, y0 + dy·i), score from `score(i)`. */
function pose(x0: number, y0: number, dx: number, dy: number, score: (i: number) => number = () => 0.9): Pose {
  return { score: 0.8, keypoints: COCO.keypointNames.map((name, i) => ({ name, x: x0 + dx * i, y: y0 + dy * i, score: score(i) })) };
}

// P1: keypoints 0–11 score 0.9, 12–16 score 0.2 (start absent). P2 and P3: all 17 at 0.9.
const P1 = pose(100, 100, 10, 20, (i) => (i < 12 ? 0.9 : 0.2));
const P2 = pose(400, 50, 5, 10);
const P3 = pose(100, 100, 10, 20);

const start = () => ensureImage(ensureImage(emptyDocument(skeleton), A), B);
const persons = (doc: LabelDocument, fileName: string) => doc.images[fileName]!.persons;

describe('labelMapping', () => {
  it('the same layout maps every keypoint to itself', () => {
    expect(mapping.sourceIndex).toEqual(COCO.keypointNames.map((_, i) => i));
    expect(mapping.unmapped).toEqual([]);
    expect(mapping.reason).toBeNull();
    expect(mapping.how).toBe('same layout');
  });

  it('BlazePose-33 maps into COCO-17 by keypoint name', () => {
    const m = labelMapping(BLAZEPOSE, skeleton);
    expect(m.how).toBe('by keypoint name');
    expect(m.sourceIndex.map((i) => BLAZEPOSE.keypointNames[i!])).toEqual(COCO.keypointNames);
  });

  it('names the model lacks are unmapped with a reason; a table fills or empties them', () => {
    const own = skeletonFromCategory({ id: 3, name: 'face', keypoints: ['nose', 'chin', 'left_eye'] }).skeleton!;
    const m = labelMapping(COCO, own);
    expect(m.sourceIndex).toEqual([0, null, 1]);
    expect(m.unmapped).toEqual(['chin']);
    expect(m.reasons['chin']).toMatch(/COCO-17 body has no keypoint named chin/);
    expect(m.reason).toMatch(/gives nothing for chin/);
    const table = labelMapping(COCO, own, { chin: 'nose', left_eye: null });
    expect(table.sourceIndex).toEqual([0, 0, null]);
    expect(table.unmapped).toEqual(['left_eye']);
    expect(table.how).toBe('your table');
    expect(labelMapping(COCO, own, { chin: 'jaw' }).reasons['chin']).toMatch(/"jaw", which COCO-17 body does not have/);
  });
});

describe('prelabelImage', () => {
  it('one person per pose: scores below the threshold absent (keeping the guess), box from the labelled extent + 1/8 a side', () => {
    const doc = prelabelImage(start(), A.fileName, [P1], mapping, OPTIONS);
    const [p] = persons(doc, A.fileName);
    expect(p!.keypoints.filter((k) => k.v === 2)).toHaveLength(12);
    expect(p!.keypoints[12]).toEqual({ x: 220, y: 340, v: 0 });
    // Labelled extent x 100…210, y 100…320 (110 × 220); 1/8 of it each side: 137.5 × 275 around (155, 210).
    expect(p!.box).toEqual([86.25, 72.5, 137.5, 275]);
    expect(p!.reviewed.some(Boolean)).toBe(false);
    expect(p!.origin).toMatchObject({ kind: 'prelabel', source: 'm1', sourceName: 'Model One', scoreThreshold: 0.5, score: 0.8, initialBox: p!.box });
    expect(p!.origin.kind === 'prelabel' && p!.origin.initial).toEqual(p!.keypoints);
  });

  it('keypoints outside the image start absent; a pose with nothing above the threshold gives no person', () => {
    const outside = pose(-50, 10, 20, 20);
    const doc = prelabelImage(start(), A.fileName, [outside, pose(300, 300, 1, 1, () => 0.1)], mapping, OPTIONS);
    expect(persons(doc, A.fileName)).toHaveLength(1);
    const [p] = persons(doc, A.fileName);
    expect(p!.keypoints.slice(0, 3)).toEqual([
      { x: 0, y: 10, v: 0 },
      { x: 0, y: 30, v: 0 },
      { x: 0, y: 50, v: 0 },
    ]);
    expect(p!.keypoints[3]!.v).toBe(2);
  });

  it('replaces untouched pre-labels, keeps touched, drawn and deleted judgements, and does not duplicate them', () => {
    let doc = prelabelImage(start(), A.fileName, [P1, P2], mapping, OPTIONS);
    const [p1, p2] = persons(doc, A.fileName);
    doc = moveKeypoint(doc, A.fileName, p1!.key, 0, { x: 103, y: 104 });
    doc = deletePerson(doc, A.fileName, p2!.key);
    doc = addPerson(doc, A.fileName, [10, 10, 50, 50]).doc;
    // Same poses again: P1 is the touched person and P2 was deleted, so nothing is added or replaced.
    expect(prelabelImage(doc, A.fileName, [P1, P2], mapping, OPTIONS)).toBe(doc);
    // On B an untouched pre-label is replaced by a new run (here another source's).
    let b = prelabelImage(doc, B.fileName, [P3], mapping, OPTIONS);
    const first = persons(b, B.fileName)[0]!;
    b = prelabelImage(b, B.fileName, [P3], mapping, { ...OPTIONS, source: 'm2', sourceName: 'Model Two' });
    expect(persons(b, B.fileName)).toHaveLength(1);
    expect(persons(b, B.fileName)[0]!.key).not.toBe(first.key);
    expect(persons(b, B.fileName)[0]!.origin).toMatchObject({ source: 'm2' });
    // A pre-label whose box was fixed is touched, too.
    const boxed = setBox(b, B.fileName, persons(b, B.fileName)[0]!.key, [90, 90, 200, 350]);
    expect(prelabelImage(boxed, B.fileName, [pose(500, 10, 1, 1)], mapping, OPTIONS).images[B.fileName]!.persons).toHaveLength(2);
  });

  it("a pre-label's box follows its keypoints until someone sets it", () => {
    let doc = prelabelImage(start(), A.fileName, [P1], mapping, OPTIONS);
    const key = persons(doc, A.fileName)[0]!.key;
    // Keypoint 11 (210, 320) moved to (260, 420): extent x 100…260, y 100…420 (160 × 320) + 1/8 a side.
    doc = moveKeypoint(doc, A.fileName, key, 11, { x: 260, y: 420 });
    expect(persons(doc, A.fileName)[0]!.box).toEqual([80, 60, 200, 400]);
    doc = setBox(doc, A.fileName, key, [50, 50, 300, 400]);
    doc = moveKeypoint(doc, A.fileName, key, 11, { x: 200, y: 300 });
    expect(persons(doc, A.fileName)[0]!.box).toEqual([50, 50, 300, 400]);
  });

  it('keeps untouched pre-labels on an image marked done (done vouches for them)', () => {
    const doc = setImageStatus(prelabelImage(start(), A.fileName, [P1], mapping, OPTIONS), A.fileName, 'done');
    expect(prelabelImage(doc, A.fileName, [P1], mapping, OPTIONS)).toBe(doc);
  });

  it('does nothing for an image not in the document or a mapping for another skeleton', () => {
    const doc = start();
    expect(prelabelImage(doc, 'nope.jpg', [P1], mapping, OPTIONS)).toBe(doc);
    const other = labelMapping(COCO, skeletonFromCategory({ id: 3, name: 'x', keypoints: ['nose'] }).skeleton!);
    expect(prelabelImage(doc, A.fileName, [P1], other, OPTIONS)).toBe(doc);
  });
});

describe('prelabelCorrections', () => {
  /**
   * Image A: P1 (12 keypoints placed by the model) gets keypoint 0 moved by (3, 4), keypoint 1 re-marked occluded,
   * keypoint 2 marked absent, keypoint 12 (absent, score 0.2) placed, and is accepted; P2 (17 placed) is deleted; a
   * person is drawn with 2 keypoints. Image B: P3 (17 placed) untouched, B still to do.
   */
  function corrected(): LabelDocument {
    let doc = prelabelImage(start(), A.fileName, [P1, P2], mapping, OPTIONS);
    doc = prelabelImage(doc, B.fileName, [P3], mapping, OPTIONS);
    const [p1, p2] = persons(doc, A.fileName);
    doc = moveKeypoint(doc, A.fileName, p1!.key, 0, { x: 103, y: 104 });
    doc = setVisibility(doc, A.fileName, p1!.key, 1, 1);
    doc = setVisibility(doc, A.fileName, p1!.key, 2, 0);
    doc = moveKeypoint(doc, A.fileName, p1!.key, 12, { x: 220, y: 340 });
    doc = acceptPerson(doc, A.fileName, p1!.key);
    doc = deletePerson(doc, A.fileName, p2!.key);
    const drawn = addPerson(doc, A.fileName, [10, 10, 50, 50]);
    doc = moveKeypoint(drawn.doc, A.fileName, drawn.key!, 0, { x: 20, y: 20 });
    doc = moveKeypoint(doc, A.fileName, drawn.key!, 1, { x: 30, y: 30 });
    return doc;
  }

  it('counts what the labeller judged (the untouched image B is not a verdict yet)', () => {
    const [c] = prelabelCorrections(corrected());
    // P1: 12 placed = 9 unchanged + 2 moved (0 moved, 1 re-marked) + 1 removed (2); 1 added (12).
    // P2 deleted: its 17 placed keypoints removed. Drawn person: 2 added.
    expect(c).toMatchObject({
      source: 'm1',
      sourceName: 'Model One',
      images: 1,
      persons: 2,
      personsDeleted: 1,
      personsAdded: 1,
      keypoints: { unchanged: 9, moved: 2, added: 3, removed: 18 },
    });
    expect(placedKeypoints(c!)).toBe(29);
    // OKS over P1's 11 keypoints both labelled: keypoint 0 is 5 px off, the other 10 (keypoint 1 only re-marked) 0 px;
    // nose sigma 0.026 (κ = 2σ). Scale: the corrected box, which followed the keypoints (nobody set it): labelled
    // extent x 103…220, y 104…340 (117 × 236), plus 1/8 each side: 146.25 × 295.
    const p1 = corrected().images[A.fileName]!.persons[0]!;
    expect(p1.box).toEqual([88.375, 74.5, 146.25, 295]);
    const area = 146.25 * 295;
    const expected = (Math.exp(-25 / (2 * 0.052 ** 2 * area)) + 10) / 11;
    expect(c!.movedPersonOks).toHaveLength(1);
    expect(c!.movedPersonOks[0]).toBeCloseTo(expected, 12);
    expect(c!.medianMovedOks).toBeCloseTo(expected, 12);
  });

  it('an image marked done vouches for its untouched pre-labels', () => {
    const doc = setImageStatus(corrected(), B.fileName, 'done');
    const [c] = prelabelCorrections(doc);
    // + P3: 17 unchanged, one more person and image. Placed: 26 unchanged + 2 moved + 18 removed = 46.
    expect(c).toMatchObject({ images: 2, persons: 3, personsDeleted: 1, personsAdded: 1, keypoints: { unchanged: 26, moved: 2, added: 3, removed: 18 } });
    expect(placedKeypoints(c!)).toBe(46);
    // 2 / 46 = 4.3 %, 18 / 46 = 39.1 %.
    expect(correctionsSentence(c!)).toMatch(/^Model One needed 4% of keypoints moved on 2 images \(2 of the 46 keypoints it placed; 39% removed; 3 added; 1 of 3 persons deleted; 1 drawn; median OKS 0\.99 /);
  });

  it('keeps sources apart', () => {
    let doc = prelabelImage(start(), A.fileName, [P1], mapping, OPTIONS);
    doc = prelabelImage(doc, B.fileName, [P3], mapping, { ...OPTIONS, source: 'm2', sourceName: 'Model Two' });
    doc = acceptPerson(doc, A.fileName, persons(doc, A.fileName)[0]!.key);
    doc = acceptPerson(doc, B.fileName, persons(doc, B.fileName)[0]!.key);
    const all = prelabelCorrections(doc);
    expect(all.map((c) => [c.source, c.keypoints.unchanged, c.persons])).toEqual([
      ['m1', 12, 1],
      ['m2', 17, 1],
    ]);
    expect(correctionsSentence(all[1]!)).toMatch(/^Model Two needed 0% of keypoints moved on 1 image \(/);
  });

  it('the export leaves out untouched pre-labels on images still to do, and says so', () => {
    const doc = corrected();
    const out = exportCoco(doc) as { annotations: { image_id: number }[]; images: { file_name: string }[] };
    // A: P1 and the drawn person. B: its only person is an untouched pre-label, so B is not listed either.
    expect(out.images.map((im) => im.file_name)).toEqual(['a.jpg']);
    expect(out.annotations).toHaveLength(2);
    const summary = exportSummary(doc);
    expect(summary).toMatchObject({ images: 1, persons: 2, prelabelsLeftOut: 1, byStatus: { todo: 2, done: 0, skipped: 0 } });
    expect(summary.text).toBe('1 image and 2 persons (images here: 0 done, 2 to do, 0 skipped); 1 pre-labelled person nobody reviewed left out');
  });
});

describe('mapping tables in the document', () => {
  it('setMappingEntry records a choice per model layout that labelMapping then follows, and pre-labelling uses it', () => {
    let doc = renameKeypoint(start(), 0, 'snout');
    expect(labelMapping(COCO, doc.skeleton, doc.mappingTables?.[COCO.id]).sourceIndex[0]).toBeNull();
    doc = setMappingEntry(doc, COCO.id, 'snout', 'left_eye');
    doc = setMappingEntry(doc, COCO.id, 'right_ankle', null);
    expect(doc.mappingTables).toEqual({ coco17: { snout: 'left_eye', right_ankle: null } });
    const m = labelMapping(COCO, doc.skeleton, doc.mappingTables?.[COCO.id]);
    expect(m.sourceIndex[0]).toBe(COCO.keypointNames.indexOf('left_eye'));
    expect(m.sourceIndex[16]).toBeNull();
    expect(m.sourceIndex.slice(1, 16)).toEqual(COCO.keypointNames.slice(1, 16).map((_, i) => i + 1));
    expect(m.how).toBe('your table');
    const labelled = prelabelImage(doc, A.fileName, [P3], m, OPTIONS);
    const kp = persons(labelled, A.fileName)[0]!.keypoints;
    expect(kp[0]).toEqual({ x: P3.keypoints[1]!.x, y: P3.keypoints[1]!.y, v: 2 });
    expect(kp[16]!.v).toBe(0);
  });

  it('unchanged entries and unknown label keypoints are no edit; clearMappingTable forgets one layout', () => {
    const doc = setMappingEntry(start(), COCO.id, 'nose', 'nose');
    expect(setMappingEntry(doc, COCO.id, 'nose', 'nose')).toBe(doc);
    expect(setMappingEntry(doc, COCO.id, 'tail', 'nose')).toBe(doc);
    const two = setMappingEntry(doc, BLAZEPOSE.id, 'nose', 'nose');
    expect(clearMappingTable(two, COCO.id).mappingTables).toEqual({ [BLAZEPOSE.id]: { nose: 'nose' } });
    expect(clearMappingTable(start(), COCO.id)).toEqual(start());
    // App data: the export has no trace of it.
    expect(JSON.stringify(exportCoco(two))).toBe(JSON.stringify(exportCoco(start())));
  });
});
