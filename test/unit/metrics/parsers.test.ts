import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../../src/core/coco/parseGroundTruth';
import { parseResults } from '../../../src/core/coco/parseResults';
import { COCO17 } from '../../../src/core/layouts/builtinLayouts';

const keypoints = Array.from({ length: 51 }, (_, i) => (i % 3 === 2 ? 2 : 10 + i));
const category = { id: 1, name: 'person', supercategory: 'person', keypoints: COCO17.keypointNames, skeleton: [[16, 14]] };

function annotation(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 187952,
    image_id: 790,
    category_id: 1,
    keypoints,
    num_keypoints: 17,
    bbox: [211.71, 78.07, 97.58, 120.75],
    area: 7164.93725,
    iscrowd: 0,
    segmentation: [[237.21, 126.74, 223.91, 131.73]],
    ...extra,
  };
}

function gtFile(annotations: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { images: [{ id: 790, file_name: '000000000790.jpg', width: 640, height: 422 }], annotations, categories: [category], ...extra };
}

const messages = (problems: readonly { message: string }[]): string[] => problems.map((p) => p.message);

describe('parseGroundTruth', () => {
  it('parses a valid file, dropping fields the evaluation never reads', () => {
    const { value, problems } = parseGroundTruth(JSON.stringify(gtFile([annotation({ ignore: 1 })], { info: {} })));
    expect(problems).toEqual([]);
    expect(value?.images).toEqual([{ id: 790, file_name: '000000000790.jpg', width: 640, height: 422 }]);
    expect(value?.categories[0]).toEqual(category);
    expect(value?.annotations).toEqual([
      {
        id: 187952,
        image_id: 790,
        category_id: 1,
        keypoints,
        num_keypoints: 17,
        bbox: [211.71, 78.07, 97.58, 120.75],
        area: 7164.93725,
        iscrowd: 0,
      },
    ]);
  });

  it('rejects text that is not JSON as one fatal problem', () => {
    const { value, problems } = parseGroundTruth('{"images": [');
    expect(value).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]!.where).toBe('file');
    expect(problems[0]!.message).toMatch(/^ground truth is not JSON: /);
  });

  it('rejects a wrong top-level shape as one fatal problem naming what is wrong', () => {
    expect(messages(parseGroundTruth([]).problems)).toEqual([
      'ground truth must be a JSON object with "images", "annotations" and "categories", got an array of 0',
    ]);
    const partial = parseGroundTruth({ images: [], annotations: {} });
    expect(partial.value).toBeNull();
    expect(messages(partial.problems)).toEqual([
      'ground truth must have "images", "annotations" and "categories" arrays: "annotations" is an object, "categories" is missing',
    ]);
  });

  it('reports each bad annotation with its index and id, and keeps the rest', () => {
    const { value, problems } = parseGroundTruth(
      gtFile([
        annotation({ id: 1 }),
        annotation({ id: 187952, keypoints: keypoints.slice(1) }),
        annotation({ id: 3, image_id: 5 }),
        annotation({ id: 4, area: undefined }),
        annotation({ id: 5, keypoints: keypoints.map((v, i) => (i === 7 ? -3 : v)) }),
        annotation({ id: 1 }),
        'not an annotation',
        annotation({ id: 6, iscrowd: 2, bbox: [1, 2, 3] }),
        annotation({ id: 7, category_id: 9 }),
        annotation({ id: 8, num_keypoints: 1.5 }),
        annotation({ id: 9, keypoints: keypoints.map((v, i) => (i === 5 ? 3 : v)) }),
        annotation({ id: '10' }),
      ]),
    );
    expect(value?.annotations.map((a) => a.id)).toEqual([1]);
    expect(messages(problems)).toEqual([
      'annotations[1] (id 187952): keypoints has 50 numbers, expected 51 (3 × 17 keypoints)',
      'annotations[2] (id 3): image_id 5 is not in "images"',
      'annotations[3] (id 4): missing "area"',
      'annotations[4] (id 5): keypoints[7] (y of right_eye) is -3, expected a pixel coordinate ≥ 0',
      'annotations[5] (id 1): duplicate annotation id 1; the first one is kept',
      'annotations[6]: expected an object, got the string "not an annotation"',
      'annotations[7] (id 6): bbox must be [x, y, width, height], got an array of 3',
      'annotations[7] (id 6): iscrowd is 2, expected 0 or 1',
      'annotations[8] (id 7): category_id 9 is not in "categories"',
      'annotations[9] (id 8): num_keypoints is 1.5, expected a whole number ≥ 0',
      'annotations[10] (id 9): keypoints[5] (v of left_eye) is 3, expected a visibility flag 0, 1 or 2',
      'annotations[11]: id must be a number, got the string "10"',
    ]);
    for (const problem of problems) expect(problem.message.startsWith(`${problem.where}: `)).toBe(true);
  });

  it("reports Python's NaN / Infinity tokens per entry instead of rejecting the file", () => {
    const text = JSON.stringify(gtFile([annotation({ id: 1 }), annotation({ id: 2 })]))
      .replace(/"keypoints":\[10,11/, '"keypoints":[NaN,11')
      .replaceAll('"area":7164.93725', '"area":Infinity');
    const { value, problems } = parseGroundTruth(text);
    expect(value?.annotations).toEqual([]);
    expect(messages(problems)).toEqual([
      'annotations[0] (id 1): keypoints[0] (x of nose) is NaN, expected a finite number',
      'annotations[0] (id 1): area is Infinity, expected a finite number',
      'annotations[1] (id 2): area is Infinity, expected a finite number',
    ]);
  });

  it('checks images and categories, with notes for fields it can drop', () => {
    const { value, problems } = parseGroundTruth({
      images: [{ id: 790, width: -1 }, { id: 790 }, { file_name: 'x.jpg' }],
      annotations: [],
      categories: [{ id: 1, name: 'person' }, { id: 2, name: 'dog', keypoints: 'nose' }],
    });
    expect(value?.images).toEqual([{ id: 790 }]);
    expect(value?.categories).toEqual([{ id: 1, name: 'person', keypoints: COCO17.keypointNames }]);
    expect(messages(problems)).toEqual([
      'categories[0] (id 1): no "keypoints" list; assuming the 17 COCO person keypoints',
      'categories[1] (id 2): keypoints must be a non-empty list of keypoint names, got the string "nose"',
      'images[0] (id 790): width is -1, expected a positive number of pixels; ignored',
      'images[1] (id 790): duplicate image id 790; the first one is kept',
      'images[2]: missing "id"',
    ]);
  });

  it('uses the category keypoint count for the expected length', () => {
    const small = { id: 3, name: 'hand', keypoints: ['a', 'b'] };
    const { value, problems } = parseGroundTruth(
      gtFile([annotation({ id: 1, category_id: 3, keypoints: [1, 2, 2, 3, 4, 2] }), annotation({ id: 2, category_id: 3 })], {
        categories: [small],
      }),
    );
    expect(value?.annotations.map((a) => a.id)).toEqual([1]);
    expect(messages(problems)).toEqual(['annotations[1] (id 2): keypoints has 51 numbers, expected 6 (3 × 2 keypoints)']);
  });
});

describe('parseResults', () => {
  const gt = parseGroundTruth(gtFile([annotation()])).value!;
  const result = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    image_id: 790,
    category_id: 1,
    keypoints,
    score: 0.5,
    ...extra,
  });

  it('parses a valid list in file order', () => {
    const { value, problems } = parseResults(JSON.stringify([result(), result({ score: 0.7, bbox: [] })]), { groundTruth: gt });
    expect(problems).toEqual([]);
    expect(value).toEqual([
      { image_id: 790, category_id: 1, keypoints, score: 0.5 },
      { image_id: 790, category_id: 1, keypoints, score: 0.7, bbox: [] },
    ]);
  });

  it('rejects non-JSON and non-array input as one fatal problem', () => {
    expect(parseResults('[{"image_id": 1').value).toBeNull();
    expect(messages(parseResults('[{"image_id": 1').problems)[0]).toMatch(/^results file is not JSON: /);
    expect(messages(parseResults('{"annotations": []}').problems)).toEqual([
      'results must be a JSON array of detections ({image_id, category_id, keypoints, score}), got an object',
    ]);
  });

  it('reports each bad detection with its index and image, and keeps the rest', () => {
    const text = JSON.stringify([
      result(),
      result({ image_id: 791 }),
      result({ image_id: '790', keypoints: keypoints.slice(2), score: 'high' }),
      result({ category_id: 3, score: 1 }),
      result({ bbox: [1, 2, 3] }),
      result({ bbox: [1, 2, -3, 4] }),
      result({ keypoints: undefined }),
    ]).replace('"score":1}', '"score":NaN}');
    const { value, problems } = parseResults(text, { groundTruth: gt });
    expect(value).toHaveLength(1);
    expect(messages(problems)).toEqual([
      'results[1] (image 791): image_id 791 is not an image of the ground truth',
      'results[2]: image_id must be a number, got the string "790"',
      'results[2]: keypoints has 49 numbers, expected 51 (3 × 17 keypoints)',
      'results[2]: score must be a number, got the string "high"',
      'results[3] (image 790): category_id 3 is not a category of the ground truth',
      'results[3] (image 790): score is NaN, expected a finite number',
      'results[4] (image 790): bbox must be [x, y, width, height] or [], got an array of 3',
      'results[5] (image 790): bbox width is -3, expected ≥ 0 pixels',
      'results[6] (image 790): missing "keypoints"',
    ]);
  });

  it('allows negative coordinates by default (pycocotools scores them) and rejects them on request', () => {
    const offImage = keypoints.map((v, i) => (i === 0 ? -2.5 : v));
    expect(parseResults([result({ keypoints: offImage })]).problems).toEqual([]);
    expect(messages(parseResults([result({ keypoints: offImage })], { negativeCoordinates: 'reject' }).problems)).toEqual([
      'results[0] (image 790): keypoints[0] (x of nose) is -2.5, expected a pixel coordinate ≥ 0',
    ]);
  });

  it('warns about an empty list and about a bbox on results[0] that others lack', () => {
    expect(messages(parseResults('[]').problems)).toEqual([
      'results list is empty: the COCO evaluation needs at least one detection',
    ]);
    const { value, problems } = parseResults([result({ bbox: [1, 2, 3, 4] }), result()]);
    expect(value).toHaveLength(2);
    expect(messages(problems)).toEqual([
      "the first detection has a bbox, so the COCO evaluation takes every detection's area from its bbox, but 1 detection(s) have none: the evaluation will refuse this list",
    ]);
  });

  it('checks only the shape without ground truth (K = 17)', () => {
    const { value, problems } = parseResults([result({ image_id: 12345, category_id: 7 }), result({ keypoints: [1, 2, 3] })]);
    expect(value).toHaveLength(1);
    expect(messages(problems)).toEqual(['results[1] (image 790): keypoints has 3 numbers, expected 51 (3 × 17 keypoints)']);
  });
});
