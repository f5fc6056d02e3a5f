import * as poseDetection from '@tensorflow-models/pose-detection';
import { layoutById } from '../../core/layouts';
import type { ModelInfo } from '../../core/types';
import { createProgressTracker, graphModelHandler, type GraphModelJson } from '../graphModelHandler';
import type { AdapterFamily, AdapterFactory } from '../modelAdapter';
import { configNumber, configString, onlyConfigFields } from '../modelConfig';
import { NetworkClock, TFJS_RUNTIME, prepareTfjsImage, tfjsImageTensor } from '../runtimes/tfjs';
import { innerGraphModels, toPlainPoses } from './poseDetectionResult';

/**
 * The manifest `config` of a PoseNet model (pose-detection's PoseNet model config; the input resolution is the
 * entry's `inputSizePx`):
 * - `architecture`: 'MobileNetV1' (the one whose published model.json patchPoseNetModelJson fixes);
 * - `outputStride`: 8 | 16 | 32 (MobileNetV1: 8 or 16 for this build, the network's stride);
 * - `multiplier`: MobileNetV1's depth multiplier, 0.5 | 0.75 | 1;
 * - `maxPoses`: 1 = pose-detection's single-pose decoding; more = its multi-person decoding, up to that many.
 */
interface PoseNetConfig {
  architecture: 'MobileNetV1';
  outputStride: 8 | 16 | 32;
  multiplier: 0.5 | 0.75 | 1;
  maxPoses: number;
}
const POSENET_CONFIG_FIELDS = ['architecture', 'outputStride', 'multiplier', 'maxPoses'];

function poseNetConfig(info: ModelInfo): PoseNetConfig {
  onlyConfigFields(info, POSENET_CONFIG_FIELDS);
  const architecture = configString(info, 'architecture', ['MobileNetV1'] as const);
  const outputStride = configNumber(info, 'outputStride', { min: 8, max: 32, integer: true });
  if (![8, 16, 32].includes(outputStride)) throw new Error(`${info.id}: manifest config.outputStride must be 8, 16 or 32`);
  const multiplier = configNumber(info, 'multiplier', { min: 0.5, max: 1 });
  if (![0.5, 0.75, 1].includes(multiplier)) throw new Error(`${info.id}: manifest config.multiplier must be 0.5, 0.75 or 1`);
  const maxPoses = configNumber(info, 'maxPoses', { min: 1, max: 20, integer: true });
  if ((maxPoses > 1) !== info.multiPerson) throw new Error(`${info.id}: config.maxPoses ${maxPoses} and multiPerson ${String(info.multiPerson)} disagree`);
  return { architecture, outputStride: outputStride as PoseNetConfig['outputStride'], multiplier: multiplier as PoseNetConfig['multiplier'], maxPoses };
}

/** pose-detection reads MobileNetV1 PoseNet outputs by position in this order. */
const POSENET_OUTPUT_ORDER = ['offset', 'heatmap', 'displacement_fwd', 'displacement_bwd'] as const;

interface SignatureEntry {
  name: string;
  tensorShape?: { dim?: { size: string }[] };
}
interface TopologyNode {
  name: string;
  op: string;
  attr?: { shape?: { shape?: { dim?: { size: string }[] } } };
}

/**
 * The published PoseNet model.json fixes its input at 385×385 and lists outputs as
 * (fwd, heatmap, bwd, offset); pose-detection wants free spatial dims (-1) and the order
 * (offset, heatmap, fwd, bwd). Fixed in memory at load time; the file on disk is untouched.
 */
export function patchPoseNetModelJson(json: GraphModelJson): GraphModelJson {
  const patched = structuredClone(json) as GraphModelJson & {
    signature: { inputs: Record<string, SignatureEntry>; outputs: Record<string, SignatureEntry> };
    modelTopology: { node: TopologyNode[] };
  };
  const freeSpatialDims = (dims: { size: string }[] | undefined) => {
    if (dims && dims.length === 4) {
      dims[1] = { size: '-1' };
      dims[2] = { size: '-1' };
    }
  };
  for (const input of Object.values(patched.signature.inputs)) {
    freeSpatialDims(input.tensorShape?.dim);
    const placeholder = patched.modelTopology.node.find((n) => n.op === 'Placeholder' && `${n.name}:0` === input.name);
    freeSpatialDims(placeholder?.attr?.shape?.shape?.dim);
  }
  const outputs = Object.entries(patched.signature.outputs);
  const reordered: Record<string, SignatureEntry> = {};
  for (const part of POSENET_OUTPUT_ORDER) {
    const entry = outputs.find(([key]) => key.includes(`/${part}_`));
    if (!entry) throw new Error(`PoseNet model.json has no '${part}' output`);
    reordered[entry[0]] = entry[1];
  }
  patched.signature.outputs = reordered;
  return patched;
}

/** PoseNet MobileNetV1 through pose-detection (single-pose decoding unless config.maxPoses > 1). */
export const loadPoseNet: AdapterFactory = async (info, context) => {
  const config = poseNetConfig(info);
  const keypointNames = layoutById(info.keypointLayout).keypointNames;
  const modelJson = info.files.find((f) => f.name.endsWith('.json'));
  if (!modelJson) throw new Error(`${info.id}: manifest lists no model.json`);
  const progressFor = createProgressTracker(info, context);
  const [widthPx, heightPx] = info.inputSizePx;
  const detector = await poseDetection.createDetector(poseDetection.SupportedModels.PoseNet, {
    architecture: config.architecture,
    outputStride: config.outputStride,
    multiplier: config.multiplier,
    inputResolution: { width: widthPx, height: heightPx },
    // Typed as string, but pose-detection hands it straight to loadGraphModel, which takes an IOHandler.
    modelUrl: graphModelHandler(modelJson.name, context, progressFor, patchPoseNetModelJson) as unknown as string,
  });
  const networks = innerGraphModels(detector, ['posenetModel']);
  const clock = new NetworkClock(networks);
  return {
    info,
    runtime: TFJS_RUNTIME,
    prepare: prepareTfjsImage,
    async estimate(image) {
      const { value: poses, networkMs } = await clock.measure(() => detector.estimatePoses(tfjsImageTensor(image), { maxPoses: config.maxPoses, flipHorizontal: false }));
      const plain = toPlainPoses(poses, keypointNames);
      return networkMs === undefined ? { poses: plain } : { poses: plain, networkMs };
    },
    graphModels: () => networks,
    dispose: () => {
      clock.dispose();
      detector.dispose();
    },
  };
};

export const POSENET_FAMILY: AdapterFamily = { runtime: TFJS_RUNTIME, load: loadPoseNet, checkConfig: (info) => void poseNetConfig(info) };
