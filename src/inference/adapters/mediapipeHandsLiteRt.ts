import { layoutById } from '../../core/layouts';
import { resolveModelSettings } from '../../core/modelSettings';
import type { Keypoint, ModelInfo, Pose, WorldKeypoint } from '../../core/types';
import type { AdapterFamily, ModelLoadContext } from '../modelAdapter';
import { configFile, configNumber, configString, onlyConfigFields } from '../modelConfig';
import { rootOf, type RgbImage } from '../rgbImage';
import { LITERT_RUNTIME, liteRtMemory, loadLiteRtModel, readerWithProgress, type LiteRtModel } from '../runtimes/litert';

/**
 * MediaPipe Hands (palm detector + hand landmark lite/full) on LiteRT.js: MediaPipe's own .tflite networks from
 * @mediapipe/hands, with our own pre- and post-processing written after MediaPipe's palm_detection and
 * hand_landmark graphs, with the parameters hand-pose-detection 2.0.1's tfjs pipeline (the twin this is validated
 * against, test/models/handsLiteRt.test.ts) uses:
 *
 * 1. palm detector: the whole input letterboxed into 192² (values in [0, 1], black bars); 2016 SSD anchors (4 layers,
 *    strides 8, 16, 16, 16, one aspect ratio + an interpolated scale per layer, fixed anchor size 1: 24²·2 + 12²·6);
 *    box (x, y, w, h) and 7 palm keypoints decoded as value/192 + anchor centre; score sigmoid(clip ±100) ≥ 0.5;
 *    greedy non-maximum suppression (IoU ≥ 0.3 suppresses) keeping at most `maxHands`; out of the letterbox;
 * 2. hand region: the palm box's centre and size, rotated so that keypoint 0 (the wrist's centre) → keypoint 2 (the
 *    middle finger's MCP) points up (90°), shifted by −0.5 of its height along that direction (towards the fingers),
 *    squared on its long side (in pixels) and enlarged 2.6×; a region overlapping a later one by IoU > 0.5 (unrotated
 *    rectangles) is dropped (MediaPipe's AssociationNormRectCalculator);
 * 3. landmarks: the rotated region sampled bilinearly into 224² (values in [0, 1], pixels outside the image black);
 *    the hand flag must be ≥ 0.5; 21 × (x, y, z) in crop pixels: x, y / 224, z / 224 / 0.4 (MediaPipe's normalize_z),
 *    projected back through the region (z scaled like x, image-width pixels); the 21 world landmarks (metres, origin
 *    at the hand's centre) rotated by the region's rotation; the handedness score (P(MediaPipe's 'Left')).
 *
 * Handedness as the tfjs twin gives it, in the subject's terms: MediaPipe's classifier assumes a mirrored (selfie)
 * image, so on an ordinary photo its 'Left' (score ≥ 0.5) is the person's right hand; the label is flipped here and
 * its score is that label's probability. A hand's `score` (and each keypoint's) is the hand flag, as the tfjs twin
 * reports it.
 *
 * Every frame runs the palm detector: video mode does no tracking from the previous frame's landmarks (the tfjs twin
 * does, as MediaPipe's graph), so a LiteRT video result is the still result of each frame.
 */

/** Manifest `config`: as the tfjs twin's (modelType, maxHands), the two files being .tflite. */
interface HandsLiteRtConfig {
  modelType: 'lite' | 'full';
  maxHands: number;
  detectorFile: string;
  landmarkFile: string;
}
const CONFIG_FIELDS = ['modelType', 'maxHands', 'detectorFile', 'landmarkFile'];
const MODEL_TYPES = ['lite', 'full'] as const;
const MAX_HANDS_LIMIT = 10;
const HAND_POINTS = 21;

function liteRtConfig(info: ModelInfo): HandsLiteRtConfig {
  onlyConfigFields(info, CONFIG_FIELDS);
  const config = {
    modelType: configString(info, 'modelType', MODEL_TYPES),
    maxHands: configNumber(info, 'maxHands', { min: 1, max: MAX_HANDS_LIMIT, integer: true }),
    detectorFile: configFile(info, 'detectorFile'),
    landmarkFile: configFile(info, 'landmarkFile'),
  };
  const points = layoutById(info.keypointLayout).keypointNames.length;
  if (points !== HAND_POINTS) throw new Error(`${info.id}: the hand landmark network gives ${HAND_POINTS} points, its layout ${info.keypointLayout} has ${points}`);
  return config;
}

const DETECTOR_SIZE = 192;
const NUM_ANCHORS = 2016;
const DETECTOR_COORDS = 18;
const PALM_KEYPOINTS = 7;
const MIN_PALM_SCORE = 0.5;
const SCORE_CLIP = 100;
const NMS_MIN_IOU = 0.3;
/** Palm keypoints that set the region's rotation: the wrist's centre → the middle finger's MCP, made to point up. */
const ROTATION_FROM = 0;
const ROTATION_TO = 2;
const ROTATION_TARGET = Math.PI / 2;
const REGION_SHIFT_Y = -0.5;
const REGION_SCALE = 2.6;
const MIN_REGION_SIMILARITY = 0.5;
const LANDMARK_SIZE = 224;
const HAND_PRESENCE = 0.5;
const NORMALIZE_Z = 0.4;

/** A rotated rectangle; in normalised image coordinates unless named …Px (MediaPipe's NormalizedRect). */
export interface HandRegion {
  xCenter: number;
  yCenter: number;
  width: number;
  height: number;
  rotation: number;
}

/** A detected palm in normalised image coordinates: its box and 7 keypoints (wrist, finger MCPs, thumb). */
export interface PalmDetection {
  score: number;
  box: { xMin: number; yMin: number; xMax: number; yMax: number };
  keypoints: { x: number; y: number }[];
}

/** Padding of a letterbox on each side, as fractions of the padded square (left = right, top = bottom). */
interface Letterbox {
  left: number;
  top: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const wrapAngle = (angle: number) => angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));

/**
 * Centres (x then y) of the palm detector's 2016 SSD anchors; their size is fixed to 1, so only centres matter.
 * Layers of one stride share a feature map, each adding two anchors per cell (its scale and an interpolated one).
 */
function palmAnchors(): Float32Array {
  const strides = [8, 16, 16, 16];
  const out = new Float32Array(NUM_ANCHORS * 2);
  let n = 0;
  for (let first = 0; first < strides.length; ) {
    let end = first;
    while (end < strides.length && strides[end] === strides[first]) end++;
    const grid = Math.ceil(DETECTOR_SIZE / strides[first]!);
    const perCell = 2 * (end - first);
    for (let row = 0; row < grid; row++) {
      for (let col = 0; col < grid; col++) {
        for (let a = 0; a < perCell; a++) {
          if (n >= NUM_ANCHORS) throw new Error(`palm detector: more than ${NUM_ANCHORS} anchors`);
          out[2 * n] = (col + 0.5) / grid;
          out[2 * n + 1] = (row + 0.5) / grid;
          n++;
        }
      }
    }
    first = end;
  }
  if (n !== NUM_ANCHORS) throw new Error(`palm detector: ${n} anchors, expected ${NUM_ANCHORS}`);
  return out;
}

/**
 * Fits a widthPx × heightPx rectangle into a square by padding its short side (tfjs-models' padRoi with
 * keepAspectRatio): the side of the square and the padding on each side as a fraction of it.
 */
function squareLetterbox(widthPx: number, heightPx: number): { sidePx: number; padding: Letterbox } {
  if (heightPx < widthPx) return { sidePx: widthPx, padding: { left: 0, top: (1 - heightPx / widthPx) / 2 } };
  return { sidePx: heightPx, padding: { left: (1 - widthPx / heightPx) / 2, top: 0 } };
}

/**
 * The rotated rectangle `rectPx` (pixels of `image`, which may be a crop view) resampled into a size × size RGB
 * float32 array, value · scale (+ 0): output pixel (u, v) reads the image at
 * centre + R(rotation)·((u/size − ½)·width, (v/size − ½)·height), bilinearly from its four neighbours, a neighbour
 * outside the image counting as black (tf.image.transform, 'constant' fill 0, which the tfjs twin samples with).
 */
function resampleRect(image: RgbImage, rectPx: HandRegion, size: number, scale: number): Float32Array {
  const { root, regionPx: view } = rootOf(image);
  const bytes = root.data;
  const bpp = root.bytesPerPixel;
  const rowBytes = root.widthPx * bpp;
  const origin = view.yPx * rowBytes + view.xPx * bpp;
  const maxX = view.widthPx - 1, maxY = view.heightPx - 1;
  const cos = Math.cos(rectPx.rotation), sin = Math.sin(rectPx.rotation);
  const out = new Float32Array(size * size * 3);
  // Sample-position steps per output column and per output row.
  const stepXu = (cos * rectPx.width) / size, stepYu = (sin * rectPx.width) / size;
  const stepXv = (-sin * rectPx.height) / size, stepYv = (cos * rectPx.height) / size;
  const startX = rectPx.xCenter - 0.5 * cos * rectPx.width + 0.5 * sin * rectPx.height;
  const startY = rectPx.yCenter - 0.5 * sin * rectPx.width - 0.5 * cos * rectPx.height;
  const at = (px: number, py: number, c: number) => (px < 0 || py < 0 || px > maxX || py > maxY ? 0 : bytes[origin + py * rowBytes + px * bpp + c]!);
  let o = 0;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++, o += 3) {
      const x = startX + u * stepXu + v * stepXv;
      const y = startY + u * stepYu + v * stepYv;
      const px = Math.floor(x), py = Math.floor(y);
      const fx = x - px, fy = y - py;
      if (px >= 0 && py >= 0 && px < maxX && py < maxY) {
        const i = origin + py * rowBytes + px * bpp;
        for (let c = 0; c < 3; c++) {
          const top = bytes[i + c]! + fx * (bytes[i + bpp + c]! - bytes[i + c]!);
          const bottom = bytes[i + rowBytes + c]! + fx * (bytes[i + rowBytes + bpp + c]! - bytes[i + rowBytes + c]!);
          out[o + c] = (top + fy * (bottom - top)) * scale;
        }
      } else {
        for (let c = 0; c < 3; c++) {
          const top = (1 - fx) * at(px, py, c) + fx * at(px + 1, py, c);
          const bottom = (1 - fx) * at(px, py + 1, c) + fx * at(px + 1, py + 1, c);
          out[o + c] = ((1 - fy) * top + fy * bottom) * scale;
        }
      }
    }
  }
  return out;
}

/** IoU of two axis-aligned boxes; 0 when either has no area (as tf.image.nonMaxSuppression and MediaPipe compute it). */
function boxIou(a: PalmDetection['box'], b: PalmDetection['box']): number {
  const areaA = (a.xMax - a.xMin) * (a.yMax - a.yMin);
  const areaB = (b.xMax - b.xMin) * (b.yMax - b.yMin);
  if (!(areaA > 0 && areaB > 0)) return 0;
  const overlapW = Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin);
  const overlapH = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin);
  if (overlapW <= 0 || overlapH <= 0) return 0;
  const overlap = overlapW * overlapH;
  return overlap / (areaA + areaB - overlap);
}

/**
 * The palms above the score floor, best first, after greedy suppression (a palm overlapping a better kept one by
 * IoU ≥ 0.3 is dropped), at most `maxHands`; in the letterboxed square's normalised coordinates.
 */
function decodePalms(boxes: Float32Array, logits: Float32Array, anchors: Float32Array, maxHands: number): PalmDetection[] {
  const found: PalmDetection[] = [];
  for (let i = 0; i < NUM_ANCHORS; i++) {
    const score = sigmoid(Math.max(-SCORE_CLIP, Math.min(SCORE_CLIP, logits[i]!)));
    if (score < MIN_PALM_SCORE) continue;
    const base = i * DETECTOR_COORDS;
    const w = boxes[base + 2]! / DETECTOR_SIZE, h = boxes[base + 3]! / DETECTOR_SIZE;
    if (w < 0 || h < 0) continue;
    const ax = anchors[2 * i]!, ay = anchors[2 * i + 1]!;
    const cx = ax + boxes[base]! / DETECTOR_SIZE, cy = ay + boxes[base + 1]! / DETECTOR_SIZE;
    const keypoints = Array.from({ length: PALM_KEYPOINTS }, (_, k) => ({
      x: ax + boxes[base + 4 + 2 * k]! / DETECTOR_SIZE,
      y: ay + boxes[base + 5 + 2 * k]! / DETECTOR_SIZE,
    }));
    found.push({ score, box: { xMin: cx - w / 2, yMin: cy - h / 2, xMax: cx + w / 2, yMax: cy + h / 2 }, keypoints });
  }
  found.sort((a, b) => b.score - a.score);
  const kept: PalmDetection[] = [];
  for (const palm of found) {
    if (kept.length === maxHands) break;
    if (!kept.some((other) => boxIou(other.box, palm.box) >= NMS_MIN_IOU)) kept.push(palm);
  }
  return kept;
}

/** A palm in the letterboxed square's normalised coordinates → the image's normalised coordinates. */
function removeLetterbox(palm: PalmDetection, padding: Letterbox): PalmDetection {
  const x = (value: number) => (value - padding.left) / (1 - 2 * padding.left);
  const y = (value: number) => (value - padding.top) / (1 - 2 * padding.top);
  const { box } = palm;
  return {
    score: palm.score,
    box: { xMin: x(box.xMin), yMin: y(box.yMin), xMax: x(box.xMax), yMax: y(box.yMax) },
    keypoints: palm.keypoints.map((k) => ({ x: x(k.x), y: y(k.y) })),
  };
}

/**
 * The landmark network's region for a palm (MediaPipe's palm_detection_detection_to_roi): the palm box, rotated so
 * the wrist → middle-finger MCP direction points up, moved half its height that way, squared on its long side in
 * pixels and enlarged 2.6×. Normalised to the widthPx × heightPx image.
 */
export function handRegionFromPalm(palm: PalmDetection, widthPx: number, heightPx: number): HandRegion {
  const { box, keypoints } = palm;
  const from = keypoints[ROTATION_FROM]!, to = keypoints[ROTATION_TO]!;
  const rotation = wrapAngle(ROTATION_TARGET - Math.atan2(-(to.y - from.y) * heightPx, (to.x - from.x) * widthPx));
  const width = box.xMax - box.xMin, height = box.yMax - box.yMin;
  // The shift is along the rotated rectangle's own y axis, in pixels, then normalised back per axis.
  const shiftPx = height * heightPx * REGION_SHIFT_Y;
  const xCenter = (box.xMin + box.xMax) / 2 - (shiftPx * Math.sin(rotation)) / widthPx;
  const yCenter = (box.yMin + box.yMax) / 2 + (shiftPx * Math.cos(rotation)) / heightPx;
  const sidePx = Math.max(width * widthPx, height * heightPx);
  return { xCenter, yCenter, width: (sidePx / widthPx) * REGION_SCALE, height: (sidePx / heightPx) * REGION_SCALE, rotation };
}

/**
 * MediaPipe's AssociationNormRectCalculator over one list: each region in turn removes the earlier ones it overlaps
 * by IoU > 0.5 (unrotated rectangles, normalised coordinates), then joins the list.
 */
export function associateHandRegions(regions: readonly HandRegion[]): HandRegion[] {
  const box = (r: HandRegion) => ({ xMin: r.xCenter - r.width / 2, yMin: r.yCenter - r.height / 2, xMax: r.xCenter + r.width / 2, yMax: r.yCenter + r.height / 2 });
  let kept: HandRegion[] = [];
  for (const region of regions) {
    kept = kept.filter((earlier) => boxIou(box(region), box(earlier)) <= MIN_REGION_SIMILARITY);
    kept.push(region);
  }
  return kept;
}

/** The index of a model output by its .tflite name and size (names checked, never guessed: two pairs share a size). */
function namedOutput(model: LiteRtModel, name: string, size: number, what: string): number {
  const index = model.outputNames.indexOf(name);
  const shape = model.outputShapes[index];
  if (index < 0 || !shape || shape.reduce((a, b) => a * b, 1) !== size) {
    throw new Error(`${what}: no output '${name}' of ${size} values (outputs: ${model.outputNames.map((n, i) => `${n} [${String(model.outputShapes[i])}]`).join(', ')})`);
  }
  return index;
}

/** One hand from the landmark stage: the pose (image pixels) and the raw values tests compare stage by stage. */
export interface HandLandmarksResult {
  pose: Pose;
  /** P(MediaPipe's 'Left') = P(the subject's right hand) on an unmirrored image. */
  handednessScore: number;
}

/** The two stages, for the adapter and for tests that check each against the tfjs twin. */
export interface HandsLiteRtStages {
  readonly maxHands: number;
  /** The palms of `image` (normalised image coordinates), best first, and the detector's time. */
  detect(image: RgbImage): Promise<{ palms: PalmDetection[]; networkMs: number }>;
  /**
   * The landmark network's input for a region: 224² RGB in [0, 1]. `offsetPx` moves the sampled rectangle (tests
   * only: the negative control of a half-pixel mistake); 0 in the adapter.
   */
  landmarkInput(image: RgbImage, region: HandRegion, offsetPx?: number): Float32Array;
  /** The hand in `region`, or null below the hand flag; and the network's time. */
  landmarks(image: RgbImage, region: HandRegion, offsetPx?: number): Promise<{ hand: HandLandmarksResult | null; networkMs: number }>;
  dispose(): void;
}

export async function loadHandsLiteRtStages(info: ModelInfo, context: ModelLoadContext): Promise<HandsLiteRtStages> {
  const config = liteRtConfig(info);
  const names = layoutById(info.keypointLayout).keypointNames;
  const maxHands = resolveModelSettings(info.settings, context.settings).maxPoses ?? config.maxHands;
  const read = readerWithProgress(info, context);
  const [detectorBytes, landmarkBytes] = await Promise.all([read(config.detectorFile), read(config.landmarkFile)]);
  const detector = await loadLiteRtModel(detectorBytes, `${info.id} palm detector`);
  let landmark: LiteRtModel;
  try {
    landmark = await loadLiteRtModel(landmarkBytes, `${info.id} hand landmarks`);
  } catch (error) {
    detector.dispose();
    throw error;
  }
  const anchors = palmAnchors();
  let outputs: { boxes: number; logits: number; points: number; flag: number; handedness: number; world: number };
  try {
    // The .tflite output names (MediaPipe's conversion): palm boxes + keypoints 'Identity', scores 'Identity_1';
    // landmarks 'Identity', hand flag 'Identity_1', handedness 'Identity_2', world landmarks 'Identity_3'.
    outputs = {
      boxes: namedOutput(detector, 'Identity', NUM_ANCHORS * DETECTOR_COORDS, `${info.id} palm detector`),
      logits: namedOutput(detector, 'Identity_1', NUM_ANCHORS, `${info.id} palm detector`),
      points: namedOutput(landmark, 'Identity', HAND_POINTS * 3, `${info.id} hand landmarks`),
      flag: namedOutput(landmark, 'Identity_1', 1, `${info.id} hand landmarks`),
      handedness: namedOutput(landmark, 'Identity_2', 1, `${info.id} hand landmarks`),
      world: namedOutput(landmark, 'Identity_3', HAND_POINTS * 3, `${info.id} hand landmarks`),
    };
  } catch (error) {
    detector.dispose();
    landmark.dispose();
    throw error;
  }

  const landmarkInput = (image: RgbImage, region: HandRegion, offsetPx = 0): Float32Array => {
    const { widthPx, heightPx } = image;
    // The region is square in pixels (squared on its long side), so this letterbox pads nothing in practice; kept
    // general, as the tfjs twin's image-to-tensor step is.
    const { sidePx } = squareLetterbox(region.width * widthPx, region.height * heightPx);
    const rectPx = { xCenter: region.xCenter * widthPx + offsetPx, yCenter: region.yCenter * heightPx + offsetPx, width: sidePx, height: sidePx, rotation: region.rotation };
    return resampleRect(image, rectPx, LANDMARK_SIZE, 1 / 255);
  };

  return {
    maxHands,
    async detect(image) {
      const { widthPx, heightPx } = image;
      const { sidePx, padding } = squareLetterbox(widthPx, heightPx);
      const input = resampleRect(image, { xCenter: widthPx / 2, yCenter: heightPx / 2, width: sidePx, height: sidePx, rotation: 0 }, DETECTOR_SIZE, 1 / 255);
      const start = performance.now();
      const result = await detector.run(input);
      const networkMs = performance.now() - start;
      const palms = decodePalms(result[outputs.boxes]!, result[outputs.logits]!, anchors, maxHands).map((palm) => removeLetterbox(palm, padding));
      return { palms, networkMs };
    },
    landmarkInput,
    async landmarks(image, region, offsetPx = 0) {
      const input = landmarkInput(image, region, offsetPx);
      const start = performance.now();
      const result = await landmark.run(input);
      const networkMs = performance.now() - start;
      // The .tflite's hand flag and handedness are probabilities already (MediaPipe's graph thresholds them as they are).
      const score = result[outputs.flag]![0]!;
      if (!(score >= HAND_PRESENCE)) return { hand: null, networkMs };
      const handednessScore = result[outputs.handedness]![0]!;
      const points = result[outputs.points]!, world = result[outputs.world]!;
      const { widthPx, heightPx } = image;
      const { padding } = squareLetterbox(region.width * widthPx, region.height * heightPx);
      const cos = Math.cos(region.rotation), sin = Math.sin(region.rotation);
      const keypoints: Keypoint[] = [];
      const worldKeypoints: WorldKeypoint[] = [];
      for (let i = 0; i < HAND_POINTS; i++) {
        const name = names[i] ?? String(i);
        // Crop pixels → the crop's normalised coordinates, out of its letterbox, centred on the region.
        const dx = (points[3 * i]! / LANDMARK_SIZE - padding.left) / (1 - 2 * padding.left) - 0.5;
        const dy = (points[3 * i + 1]! / LANDMARK_SIZE - padding.top) / (1 - 2 * padding.top) - 0.5;
        const dz = points[3 * i + 2]! / LANDMARK_SIZE / NORMALIZE_Z / (1 - 2 * padding.left);
        const x = region.xCenter + (cos * dx - sin * dy) * region.width;
        const y = region.yCenter + (sin * dx + cos * dy) * region.height;
        keypoints.push({ name, x: x * widthPx, y: y * heightPx, score, z: dz * region.width * widthPx });
        const wx = world[3 * i]!, wy = world[3 * i + 1]!;
        worldKeypoints.push({ name, x: cos * wx - sin * wy, y: sin * wx + cos * wy, z: world[3 * i + 2]!, score });
      }
      // MediaPipe's 'Left' (score ≥ 0.5) on an unmirrored photo is the subject's right hand (see the top of this file).
      const right = handednessScore >= 0.5;
      const pose: Pose = {
        keypoints,
        score,
        world: { unit: 'm', keypoints: worldKeypoints },
        labels: { handedness: { value: right ? 'right' : 'left', score: right ? handednessScore : 1 - handednessScore } },
      };
      return { hand: { pose, handednessScore }, networkMs };
    },
    dispose() {
      detector.dispose();
      landmark.dispose();
    },
  };
}

/** MediaPipe Hands lite/full on LiteRT.js (see the top of this file). */
export const MEDIAPIPE_HANDS_LITERT_FAMILY: AdapterFamily = {
  runtime: LITERT_RUNTIME,
  checkConfig: (info) => void liteRtConfig(info),
  async load(info, context) {
    const stages = await loadHandsLiteRtStages(info, context);
    return {
      info,
      runtime: LITERT_RUNTIME,
      runtimeMemory: liteRtMemory,
      async estimate(image) {
        const { palms, networkMs: detectorMs } = await stages.detect(image);
        let networkMs = detectorMs;
        const regions = associateHandRegions(palms.map((palm) => handRegionFromPalm(palm, image.widthPx, image.heightPx)));
        const poses: Pose[] = [];
        for (const region of regions) {
          const { hand, networkMs: ms } = await stages.landmarks(image, region);
          networkMs += ms;
          if (hand) poses.push(hand.pose);
        }
        return { poses, networkMs };
      },
      dispose: () => stages.dispose(),
    };
  },
};
