/**
 * Label skeletons (src/core/labelling/labelSkeleton.ts): from layouts and COCO categories, as layouts, edited with
 * the persons following, checked, and OKS sigmas estimated the way COCO derived its own.
 */
import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../src/core/coco/parseGroundTruth';
import { UNIFORM_SIGMA, groundTruthLayout, layoutById } from '../../src/core/layouts';
import { COCO_KEYPOINT_SIGMAS } from '../../src/core/metrics/oks';
import {
  addEdge,
  addKeypoint,
  addPerson,
  clearMirrorPair,
  deletePerson,
  emptyDocument,
  ensureImage,
  estimateSigmas,
  exportsSigmas,
  keypointNameProblem,
  moveKeypoint,
  pairTwiceLabelled,
  prelabelImage,
  labelMapping,
  removeEdge,
  removeKeypoint,
  renameKeypoint,
  setCategory,
  setMappingEntry,
  setMirrorPair,
  setSigma,
  setSigmas,
  setUniformSigmas,
  skeletonCategory,
  skeletonFromCategory,
  skeletonFromLayout,
  skeletonLayout,
  skeletonWarnings,
  validateSkeleton,
  type LabelDocument,
  type LabelKeypoint,
  type LabelSkeleton,
  type TwiceLabelledPair,
} from '../../src/core/labelling';
import type { Pose } from '../../src/core/types';

const COCO = layoutById('coco17');
const person = skeletonFromLayout(COCO, { id: 1, name: 'person', supercategory: 'person' });
const IMAGE = { fileName: 'a.jpg', widthPx: 400, heightPx: 400 };

/** A three-keypoint skeleton: a, left_b, right_b (a mirror pair), bones a–left_b, a–right_b. */
function tiny(): LabelSkeleton {
  const { skeleton } = skeletonFromCategory({ id: 7, name: 'thing', supercategory: 'things', keypoints: ['a', 'left_b', 'right_b'], skeleton: [[1, 2], [1, 3]] });
  return skeleton!;
}

describe('skeletonFromLayout / skeletonFromCategory', () => {
  it('the person skeleton is COCO-17 with COCO published sigmas', () => {
    expect(person.keypointNames).toEqual(COCO.keypointNames);
    expect(person.sigmas).toEqual(COCO_KEYPOINT_SIGMAS);
    expect(person.sigmaSource.kind).toBe('published');
    expect(person.mirror[1]).toBe(2);
    expect(validateSkeleton(person)).toEqual([]);
    expect(skeletonWarnings(person)).toEqual([]);
  });

  it("a COCO category: 1-based skeleton, mirror by name, COCO's sigmas for COCO's names, extra keys kept", () => {
    const raw = { supercategory: 'person', id: 1, name: 'person', keypoints: COCO.keypointNames, skeleton: [[16, 14], [14, 12]], color: 'red' };
    const { skeleton, problems } = skeletonFromCategory(raw);
    expect(problems).toEqual([]);
    expect(skeleton!.edges).toEqual([[15, 13], [13, 11]]);
    expect(skeleton!.sigmas).toEqual(COCO_KEYPOINT_SIGMAS);
    expect(skeleton!.sigmaSource.kind).toBe('published');
    expect(skeleton!.extra).toEqual({ color: 'red' });
    expect(skeletonCategory(skeleton!)).toEqual(raw);
  });

  it("other names: the category's sigmas when given, else uniform with a warning", () => {
    const t = tiny();
    expect(t.mirror).toEqual([0, 2, 1]);
    expect(t.sigmas).toEqual([UNIFORM_SIGMA, UNIFORM_SIGMA, UNIFORM_SIGMA]);
    expect(t.sigmaSource.kind).toBe('uniform');
    expect(skeletonWarnings(t)[0]).toMatch(/not known/);
    expect(exportsSigmas(t)).toBe(false);
    const given = skeletonFromCategory({ id: 7, name: 'thing', keypoints: ['a', 'b'], sigmas: [0.05, 0.06] }).skeleton!;
    expect(given.sigmas).toEqual([0.05, 0.06]);
    expect(given.sigmaSource.kind).toBe('given');
    expect(exportsSigmas(given)).toBe(true);
    expect(skeletonCategory(given)['sigmas']).toEqual([0.05, 0.06]);
  });

  it("another built-in's names bring its published sigmas, as the app scores the category", () => {
    const hand = layoutById('hand21');
    const { skeleton } = skeletonFromCategory({ id: 2, name: 'hand', keypoints: hand.keypointNames });
    expect(skeleton!.sigmas).toEqual(hand.oksSigmas);
    expect(skeleton!.sigmaSource).toEqual(hand.sigmaSource);
    expect(exportsSigmas(skeleton!)).toBe(false);
  });

  it('reports bad parts and refuses what cannot be labelled', () => {
    const bad = skeletonFromCategory({ id: 7, name: 'thing', keypoints: ['a', 'b'], skeleton: [[1, 3], [2, 2], [1, 2]], sigmas: [1] });
    expect(bad.skeleton!.edges).toEqual([[0, 1]]);
    expect(bad.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/skeleton\[0\].*left out/),
      expect.stringMatching(/skeleton\[1\].*left out/),
      expect.stringMatching(/sigmas must be 2 positive numbers/),
    ]);
    expect(skeletonFromCategory({ id: 7, name: 'thing', keypoints: ['a', 'a'] }).skeleton).toBeNull();
    expect(skeletonFromCategory({ name: 'thing', keypoints: ['a'] }).skeleton).toBeNull();
    expect(skeletonFromCategory('person').skeleton).toBeNull();
    const noNames = skeletonFromCategory({ id: 1, name: 'person' });
    expect(noNames.skeleton!.keypointNames).toEqual(COCO.keypointNames);
    expect(noNames.problems[0]!.message).toMatch(/assumed/);
  });

  it('as a layout: the id the app gives the exported category, and the skeleton own bones', () => {
    expect(skeletonLayout(person).id).toBe('coco17');
    const edited = removeEdge(emptyDocument(person), 15, 13).skeleton;
    expect(skeletonLayout(edited).edges).toHaveLength(person.edges.length - 1);
    const t = skeletonLayout(tiny());
    expect(t.id).toMatch(/^category:thing:/);
    expect(t.keypointNames).toEqual(['a', 'left_b', 'right_b']);
    expect(t.sigmaSource.kind).toBe('uniform');
  });
});

describe('skeleton edits keep the document consistent', () => {
  /** A document on the tiny skeleton with a drawn person (a placed) and a pre-labelled one. */
  function doc(): { doc: LabelDocument; drawn: string; pre: string } {
    let d = ensureImage(emptyDocument(tiny()), IMAGE);
    const added = addPerson(d, IMAGE.fileName, [10, 10, 100, 100]);
    d = moveKeypoint(added.doc, IMAGE.fileName, added.key!, 0, { x: 50, y: 50 });
    const pose: Pose = { score: 0.9, keypoints: ['a', 'left_b', 'right_b'].map((name, i) => ({ name, x: 200 + 10 * i, y: 200 + 20 * i, score: 0.9 })) };
    const model = skeletonLayout(tiny());
    d = prelabelImage(d, IMAGE.fileName, [pose], labelMapping(model, d.skeleton), { source: 'm', sourceName: 'M', scoreThreshold: 0.5 });
    const pre = d.images[IMAGE.fileName]!.persons[1]!.key;
    return { doc: d, drawn: added.key!, pre };
  }

  it('adds a keypoint: absent on every person (and in pre-labels), indices shift, flagged uniform', () => {
    const { doc: d } = doc();
    const next = addKeypoint(d, 'nose', { atIndex: 1 });
    expect(next.skeleton.keypointNames).toEqual(['a', 'nose', 'left_b', 'right_b']);
    expect(next.skeleton.edges).toEqual([[0, 2], [0, 3]]);
    expect(next.skeleton.mirror).toEqual([0, 1, 3, 2]);
    expect(next.skeleton.sigmas).toHaveLength(4);
    for (const p of next.images[IMAGE.fileName]!.persons) {
      expect(p.keypoints).toHaveLength(4);
      expect(p.keypoints[1]).toEqual({ x: 0, y: 0, v: 0 });
      expect(p.reviewed[1]).toBe(false);
      if (p.origin.kind === 'prelabel') expect(p.origin.initial).toHaveLength(4);
    }
    expect(next.images[IMAGE.fileName]!.persons[0]!.keypoints[0]).toEqual({ x: 50, y: 50, v: 2 });
    expect(validateSkeleton(next.skeleton)).toEqual([]);
    const flagged = addKeypoint(emptyDocument(person), 'head_top');
    expect(flagged.skeleton.sigmaSource.kind).toBe('uniform');
    expect(flagged.skeleton.sigmas[17]).toBe(UNIFORM_SIGMA);
  });

  it('refuses empty and duplicate names', () => {
    const { doc: d } = doc();
    expect(keypointNameProblem(d.skeleton, '')).toMatch(/needs a name/);
    expect(keypointNameProblem(d.skeleton, 'a')).toMatch(/already keypoint 1/);
    expect(keypointNameProblem(d.skeleton, 'a', 0)).toBeNull();
    expect(addKeypoint(d, 'a')).toBe(d);
    expect(addKeypoint(d, ' ')).toBe(d);
    expect(renameKeypoint(d, 0, 'left_b')).toBe(d);
    expect(renameKeypoint(d, 0, 'a')).toBe(d);
  });

  it('renames a keypoint; persons keep their points', () => {
    const { doc: d } = doc();
    const next = renameKeypoint(d, 0, 'apex');
    expect(next.skeleton.keypointNames).toEqual(['apex', 'left_b', 'right_b']);
    expect(next.images).toBe(d.images);
  });

  it('removes a keypoint from the skeleton and every person, dropping its bones', () => {
    const { doc: d } = doc();
    const withDeleted = deletePerson(d, IMAGE.fileName, d.images[IMAGE.fileName]!.persons[1]!.key);
    const next = removeKeypoint(withDeleted, 0);
    expect(next.skeleton.keypointNames).toEqual(['left_b', 'right_b']);
    expect(next.skeleton.edges).toEqual([]);
    expect(next.skeleton.mirror).toEqual([1, 0]);
    expect(next.skeleton.sigmas).toHaveLength(2);
    expect(next.images[IMAGE.fileName]!.persons[0]!.keypoints).toHaveLength(2);
    const deleted = next.images[IMAGE.fileName]!.deletedPrelabels[0]!;
    expect(deleted.keypoints).toHaveLength(2);
    expect(deleted.origin.kind === 'prelabel' && deleted.origin.initial).toHaveLength(2);
    // The counterpart of a removed keypoint becomes its own.
    const noLeft = removeKeypoint(d, 1);
    expect(noLeft.skeleton.mirror).toEqual([0, 1]);
    expect(validateSkeleton(noLeft.skeleton)).toEqual([]);
    const single = removeKeypoint(removeKeypoint(d, 0), 0);
    expect(removeKeypoint(single, 0)).toBe(single);
  });

  it('adds and removes bones (either direction), no repeats or loops', () => {
    const d = emptyDocument(tiny());
    expect(addEdge(d, 1, 0)).toBe(d);
    expect(addEdge(d, 1, 1)).toBe(d);
    expect(addEdge(d, 1, 5)).toBe(d);
    const next = addEdge(d, 1, 2);
    expect(next.skeleton.edges).toEqual([[0, 1], [0, 2], [1, 2]]);
    expect(removeEdge(next, 2, 1).skeleton.edges).toEqual([[0, 1], [0, 2]]);
    expect(removeEdge(d, 1, 2)).toBe(d);
  });

  it('sets and clears left/right pairs, freeing previous partners', () => {
    const d = emptyDocument(tiny());
    const paired = setMirrorPair(d, 0, 1);
    expect(paired.skeleton.mirror).toEqual([1, 0, 2]);
    expect(validateSkeleton(paired.skeleton)).toEqual([]);
    expect(setMirrorPair(paired, 1, 0)).toBe(paired);
    expect(clearMirrorPair(paired, 0).skeleton.mirror).toEqual([0, 1, 2]);
  });

  it('left/right pairs the names do not tell travel with the export (left_right_pairs), and the ground truth scores with them', () => {
    const { skeleton: fish } = skeletonFromCategory({ id: 3, name: 'fish', keypoints: ['snout', 'port_fin', 'starboard_fin', 'tail'], skeleton: [[1, 2], [1, 3], [1, 4]] });
    expect(skeletonCategory(fish!)).not.toHaveProperty('left_right_pairs');
    const paired = setMirrorPair(emptyDocument(fish!), 1, 2).skeleton;
    const category = skeletonCategory(paired);
    expect(category['left_right_pairs']).toEqual([['port_fin', 'starboard_fin']]);
    // Read back by the labeller and by the ground-truth parser, which gives the layout the evaluation mirrors with.
    expect(skeletonFromCategory(category).skeleton!.mirror).toEqual([0, 2, 1, 3]);
    const parsed = parseGroundTruth({ images: [], annotations: [], categories: [category] });
    expect(parsed.problems).toEqual([]);
    const { layout } = groundTruthLayout(parsed.value!);
    expect(layout.mirror).toEqual([0, 2, 1, 3]);
    // The labeller's layout is the one the ground truth gets (mappings and caches are keyed by its id).
    expect(skeletonLayout(paired).id).toBe(layout.id);
    expect(skeletonLayout(paired).id).not.toBe(skeletonLayout(fish!).id);
    // COCO's person skeleton: its pairs are its names' (left_/right_), so nothing is added to COCO's category.
    expect(skeletonCategory(person)).not.toHaveProperty('left_right_pairs');
    // Re-pairing COCO's names (someone's choice) is kept too, and is no longer the built-in layout.
    const repaired = setMirrorPair(emptyDocument(person), 1, 3).skeleton;
    const cocoRepaired = parseGroundTruth({ images: [], annotations: [], categories: [skeletonCategory(repaired)] });
    // left_eye ↔ left_ear; their old partners (right_eye, right_ear) are on the midline now.
    expect(groundTruthLayout(cocoRepaired.value!).layout.mirror.slice(0, 5)).toEqual([0, 3, 2, 1, 4]);
  });

  it('a bad left_right_pairs is named and left out: pairs by names instead', () => {
    for (const bad of ['port', [['port_fin']], [['port_fin', 'nope']], [['port_fin', 'starboard_fin'], ['port_fin', 'tail']]]) {
      const raw = { id: 3, name: 'fish', keypoints: ['snout', 'port_fin', 'starboard_fin', 'tail'], left_right_pairs: bad };
      const read = skeletonFromCategory(raw);
      expect(read.skeleton!.mirror).toEqual([0, 1, 2, 3]);
      expect(read.problems.map((p) => p.message).join()).toContain('left_right_pairs');
      const parsed = parseGroundTruth({ images: [], annotations: [], categories: [raw] });
      expect(parsed.value!.categories[0]!.leftRightPairs).toBeUndefined();
      expect(parsed.problems.map((p) => p.message).join()).toContain('left_right_pairs');
    }
  });

  it('sets one sigma (given), all uniform (flagged), or a list (estimated)', () => {
    const d = emptyDocument(person);
    const one = setSigma(d, 0, 0.03);
    expect(one.skeleton.sigmas[0]).toBe(0.03);
    expect(one.skeleton.sigmaSource.kind).toBe('given');
    expect(setSigma(one, 0, -1)).toBe(one);
    expect(setSigma(one, 0, 0.03)).toBe(one);
    const uniform = setUniformSigmas(one, 0.05);
    expect(uniform.skeleton.sigmas.every((s) => s === 0.05)).toBe(true);
    expect(uniform.skeleton.sigmaSource.kind).toBe('uniform');
    expect(exportsSigmas(uniform.skeleton)).toBe(true);
    expect(setUniformSigmas(uniform, 0.05)).toBe(uniform);
    const t = emptyDocument(tiny());
    // One sigma set on a uniform guess: the others are still the guess, so it stays flagged.
    expect(setSigma(t, 0, 0.05).skeleton.sigmaSource.kind).toBe('uniform');
    expect(addKeypoint(one, 'head_top', { sigma: 0.04 }).skeleton.sigmaSource.kind).toBe('given');
    const estimated = setSigmas(t, [0.04, null, 0.06], 'estimated from 3 persons labelled twice');
    expect(estimated.skeleton.sigmas).toEqual([0.04, UNIFORM_SIGMA, 0.06]);
    expect(estimated.skeleton.sigmaSource.kind).toBe('uniform');
    const all = setSigmas(t, [0.04, 0.05, 0.06], 'estimated');
    expect(all.skeleton.sigmaSource).toEqual({ kind: 'given', reference: 'estimated' });
    expect(setSigmas(t, [0.04], 'x')).toBe(t);
  });

  it('validateSkeleton names each problem', () => {
    const broken: LabelSkeleton = { ...tiny(), keypointNames: ['a', 'a', ''], edges: [[0, 0], [0, 5], [1, 0], [0, 1]], mirror: [1, 1, 2], sigmas: [0.1, 0] };
    const problems = validateSkeleton(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Keypoint 2: "a" is already keypoint 1/),
        expect.stringMatching(/Keypoint 3: a keypoint needs a name/),
        expect.stringMatching(/joins a keypoint to itself/),
        expect.stringMatching(/does not exist/),
        expect.stringMatching(/listed twice/),
        expect.stringMatching(/not each other's left\/right counterparts/),
        expect.stringMatching(/2 OKS sigmas for 3 keypoints/),
        expect.stringMatching(/must be a positive number/),
      ]),
    );
  });
});

describe('estimateSigmas', () => {
  const kp = (x: number, y: number, v: 0 | 1 | 2 = 2): LabelKeypoint => ({ x, y, v });

  it('σ_i = sqrt(mean(d_i² / s²)): exact on pairs built with a known σ', () => {
    // Keypoint 0 is placed σ·s apart in every pair, in varying directions and at varying scales; keypoint 1 at 2σ·s.
    const sigma = 0.05;
    const pairs: TwiceLabelledPair[] = [100, 200, 400].map((side, j) => {
      const s = side;
      const angle = j;
      return {
        first: [kp(500, 500), kp(100, 100), kp(0, 0, 0)],
        second: [kp(500 + sigma * s * Math.cos(angle), 500 + sigma * s * Math.sin(angle)), kp(100, 100 + 2 * sigma * s), kp(5, 5)],
        areaPx2: s * s,
      };
    });
    const estimate = estimateSigmas(pairs, 3);
    expect(estimate.sigmas[0]).toBeCloseTo(sigma, 12);
    expect(estimate.sigmas[1]).toBeCloseTo(2 * sigma, 12);
    expect(estimate.sigmas[2]).toBeNull();
    expect(estimate.pairCounts).toEqual([3, 3, 0]);
    expect(estimateSigmas(pairs, 3, { minPairs: 4 }).sigmas).toEqual([null, null, null]);
  });

  it('recovers σ from noisy labellings (Gaussian errors, E[d²] = σ² s²) within 3%', () => {
    // xorshift32 + Box–Muller: deterministic. Each axis of the difference has variance σ² s² / 2, so E[d²] = σ² s².
    let state = 12345;
    const uniform = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return ((state >>> 0) + 0.5) / 4294967296;
    };
    const gaussian = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const sigma = 0.079;
    const pairs: TwiceLabelledPair[] = [];
    for (let n = 0; n < 4000; n++) {
      const s = 50 + 300 * uniform();
      const spread = (sigma * s) / Math.SQRT2;
      pairs.push({ first: [kp(300, 300)], second: [kp(300 + spread * gaussian(), 300 + spread * gaussian())], areaPx2: s * s });
    }
    const estimate = estimateSigmas(pairs, 1);
    expect(Math.abs(estimate.sigmas[0]! / sigma - 1)).toBeLessThan(0.03);
  });

  it('pairs the persons of two labellings by box overlap, with the mean of their areas', () => {
    const base = ensureImage(emptyDocument(tiny()), IMAGE);
    const label = (box: [number, number, number, number], at: { x: number; y: number }) => {
      const added = addPerson(base, IMAGE.fileName, box);
      return moveKeypoint(added.doc, IMAGE.fileName, added.key!, 0, at);
    };
    const first = label([0, 0, 100, 100], { x: 50, y: 50 });
    const second = label([0, 0, 100, 120], { x: 53, y: 54 });
    const elsewhere = label([300, 300, 50, 50], { x: 320, y: 320 });
    const pairs = pairTwiceLabelled(first, second);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]!.areaPx2).toBe((100 * 100 + 100 * 120) / 2);
    expect(pairTwiceLabelled(first, elsewhere)).toEqual([]);
    expect(estimateSigmas(pairs, 3).sigmas[0]).toBeCloseTo(Math.sqrt(25 / 11000), 12);
  });
});

describe('the category and the mapping tables follow skeleton edits', () => {
  it('sets the category name and supercategory, refusing an empty or padded name', () => {
    const d = emptyDocument(tiny());
    const named = setCategory(d, { name: 'animal' });
    expect(named.skeleton).toMatchObject({ name: 'animal', supercategory: 'things' });
    expect(skeletonCategory(named.skeleton)).toMatchObject({ name: 'animal', supercategory: 'things', id: 7 });
    const both = setCategory(named, { name: 'dog', supercategory: 'animal' });
    expect(both.skeleton).toMatchObject({ name: 'dog', supercategory: 'animal' });
    expect(setCategory(d, { name: '' })).toBe(d);
    expect(setCategory(d, { name: ' thing' })).toBe(d);
    expect(setCategory(d, { name: 'thing', supercategory: 'things' })).toBe(d);
    // No supercategory is allowed (the export then leaves the key out).
    expect(skeletonCategory(setCategory(d, { supercategory: '' }).skeleton)).not.toHaveProperty('supercategory');
  });

  it('a renamed keypoint keeps its mapping entries; a removed one loses them', () => {
    let d = emptyDocument(tiny());
    d = setMappingEntry(d, 'coco17', 'a', 'nose');
    d = setMappingEntry(d, 'coco17', 'left_b', null);
    d = setMappingEntry(d, 'blazepose33', 'right_b', 'right_wrist');
    const renamed = renameKeypoint(d, 0, 'head');
    expect(renamed.mappingTables).toEqual({ coco17: { head: 'nose', left_b: null }, blazepose33: { right_b: 'right_wrist' } });
    const removed = removeKeypoint(renamed, 1);
    expect(removed.mappingTables).toEqual({ coco17: { head: 'nose' }, blazepose33: { right_b: 'right_wrist' } });
    // A document without tables gets none.
    expect(renameKeypoint(emptyDocument(tiny()), 0, 'head')).not.toHaveProperty('mappingTables');
  });
});
