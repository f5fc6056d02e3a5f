import { resolveModelSettings } from '../../core/modelSettings';
import * as poseDetection from '@tensorflow-models/pose-detection';
import * as tf from '@tensorflow/tfjs-core';
import { layoutById } from '../../core/layouts';
import { boxPointToImagePx, paddedSquareBox } from '../../core/modelRegions';
import type { ModelInfo, Pose } from '../../core/types';
import { createProgressTracker, graphModelHandler } from '../graphModelHandler';
import type { AdapterFamily, AdapterFactory, EstimateOptions } from '../modelAdapter';
import { configNumber, configString, onlyConfigFields } from '../modelConfig';
import { NetworkClock, TFJS_RUNTIME, prepareTfjsImage, tfjsImageTensor } from '../runtimes/tfjs';
import { innerGraphModels, toPlainPoses } from './poseDetectionResult';

/** pose-detection's MoveNet model types (its `movenet.modelType` values), as the manifest names them. */
const MOVENET_MODEL_TYPES = [
  poseDetection.movenet.modelType.SINGLEPOSE_LIGHTNING,
  poseDetection.movenet.modelType.SINGLEPOSE_THUNDER,
  poseDetection.movenet.modelType.MULTIPOSE_LIGHTNING,
] as const;

/**
 * The manifest `config` of a MoveNet model:
 * - `modelType`: pose-detection's model type, 'SinglePose.Lightning' | 'SinglePose.Thunder' | 'MultiPose.Lightning';
 * - `maxPoses`: most people reported (1 for SinglePose; MultiPose's network returns six at most), the
 *   model's `maxPoses` setting, where it has one, lowers it;
 * - `minPoseScore`: poses scoring under it are dropped by pose-detection (SinglePose: a near-zero floor that only
 *   drops an empty frame; MultiPose: the floor when the model's `minPoseScore` setting is absent).
 */
interface MoveNetConfig {
  modelType: (typeof MOVENET_MODEL_TYPES)[number];
  maxPoses: number;
  minPoseScore: number;
}
const MOVENET_CONFIG_FIELDS = ['modelType', 'maxPoses', 'minPoseScore'];
const MULTIPOSE_NETWORK_MAX_POSES = 6;

function moveNetConfig(info: ModelInfo): MoveNetConfig {
  onlyConfigFields(info, MOVENET_CONFIG_FIELDS);
  const modelType = configString(info, 'modelType', MOVENET_MODEL_TYPES);
  const multiPose = modelType === poseDetection.movenet.modelType.MULTIPOSE_LIGHTNING;
  if (multiPose !== info.multiPerson) throw new Error(`${info.id}: config.modelType ${modelType} and multiPerson ${String(info.multiPerson)} disagree`);
  const maxPoses = configNumber(info, 'maxPoses', { min: 1, max: multiPose ? MULTIPOSE_NETWORK_MAX_POSES : 1, integer: true });
  const minPoseScore = configNumber(info, 'minPoseScore', { min: 0, max: 1 });
  return { modelType, maxPoses, minPoseScore };
}

/**
 * pose-detection's `MIN_CROP_KEYPOINT_SCORE`: the pose score is the mean of the keypoint scores above it
 * (kept identical so a pose scores the same on either path).
 */
const POSE_SCORE_KEYPOINT_FLOOR = 0.2;
/** SinglePose output [1, 1, K, 3]: (y, x, score) per keypoint, in [0, 1] of the network input. */
const VALUES_PER_KEYPOINT = 3;

/**
 * MoveNet SinglePose Lightning/Thunder and MultiPose Lightning.
 *
 * Stills (photos and person crops) run SinglePose the way Google's single-image recipe does: the whole
 * input padded to a centred square, resized to the network input, int32; keypoints mapped back to image
 * pixels. pose-detection's own path is kept for video, where its keypoint-driven crop tracks the person
 * between frames; its first-frame crop (`initCropRegion`) is only the centre square of the input, which cuts
 * off the head and feet of a standing person, so stills never use it and a video's first frame (and every
 * frame after the tracker lost the person) starts from the padded square instead, as Google's video recipe
 * does. MultiPose goes through pose-detection for both: it resizes the long side to 256 and pads the rest.
 */
export const loadMoveNet: AdapterFactory = async (info, context) => {
  const config = moveNetConfig(info);
  const keypointNames = layoutById(info.keypointLayout).keypointNames;
  const modelJson = info.files.find((f) => f.name.endsWith('.json'));
  if (!modelJson) throw new Error(`${info.id}: manifest lists no model.json`);
  const progressFor = createProgressTracker(info, context);
  const settings = resolveModelSettings(info.settings, context.settings);
  const maxPoses = Math.min(config.maxPoses, settings.maxPoses ?? config.maxPoses);
  const detector = await poseDetection.createDetector(poseDetection.SupportedModels.MoveNet, {
    modelType: config.modelType,
    modelUrl: graphModelHandler(modelJson.name, context, progressFor),
    // Smoothing acts only on video frames (a still passes no timestamp).
    enableSmoothing: settings.smoothing ?? true,
    // Tracking only matters across video frames; stills are independent.
    enableTracking: false,
    minPoseScore: settings.minPoseScore ?? config.minPoseScore,
  });
  // reset() creates the (null) tracked crop that a video's first frame starts from (see below).
  if (!info.multiPerson) detector.reset();
  const [network] = innerGraphModels(detector, ['moveNetModel']);
  if (!network) throw new Error(`${info.id}: pose-detection holds no MoveNet network`);
  const [inputWidthPx, inputHeightPx] = info.inputSizePx;
  const clock = new NetworkClock([network]);

  /** One still through SinglePose on the padded square of the whole input. */
  const estimateStillSinglePose = async (image: tf.Tensor3D): Promise<Pose[]> => {
    const imageSize = { width: image.shape[1], height: image.shape[0] };
    const box = paddedSquareBox(imageSize);
    const input = tf.tidy(() =>
      tf.cast(
        tf.image.cropAndResize(tf.expandDims<tf.Tensor4D>(image, 0), [[box.yMin, box.xMin, box.yMax, box.xMax]], [0], [inputHeightPx, inputWidthPx], 'bilinear', 0),
        'int32',
      ),
    );
    let values: Float32Array | Int32Array | Uint8Array;
    try {
      const output = network.execute(input) as tf.Tensor;
      try {
        if (output.shape.join() !== `1,1,${keypointNames.length},${VALUES_PER_KEYPOINT}`) {
          throw new Error(`${info.id}: unexpected output shape [${output.shape.join(', ')}]`);
        }
        values = await output.data();
      } finally {
        output.dispose();
      }
    } finally {
      input.dispose();
    }
    let scoreSum = 0;
    let scoredKeypoints = 0;
    const keypoints = keypointNames.map((name, index) => {
      const offset = index * VALUES_PER_KEYPOINT;
      const score = values[offset + 2] ?? 0;
      if (score > POSE_SCORE_KEYPOINT_FLOOR) {
        scoreSum += score;
        scoredKeypoints++;
      }
      return { name, ...boxPointToImagePx(box, imageSize, values[offset + 1] ?? 0, values[offset] ?? 0), score };
    });
    const score = scoredKeypoints > 0 ? scoreSum / scoredKeypoints : 0;
    return score < config.minPoseScore ? [] : [{ keypoints, score }];
  };

  /** Before a video frame: with no tracked crop, start from the whole frame padded to a square (not the centre cut). */
  const startVideoCropFromPaddedSquare = (image: tf.Tensor3D): void => {
    const fields = detector as unknown as Record<string, unknown>;
    if (!('cropRegion' in fields)) throw new Error('pose-detection MoveNet has no cropRegion to start from');
    if (fields.cropRegion) return;
    const box = paddedSquareBox({ width: image.shape[1], height: image.shape[0] });
    fields.cropRegion = { ...box, height: box.yMax - box.yMin, width: box.xMax - box.xMin };
  };

  const estimate = async (image: tf.Tensor3D, options: EstimateOptions): Promise<Pose[]> => {
    if (options.mode === 'still' && !info.multiPerson) {
      // A still ends any video: the next stream starts afresh from the padded square, not an old crop.
      detector.reset();
      return estimateStillSinglePose(image);
    }
    if (!info.multiPerson) startVideoCropFromPaddedSquare(image);
    const poses = await detector.estimatePoses(image, { maxPoses: config.maxPoses }, options.mode === 'video' ? options.timestampMs : undefined);
    const plain = toPlainPoses(poses, keypointNames);
    // pose-detection's MoveNet ignores maxPoses (MultiPose always returns its up to six): keep the best ones here.
    return plain.length > maxPoses ? [...plain].sort((a, b) => (b.score ?? 0) - (a.score ?? 0)).slice(0, maxPoses) : plain;
  };

  return {
    info,
    runtime: TFJS_RUNTIME,
    prepare: prepareTfjsImage,
    async estimate(image, options) {
      const { value: poses, networkMs } = await clock.measure(() => estimate(tfjsImageTensor(image), options));
      return networkMs === undefined ? { poses } : { poses, networkMs };
    },
    graphModels: () => [network],
    dispose: () => {
      clock.dispose();
      detector.dispose();
    },
  };
};

export const MOVENET_FAMILY: AdapterFamily = { runtime: TFJS_RUNTIME, load: loadMoveNet, checkConfig: (info) => void moveNetConfig(info) };
