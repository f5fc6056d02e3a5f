/**
 * COCO in and out of Label mode (src/core/labelling/labelCoco.ts): an import exported without edits is the same JSON;
 * edits recompute keypoints, num_keypoints, bbox and area and keep every other field; the export loads in the
 * project's own parser and (where Python has it) pycocotools.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../src/core/coco/parseGroundTruth';
import { layoutById } from '../../src/core/layouts';
import {
  acceptImage,
  addPerson,
  emptyDocument,
  ensureImage,
  exportCoco,
  exportSummary,
  importCoco,
  isCrowd,
  labelMapping,
  moveKeypoint,
  prelabelCorrections,
  prelabelImage,
  setBox,
  setImageStatus,
  setSigma,
  setVisibility,
  skeletonFromLayout,
  type LabelDocument,
} from '../../src/core/labelling';

type Json = Record<string, unknown> & { images: Record<string, unknown>[]; annotations: Record<string, unknown>[]; categories: Record<string, unknown>[] };
const read = (path: string): Json => JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures', path), 'utf8')) as Json;
const MIXED = read('labelling/coco-mixed.json');
const PEOPLE = read('people/annotations.json');

/** The app's images for a COCO file's entries (optionally under a folder, as dropped folders name them). */
const appImages = (file: Json, ids?: number[], folder = '') =>
  file.images
    .filter((im) => !ids || ids.includes(im['id'] as number))
    .map((im) => ({ fileName: folder + String(im['file_name']), widthPx: im['width'] as number, heightPx: im['height'] as number }));

const MATCHED = [286939, 433998, 442450];

/** The file imported with the app's images `ids` (null: every image of the file). */
function imported(file: Json = MIXED, ids: number[] | null = MATCHED, folder = ''): LabelDocument {
  const { doc, problems } = importCoco(structuredClone(file), appImages(file, ids ?? undefined, folder));
  expect(problems).toEqual([]);
  return doc!;
}

const annotation = (out: Json, id: number) => out.annotations.find((a) => a['id'] === id)!;

describe('round trip', () => {
  it('a file with segmentation, info, licenses, extra keys, crowd regions and a second category comes back the same', () => {
    const doc = imported();
    expect(Object.keys(doc.images).sort()).toEqual(['000000286939.jpg', '000000433998.jpg', '000000442450.jpg']);
    expect(doc.passthrough.otherCategories).toEqual([MIXED.categories[1]]);
    expect(doc.passthrough.otherAnnotations.map((a) => (a as { id: number }).id)).toEqual([900000001]);
    expect(doc.passthrough.unmatchedImages.map((im) => (im as { id: number }).id)).toEqual([551757]);
    expect(doc.passthrough.unmatchedAnnotations.map((a) => (a as { id: number }).id)).toEqual([1214178]);
    expect(Object.keys(doc.passthrough.topLevel)).toEqual(['info', 'licenses', 'keypoint_bench_fixture']);
    const crowd = doc.images['000000433998.jpg']!.persons.filter(isCrowd);
    expect(crowd.map((p) => p.annotationId)).toEqual([900100433998]);
    expect(exportCoco(doc)).toEqual(MIXED);
    // Order too: images, annotations and categories as the file had them.
    const out = exportCoco(doc) as Json;
    expect(out.annotations.map((a) => a['id'])).toEqual(MIXED.annotations.map((a) => a['id']));
    expect(out.images.map((a) => a['id'])).toEqual(MIXED.images.map((a) => a['id']));
  });

  it('the people fixture (no segmentation, areas not box areas) comes back the same', () => {
    expect(exportCoco(imported(PEOPLE, null))).toEqual(PEOPLE);
  });

  it('with images named under a folder, with no image added, and with an image claimed after the import', () => {
    const inFolder = imported(MIXED, MATCHED, 'holiday/');
    expect(Object.keys(inFolder.images)).toContain('holiday/000000442450.jpg');
    expect(exportCoco(inFolder)).toEqual(MIXED);
    const none = imported(MIXED, []);
    expect(none.images).toEqual({});
    expect(exportCoco(none)).toEqual(MIXED);
    const claimed = ensureImage(none, { fileName: 'later/000000551757.jpg', widthPx: 414, heightPx: 640 });
    const image = claimed.images['later/000000551757.jpg']!;
    expect(image.cocoImageId).toBe(551757);
    expect(image.persons.map((p) => p.annotationId)).toEqual([1214178]);
    expect(claimed.passthrough.unmatchedAnnotations).toHaveLength(none.passthrough.unmatchedAnnotations.length - 1);
    expect(claimed.passthrough.unmatchedImages).toHaveLength(3);
    expect(exportCoco(claimed)).toEqual(MIXED);
  });
});

describe('export after edits', () => {
  it('recomputes keypoints, num_keypoints, bbox and area from the edits and keeps every other field', () => {
    let doc = imported();
    const image = '000000442450.jpg';
    const [first, second] = doc.images[image]!.persons;
    // 210676: keypoint 0 moved, keypoint 16 marked absent; its segmentation stays, so its area does.
    doc = moveKeypoint(doc, image, first!.key, 0, { x: 300.5, y: 100.25 });
    doc = setVisibility(doc, image, first!.key, 16, 0);
    // 210845: box fixed; it has a segmentation, so its area is still the segmentation's.
    doc = setBox(doc, image, second!.key, [100, 50, 200, 300]);
    const out = exportCoco(doc) as Json;
    const before = annotation(MIXED, 210676);
    const after = annotation(out, 210676);
    const keypoints = [...(before['keypoints'] as number[])];
    keypoints.splice(0, 3, 300.5, 100.25, 2);
    keypoints.splice(48, 3, 0, 0, 0);
    expect(after['keypoints']).toEqual(keypoints);
    expect(after['num_keypoints']).toBe((before['num_keypoints'] as number) - (((before['keypoints'] as number[])[50] ?? 0) > 0 ? 1 : 0));
    expect(after['segmentation']).toEqual(before['segmentation']);
    expect(after['area']).toBe(before['area']);
    expect(annotation(out, 210845)['bbox']).toEqual([100, 50, 200, 300]);
    expect(annotation(out, 210845)['area']).toBe(annotation(MIXED, 210845)['area']);
    // Extra keys of an annotation, and everything not edited, as they were.
    expect(annotation(out, 497615)).toEqual(annotation(MIXED, 497615));
    expect(out['info']).toEqual(MIXED['info']);
  });

  it('an annotation without segmentation gets the box area once its box changes (not when only keypoints move)', () => {
    let doc = imported(PEOPLE, null);
    const [image, labelled] = Object.entries(doc.images)[0]!;
    const p = labelled.persons[0]!;
    doc = moveKeypoint(doc, image, p.key, 0, { x: p.keypoints[0]!.x + 1, y: p.keypoints[0]!.y });
    let out = exportCoco(doc) as Json;
    expect(annotation(out, p.annotationId!)['area']).toBe(annotation(PEOPLE, p.annotationId!)['area']);
    doc = setBox(doc, image, p.key, [10, 20, 100, 50]);
    out = exportCoco(doc) as Json;
    expect(annotation(out, p.annotationId!)['area']).toBe(5000);
  });

  it('new persons and images get fresh ids; skipped new images are left out', () => {
    let doc = imported();
    const drawn = addPerson(doc, '000000286939.jpg', [10, 10, 40, 80]);
    doc = moveKeypoint(drawn.doc, '000000286939.jpg', drawn.key!, 5, { x: 20, y: 30 });
    doc = acceptImage(ensureImage(doc, { fileName: 'new/empty.jpg', widthPx: 100, heightPx: 50 }), 'new/empty.jpg');
    doc = ensureImage(doc, { fileName: 'skipped.jpg', widthPx: 100, heightPx: 50 });
    doc = addPerson(doc, 'skipped.jpg', [0, 0, 10, 10]).doc;
    doc = setImageStatus(doc, 'skipped.jpg', 'skipped');
    const out = exportCoco(doc) as Json;
    const maxAnnotationId = Math.max(...MIXED.annotations.map((a) => a['id'] as number));
    const maxImageId = Math.max(...MIXED.images.map((im) => im['id'] as number));
    expect(out.images.at(-1)).toEqual({ id: maxImageId + 1, file_name: 'new/empty.jpg', width: 100, height: 50 });
    expect(out.images).toHaveLength(MIXED.images.length + 1);
    const added = out.annotations.at(-1)!;
    expect(added).toEqual({
      id: maxAnnotationId + 1,
      image_id: 286939,
      category_id: 1,
      keypoints: Array.from({ length: 51 }, (_, i) => (i === 15 ? 20 : i === 16 ? 30 : i === 17 ? 2 : 0)),
      num_keypoints: 1,
      bbox: [10, 10, 40, 80],
      area: 3200,
      iscrowd: 0,
    });
    expect(out.annotations).toHaveLength(MIXED.annotations.length + 1);
    expect(exportSummary(doc)).toMatchObject({ images: 4, persons: 20, skippedImagesLeftOut: 1, personsOnSkippedLeftOut: 1, byStatus: { todo: 3, done: 1, skipped: 1 } });
  });

  it('writes sigmas on the category only when a reader could not know them', () => {
    const doc = imported();
    expect(exportCoco(doc)['categories']).toEqual(MIXED.categories);
    const edited = exportCoco(setSigma(doc, 0, 0.03)) as Json;
    expect((edited.categories[0]!['sigmas'] as number[])[0]).toBe(0.03);
  });

  it('parses with the project’s own parser, every labelled person kept', () => {
    let doc = imported();
    doc = addPerson(doc, '000000286939.jpg', [10, 10, 40, 80]).doc;
    const parsed = parseGroundTruth(exportCoco(doc));
    // The fixture's sports ball category has no keypoints, which the parser reports for the file as imported too.
    expect(parsed.problems).toEqual(parseGroundTruth(structuredClone(MIXED)).problems);
    expect(parsed.problems.every((p) => p.where.includes('id 37') || p.where.includes('id 900000001'))).toBe(true);
    // Every person annotation and the new one; the parser leaves out the ball's (it has no keypoints).
    expect(parsed.value!.annotations.map((a) => a.id)).toEqual([...MIXED.annotations.filter((a) => a['category_id'] === 1).map((a) => a['id']), doc.nextAnnotationId]);
    expect(parsed.value!.categories.map((c) => c.id)).toEqual([1, 37]);
    const fresh = emptyDocument(skeletonFromLayout(layoutById('hand21'), { id: 1, name: 'hand', supercategory: 'hand' }));
    const one = addPerson(ensureImage(fresh, { fileName: 'h.jpg', widthPx: 200, heightPx: 200 }), 'h.jpg', [20, 20, 100, 100]);
    const placed = acceptImage(moveKeypoint(one.doc, 'h.jpg', one.key!, 0, { x: 50, y: 60 }), 'h.jpg');
    const hand = parseGroundTruth(exportCoco(placed));
    expect(hand.problems).toEqual([]);
    expect(hand.value!.annotations[0]!.num_keypoints).toBe(1);
    expect(hand.value!.categories[0]!.keypoints).toHaveLength(21);
  });
});

describe('import', () => {
  it('reports bad entries (where + message, never thrown) and keeps them verbatim', () => {
    const file = structuredClone(MIXED);
    file.images.push({ ...file.images[0]!, file_name: 'dup.jpg' });
    file.annotations.push({ ...file.annotations[0]!, id: 1, keypoints: [1, 2, 3] });
    file.annotations.push({ ...file.annotations[0]!, id: 2, bbox: 'wide', num_keypoints: 3 });
    file.annotations.push('nonsense' as unknown as Record<string, unknown>);
    const { doc, problems } = importCoco(file, appImages(MIXED, MATCHED));
    expect(problems.map((p) => p.where)).toEqual(['images[4] (id 286939)', `annotations[21] (id 1)`, `annotations[22] (id 2)`, `annotations[22] (id 2)`, 'annotations[23]']);
    expect(problems[1]!.message).toMatch(/keypoints has 3 numbers, expected 51.*kept in the export as it was/);
    expect(problems[2]!.message).toMatch(/bbox is the string "wide".*made from the keypoints/);
    expect(problems[3]!.message).toMatch(/num_keypoints is 3 but 8 keypoints are labelled/);
    expect(doc!.passthrough.otherAnnotations).toContain(file.annotations[21]);
    expect((exportCoco(doc!) as Json).annotations).toHaveLength(file.annotations.length);
    // The entry with a duplicate id is not claimed when an image of its name is added: it stays as it was.
    const added = ensureImage(doc!, { fileName: 'dup.jpg', widthPx: 10, heightPx: 10 });
    expect(added.images['dup.jpg']!.cocoImageId).toBeNull();
    expect(added.passthrough.unmatchedImages).toHaveLength(doc!.passthrough.unmatchedImages.length);
  });

  it('refuses what is not a COCO file, with the reason', () => {
    expect(importCoco('[1, 2]', []).doc).toBeNull();
    expect(importCoco('{', []).problems[0]!.message).toMatch(/not JSON/);
    expect(importCoco({ images: [], annotations: [] }, []).problems[0]!.message).toMatch(/"categories" is missing/);
    expect(importCoco({ images: [], annotations: [], categories: [] }, []).doc).toBeNull();
  });

  it('labels the category asked for, else the one with keypoints, else the one with most annotations', () => {
    const two = structuredClone(MIXED);
    two.categories[1] = { ...two.categories[1]!, keypoints: ['centre'], skeleton: [] };
    const byCount = importCoco(structuredClone(two), []);
    expect(byCount.doc!.skeleton.categoryId).toBe(1);
    expect(byCount.problems[0]!.message).toMatch(/2 categories have keypoints; labelling "person"/);
    const asked = importCoco(structuredClone(two), appImages(MIXED, MATCHED), { categoryId: 37 });
    expect(asked.doc!.skeleton.keypointNames).toEqual(['centre']);
    expect(asked.doc!.images['000000442450.jpg']!.persons).toHaveLength(0);
    expect(importCoco(structuredClone(MIXED), []).doc!.skeleton.name).toBe('person');
  });

  it('reports a size that differs from the image being labelled', () => {
    const { problems } = importCoco(structuredClone(MIXED), [{ fileName: '000000442450.jpg', widthPx: 320, heightPx: 213 }]);
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/width is 640 but the image 000000442450.jpg is 320 px/), expect.stringMatching(/height is 425/)]);
  });
});

/** pycocotools is optional: CI and fresh clones may lack Python or it, so this test says so and is skipped there. */
const python = spawnSync('python3', ['-c', 'import pycocotools.coco'], { encoding: 'utf8' });
const hasPycocotools = python.status === 0;
if (!hasPycocotools) console.warn('labellingCoco: python3 with pycocotools not found; the pycocotools test is skipped (pip install pycocotools to run it)');

describe('pycocotools', () => {
  it.skipIf(!hasPycocotools)('COCO() loads the export and indexes every annotation and image (skipped without python3 + pycocotools)', () => {
    let doc = imported();
    doc = addPerson(doc, '000000286939.jpg', [10, 10, 40, 80]).doc;
    doc = acceptImage(ensureImage(doc, { fileName: 'new.jpg', widthPx: 100, heightPx: 50 }), 'new.jpg');
    const dir = mkdtempSync(join(tmpdir(), 'label-export-'));
    try {
      const path = join(dir, 'labels.json');
      writeFileSync(path, JSON.stringify(exportCoco(doc)));
      const script = [
        'import json, sys, contextlib, io',
        'from pycocotools.coco import COCO',
        'with contextlib.redirect_stdout(io.StringIO()):',
        '    coco = COCO(sys.argv[1])',
        'print(json.dumps({',
        '  "annotations": len(coco.getAnnIds()),',
        '  "person": len(coco.loadAnns(coco.getAnnIds(catIds=[1]))),',
        '  "crowd": len(coco.getAnnIds(catIds=[1], iscrowd=True)),',
        '  "onImage": len(coco.getAnnIds(imgIds=[286939])),',
        '  "images": len(coco.getImgIds()),',
        '  "categories": coco.getCatIds(),',
        '}))',
      ].join('\n');
      const run = spawnSync('python3', ['-c', script, path], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const counts = JSON.parse(run.stdout) as Record<string, unknown>;
      const persons = MIXED.annotations.filter((a) => a['category_id'] === 1);
      expect(counts).toEqual({
        annotations: MIXED.annotations.length + 1,
        person: persons.length + 1,
        crowd: persons.filter((a) => a['iscrowd'] === 1).length,
        onImage: MIXED.annotations.filter((a) => a['image_id'] === 286939).length + 1,
        images: MIXED.images.length + 1,
        categories: [1, 37],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasPycocotools)("a moved person's OKS is the one COCOeval gives its pre-label against the exported correction (skipped without pycocotools)", () => {
    const coco = layoutById('coco17');
    const skeleton = skeletonFromLayout(coco, { id: 1, name: 'person', supercategory: 'person' });
    const image = { fileName: 'p.jpg', widthPx: 640, heightPx: 480 };
    const pose = { score: 0.9, keypoints: coco.keypointNames.map((name, i) => ({ name, x: 150 + 7 * (i % 5), y: 60 + 22 * i, score: i < 14 ? 0.9 : 0.1 })) };
    let doc = prelabelImage(ensureImage(emptyDocument(skeleton), image), image.fileName, [pose], labelMapping(coco, skeleton), { source: 'm', sourceName: 'M', scoreThreshold: 0.5 });
    const key = doc.images[image.fileName]!.persons[0]!.key;
    // Moves and a removal only: COCOeval scores every keypoint the label has, which are then all ones the model placed.
    doc = moveKeypoint(doc, image.fileName, key, 0, { x: 158, y: 66 });
    doc = moveKeypoint(doc, image.fileName, key, 9, { x: 140, y: 270 });
    doc = setVisibility(doc, image.fileName, key, 4, 0);
    doc = acceptImage(doc, image.fileName);
    const [c] = prelabelCorrections(doc);
    expect(c!.movedPersonOks).toHaveLength(1);
    const initial = doc.images[image.fileName]!.persons[0]!.origin;
    const result = [{ image_id: 1, category_id: 1, score: 0.9, keypoints: initial.kind === 'prelabel' ? initial.initial.flatMap((k) => [k.x, k.y, 1]) : [] }];
    const dir = mkdtempSync(join(tmpdir(), 'label-oks-'));
    try {
      writeFileSync(join(dir, 'gt.json'), JSON.stringify(exportCoco(doc)));
      writeFileSync(join(dir, 'dt.json'), JSON.stringify(result));
      const script = [
        'import sys, contextlib, io',
        'from pycocotools.coco import COCO',
        'from pycocotools.cocoeval import COCOeval',
        'with contextlib.redirect_stdout(io.StringIO()):',
        '    gt = COCO(sys.argv[1]); dt = gt.loadRes(sys.argv[2])',
        '    e = COCOeval(gt, dt, "keypoints"); e.evaluate()',
        'print(repr(float(e.ious[(1, 1)][0][0])))',
      ].join('\n');
      const run = spawnSync('python3', ['-c', script, join(dir, 'gt.json'), join(dir, 'dt.json')], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(c!.movedPersonOks[0]).toBeCloseTo(Number(run.stdout.trim()), 12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The whole COCO dev set (../shared, absent on a fresh clone): 38 images, 211 annotations, polygons and RLE. */
const DEV_SET = join(import.meta.dirname, '../../../shared/data/coco-dev/annotations.json');

describe('COCO dev set', () => {
  it.skipIf(!existsSync(DEV_SET))('comes back the same after import and export (skipped without ../shared)', () => {
    const dev = JSON.parse(readFileSync(DEV_SET, 'utf8')) as Json;
    const { doc, problems } = importCoco(structuredClone(dev), appImages(dev));
    expect(problems).toEqual([]);
    expect(Object.keys(doc!.images)).toHaveLength(dev.images.length);
    expect(exportCoco(doc!)).toEqual(dev);
  });
});
