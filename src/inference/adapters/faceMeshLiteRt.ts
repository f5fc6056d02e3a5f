import { layoutById } from '../../core/layouts';
import { resolveModelSettings } from '../../core/modelSettings';
import type { Keypoint, ModelInfo, Pose } from '../../core/types';
import type { AdapterFamily, ModelLoadContext } from '../modelAdapter';
import { configBoolean, configFile, configNumber, onlyConfigFields } from '../modelConfig';
import { rootOf, type RgbImage } from '../rgbImage';
import { LITERT_RUNTIME, liteRtMemory, loadLiteRtModel, readerWithProgress, type LiteRtModel } from '../runtimes/litert';

/**
 * MediaPipe Face Mesh (468 points) on LiteRT.js:
 * MediaPipe's own .tflite networks from @mediapipe/face_mesh, with our own pre- and post-processing written after
 * MediaPipe's face_detection_short_range and face_landmark_front graphs, with the parameters face-landmarks-detection
 * 1.0.6 / face-detection 1.0.3 (the tfjs twin this is validated against) use:
 *
 * 1. detector (BlazeFace short range): the whole input letterboxed into 128² (values in [−1, 1], black bars);
 *    896 SSD anchors (4 layers, strides 8, 16, 16, 16, one aspect ratio + an interpolated scale per layer, fixed
 *    anchor size 1: 16²·2 + 8²·6); box (x, y, w, h) and 6 keypoints decoded as value/128 + anchor centre; score
 *    sigmoid(clip ±100) ≥ 0.5; greedy non-maximum suppression (IoU ≥ 0.3 suppresses) keeping at most `maxFaces`;
 *    projected out of the letterbox into the image;
 * 2. region: the box's centre and size, rotated so that the right eye (keypoint 0) → the left eye (keypoint 1) is
 *    horizontal, squared on its long side (in pixels) and enlarged 1.5×; a region overlapping a later one by IoU > 0.5
 *    is dropped (MediaPipe's region association);
 * 3. landmarks: the rotated region sampled bilinearly into 192² (values in [0, 1], the border replicated); the face
 *    flag (a logit in the .tflite, so sigmoid) must be ≥ 0.5; 468 × (x, y, z) in crop pixels, normalised by 192 and
 *    projected back through the region (z scaled like x, in image-width pixels).
 *
 * Not the attention mesh (478 points): face_landmark_with_attention.tflite uses three MediaPipe custom ops
 * (Landmarks2TransformMatrix, TransformTensorBilinear, TransformLandmarks) that LiteRT.js 2.5.3 does not have (it
 * compiles the model, logs "unresolved custom op" and returns zeros), so `refineLandmarks` must be false here.
 *
 * A face's `score` (and each keypoint's) is the face flag probability, as the tfjs twin reports it. Every frame runs
 * the detector (video mode does no tracking from the previous frame's mesh, unlike the tfjs twin).
 */

/** Manifest `config`: as the tfjs twin's (refineLandmarks, false here; maxFaces), the files being .tflite. */
interface FaceMeshLiteRtConfig {
  refineLandmarks: boolean;
  maxFaces: number;
  detectorFile: string;
  landmarkFile: string;
}
const CONFIG_FIELDS = ['refineLandmarks', 'maxFaces', 'detectorFile', 'landmarkFile'];
const MAX_FACES_LIMIT = 10;
const MESH_POINTS = 468;

function liteRtConfig(info: ModelInfo): FaceMeshLiteRtConfig {
  onlyConfigFields(info, CONFIG_FIELDS);
  const config = {
    refineLandmarks: configBoolean(info, 'refineLandmarks'),
    maxFaces: configNumber(info, 'maxFaces', { min: 1, max: MAX_FACES_LIMIT, integer: true }),
    detectorFile: configFile(info, 'detectorFile'),
    landmarkFile: configFile(info, 'landmarkFile'),
  };
  if (config.refineLandmarks) {
    throw new Error(`${info.id}: the attention mesh (refineLandmarks) needs MediaPipe's custom ops Landmarks2TransformMatrix, TransformTensorBilinear and TransformLandmarks, which LiteRT.js does not have`);
  }
  const points = layoutById(info.keypointLayout).keypointNames.length;
  if (points !== MESH_POINTS) throw new Error(`${info.id}: the face mesh gives ${MESH_POINTS} points, its layout ${info.keypointLayout} has ${points}`);
  return config;
}

const DETECTOR_SIZE = 128;
const NUM_ANCHORS = 896;
const DETECTOR_COORDS = 16;
const DETECTOR_KEYPOINTS = 6;
const MIN_DETECTION_SCORE = 0.5;
const SCORE_CLIP = 100;
const NMS_MIN_IOU = 0.3;
const LANDMARK_SIZE = 192;
const FACE_PRESENCE = 0.5;
const ROI_SCALE = 1.5;
const MIN_REGION_SIMILARITY = 0.5;

/** A rotated rectangle; in normalised image coordinates unless named …Px (MediaPipe's NormalizedRect). */
export interface FaceRegion {
  xCenter: number;
  yCenter: number;
  width: number;
  height: number;
  rotation: number;
}

/** A detected face, in normalised image coordinates: its box and 6 keypoints (eyes, nose, mouth, ear tragions). */
export interface FaceDetection {
  score: number;
  box: { xMin: number; yMin: number; xMax: number; yMax: number };
  keypoints: { x: number; y: number }[];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const normalizeRadians = (angle: number) => angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));

/** Centres (x then y) of the short-range detector's 896 anchors (their size is fixed to 1, so only centres matter). */
function detectorAnchors(): Float32Array {
  const strides = [8, 16, 16, 16];
  const centres: number[] = [];
  for (let layer = 0; layer < strides.length; ) {
    let next = layer;
    // Layers of one stride share a feature map: each gives two anchors per cell (its scale and an interpolated one).
    while (next < strides.length && strides[next] === strides[layer]) next++;
    const perCell = 2 * (next - layer);
    const cells = Math.ceil(DETECTOR_SIZE / strides[layer]!);
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let a = 0; a < perCell; a++) centres.push((x + 0.5) / cells, (y + 0.5) / cells);
    layer = next;
  }
  if (centres.length !== 2 * NUM_ANCHORS) throw new Error(`face detector: ${centres.length / 2} anchors, expected ${NUM_ANCHORS}`);
  return Float32Array.from(centres);
}

/**
 * Samples the rotated rectangle `regionPx` (pixels of `image`, which may be a view) into an outSize² float32 RGB
 * array: output pixel (u, v) reads the image at centre + R·((u/out − ½)·w, (v/out − ½)·h), bilinearly, as tfjs's
 * image.transform does; `border` 'zero' reads pixels outside the image as 0, 'replicate' clamps the position to the
 * image first. Then value · scale + offset. Reads the decoded bytes in place.
 */
export function sampleRegion(image: RgbImage, regionPx: FaceRegion, outSize: number, border: 'zero' | 'replicate', scale: number, offset: number): Float32Array {
  const { root, regionPx: view } = rootOf(image);
  const data = root.data;
  const bpp = root.bytesPerPixel;
  const rowBytes = root.widthPx * bpp;
  const origin = view.yPx * rowBytes + view.xPx * bpp;
  const lastX = view.widthPx - 1, lastY = view.heightPx - 1;
  const cos = Math.cos(regionPx.rotation), sin = Math.sin(regionPx.rotation);
  const replicate = border === 'replicate';
  const pixel = (x: number, y: number, c: number) => (x < 0 || x > lastX || y < 0 || y > lastY ? 0 : data[origin + y * rowBytes + x * bpp + c]!);
  const out = new Float32Array(outSize * outSize * 3);
  for (let v = 0, o = 0; v < outSize; v++) {
    const dy = (v / outSize - 0.5) * regionPx.height;
    for (let u = 0; u < outSize; u++, o += 3) {
      const dx = (u / outSize - 0.5) * regionPx.width;
      let x = regionPx.xCenter + cos * dx - sin * dy;
      let y = regionPx.yCenter + sin * dx + cos * dy;
      if (replicate) {
        x = Math.min(Math.max(x, 0), lastX);
        y = Math.min(Math.max(y, 0), lastY);
      }
      const x0 = Math.floor(x), y0 = Math.floor(y);
      const fx = x - x0, fy = y - y0;
      for (let c = 0; c < 3; c++) {
        // On the last row/column a clamped position's far neighbour weighs 0; `pixel` reads it as 0 (never NaN).
        const top = (1 - fx) * pixel(x0, y0, c) + fx * pixel(x0 + 1, y0, c);
        const bottom = (1 - fx) * pixel(x0, y0 + 1, c) + fx * pixel(x0 + 1, y0 + 1, c);
        out[o + c] = ((1 - fy) * top + fy * bottom) * scale + offset;
      }
    }
  }
  return out;
}

/** Intersection over union of two boxes (0 when either is empty), as tf.image.nonMaxSuppression computes it. */
function iou(a: FaceDetection['box'], b: FaceDetection['box']): number {
  const areaA = (a.xMax - a.xMin) * (a.yMax - a.yMin), areaB = (b.xMax - b.xMin) * (b.yMax - b.yMin);
  if (areaA <= 0 || areaB <= 0) return 0;
  const w = Math.max(0, Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin));
  const h = Math.max(0, Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin));
  return (w * h) / (areaA + areaB - w * h);
}

/**
 * The detector's faces (score ≥ 0.5, at most maxFaces after NMS) in the letterboxed 128² square's normalised
 * coordinates, best first.
 */
function decodeDetections(boxes: Float32Array, scores: Float32Array, anchors: Float32Array, maxFaces: number): FaceDetection[] {
  const candidates: FaceDetection[] = [];
  for (let i = 0; i < NUM_ANCHORS; i++) {
    const score = sigmoid(Math.min(SCORE_CLIP, Math.max(-SCORE_CLIP, scores[i]!)));
    if (score < MIN_DETECTION_SCORE) continue;
    const at = i * DETECTOR_COORDS;
    const ax = anchors[2 * i]!, ay = anchors[2 * i + 1]!;
    const cx = boxes[at]! / DETECTOR_SIZE + ax, cy = boxes[at + 1]! / DETECTOR_SIZE + ay;
    const w = boxes[at + 2]! / DETECTOR_SIZE, h = boxes[at + 3]! / DETECTOR_SIZE;
    if (w < 0 || h < 0) continue;
    const keypoints: { x: number; y: number }[] = [];
    for (let k = 0; k < DETECTOR_KEYPOINTS; k++) keypoints.push({ x: boxes[at + 4 + 2 * k]! / DETECTOR_SIZE + ax, y: boxes[at + 5 + 2 * k]! / DETECTOR_SIZE + ay });
    candidates.push({ score, box: { xMin: cx - w / 2, yMin: cy - h / 2, xMax: cx + w / 2, yMax: cy + h / 2 }, keypoints });
  }
  // Stable sort by score, then greedy suppression against the faces already kept.
  candidates.sort((a, b) => b.score - a.score);
  const kept: FaceDetection[] = [];
  for (const candidate of candidates) {
    if (kept.length >= maxFaces) break;
    if (kept.every((face) => iou(face.box, candidate.box) < NMS_MIN_IOU)) kept.push(candidate);
  }
  return kept;
}

/** A detection in the letterboxed square (side `sidePx`, centred on the image) → normalised image coordinates. */
function unletterbox(detection: FaceDetection, widthPx: number, heightPx: number, sidePx: number): FaceDetection {
  const x = (value: number) => (widthPx / 2 + (value - 0.5) * sidePx) / widthPx;
  const y = (value: number) => (heightPx / 2 + (value - 0.5) * sidePx) / heightPx;
  const { box } = detection;
  return {
    score: detection.score,
    box: { xMin: x(box.xMin), yMin: y(box.yMin), xMax: x(box.xMax), yMax: y(box.yMax) },
    keypoints: detection.keypoints.map((k) => ({ x: x(k.x), y: y(k.y) })),
  };
}

/** The landmark network's region for a detection: box centre, eyes level, squared on the long side, × 1.5. */
export function regionFromDetection(detection: FaceDetection, widthPx: number, heightPx: number): FaceRegion {
  const { box, keypoints } = detection;
  const [rightEye, leftEye] = [keypoints[0]!, keypoints[1]!];
  const rotation = normalizeRadians(-Math.atan2(-(leftEye.y - rightEye.y) * heightPx, (leftEye.x - rightEye.x) * widthPx));
  const sidePx = Math.max((box.xMax - box.xMin) * widthPx, (box.yMax - box.yMin) * heightPx) * ROI_SCALE;
  return { xCenter: (box.xMin + box.xMax) / 2, yCenter: (box.yMin + box.yMax) / 2, width: sidePx / widthPx, height: sidePx / heightPx, rotation };
}

/**
 * MediaPipe's AssociationNormRectCalculator over one list: each region in turn removes the earlier ones it overlaps
 * by more than 0.5 (IoU of the unrotated rectangles, normalised coordinates), then joins the list.
 */
export function associateRegions(regions: readonly FaceRegion[]): FaceRegion[] {
  const bounds = (r: FaceRegion) => ({ xMin: r.xCenter - r.width / 2, yMin: r.yCenter - r.height / 2, xMax: r.xCenter + r.width / 2, yMax: r.yCenter + r.height / 2 });
  let kept: FaceRegion[] = [];
  for (const region of regions) {
    kept = kept.filter((earlier) => !(iou(bounds(region), bounds(earlier)) > MIN_REGION_SIMILARITY));
    kept.push(region);
  }
  return kept;
}

function outputIndex(model: LiteRtModel, name: string, size: number): number {
  const sizes = model.outputShapes.map((shape) => shape.reduce((a, b) => a * b, 1));
  const byName = model.outputNames.indexOf(name);
  if (byName >= 0 && sizes[byName] === size) return byName;
  const bySize = sizes.flatMap((s, i) => (s === size ? [i] : []));
  if (bySize.length === 1) return bySize[0]!;
  throw new Error(`LiteRT model has no output '${name}' of ${size} values (outputs: ${model.outputNames.map((n, i) => `${n} ${sizes[i]}`).join(', ')})`);
}

/** The two stages, for the adapter and for tests that check each stage against the tfjs twin. */
export interface FaceMeshLiteRtStages {
  readonly maxFaces: number;
  readonly detector: LiteRtModel;
  readonly landmark: LiteRtModel;
  /** The faces of `image` (normalised image coordinates), best first, and the detector's time. */
  detect(image: RgbImage): Promise<{ detections: FaceDetection[]; networkMs: number }>;
  /** The landmark network's input for a region: 192² RGB in [0, 1]. */
  landmarkInput(image: RgbImage, region: FaceRegion): Float32Array;
  /** The face in `region` (image pixels, z in image-width pixels), or null below the face flag; and the network's time. */
  landmarks(image: RgbImage, region: FaceRegion): Promise<{ pose: Pose | null; networkMs: number }>;
  dispose(): void;
}

export async function loadFaceMeshLiteRtStages(info: ModelInfo, context: ModelLoadContext): Promise<FaceMeshLiteRtStages> {
  const config = liteRtConfig(info);
  const names = layoutById(info.keypointLayout).keypointNames;
  const maxFaces = resolveModelSettings(info.settings, context.settings).maxPoses ?? config.maxFaces;
  const read = readerWithProgress(info, context);
  const [detectorBytes, landmarkBytes] = await Promise.all([read(config.detectorFile), read(config.landmarkFile)]);
  const detector = await loadLiteRtModel(detectorBytes, `${info.id} detector`);
  let landmark: LiteRtModel;
  try {
    landmark = await loadLiteRtModel(landmarkBytes, `${info.id} landmarks`);
  } catch (error) {
    detector.dispose();
    throw error;
  }
  const anchors = detectorAnchors();
  const boxesOutput = outputIndex(detector, 'regressors', NUM_ANCHORS * DETECTOR_COORDS);
  const scoresOutput = outputIndex(detector, 'classificators', NUM_ANCHORS);
  const flagOutput = outputIndex(landmark, 'conv2d_31', 1);
  const meshOutput = outputIndex(landmark, 'conv2d_21', MESH_POINTS * 3);

  const landmarkInput = (image: RgbImage, region: FaceRegion) => {
    const { widthPx, heightPx } = image;
    const regionPx = { xCenter: region.xCenter * widthPx, yCenter: region.yCenter * heightPx, width: region.width * widthPx, height: region.height * heightPx, rotation: region.rotation };
    return sampleRegion(image, regionPx, LANDMARK_SIZE, 'replicate', 1 / 255, 0);
  };

  return {
    maxFaces,
    detector,
    landmark,
    async detect(image) {
      const { widthPx, heightPx } = image;
      const sidePx = Math.max(widthPx, heightPx);
      const input = sampleRegion(image, { xCenter: widthPx / 2, yCenter: heightPx / 2, width: sidePx, height: sidePx, rotation: 0 }, DETECTOR_SIZE, 'zero', 2 / 255, -1);
      const start = performance.now();
      const outputs = await detector.run(input);
      const networkMs = performance.now() - start;
      const detections = decodeDetections(outputs[boxesOutput]!, outputs[scoresOutput]!, anchors, maxFaces).map((d) => unletterbox(d, widthPx, heightPx, sidePx));
      return { detections, networkMs };
    },
    landmarkInput,
    async landmarks(image, region) {
      const input = landmarkInput(image, region);
      const start = performance.now();
      const outputs = await landmark.run(input);
      const networkMs = performance.now() - start;
      // The .tflite's face flag is a logit (MediaPipe's graph applies the sigmoid; tfjs's converted graph ends in it).
      const score = sigmoid(outputs[flagOutput]![0]!);
      if (!(score >= FACE_PRESENCE)) return { pose: null, networkMs };
      const mesh = outputs[meshOutput]!;
      const { widthPx, heightPx } = image;
      const cos = Math.cos(region.rotation), sin = Math.sin(region.rotation);
      const keypoints: Keypoint[] = [];
      for (let i = 0; i < MESH_POINTS; i++) {
        const dx = mesh[i * 3]! / LANDMARK_SIZE - 0.5, dy = mesh[i * 3 + 1]! / LANDMARK_SIZE - 0.5;
        // Projected in normalised coordinates (as MediaPipe's LandmarkProjectionCalculator does), then to pixels.
        const x = (cos * dx - sin * dy) * region.width + region.xCenter;
        const y = (sin * dx + cos * dy) * region.height + region.yCenter;
        const z = (mesh[i * 3 + 2]! / LANDMARK_SIZE) * region.width;
        keypoints.push({ name: names[i] ?? String(i), x: x * widthPx, y: y * heightPx, score, z: z * widthPx });
      }
      return { pose: { keypoints, score }, networkMs };
    },
    dispose() {
      detector.dispose();
      landmark.dispose();
    },
  };
}

/** MediaPipe Face Mesh (468) on LiteRT.js (see the top of this file). */
export const FACE_MESH_LITERT_FAMILY: AdapterFamily = {
  runtime: LITERT_RUNTIME,
  checkConfig: (info) => void liteRtConfig(info),
  async load(info, context) {
    const stages = await loadFaceMeshLiteRtStages(info, context);
    return {
      info,
      runtime: LITERT_RUNTIME,
      runtimeMemory: liteRtMemory,
      async estimate(image) {
        const { detections, networkMs: detectorMs } = await stages.detect(image);
        let networkMs = detectorMs;
        const poses: Pose[] = [];
        for (const region of associateRegions(detections.map((d) => regionFromDetection(d, image.widthPx, image.heightPx)))) {
          const { pose, networkMs: ms } = await stages.landmarks(image, region);
          networkMs += ms;
          if (pose) poses.push(pose);
        }
        return { poses, networkMs };
      },
      dispose: () => stages.dispose(),
    };
  },
};
