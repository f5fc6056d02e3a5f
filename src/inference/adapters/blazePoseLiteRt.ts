import { layoutById } from '../../core/layouts';
import { blazePoseRoiFromBox } from '../../core/modelRegions';
import type { Keypoint, ModelInfo, Pose, WorldKeypoint } from '../../core/types';
import type { AdapterFactory, AdapterFamily } from '../modelAdapter';
import { configFile, onlyConfigFields } from '../modelConfig';
import { rootOf, type RgbImage } from '../rgbImage';
import { LITERT_RUNTIME, liteRtMemory, loadLiteRtModel, readerWithProgress, type LiteRtModel } from '../runtimes/litert';

/**
 * BlazePose (MediaPipe's pose detector + lite/full/heavy landmark network) on LiteRT.js, with our own pre- and
 * postprocessing written after MediaPipe's pose_detection and pose_landmark graphs (the parameters as
 * pose-detection 2.1.3's tfjs BlazePose uses them, which is what this is validated against):
 *
 * 1. detector: the whole input letterboxed into 224² (values in [−1, 1], black bars), 2254 SSD anchors (5 layers,
 *    strides 8, 16, 32, 32, 32, fixed size 1), boxes and 4 keypoints decoded, scores sigmoid(clip ±100) ≥ 0.5, the
 *    best one kept (pose-detection's NMS with one pose is its top score);
 * 2. region: centre at keypoint 0 (the hips' centre), size 2 × |kp1 − kp0| (kp1 marks scale and rotation), rotated so
 *    that kp0 → kp1 points up (90°), squared on the long side and enlarged 1.25×;
 * 3. landmarks: the rotated region sampled bilinearly into 256² (values in [0, 1]); 39 landmarks × (x, y, z,
 *    visibility, presence), refined from the 64² heatmap (7² window, where its peak ≥ 0.5), projected back; the
 *    first 33 kept (the 34th–35th are MediaPipe's auxiliary ROI points); world landmarks (metres) rotated by the
 *    region's rotation; the pose is kept when the pose flag ≥ 0.5.
 *
 * Keypoint `score` is the landmark's visibility (sigmoid), as tfjs's BlazePose reports it; the pose's `score` is the
 * pose flag. `personInput: 'box'` entries skip the detector and use the region derived from the given box.
 */

/** Manifest `config`: the .tflite files of the detector and of the landmark network (entries of `files`). */
interface BlazePoseLiteRtConfig {
  detectorFile: string;
  landmarkFile: string;
}
const CONFIG_FIELDS = ['detectorFile', 'landmarkFile'];

function liteRtConfig(info: ModelInfo): BlazePoseLiteRtConfig {
  onlyConfigFields(info, CONFIG_FIELDS);
  if (info.multiPerson) throw new Error(`${info.id}: BlazePose finds one person (multiPerson must be false)`);
  return { detectorFile: configFile(info, 'detectorFile'), landmarkFile: configFile(info, 'landmarkFile') };
}

const DETECTOR_SIZE = 224;
const LANDMARK_SIZE = 256;
const NUM_ANCHORS = 2254;
const DETECTOR_COORDS = 12;
const MIN_DETECTION_SCORE = 0.5;
const POSE_PRESENCE = 0.5;
const NUM_LANDMARKS = 39;
const NUM_KEYPOINTS = 33;
const HEATMAP_KERNEL = 7;
const MIN_CONFIDENCE_TO_REFINE = 0.5;
const ROI_SCALE = 1.25;

/** A rotated rectangle in normalised image coordinates (MediaPipe's NormalizedRect). */
interface NormRect {
  xCenter: number;
  yCenter: number;
  width: number;
  height: number;
  rotation: number;
}

interface Padding {
  left: number;
  top: number;
}

/** SSD anchor centres of the pose detector (fixed anchor size: width = height = 1), x then y per anchor. */
function detectorAnchors(): Float32Array {
  const strides = [8, 16, 32, 32, 32];
  const centres: number[] = [];
  let layer = 0;
  while (layer < strides.length) {
    let last = layer;
    let anchorsPerCell = 0;
    // Layers of the same stride share one feature map; each adds an anchor of its scale and an interpolated one.
    while (last < strides.length && strides[last] === strides[layer]) {
      anchorsPerCell += 2;
      last++;
    }
    const size = Math.ceil(DETECTOR_SIZE / strides[layer]!);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let a = 0; a < anchorsPerCell; a++) centres.push((x + 0.5) / size, (y + 0.5) / size);
    layer = last;
  }
  if (centres.length !== NUM_ANCHORS * 2) throw new Error(`BlazePose detector: ${centres.length / 2} anchors, expected ${NUM_ANCHORS}`);
  return Float32Array.from(centres);
}

const normalizeRadians = (angle: number) => angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Samples the rotated rectangle `roiPx` (pixels of `image`, which may be a view) into an outSize² float32 RGB tensor,
 * bilinearly with tfjs's image.transform conventions (output pixel (u, v) ↦ centre + R·((u/out − ½)·w, (v/out − ½)·h),
 * neighbours outside the image read as 0), then value · scale + offset. Reads the decoded image's bytes in place.
 */
function sampleRegion(image: RgbImage, roiPx: NormRect, outSize: number, scale: number, offset: number): Float32Array {
  const { root, regionPx } = rootOf(image);
  const data = root.data;
  const bpp = root.bytesPerPixel;
  const stride = root.widthPx * bpp;
  const base = regionPx.yPx * stride + regionPx.xPx * bpp;
  const maxX = regionPx.widthPx - 1;
  const maxY = regionPx.heightPx - 1;
  const cos = Math.cos(roiPx.rotation), sin = Math.sin(roiPx.rotation);
  const out = new Float32Array(outSize * outSize * 3);
  const read = (x: number, y: number, c: number) => (x < 0 || x > maxX || y < 0 || y > maxY ? 0 : data[base + y * stride + x * bpp + c]!);
  let o = 0;
  for (let v = 0; v < outSize; v++) {
    const dy = (v / outSize - 0.5) * roiPx.height;
    for (let u = 0; u < outSize; u++, o += 3) {
      const dx = (u / outSize - 0.5) * roiPx.width;
      const x = roiPx.xCenter + cos * dx - sin * dy;
      const y = roiPx.yCenter + sin * dx + cos * dy;
      const x0 = Math.floor(x), y0 = Math.floor(y);
      const wx1 = x - x0, wx0 = 1 - wx1, wy1 = y - y0, wy0 = 1 - wy1;
      const inside = x0 >= 0 && x0 < maxX && y0 >= 0 && y0 < maxY;
      for (let c = 0; c < 3; c++) {
        let value: number;
        if (inside) {
          const i = base + y0 * stride + x0 * bpp + c;
          value = wy0 * (wx0 * data[i]! + wx1 * data[i + bpp]!) + wy1 * (wx0 * data[i + stride]! + wx1 * data[i + stride + bpp]!);
        } else {
          value = wy0 * (wx0 * read(x0, y0, c) + wx1 * read(x0 + 1, y0, c)) + wy1 * (wx0 * read(x0, y0 + 1, c) + wx1 * read(x0 + 1, y0 + 1, c));
        }
        out[o + c] = value * scale + offset;
      }
    }
  }
  return out;
}

/** Letterbox of a width × height rectangle into a square: the padding on each side, as fractions of the square. */
function squarePadding(width: number, height: number): Padding {
  return height < width ? { left: 0, top: (1 - height / width) / 2 } : { left: (1 - width / height) / 2, top: 0 };
}

/** The detector's best person (score ≥ 0.5): its 4 keypoints in normalised image coordinates, or null. */
function bestDetection(boxes: Float32Array, scores: Float32Array, anchors: Float32Array, padding: Padding): { x: number; y: number }[] | null {
  let best = -1;
  let bestScore = MIN_DETECTION_SCORE;
  for (let i = 0; i < NUM_ANCHORS; i++) {
    const score = sigmoid(Math.min(100, Math.max(-100, scores[i]!)));
    // A box of negative size is dropped (never here in practice; kept as pose-detection's decoder does).
    if (score >= bestScore && boxes[i * DETECTOR_COORDS + 2]! >= 0 && boxes[i * DETECTOR_COORDS + 3]! >= 0 && (best < 0 || score > bestScore)) {
      best = i;
      bestScore = score;
    }
  }
  if (best < 0) return null;
  const keypoints: { x: number; y: number }[] = [];
  for (let k = 0; k < 4; k++) {
    const at = best * DETECTOR_COORDS + 4 + k * 2;
    const x = boxes[at]! / DETECTOR_SIZE + anchors[best * 2]!;
    const y = boxes[at + 1]! / DETECTOR_SIZE + anchors[best * 2 + 1]!;
    keypoints.push({ x: (x - padding.left) / (1 - 2 * padding.left), y: (y - padding.top) / (1 - 2 * padding.top) });
  }
  return keypoints;
}

/** The landmark network's region from two alignment points (normalised): centre, scale and rotation (kp0 → kp1 up). */
function regionFromAlignment(centre: { x: number; y: number }, scalePoint: { x: number; y: number }, widthPx: number, heightPx: number): NormRect {
  const x0 = centre.x * widthPx, y0 = centre.y * heightPx;
  const x1 = scalePoint.x * widthPx, y1 = scalePoint.y * heightPx;
  const sizePx = 2 * Math.hypot(x1 - x0, y1 - y0) * ROI_SCALE;
  return { xCenter: centre.x, yCenter: centre.y, width: sizePx / widthPx, height: sizePx / heightPx, rotation: normalizeRadians(Math.PI / 2 - Math.atan2(-(y1 - y0), x1 - x0)) };
}

interface LandmarkOutputs {
  landmarks: Float32Array;
  flag: number;
  heatmap: Float32Array;
  world: Float32Array;
}

/** The landmark network's outputs by shape (the .tflite's output order is not part of its contract). */
function landmarkOutputs(model: LiteRtModel, outputs: Float32Array[]): LandmarkOutputs {
  const find = (size: number, dims: number) => {
    const index = model.outputShapes.findIndex((shape) => shape.length === dims && shape.reduce((a, b) => a * b, 1) === size);
    if (index < 0) throw new Error(`BlazePose landmark model has no output of ${size} values`);
    return outputs[index]!;
  };
  return { landmarks: find(NUM_LANDMARKS * 5, 2), flag: find(1, 2)[0]!, heatmap: find(64 * 64 * NUM_LANDMARKS, 4), world: find(NUM_LANDMARKS * 3, 2) };
}

/** Landmark x, y (in the 256² crop, normalised) moved to the weighted centre of its heatmap window when the peak is confident. */
function refineFromHeatmap(x: number, y: number, heatmap: Float32Array, channel: number): { x: number; y: number } {
  const size = 64;
  const col = Math.trunc(x * size), row = Math.trunc(y * size);
  if (col < 0 || col >= size || row < 0 || row >= size) return { x, y };
  const half = (HEATMAP_KERNEL - 1) / 2;
  let sum = 0, weightedCol = 0, weightedRow = 0, peak = 0;
  for (let r = Math.max(0, row - half); r < Math.min(size, row + half + 1); r++) {
    for (let c = Math.max(0, col - half); c < Math.min(size, col + half + 1); c++) {
      // The .tflite's heatmap is logits (tfjs's converted graph ends in the sigmoid): MediaPipe's refinement takes the sigmoid.
      const confidence = sigmoid(heatmap[(r * size + c) * NUM_LANDMARKS + channel]!);
      sum += confidence;
      peak = Math.max(peak, confidence);
      weightedCol += c * confidence;
      weightedRow += r * confidence;
    }
  }
  return peak >= MIN_CONFIDENCE_TO_REFINE && sum > 0 ? { x: weightedCol / size / sum, y: weightedRow / size / sum } : { x, y };
}

/** Landmark outputs on `roi` → a pose in the pixels of the widthPx × heightPx image, or null below the pose flag. */
function decodePose(out: LandmarkOutputs, roi: NormRect, widthPx: number, heightPx: number, names: readonly string[]): Pose | null {
  if (!(out.flag >= POSE_PRESENCE)) return null;
  const cos = Math.cos(roi.rotation), sin = Math.sin(roi.rotation);
  const keypoints: Keypoint[] = [];
  const world: WorldKeypoint[] = [];
  for (let i = 0; i < NUM_KEYPOINTS; i++) {
    const at = i * 5;
    const refined = refineFromHeatmap(out.landmarks[at]! / LANDMARK_SIZE, out.landmarks[at + 1]! / LANDMARK_SIZE, out.heatmap, i);
    const dx = refined.x - 0.5, dy = refined.y - 0.5;
    const x = (cos * dx - sin * dy) * roi.width + roi.xCenter;
    const y = (sin * dx + cos * dy) * roi.height + roi.yCenter;
    const z = (out.landmarks[at + 2]! / LANDMARK_SIZE) * roi.width;
    const score = sigmoid(out.landmarks[at + 3]!);
    const name = names[i] ?? String(i);
    keypoints.push({ name, x: x * widthPx, y: y * heightPx, score, z: z * widthPx });
    const wx = out.world[i * 3]!, wy = out.world[i * 3 + 1]!;
    world.push({ name, x: cos * wx - sin * wy, y: sin * wx + cos * wy, z: out.world[i * 3 + 2]!, score });
  }
  return { keypoints, score: out.flag, world: { unit: 'm', keypoints: world } };
}

/** BlazePose lite/full/heavy on LiteRT.js (see the top of this file). */
export const loadBlazePoseLiteRt: AdapterFactory = async (info, context) => {
  const config = liteRtConfig(info);
  const names = layoutById(info.keypointLayout).keypointNames;
  const read = readerWithProgress(info, context);
  const givenBox = info.personInput === 'box';
  const [detectorBytes, landmarkBytes] = await Promise.all([givenBox ? null : read(config.detectorFile), read(config.landmarkFile)]);
  const detector = detectorBytes ? await loadLiteRtModel(detectorBytes, `${info.id} detector`) : null;
  const landmark = await loadLiteRtModel(landmarkBytes, `${info.id} landmarks`);
  const anchors = detectorAnchors();
  const boxesOutput = detector?.outputShapes.findIndex((shape) => shape[shape.length - 1] === DETECTOR_COORDS) ?? -1;
  if (detector && boxesOutput < 0) throw new Error(`${info.id}: the detector has no ${DETECTOR_COORDS}-value box output`);

  return {
    info,
    runtime: LITERT_RUNTIME,
    runtimeMemory: liteRtMemory,
    async estimate(image, options) {
      const { widthPx, heightPx } = image;
      let networkMs = 0;
      let roi: NormRect;
      if (givenBox || !detector) {
        roi = blazePoseRoiFromBox(options.personBoxPx ?? [0, 0, widthPx, heightPx], { width: widthPx, height: heightPx });
      } else {
        const padding = squarePadding(widthPx, heightPx);
        const side = Math.max(widthPx, heightPx);
        const input = sampleRegion(image, { xCenter: widthPx / 2, yCenter: heightPx / 2, width: side, height: side, rotation: 0 }, DETECTOR_SIZE, 2 / 255, -1);
        const start = performance.now();
        const outputs = await detector.run(input);
        networkMs += performance.now() - start;
        const keypoints = bestDetection(outputs[boxesOutput]!, outputs[1 - boxesOutput]!, anchors, padding);
        if (!keypoints) return { poses: [], networkMs };
        roi = regionFromAlignment(keypoints[0]!, keypoints[1]!, widthPx, heightPx);
      }
      const roiPx = { xCenter: roi.xCenter * widthPx, yCenter: roi.yCenter * heightPx, width: roi.width * widthPx, height: roi.height * heightPx, rotation: roi.rotation };
      const crop = sampleRegion(image, roiPx, LANDMARK_SIZE, 1 / 255, 0);
      const start = performance.now();
      const outputs = await landmark.run(crop);
      networkMs += performance.now() - start;
      const pose = decodePose(landmarkOutputs(landmark, outputs), roi, widthPx, heightPx, names);
      return { poses: pose ? [pose] : [], networkMs };
    },
    dispose() {
      detector?.dispose();
      landmark.dispose();
    },
  };
};

export const BLAZEPOSE_LITERT_FAMILY: AdapterFamily = { runtime: LITERT_RUNTIME, load: loadBlazePoseLiteRt, checkConfig: (info) => void liteRtConfig(info) };
