import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../src/core/types';
import { modelConfig, modelRuntime } from '../../../src/inference/modelConfig';
import { ADAPTER_KEYS, MODELS, adapterFactory, checkModelAdapter } from '../../../src/inference/modelRegistry';

/** A manifest entry with some fields replaced (a copy: the manifest itself is untouched). */
const variant = (info: ModelInfo, change: Record<string, unknown>): ModelInfo => ({ ...structuredClone(info), ...change }) as ModelInfo;
const firstOf = (family: string): ModelInfo => {
  const found = MODELS.find((m) => m.family === family && m.personInput === undefined);
  if (!found) throw new Error(`no ${family} model in the manifest`);
  return found;
};

describe('model registry: families, not ids', () => {
  it('every manifest entry names a runtime and has an adapter for its family on it, with a config its family reads', () => {
    for (const info of MODELS) {
      expect(['tfjs', 'litert', 'mediapipe-solutions'], info.id).toContain(modelRuntime(info));
      expect(ADAPTER_KEYS, info.id).toContain(`${info.family}/${modelRuntime(info)}`);
      expect(typeof adapterFactory(info), info.id).toBe('function');
      expect(() => checkModelAdapter(info), info.id).not.toThrow();
    }
  });

  it('every family the manifest uses has an adapter, and every adapter family is used', () => {
    const used = new Set(MODELS.map((m) => `${m.family}/${modelRuntime(m)}`));
    expect([...used].sort()).toEqual([...ADAPTER_KEYS].sort());
  });

  it('a new model of a known family is a manifest entry only: a new id with its own config is accepted', () => {
    const base = firstOf('movenet');
    const thunderLike = variant(base, { id: 'movenet-new-entry', config: { ...modelConfig(base), modelType: 'SinglePose.Thunder' } });
    expect(() => checkModelAdapter(thunderLike)).not.toThrow();
    expect(adapterFactory(thunderLike)).toBe(adapterFactory(base));
  });

  it.each([
    ['an unknown family', (m: ModelInfo) => variant(m, { family: 'openpose' }), /no adapter for family 'openpose' on runtime 'tfjs'/],
    ['an unknown runtime', (m: ModelInfo) => variant(m, { runtime: 'onnx' }), /no adapter for family 'movenet' on runtime 'onnx'/],
    ['no runtime', (m: ModelInfo) => variant(m, { runtime: undefined }), /names no runtime/],
    ['a misspelt config field', (m: ModelInfo) => variant(m, { config: { ...modelConfig(m), minPoseScor: 0.2 } }), /config\.minPoseScor is not a field of the movenet family/],
    ['an unknown model type', (m: ModelInfo) => variant(m, { config: { ...modelConfig(m), modelType: 'SinglePose.Fast' } }), /config\.modelType must be one of/],
    ['a pose count outside the network', (m: ModelInfo) => variant(m, { config: { ...modelConfig(m), maxPoses: 3 } }), /config\.maxPoses must be in \[1, 1\]/],
    ['a MultiPose type on a single-person entry', (m: ModelInfo) => variant(m, { config: { ...modelConfig(m), modelType: 'MultiPose.Lightning' } }), /disagree/],
  ])('a MoveNet entry with %s fails naming it', (_what, change, message) => {
    expect(() => checkModelAdapter(change(firstOf('movenet')))).toThrow(message);
  });

  it('BlazePose and PoseNet entries are checked too', () => {
    const blazePose = firstOf('blazepose');
    expect(() => checkModelAdapter(variant(blazePose, { config: { ...modelConfig(blazePose), landmarkFile: 'missing.json' } }))).toThrow(/not one of the entry's files/);
    expect(() => checkModelAdapter(variant(blazePose, { config: { ...modelConfig(blazePose), modelType: 'ultra' } }))).toThrow(/modelType must be one of lite, full, heavy/);
    const poseNet = firstOf('posenet');
    expect(() => checkModelAdapter(variant(poseNet, { config: { ...modelConfig(poseNet), outputStride: 12 } }))).toThrow(/outputStride must be 8, 16 or 32/);
    expect(() => checkModelAdapter(variant(poseNet, { config: { ...modelConfig(poseNet), maxPoses: 5 } }))).toThrow(/disagree/);
  });
});
