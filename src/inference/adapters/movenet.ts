import * as poseDetection from '@tensorflow-models/pose-detection';
import * as tf from '@tensorflow/tfjs-core';
import { boxPointToImagePx, paddedSquareBox } from '../../core/modelRegions';
import { COCO17 } from '../../core/skeletons';
import type { Pose } from '../../core/types';
import { createProgressTracker, graphModelHandler } from '../graphModelHandler';
import type { AdapterFactory } from '../modelAdapter';
import { innerGraphModels, toPlainPoses } from './poseDetectionResult';

const MOVENET_MODEL_TYPES: Partial<Record<string, string>> = {
  'movenet-lightning': poseDetection.movenet.modelType.SINGLEPOSE_LIGHTNING,
  'movenet-thunder': poseDetection.movenet.modelType.SINGLEPOSE_THUNDER,
  'movenet-multipose': poseDetection.movenet.modelType.MULTIPOSE_LIGHTNING,
};

/** Every person MultiPose finds is reported; the UI threshold filters what is drawn. */
const MULTIPOSE_MIN_POSE_SCORE = 0.1;
/** SinglePose always answers with its one pose; a near-zero floor only drops an empty frame. */
const SINGLEPOSE_MIN_POSE_SCORE = 0.0001;
/**
 * pose-detection's `MIN_CROP_KEYPOINT_SCORE`: the pose score is the mean of the keypoint scores above it
 * (kept identical so a pose scores the same on either path).
 */
const POSE_SCORE_KEYPOINT_FLOOR = 0.2;
/** SinglePose output [1, 1, 17, 3]: (y, x, score) per keypoint, in [0, 1] of the network input. */
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
  const modelType = MOVENET_MODEL_TYPES[info.id];
  if (!modelType) throw new Error(`${info.id} is not a MoveNet model`);
  const modelJson = info.files.find((f) => f.name.endsWith('.json'));
  if (!modelJson) throw new Error(`${info.id}: manifest lists no model.json`);
  const progressFor = createProgressTracker(info, context);
  const detector = await poseDetection.createDetector(poseDetection.SupportedModels.MoveNet, {
    modelType,
    modelUrl: graphModelHandler(modelJson.name, context, progressFor),
    enableSmoothing: true,
    // Tracking only matters across video frames; stills are independent.
    enableTracking: false,
    minPoseScore: info.multiPerson ? MULTIPOSE_MIN_POSE_SCORE : SINGLEPOSE_MIN_POSE_SCORE,
  });
  // reset() creates the (null) tracked crop that a video's first frame starts from (see below).
  if (!info.multiPerson) detector.reset();
  const [network] = innerGraphModels(detector, ['moveNetModel']);
  if (!network) throw new Error(`${info.id}: pose-detection holds no MoveNet network`);
  const [inputWidthPx, inputHeightPx] = info.inputSizePx;

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
        if (output.shape.join() !== `1,1,${COCO17.keypointNames.length},${VALUES_PER_KEYPOINT}`) {
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
    const keypoints = COCO17.keypointNames.map((name, index) => {
      const offset = index * VALUES_PER_KEYPOINT;
      const score = values[offset + 2] ?? 0;
      if (score > POSE_SCORE_KEYPOINT_FLOOR) {
        scoreSum += score;
        scoredKeypoints++;
      }
      return { name, ...boxPointToImagePx(box, imageSize, values[offset + 1] ?? 0, values[offset] ?? 0), score };
    });
    const score = scoredKeypoints > 0 ? scoreSum / scoredKeypoints : 0;
    return score < SINGLEPOSE_MIN_POSE_SCORE ? [] : [{ keypoints, score }];
  };

  /** Before a video frame: with no tracked crop, start from the whole frame padded to a square (not the centre cut). */
  const startVideoCropFromPaddedSquare = (image: tf.Tensor3D): void => {
    const fields = detector as unknown as Record<string, unknown>;
    if (!('cropRegion' in fields)) throw new Error('pose-detection MoveNet has no cropRegion to start from');
    if (fields.cropRegion) return;
    const box = paddedSquareBox({ width: image.shape[1], height: image.shape[0] });
    fields.cropRegion = { ...box, height: box.yMax - box.yMin, width: box.xMax - box.xMin };
  };

  return {
    info,
    async estimate(image, options) {
      if (options.mode === 'still' && !info.multiPerson) {
        // A still ends any video: the next stream starts afresh from the padded square, not an old crop.
        detector.reset();
        return estimateStillSinglePose(image);
      }
      if (!info.multiPerson) startVideoCropFromPaddedSquare(image);
      const poses = await detector.estimatePoses(
        image,
        { maxPoses: info.multiPerson ? 6 : 1 },
        options.mode === 'video' ? options.timestampMs : undefined,
      );
      return toPlainPoses(poses, COCO17.keypointNames);
    },
    graphModels: () => [network],
    dispose: () => detector.dispose(),
  };
};
