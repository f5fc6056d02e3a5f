/**
 * `predict`'s output file: a COCO keypoints file in the model's own layout that the project's own COCO parsers
 * read back exactly (the file as ground truth, its annotations as a results list), with depth, metric 3D keypoints
 * and handedness in extra keys.
 */
import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../../src/core/coco/parseGroundTruth';
import { parseResults } from '../../../src/core/coco/parseResults';
import { predictionsFile } from '../../../src/core/evaluation/predictionsFile';
import { layoutOfCategory } from '../../../src/core/layouts';
import { COCO17, HAND21 } from '../../../src/core/layouts/builtinLayouts';
import type { Pose } from '../../../src/core/types';

const hand: Pose = {
  score: 0.875,
  keypoints: HAND21.keypointNames.map((name, i) => ({ name, x: 100 + i, y: 200 + 2 * i, z: -i / 10, score: 0.9 })),
  world: { unit: 'm', keypoints: HAND21.keypointNames.map((name, i) => ({ name, x: i / 100, y: -i / 100, z: 0.001 * i, score: 0.9 })) },
  labels: { handedness: { value: 'left', score: 0.97 } },
};

function file(poses: Pose[], layout = HAND21) {
  return predictionsFile({
    modelId: 'hands-test', modelName: 'Hands test', runtime: 'tfjs', backend: 'wasm', layout,
    images: [{ fileName: 'a/one.jpg', sizePx: { width: 640, height: 480 }, poses }, { fileName: 'two.jpg', sizePx: { width: 320, height: 240 }, poses: [] }],
    info: { app_version: 'abc1234' },
  });
}

describe('predictions file', () => {
  it("is a COCO file in the model's layout that the project's parser reads without a problem", () => {
    const json = JSON.parse(JSON.stringify(file([hand])));
    const parsed = parseGroundTruth(json);
    expect(parsed.problems).toEqual([]);
    const category = parsed.value!.categories[0]!;
    expect(category.keypoints).toEqual(HAND21.keypointNames);
    expect(category.name).toBe('hand');
    // The category brings the layout back: same names, and the skeleton 1-based as COCO writes it.
    expect(layoutOfCategory(category)).toBe(HAND21);
    expect(category.skeleton?.[0]).toEqual([HAND21.edges[0]![0] + 1, HAND21.edges[0]![1] + 1]);
    expect(parsed.value!.images.map((im) => [im.id, im.file_name, im.width, im.height])).toEqual([[1, 'a/one.jpg', 640, 480], [2, 'two.jpg', 320, 240]]);
    const ann = parsed.value!.annotations[0]!;
    expect(ann.keypoints.slice(0, 6)).toEqual([100, 200, 2, 101, 202, 2]);
    expect(ann.bbox).toEqual([100, 200, 20, 40]);
  });

  it('keeps depth, metric 3D keypoints and handedness in extra keys, and the annotations read as COCO results', () => {
    const json = JSON.parse(JSON.stringify(file([hand])));
    const ann = json.annotations[0];
    expect(ann.keypoints_z.slice(0, 3)).toEqual([0, -0.1, -0.2]);
    expect(ann.world_keypoints.slice(3, 6)).toEqual([0.01, -0.01, 0.001]);
    expect([ann.world_unit, ann.handedness, ann.handedness_score, ann.score]).toEqual(['m', 'left', 0.97, 0.875]);
    expect(ann.keypoint_scores).toHaveLength(21);
    const results = parseResults(json.annotations, { groundTruth: parseGroundTruth(json).value! });
    expect(results.problems).toEqual([]);
    expect(results.value).toHaveLength(1);
  });

  it('leaves out poses it cannot write (NaN) and names COCO people "person"', () => {
    const bad: Pose = { score: 0.5, keypoints: COCO17.keypointNames.map((name) => ({ name, x: Number.NaN, y: 1, score: 1 })) };
    const good: Pose = { score: 0.5, keypoints: COCO17.keypointNames.map((name, i) => ({ name, x: i, y: 1, score: 1 })) };
    const out = file([bad, good], COCO17) as { annotations: unknown[]; categories: { name: string }[] };
    expect(out.annotations).toHaveLength(1);
    expect(out.categories[0]!.name).toBe('person');
  });
});
