/**
 * Keypoint layouts as data (src/core/layouts): every built-in is consistent, COCO-17 agrees with COCO's own file,
 * the hand and face layouts agree with MediaPipe's published topology, a ground-truth category brings its own
 * layout, and mappings between layouts are what the BlazePose documentation says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CocoKeypointCategory } from '../../src/core/coco/cocoTypes';
import { BLAZEPOSE33, BUILTIN_LAYOUTS, COCO17, FACE468, FACE478, HAND21 } from '../../src/core/layouts/builtinLayouts';
import { DEFAULT_COCO_LAYOUT, UNIFORM_SIGMA, datasetWithUserSigmas, groundTruthLayout, instanceCountText, parseSigmas, layoutById, layoutMapping, layoutOfCategory, mapPose, noMappingReason } from '../../src/core/layouts';
import { defineLayout } from '../../src/core/layouts/keypointLayout';
import { COCO_KEYPOINT_SIGMAS } from '../../src/core/metrics/oks';
import type { Pose } from '../../src/core/types';

const edgeKey = (a: number, b: number): string => `${Math.min(a, b)}-${Math.max(a, b)}`;

describe.each(BUILTIN_LAYOUTS.map((layout) => [layout.id, layout] as const))('%s', (id, layout) => {
  const names = layout.keypointNames;

  it('is found under its own id', () => {
    expect(layoutById(id)).toBe(layout);
  });

  it('has unique names, in-range edges without self-loops or repeats, and every keypoint (but iris centres) on an edge', () => {
    expect(new Set(names).size).toBe(names.length);
    const keys = layout.edges.map(([a, b]) => edgeKey(a, b));
    for (const [a, b] of layout.edges) {
      expect(a >= 0 && a < names.length && b >= 0 && b < names.length && a !== b, `edge ${a}-${b}`).toBe(true);
    }
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
    // MediaPipe draws the iris rings, not their centres.
    const onEdge = new Set(layout.edges.flat());
    expect(names.filter((name, index) => !onEdge.has(index) && !name.endsWith('_iris_center'))).toEqual([]);
  });

  it('has a mirror that is its own inverse, and on bodies edges whose mirror is an edge', () => {
    for (const [i, j] of layout.mirror.entries()) expect(layout.mirror[j], names[i]).toBe(i);
    if (layout.kind !== 'body') return;
    const keys = new Set(layout.edges.map(([a, b]) => edgeKey(a, b)));
    for (const [a, b] of layout.edges) expect(keys.has(edgeKey(layout.mirror[a]!, layout.mirror[b]!)), `mirror of ${names[a]}-${names[b]}`).toBe(true);
  });

  it('pairs left with right on bodies, and has one positive sigma per keypoint', () => {
    if (layout.kind === 'body') {
      for (const [i, name] of names.entries()) {
        const mirrored = names[layout.mirror[i]!]!;
        if (name.includes('left')) expect(mirrored, name).toBe(name.replace('left', 'right'));
        else if (!name.includes('right')) expect(mirrored, name).toBe(name);
      }
    }
    expect(layout.oksSigmas).toHaveLength(names.length);
    expect(layout.oksSigmas.every((s) => s > 0)).toBe(true);
  });
});

describe('COCO-17 against the COCO annotation file itself', () => {
  const annotations = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/people/annotations.json'), 'utf8')) as {
    categories: CocoKeypointCategory[];
  };
  const person = annotations.categories.find((c) => c.name === 'person')!;

  it('uses COCO keypoint order and only bones COCO lists (its skeleton is 1-based)', () => {
    expect(COCO17.keypointNames).toEqual(person.keypoints);
    const cocoEdges = new Set((person.skeleton ?? []).map(([a, b]) => edgeKey(a - 1, b - 1)));
    expect(cocoEdges.size).toBeGreaterThan(0);
    for (const [a, b] of COCO17.edges) expect(cocoEdges.has(edgeKey(a, b)), `${COCO17.keypointNames[a]}-${COCO17.keypointNames[b]}`).toBe(true);
  });

  it("has pycocotools' sigmas, and the person category resolves to it", () => {
    expect(COCO17.oksSigmas).toEqual(COCO_KEYPOINT_SIGMAS);
    expect(COCO17.sigmaSource.kind).toBe('published');
    expect(layoutOfCategory(person)).toBe(COCO17);
    expect(DEFAULT_COCO_LAYOUT).toBe(COCO17);
  });
});

describe('MediaPipe hand and face mesh topology', () => {
  it('hand: 21 points, wrist first, the 21 connections of HAND_CONNECTIONS, COCO-WholeBody sigmas', () => {
    expect(HAND21.keypointNames).toHaveLength(21);
    expect(HAND21.keypointNames[0]).toBe('wrist');
    expect(HAND21.keypointNames[4]).toBe('thumb_tip');
    expect(HAND21.keypointNames[20]).toBe('pinky_finger_tip');
    expect(HAND21.edges).toHaveLength(21);
    // xtcocotools / mmpose coco_wholebody_hand: the wrist 0.029, the thumb tip 0.047.
    expect([HAND21.oksSigmas[0], HAND21.oksSigmas[4]]).toEqual([0.029, 0.047]);
  });

  it('face: 852 triangles over the 468 points (FACEMESH_TESSELATION), its edges the triangle sides, 478 adds two irises', () => {
    expect(FACE468.keypointNames).toHaveLength(468);
    expect(FACE478.keypointNames).toHaveLength(478);
    expect(FACE468.triangles).toHaveLength(852);
    // A triangulated disc: interior edges are shared by two triangles, so there are fewer unique sides than 3 × triangles.
    const sides = new Set(FACE468.triangles!.flatMap(([a, b, c]) => [edgeKey(a, b), edgeKey(b, c), edgeKey(c, a)]));
    expect(FACE468.edges).toHaveLength(sides.size);
    expect(sides.size).toBeLessThan(852 * 3);
    expect(FACE468.dense && FACE478.dense && !COCO17.dense).toBe(true);
    expect(FACE468.sigmaSource.kind).toBe('uniform');
    expect(FACE468.oksSigmas.every((s) => s === UNIFORM_SIGMA)).toBe(true);
    expect(FACE478.keypointNames[FACE478.mirror[468]!]).toBe('left_iris_center');
  });
});

describe('defineLayout', () => {
  it('refuses inconsistent data, naming what is wrong', () => {
    expect(() => defineLayout({ id: 'x', displayName: 'x', kind: 'other', keypointNames: ['a', 'a'] })).toThrow(/'a' appears twice/);
    expect(() => defineLayout({ id: 'x', displayName: 'x', kind: 'other', keypointNames: ['a', 'b'], edgesByName: [['a', 'c']] })).toThrow(/unknown keypoint 'c'/);
    expect(() => defineLayout({ id: 'x', displayName: 'x', kind: 'other', keypointNames: ['a', 'b'], oksSigmas: [0.1] })).toThrow(/1 OKS sigmas for 2 keypoints/);
  });
});

describe('a ground-truth category brings its own layout', () => {
  const paw: CocoKeypointCategory = { id: 7, name: 'paw', keypoints: ['left_toe', 'right_toe', 'heel'], skeleton: [[1, 3], [2, 3]] };

  it('with its skeleton (1-based), left/right pairs by name, and a uniform sigma it says it assumed', () => {
    const layout = layoutOfCategory(paw);
    expect(layout.keypointNames).toEqual(paw.keypoints);
    expect(layout.edges).toEqual([[0, 2], [1, 2]]);
    expect(layout.mirror).toEqual([1, 0, 2]);
    expect(layout.sigmaSource.kind).toBe('uniform');
    expect(layoutOfCategory(paw).id).toBe(layout.id);
    expect(layoutOfCategory({ ...paw, keypoints: ['a', 'b', 'c'] }).id).not.toBe(layout.id);
  });

  it("with the category's own sigmas, or the user's, which win", () => {
    expect(layoutOfCategory({ ...paw, sigmas: [0.01, 0.01, 0.02] }).oksSigmas).toEqual([0.01, 0.01, 0.02]);
    const given = layoutOfCategory({ ...paw, sigmas: [0.01, 0.01, 0.02] }, [0.03, 0.03, 0.03]);
    expect(given.oksSigmas).toEqual([0.03, 0.03, 0.03]);
    expect(given.sigmaSource).toEqual({ kind: 'given', reference: 'given by the user' });
    // A person category with its own sigmas keeps COCO's skeleton but not COCO's sigmas.
    const person = layoutOfCategory({ id: 1, name: 'person', keypoints: [...COCO17.keypointNames], sigmas: COCO17.keypointNames.map(() => 0.05) });
    expect(person.edges).toBe(COCO17.edges);
    expect(person.oksSigmas.every((s) => s === 0.05)).toBe(true);
    expect(person.id).not.toBe(COCO17.id);
  });

  it('groundTruthLayout takes the category the annotations use', () => {
    const dataset = { categories: [{ id: 1, name: 'person', keypoints: [...COCO17.keypointNames] }, paw], annotations: [{ category_id: 7 }] };
    expect(groundTruthLayout(dataset).categoryId).toBe(7);
    expect(groundTruthLayout(dataset).layout.keypointNames).toEqual(paw.keypoints);
  });
});

describe('layout mappings', () => {
  // BlazePose's documented landmark indices (pose-detection README) for the 17 COCO keypoints, written out by hand.
  const BLAZEPOSE_INDEX_OF_COCO = [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28];

  it('BlazePose-33 → COCO-17 takes the documented landmark for each COCO keypoint', () => {
    expect(layoutMapping(BLAZEPOSE33, COCO17)?.sourceIndex).toEqual(BLAZEPOSE_INDEX_OF_COCO);
  });

  it('maps a pose: coordinates and scores of the source keypoint, target names, pose data kept, input untouched', () => {
    const source: Pose = { score: 0.9, cropIndex: 2, keypoints: BLAZEPOSE33.keypointNames.map((name, i) => ({ name, x: 10 * i, y: 1000 + i, score: i / 100 })) };
    const before = structuredClone(source);
    const mapped = mapPose(source, layoutMapping(BLAZEPOSE33, COCO17)!, COCO17.keypointNames);
    expect(mapped.keypoints.map((k) => k.name)).toEqual(COCO17.keypointNames);
    expect(mapped.keypoints[11]).toEqual({ name: 'left_hip', x: 230, y: 1023, score: 0.23 });
    expect([mapped.score, mapped.cropIndex]).toEqual([0.9, 2]);
    expect(source).toEqual(before);
  });

  it('478 → 468 by name; none from a hand to a body or COCO to BlazePose, with the reason naming the missing keypoints', () => {
    expect(layoutMapping(FACE478, FACE468)?.sourceIndex).toEqual(FACE468.keypointNames.map((_, i) => i));
    expect(layoutMapping(COCO17, BLAZEPOSE33)).toBeNull();
    expect(layoutMapping(HAND21, COCO17)).toBeNull();
    expect(noMappingReason(HAND21, COCO17)).toMatch(/MediaPipe hand \(21\) has no keypoint for the ground truth's nose, left_eye, right_eye, … \(17 in all\)/);
    expect(layoutMapping(COCO17, COCO17)?.how).toBe('same layout');
  });
});

describe("the user's sigmas", () => {
  it('reads numbers, a JSON list or {"sigmas": [...]}, one positive number per keypoint, and says what is wrong', () => {
    expect(parseSigmas('0.1, 0.2 0.3', 3)).toEqual({ sigmas: [0.1, 0.2, 0.3] });
    expect(parseSigmas('[0.1,0.2,0.3]', 3)).toEqual({ sigmas: [0.1, 0.2, 0.3] });
    expect(parseSigmas({ sigmas: [0.1, 0.2, 0.3] }, 3)).toEqual({ sigmas: [0.1, 0.2, 0.3] });
    expect(parseSigmas('0.1, 0.2', 3)).toEqual({ error: '2 sigmas for 3 keypoints: give one per keypoint, in the category\'s order' });
    expect(parseSigmas('0.1, -1, 0.2', 3)).toEqual({ error: 'sigma 2 is -1: every sigma must be a positive number' });
    expect('error' in parseSigmas('[0.1,', 3)).toBe(true);
  });

  it('go on the scored category, win over the file and the built-in, are scored with, and can be taken back', () => {
    const dataset = { categories: [{ id: 1, name: 'person', keypoints: [...COCO17.keypointNames] }], annotations: [{ category_id: 1 }] };
    const strict = COCO17.keypointNames.map(() => 0.01);
    const withUser = datasetWithUserSigmas(dataset, strict);
    expect(dataset.categories[0]).not.toHaveProperty('userSigmas');
    const layout = groundTruthLayout(withUser).layout;
    expect(layout.oksSigmas).toEqual(strict);
    expect(layout.sigmaSource.reference).toBe('given by the user');
    expect(groundTruthLayout(datasetWithUserSigmas(withUser, null)).layout).toBe(COCO17);
  });
});

describe('instanceCountText', () => {
  it('names what a layout finds: poses, hands, faces', () => {
    expect([instanceCountText(COCO17, 1), instanceCountText(HAND21, 2), instanceCountText(FACE478, 0)]).toEqual(['1 pose', '2 hands', '0 faces']);
  });
});
