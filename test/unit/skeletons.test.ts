import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLAZEPOSE33, COCO17, SKELETONS, mirrorKeypointName, type SkeletonLayout } from '../../src/core/skeletons';

const LAYOUTS: readonly SkeletonLayout[] = [COCO17, BLAZEPOSE33];
const edgeKey = (a: number, b: number): string => `${Math.min(a, b)}-${Math.max(a, b)}`;

describe.each(LAYOUTS.map((layout) => [layout.id, layout] as const))('%s skeleton', (_id, layout) => {
  const names = layout.keypointNames;

  it('is registered under its own id', () => {
    expect(SKELETONS[layout.id]).toBe(layout);
  });

  it('has unique keypoint names', () => {
    expect(new Set(names).size).toBe(names.length);
  });

  it('has edges with in-range integer indices and no self-loops', () => {
    for (const [a, b] of layout.edges) {
      expect(Number.isInteger(a) && a >= 0 && a < names.length, `edge ${a}-${b}`).toBe(true);
      expect(Number.isInteger(b) && b >= 0 && b < names.length, `edge ${a}-${b}`).toBe(true);
      expect(a, `self-loop on ${names[a]}`).not.toBe(b);
    }
  });

  it('has no duplicate edges, reversed ones included', () => {
    const keys = layout.edges.map(([a, b]) => edgeKey(a, b));
    const duplicates = keys.filter((key, index) => keys.indexOf(key) !== index);
    expect(duplicates).toEqual([]);
  });

  it('is left/right symmetric: the mirror of every edge is an edge', () => {
    const keys = new Set(layout.edges.map(([a, b]) => edgeKey(a, b)));
    for (const [a, b] of layout.edges) {
      const mirrorA = names.indexOf(mirrorKeypointName(names[a] ?? ''));
      const mirrorB = names.indexOf(mirrorKeypointName(names[b] ?? ''));
      expect(keys.has(edgeKey(mirrorA, mirrorB)), `mirror of ${names[a]}-${names[b]}`).toBe(true);
    }
  });

  it('gives every left keypoint a right twin and back, and mirrors within the layout', () => {
    for (const name of names) {
      const mirrored = mirrorKeypointName(name);
      expect(names, `mirror of ${name}`).toContain(mirrored);
      expect(mirrorKeypointName(mirrored)).toBe(name);
      if (name.includes('left')) expect(mirrored, name).toContain('right');
      if (name.includes('right')) expect(mirrored, name).toContain('left');
    }
    const leftCount = names.filter((n) => n.includes('left')).length;
    expect(leftCount).toBe(names.filter((n) => n.includes('right')).length);
    expect(leftCount).toBeGreaterThan(0);
  });

  it('puts every keypoint on some edge', () => {
    const onEdge = new Set(layout.edges.flat());
    expect(names.filter((_, index) => !onEdge.has(index))).toEqual([]);
  });
});

describe('COCO-17 against the COCO annotation file itself', () => {
  const annotations = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/people/annotations.json'), 'utf8')) as {
    categories: { name: string; keypoints: string[]; skeleton: [number, number][] }[];
  };
  const person = annotations.categories.find((c) => c.name === 'person');

  it('uses COCO keypoint order', () => {
    expect(COCO17.keypointNames).toEqual(person?.keypoints);
  });

  it('draws only bones that COCO also lists (its skeleton is 1-based)', () => {
    const cocoEdges = new Set((person?.skeleton ?? []).map(([a, b]) => edgeKey(a - 1, b - 1)));
    expect(cocoEdges.size).toBeGreaterThan(0);
    for (const [a, b] of COCO17.edges) expect(cocoEdges.has(edgeKey(a, b)), `${COCO17.keypointNames[a]}-${COCO17.keypointNames[b]}`).toBe(true);
  });
});

describe('mirrorKeypointName', () => {
  it('swaps left_/right_ prefixes and mouth sides, and keeps midline names', () => {
    expect(mirrorKeypointName('left_wrist')).toBe('right_wrist');
    expect(mirrorKeypointName('right_eye_inner')).toBe('left_eye_inner');
    expect(mirrorKeypointName('mouth_left')).toBe('mouth_right');
    expect(mirrorKeypointName('nose')).toBe('nose');
  });
});
