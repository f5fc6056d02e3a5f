import type * as tf from '@tensorflow/tfjs-core';
import type { ModelInfo } from '../core/types';
import type { ModelLoadContext } from './modelAdapter';

/** The subset of a converted TFJS graph model.json that loading needs. */
export interface GraphModelJson {
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
}

/** Aggregates per-file byte counts into one progress report across every file of a model. */
export function createProgressTracker(info: ModelInfo, context: ModelLoadContext) {
  const totalBytes = info.files.reduce((sum, file) => sum + file.bytes, 0);
  const loadedByFile = new Map<string, number>();
  return (name: string) => (loadedBytes: number) => {
    loadedByFile.set(name, loadedBytes);
    let loaded = 0;
    for (const value of loadedByFile.values()) loaded += value;
    context.onProgress?.({ loadedBytes: Math.min(loaded, totalBytes), totalBytes });
  };
}

/**
 * An IOHandler that loads a graph model from files named in the manifest, through the context's
 * reader (so the same code runs in the browser and in Node, where file:// URLs do not load).
 * `patchModelJson` fixes known defects of a published model file in memory, at load time.
 */
export function graphModelHandler(
  modelJsonName: string,
  context: ModelLoadContext,
  progressFor: (name: string) => (loadedBytes: number) => void,
  patchModelJson?: (json: GraphModelJson) => GraphModelJson,
): tf.io.IOHandler {
  return {
    load: async () => {
      const jsonBytes = await context.files.readFile(modelJsonName, progressFor(modelJsonName));
      let modelJson = JSON.parse(new TextDecoder().decode(jsonBytes)) as GraphModelJson;
      if (patchModelJson) modelJson = patchModelJson(modelJson);
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of modelJson.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const path of group.paths) buffers.push(await context.files.readFile(path, progressFor(path)));
      }
      return {
        modelTopology: modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs,
        weightData: concatBuffers(buffers),
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy ?? null,
        signature: modelJson.signature as tf.io.ModelArtifacts['signature'],
        userDefinedMetadata: modelJson.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
      };
    },
  };
}

function concatBuffers(buffers: ArrayBuffer[]): ArrayBuffer {
  if (buffers.length === 1 && buffers[0]) return buffers[0];
  const total = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out.buffer;
}
