/**
 * Label mode's edits (src/core/labelling/labelEdits.ts) and undo/redo (labelHistory.ts): each edit returns a new
 * document and leaves its input as it was, returns the input itself when nothing changes, and marks what it
 * touched reviewed.
 */
import { describe, expect, it } from 'vitest';
import { layoutById } from '../../src/core/layouts';
import {
  HISTORY_LIMIT,
  acceptImage,
  acceptPerson,
  addPerson,
  canRedo,
  canUndo,
  commit,
  deletePerson,
  emptyDocument,
  ensureImage,
  isJudged,
  isTouched,
  markReviewed,
  moveKeypoint,
  redo,
  setBox,
  setImageStatus,
  setVisibility,
  skeletonFromLayout,
  startHistory,
  undo,
  type LabelDocument,
} from '../../src/core/labelling';

const skeleton = skeletonFromLayout(layoutById('coco17'), { id: 1, name: 'person', supercategory: 'person' });
const IMAGE = { fileName: 'photos/a.jpg', widthPx: 640, heightPx: 480 };

/** A document with one image and one drawn person; deep-frozen so an edit that mutates its input throws. */
function withPerson(): { doc: LabelDocument; key: string } {
  const { doc, key } = addPerson(ensureImage(emptyDocument(skeleton), IMAGE), IMAGE.fileName, [100, 50, 200, 300]);
  return { doc: deepFreeze(doc), key: key! };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const person = (doc: LabelDocument, key: string) => doc.images[IMAGE.fileName]!.persons.find((p) => p.key === key)!;

describe('documents and images', () => {
  it('starts empty and takes each image once', () => {
    const empty = emptyDocument(skeleton);
    expect(empty.images).toEqual({});
    const doc = ensureImage(empty, IMAGE);
    expect(doc.images[IMAGE.fileName]).toMatchObject({ fileName: 'photos/a.jpg', widthPx: 640, heightPx: 480, status: 'todo', persons: [], cocoImageId: null, importedFields: null });
    expect(ensureImage(doc, IMAGE)).toBe(doc);
    expect(empty.images).toEqual({});
  });

  it('leaves an image it does not hold alone', () => {
    const doc = emptyDocument(skeleton);
    expect(addPerson(doc, 'nope.jpg', [0, 0, 10, 10])).toEqual({ doc, key: null });
    expect(setImageStatus(doc, 'nope.jpg', 'done')).toBe(doc);
    expect(acceptImage(doc, 'nope.jpg')).toBe(doc);
  });
});

describe('addPerson', () => {
  it('adds a drawn person with every keypoint absent and a normalised box', () => {
    const doc = ensureImage(emptyDocument(skeleton), IMAGE);
    // Drawn from bottom-right to top-left, and past the image's right edge.
    const { doc: next, key } = addPerson(doc, IMAGE.fileName, [700, 300, -200, -100]);
    const p = next.images[IMAGE.fileName]!.persons[0]!;
    expect(p.key).toBe(key);
    expect(p.box).toEqual([500, 200, 140, 100]);
    expect(p.keypoints).toHaveLength(17);
    expect(p.keypoints.every((k) => k.v === 0)).toBe(true);
    expect(p.reviewed.every((r) => !r)).toBe(true);
    expect(p.origin).toEqual({ kind: 'drawn' });
    expect(p.annotationId).toBeNull();
    expect(next.nextPersonKey).toBe(doc.nextPersonKey + 1);
    expect(doc.images[IMAGE.fileName]!.persons).toEqual([]);
  });
});

describe('moveKeypoint', () => {
  it('places an absent keypoint as visible and marks it reviewed', () => {
    const { doc, key } = withPerson();
    const next = moveKeypoint(doc, IMAGE.fileName, key, 3, { x: 150, y: 100 });
    expect(person(next, key).keypoints[3]).toEqual({ x: 150, y: 100, v: 2 });
    expect(person(next, key).reviewed.map((r, i) => (r ? i : -1)).filter((i) => i >= 0)).toEqual([3]);
    expect(person(doc, key).keypoints[3]).toEqual({ x: 0, y: 0, v: 0 });
  });

  it('keeps an occluded keypoint occluded, clamps to the image, and leaves a drawn box as drawn', () => {
    const { doc, key } = withPerson();
    const occluded = setVisibility(doc, IMAGE.fileName, key, 0, 1);
    const moved = moveKeypoint(occluded, IMAGE.fileName, key, 0, { x: 700, y: -20 });
    expect(person(moved, key).keypoints[0]).toEqual({ x: 640, y: 0, v: 1 });
    expect(person(moved, key).box).toEqual([100, 50, 200, 300]);
  });

  it('returns the same document when nothing changes', () => {
    const { doc, key } = withPerson();
    const once = moveKeypoint(doc, IMAGE.fileName, key, 3, { x: 150, y: 100 });
    expect(moveKeypoint(once, IMAGE.fileName, key, 3, { x: 150, y: 100 })).toBe(once);
    expect(moveKeypoint(once, IMAGE.fileName, 'no-such-person', 3, { x: 1, y: 1 })).toBe(once);
    expect(moveKeypoint(once, IMAGE.fileName, key, 99, { x: 1, y: 1 })).toBe(once);
  });
});

describe('setVisibility', () => {
  it('marks visible, occluded, absent; absent keeps the position so marking it again brings it back', () => {
    const { doc, key } = withPerson();
    const placed = moveKeypoint(doc, IMAGE.fileName, key, 5, { x: 120, y: 200 });
    const occluded = setVisibility(placed, IMAGE.fileName, key, 5, 1);
    expect(person(occluded, key).keypoints[5]).toEqual({ x: 120, y: 200, v: 1 });
    const absent = setVisibility(occluded, IMAGE.fileName, key, 5, 0);
    expect(person(absent, key).keypoints[5]).toEqual({ x: 120, y: 200, v: 0 });
    const back = setVisibility(absent, IMAGE.fileName, key, 5, 2);
    expect(person(back, key).keypoints[5]).toEqual({ x: 120, y: 200, v: 2 });
    expect(setVisibility(back, IMAGE.fileName, key, 5, 2)).toBe(back);
  });

  it('puts a keypoint that never had a position at the box centre, reviewed', () => {
    const { doc, key } = withPerson();
    const next = setVisibility(doc, IMAGE.fileName, key, 7, 2);
    expect(person(next, key).keypoints[7]).toEqual({ x: 200, y: 200, v: 2 });
    expect(person(next, key).reviewed[7]).toBe(true);
  });

  it('marking an unreviewed absent keypoint absent still reviews it', () => {
    const { doc, key } = withPerson();
    const next = setVisibility(doc, IMAGE.fileName, key, 2, 0);
    expect(next).not.toBe(doc);
    expect(person(next, key).reviewed[2]).toBe(true);
    expect(setVisibility(next, IMAGE.fileName, key, 2, 0)).toBe(next);
  });
});

describe('setBox, deletePerson, accept, status', () => {
  it('normalises and clamps a box; same document when it is the same', () => {
    const { doc, key } = withPerson();
    const next = setBox(doc, IMAGE.fileName, key, [-10, 400, 50, 200]);
    expect(person(next, key).box).toEqual([0, 400, 40, 80]);
    expect(setBox(next, IMAGE.fileName, key, [0, 400, 40, 80])).toBe(next);
  });

  it('deletes a drawn person outright', () => {
    const { doc, key } = withPerson();
    const next = deletePerson(doc, IMAGE.fileName, key);
    expect(next.images[IMAGE.fileName]!.persons).toEqual([]);
    expect(next.images[IMAGE.fileName]!.deletedPrelabels).toEqual([]);
    expect(deletePerson(next, IMAGE.fileName, key)).toBe(next);
  });

  it('accepts a person, then an image (every keypoint reviewed, status done)', () => {
    const { doc, key } = withPerson();
    const second = addPerson(doc, IMAGE.fileName, [10, 10, 50, 50]);
    const accepted = acceptPerson(second.doc, IMAGE.fileName, key);
    expect(person(accepted, key).reviewed.every(Boolean)).toBe(true);
    expect(person(accepted, second.key!).reviewed.some(Boolean)).toBe(false);
    expect(acceptPerson(accepted, IMAGE.fileName, key)).toBe(accepted);
    const done = acceptImage(accepted, IMAGE.fileName);
    expect(done.images[IMAGE.fileName]!.status).toBe('done');
    expect(done.images[IMAGE.fileName]!.persons.every((p) => p.reviewed.every(Boolean))).toBe(true);
    expect(acceptImage(done, IMAGE.fileName)).toBe(done);
  });

  it('marks one keypoint or all reviewed without moving them', () => {
    const { doc, key } = withPerson();
    const one = markReviewed(doc, IMAGE.fileName, key, 4);
    expect(person(one, key).reviewed.filter(Boolean)).toHaveLength(1);
    expect(person(one, key).keypoints).toEqual(person(doc, key).keypoints);
    expect(markReviewed(one, IMAGE.fileName, key, 4)).toBe(one);
    expect(person(markReviewed(one, IMAGE.fileName, key), key).reviewed.every(Boolean)).toBe(true);
  });

  it('sets an image status; same document when unchanged', () => {
    const { doc } = withPerson();
    const skipped = setImageStatus(doc, IMAGE.fileName, 'skipped');
    expect(skipped.images[IMAGE.fileName]!.status).toBe('skipped');
    expect(setImageStatus(skipped, IMAGE.fileName, 'skipped')).toBe(skipped);
    expect(setImageStatus(skipped, IMAGE.fileName, 'todo').images[IMAGE.fileName]!.status).toBe('todo');
  });

  it('a drawn person is always touched and judged', () => {
    const { doc, key } = withPerson();
    expect(isTouched(person(doc, key))).toBe(true);
    expect(isJudged(person(doc, key), doc.images[IMAGE.fileName]!)).toBe(true);
  });
});

describe('history', () => {
  it('undoes and redoes every edit; a new edit drops the redo list', () => {
    const { doc, key } = withPerson();
    let h = startHistory(doc);
    expect(canUndo(h)).toBe(false);
    const a = moveKeypoint(doc, IMAGE.fileName, key, 0, { x: 110, y: 60 });
    const b = setVisibility(a, IMAGE.fileName, key, 0, 1);
    h = commit(commit(h, a), b);
    expect(h.present).toBe(b);
    h = undo(h);
    expect(h.present).toBe(a);
    expect(canRedo(h)).toBe(true);
    h = undo(h);
    expect(h.present).toBe(doc);
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe(a);
    const c = deletePerson(a, IMAGE.fileName, key);
    h = commit(h, c);
    expect(canRedo(h)).toBe(false);
    expect(redo(h)).toBe(h);
    expect(undo(h).present).toBe(a);
  });

  it('joins a run of edits with the same merge key into one undo step, and starts a new one after another edit or an undo', () => {
    const { doc, key } = withPerson();
    let h = startHistory(doc);
    const first = setVisibility(doc, IMAGE.fileName, key, 0, 2);
    h = commit(h, first);
    let moved = first;
    for (let i = 1; i <= 10; i++) {
      moved = moveKeypoint(moved, IMAGE.fileName, key, 0, { x: 100 + i, y: 60 });
      h = commit(h, moved, undefined, 'nudge:0');
    }
    expect(h.present).toBe(moved);
    expect(h.past).toHaveLength(2);
    expect(undo(h).present).toBe(first);
    // Another key, then the first again: three separate steps.
    const other = moveKeypoint(moved, IMAGE.fileName, key, 1, { x: 5, y: 5 });
    h = commit(h, other, undefined, 'nudge:1');
    const again = moveKeypoint(other, IMAGE.fileName, key, 0, { x: 90, y: 60 });
    h = commit(h, again, undefined, 'nudge:0');
    expect(h.past).toHaveLength(4);
    // After an undo the same key does not merge into the step the undo brought back.
    h = undo(h);
    const afterUndo = moveKeypoint(h.present, IMAGE.fileName, key, 0, { x: 80, y: 60 });
    h = commit(h, afterUndo, undefined, 'nudge:1');
    expect(h.past).toHaveLength(4);
    expect(undo(h).present).toBe(other);
  });

  it('records no step for the same document', () => {
    const h = startHistory(emptyDocument(skeleton));
    expect(commit(h, h.present)).toBe(h);
  });

  it(`keeps at most ${HISTORY_LIMIT} steps, dropping the oldest`, () => {
    const start = ensureImage(emptyDocument(skeleton), IMAGE);
    let h = startHistory(start);
    let doc = start;
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) {
      doc = addPerson(doc, IMAGE.fileName, [i, i, 10, 10]).doc;
      h = commit(h, doc);
    }
    expect(h.past).toHaveLength(HISTORY_LIMIT);
    let steps = 0;
    while (canUndo(h)) {
      h = undo(h);
      steps++;
    }
    expect(steps).toBe(HISTORY_LIMIT);
    expect(h.present.images[IMAGE.fileName]!.persons).toHaveLength(20);
  });
});
