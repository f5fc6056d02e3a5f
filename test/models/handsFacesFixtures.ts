/**
 * Ground truth and bounds shared by the MediaPipe Hands and Face Mesh tests: photos from test/fixtures/hands-faces
 * (CC BY-SA) and two CC BY photos of test/fixtures/people, with their COCO person annotations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_COCO_LAYOUT } from '../../src/core/layouts';
import { rgbImage, type RgbImage } from '../../src/inference/rgbImage';
import { decodeImageFile } from '../../src/node/nodeImages';
import { PEOPLE_FIXTURE_DIR, REPO_ROOT, type CocoAnnotation, type CocoImage, type PeopleFixture } from './realModelHarness';

export const HANDS_FACES_FIXTURE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'hands-faces');

export interface FixturePhoto {
  path: string;
  image: CocoImage;
  annotations: CocoAnnotation[];
}

function readGt(dir: string): PeopleFixture {
  return JSON.parse(readFileSync(join(dir, 'annotations.json'), 'utf8')) as PeopleFixture;
}

/** A fixture photo by file name (hands-faces first, then people) with every person annotation of it. */
export function fixturePhoto(fileName: string): FixturePhoto {
  for (const dir of [HANDS_FACES_FIXTURE_DIR, PEOPLE_FIXTURE_DIR]) {
    const gt = readGt(dir);
    const image = gt.images.find((i) => i.file_name === fileName);
    if (image) return { path: join(dir, fileName), image, annotations: gt.annotations.filter((a) => a.image_id === image.id) };
  }
  throw new Error(`no fixture photo ${fileName}`);
}

export function annotation(photo: FixturePhoto, id: number): CocoAnnotation {
  const found = photo.annotations.find((a) => a.id === id);
  if (!found) throw new Error(`${photo.image.file_name} has no annotation ${id}`);
  return found;
}

export type CocoPointName = 'nose' | 'left_eye' | 'right_eye' | 'left_elbow' | 'right_elbow' | 'left_wrist' | 'right_wrist';

/** A labelled COCO keypoint [x, y] (visibility ≥ 1), or null when not labelled. */
export function labelled(person: CocoAnnotation, name: CocoPointName): readonly [number, number] | null {
  const index = DEFAULT_COCO_LAYOUT.keypointNames.indexOf(name);
  const [x = 0, y = 0, v = 0] = person.keypoints.slice(3 * index, 3 * index + 3);
  return v > 0 ? [x, y] : null;
}

/**
 * How far from a labelled COCO keypoint a model's corresponding point may be: 3 × σ_k·√area, where σ_k is COCO's
 * per-keypoint annotator standard deviation (the OKS sigmas: the spread COCO measured between its own annotators
 * clicking the same point, relative to the person's scale √area; nose 0.026, wrist 0.062). That is three standard
 * deviations of a second annotator, from the ground truth alone: a point outside it is not where a person would
 * have labelled it, and a wrong crop offset, scale or mirror moves the point much further.
 */
export const ANNOTATOR_SIGMAS_ALLOWED = 3;
export function annotatorBoundPx(person: CocoAnnotation, name: CocoPointName): number {
  const sigma = DEFAULT_COCO_LAYOUT.oksSigmas[DEFAULT_COCO_LAYOUT.keypointNames.indexOf(name)];
  if (sigma === undefined) throw new Error(`no COCO sigma for ${name}`);
  return ANNOTATOR_SIGMAS_ALLOWED * sigma * Math.sqrt(person.area);
}

export function distancePx(a: { x: number; y: number }, b: readonly [number, number]): number {
  return Math.hypot(a.x - b[0], a.y - b[1]);
}

/** The photo's pixels, and the same pixels mirrored left to right (as a selfie camera shows them). */
export async function photoPixels(path: string): Promise<{ image: RgbImage; mirrored: RgbImage; widthPx: number }> {
  const decoded = await decodeImageFile(path);
  const { width, height, rgb } = decoded;
  const flipped = new Uint8Array(rgb.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3;
      const to = (y * width + (width - 1 - x)) * 3;
      flipped[to] = rgb[from]!;
      flipped[to + 1] = rgb[from + 1]!;
      flipped[to + 2] = rgb[from + 2]!;
    }
  }
  return { image: rgbImage(rgb, width, height, 3), mirrored: rgbImage(flipped, width, height, 3), widthPx: width };
}
