import * as poseDetection from '@tensorflow-models/pose-detection';
import { COCO17 } from '../../core/skeletons';
import { createProgressTracker, graphModelHandler, type GraphModelJson } from '../graphModelHandler';
import type { AdapterFactory } from '../modelAdapter';
import { innerGraphModels, toPlainPoses } from './poseDetectionResult';

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

/** PoseNet MobileNetV1 (single pose), output stride 16, through pose-detection. */
export const loadPoseNet: AdapterFactory = async (info, context) => {
  const modelJson = info.files.find((f) => f.name.endsWith('.json'));
  if (!modelJson) throw new Error(`${info.id}: manifest lists no model.json`);
  const progressFor = createProgressTracker(info, context);
  const [widthPx, heightPx] = info.inputSizePx;
  const detector = await poseDetection.createDetector(poseDetection.SupportedModels.PoseNet, {
    architecture: 'MobileNetV1',
    outputStride: 16,
    multiplier: 1,
    inputResolution: { width: widthPx, height: heightPx },
    // Typed as string, but pose-detection hands it straight to loadGraphModel, which takes an IOHandler.
    modelUrl: graphModelHandler(modelJson.name, context, progressFor, patchPoseNetModelJson) as unknown as string,
  });
  return {
    info,
    async estimate(image) {
      const poses = await detector.estimatePoses(image, { maxPoses: 1, flipHorizontal: false });
      return toPlainPoses(poses, COCO17.keypointNames);
    },
    graphModels: () => innerGraphModels(detector, ['posenetModel']),
    dispose: () => detector.dispose(),
  };
};
