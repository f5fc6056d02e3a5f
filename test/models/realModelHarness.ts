/**
 * Shared glue for the real-model tests: fixtures from test/fixtures (never /work/shared), weights from
 * models/, the tfjs WASM backend in Node, person crops and OKS scoring. No inference is mocked here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import '@tensorflow/tfjs-converter';
import type * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_COCO_LAYOUT, layoutById, layoutMapping, mapPose } from '../../src/core/layouts';
import { keypointOks } from '../../src/core/metrics/oks';
import type { ModelId, ModelInfo, Pose } from '../../src/core/types';
import type { ModelAdapter } from '../../src/inference/modelAdapter';
import { MODELS, modelInfo } from '../../src/inference/modelRegistry';
import { loadModelAdapter } from '../../src/inference/pipeline';
import { rgbImage, type RgbImage } from '../../src/inference/rgbImage';
import { MEDIAPIPE_SOLUTIONS_RUNTIME } from '../../src/inference/runtimes/mediapipeSolutions';
import { tfjsImageTensor } from '../../src/inference/runtimes/tfjs';
import { selectNodeWasmBackend } from '../../src/node/nodeBackend';
import { decodeImageFile } from '../../src/node/nodeImages';
import { nodeModelFiles } from '../../src/node/nodeModelFiles';

const COCO17 = DEFAULT_COCO_LAYOUT;

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const MODELS_DIR = join(REPO_ROOT, 'models');
export const PEOPLE_FIXTURE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'people');
export const ROTATED_FIXTURE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'rotated');

/** [x, y] in image pixels, COCO-17 order. */
export type PointPx = readonly [number, number];

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
  license: number;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  /** [x, y, width, height] in pixels. */
  bbox: [number, number, number, number];
  /** Segmentation area in square pixels (the OKS scale). */
  area: number;
  iscrowd: 0 | 1;
  num_keypoints: number;
  /** Flat [x1, y1, v1, …] × 17. */
  keypoints: number[];
}

export interface PeopleFixture {
  images: CocoImage[];
  annotations: CocoAnnotation[];
}

export function readPeopleFixture(): PeopleFixture {
  return JSON.parse(readFileSync(join(PEOPLE_FIXTURE_DIR, 'annotations.json'), 'utf8')) as PeopleFixture;
}

/**
 * "Clearly visible" person, the ones every single-person model is held to:
 * not a crowd region, at least 10 of 17 keypoints labelled, and segmentation area ≥ 96² px
 * (COCO's own "large" object bucket).
 */
export const MIN_LABELLED_KEYPOINTS = 10;
export const MIN_PERSON_AREA_PX2 = 96 * 96;
export function isClearlyVisiblePerson(annotation: CocoAnnotation): boolean {
  return annotation.iscrowd === 0 && annotation.num_keypoints >= MIN_LABELLED_KEYPOINTS && annotation.area >= MIN_PERSON_AREA_PX2;
}

/** Fails with the fix when the weights are not in models/ (they are placed by `npm run models`). */
export function requireModelFiles(ids: readonly ModelId[]): void {
  const missing = ids.flatMap((id) => modelInfo(id).files.map((f) => f.name)).filter((name) => !existsSync(join(MODELS_DIR, name)));
  if (missing.length > 0) {
    throw new Error(
      `model weights missing from models/: ${[...new Set(missing)].join(', ')}. Run \`npm run models\` to place them (from the pinned npm package).`,
    );
  }
}

export async function startWasmBackend(): Promise<void> {
  const backend = await selectNodeWasmBackend();
  if (backend !== 'wasm') throw new Error(`expected the wasm backend, got ${backend}`);
}

export async function loadAdapter(id: ModelId): Promise<ModelAdapter> {
  return loadModelAdapter(modelInfo(id), { files: nodeModelFiles(MODELS_DIR) });
}

/** A fixture photo as the adapters take it: upright RGB pixels (decoded as the app's worker would). */
export async function loadImage(path: string): Promise<RgbImage> {
  const decoded = await decodeImageFile(path);
  return rgbImage(decoded.rgb, decoded.width, decoded.height, 3);
}

/**
 * The tfjs tensor of an image, as the tfjs runtime keeps it for every model (made once, owned by the image:
 * freed by releaseImage, never by the caller). For references that call tfjs or pose-detection directly.
 */
export function imageTensorOf(image: RgbImage): tf.Tensor3D {
  return tfjsImageTensor(image);
}

export { personCrop, type CropPx } from '../../src/core/crops';
export { estimateInCrop, estimatePerson } from '../../src/inference/pipeline';
export { releaseImage, type RgbImage } from '../../src/inference/rgbImage';

/**
 * The manifest's models that Node can run. Not the legacy MediaPipe solutions: they run their networks as WebGL2
 * shaders on an OffscreenCanvas in a browser worker, and Node has neither (loading one here fails saying so;
 * test/unit/inference/mediapipeSolutions.test.ts checks that, test/browser/mediapipeSolutions.test.ts runs them).
 */
export const NODE_MODELS: readonly ModelInfo[] = MODELS.filter((m) => m.runtime !== MEDIAPIPE_SOLUTIONS_RUNTIME);

/**
 * The manifest's models (those Node can run) with the given properties, in manifest order: tests pick models by what they are
 * (family, one or many people, given the box), never by id, so a model added to the manifest is tested too.
 */
export function modelsWhere(where: Partial<Pick<ModelInfo, 'family' | 'multiPerson' | 'personInput'>> & { fullPipeline?: boolean }): ModelInfo[] {
  return NODE_MODELS.filter(
    (m) =>
      (where.family === undefined || m.family === where.family) &&
      (where.multiPerson === undefined || m.multiPerson === where.multiPerson) &&
      (where.personInput === undefined || m.personInput === where.personInput) &&
      (where.fullPipeline === undefined || (m.personInput === undefined) === where.fullPipeline),
  );
}

/** The first model with the given properties (throws when the manifest has none). */
export function modelWhere(where: Parameters<typeof modelsWhere>[0]): ModelId {
  const found = modelsWhere(where)[0];
  if (!found) throw new Error(`the manifest has no model with ${JSON.stringify(where)}`);
  return found.id;
}

/** A pose of the model's layout as 17 COCO points (checking the names the model reported on the way). */
export function cocoPoints(pose: Pose, adapter: ModelAdapter): PointPx[] {
  const layout = layoutById(adapter.info.keypointLayout);
  const reportedNames = pose.keypoints.map((k) => k.name);
  if (reportedNames.join() !== layout.keypointNames.join()) {
    throw new Error(`${adapter.info.id} reported keypoints [${reportedNames.join(', ')}], expected the ${adapter.info.keypointLayout} layout`);
  }
  const mapping = layoutMapping(layout, COCO17);
  if (!mapping) throw new Error(`${adapter.info.keypointLayout} has no mapping to COCO-17`);
  const coco = mapPose(pose, mapping, COCO17.keypointNames);
  return coco.keypoints.map((k, index) => {
    if (k.name !== COCO17.keypointNames[index]) throw new Error(`keypoint ${index} is '${k.name}', expected '${COCO17.keypointNames[index]}'`);
    return [k.x, k.y] as const;
  });
}

export function oksAgainst(annotation: CocoAnnotation, points: readonly PointPx[]): number {
  const oks = keypointOks(annotation.keypoints, points, annotation.area);
  if (oks === null) throw new Error(`annotation ${annotation.id} has no labelled keypoint`);
  return oks;
}

// ── Deliberate coordinate bugs, for the negative controls ─────────────────────────────────────

const MIRROR_INDEX: readonly number[] = COCO17.mirror;

/** Left and right keypoints exchanged (a wrong name order / flipHorizontal bug). */
export function swapLeftRight(points: readonly PointPx[]): PointPx[] {
  return points.map((_, index) => {
    const mirrored = points[MIRROR_INDEX[index] ?? index];
    if (!mirrored) throw new Error(`no mirror point for ${index}`);
    return mirrored;
  });
}

/** Every point moved by (dxPx, dyPx) (a forgotten crop offset). */
export function shiftPoints(points: readonly PointPx[], dxPx: number, dyPx: number): PointPx[] {
  return points.map(([x, y]) => [x + dxPx, y + dyPx] as const);
}

/** Every point scaled about (cx, cy) (a wrong input-size → image-size factor). */
export function scalePoints(points: readonly PointPx[], factor: number, cxPx: number, cyPx: number): PointPx[] {
  return points.map(([x, y]) => [cxPx + (x - cxPx) * factor, cyPx + (y - cyPx) * factor] as const);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * A "single-subject" image, where a single-person model run on the whole frame has one right answer:
 * exactly one clearly visible person, and every other (non-crowd) person annotation has less than a
 * third of that person's area.
 */
export const MAX_BYSTANDER_AREA_FRACTION = 1 / 3;
export function singleSubjectOf(fixture: PeopleFixture, imageId: number): CocoAnnotation | null {
  const persons = fixture.annotations.filter((a) => a.image_id === imageId && a.iscrowd === 0);
  const visible = persons.filter(isClearlyVisiblePerson);
  const subject = visible[0];
  if (visible.length !== 1 || !subject) return null;
  const bystandersSmall = persons.every((a) => a === subject || a.area < MAX_BYSTANDER_AREA_FRACTION * subject.area);
  return bystandersSmall ? subject : null;
}

/** Greedy one-to-one matching of GT persons to poses by OKS (highest pair first); unmatched GT get 0. */
export function matchPersonsToPoses(
  persons: readonly CocoAnnotation[],
  posePoints: readonly (readonly PointPx[])[],
): { annotation: CocoAnnotation; oks: number; poseIndex: number | null }[] {
  const pairs = persons.flatMap((annotation, personIndex) =>
    posePoints.map((points, poseIndex) => ({ personIndex, poseIndex, oks: oksAgainst(annotation, points) })),
  );
  pairs.sort((a, b) => b.oks - a.oks);
  const result = persons.map((annotation) => ({ annotation, oks: 0, poseIndex: null as number | null }));
  const usedPoses = new Set<number>();
  for (const pair of pairs) {
    const entry = result[pair.personIndex];
    if (!entry || entry.poseIndex !== null || usedPoses.has(pair.poseIndex)) continue;
    entry.oks = pair.oks;
    entry.poseIndex = pair.poseIndex;
    usedPoses.add(pair.poseIndex);
  }
  return result;
}
