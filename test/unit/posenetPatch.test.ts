import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { patchPoseNetModelJson } from '../../src/inference/adapters/posenet';
import type { GraphModelJson } from '../../src/inference/graphModelHandler';

interface Dim {
  size: string;
}
interface SignatureEntry {
  name: string;
  dtype?: string;
  tensorShape?: { dim?: Dim[] };
}
interface PatchableJson extends GraphModelJson {
  signature: { inputs: Record<string, SignatureEntry>; outputs: Record<string, SignatureEntry> };
  modelTopology: { node: { name: string; op: string; attr?: { shape?: { shape?: { dim?: Dim[] } } } }[] };
}

const dims = (...sizes: number[]): { dim: Dim[] } => ({ dim: sizes.map((size) => ({ size: String(size) })) });
const output = (name: string, channels: number): [string, SignatureEntry] => [
  name,
  { name, dtype: 'DT_FLOAT', tensorShape: dims(1, 25, 25, channels) },
];

/** A tiny model.json shaped like the published PoseNet one: fixed 385×385 input, outputs fwd, heatmap, bwd, offset. */
function syntheticPoseNetJson(): PatchableJson {
  return {
    format: 'graph-model',
    generatedBy: 'test',
    convertedBy: 'test',
    modelTopology: {
      node: [
        { name: 'Const_1', op: 'Const' },
        { name: 'image', op: 'Placeholder', attr: { shape: { shape: dims(1, 385, 385, 3) } } },
        { name: 'other', op: 'Placeholder', attr: { shape: { shape: dims(1, 385, 385, 3) } } },
      ],
    },
    signature: {
      inputs: { 'image:0': { name: 'image:0', dtype: 'DT_FLOAT', tensorShape: dims(1, 385, 385, 3) } },
      outputs: Object.fromEntries([
        output('MobilenetV1/displacement_fwd_2/BiasAdd:0', 32),
        output('MobilenetV1/heatmap_2/BiasAdd:0', 17),
        output('MobilenetV1/displacement_bwd_2/BiasAdd:0', 32),
        output('MobilenetV1/offset_2/BiasAdd:0', 34),
      ]),
    },
    weightsManifest: [{ paths: ['posenet.bin'], weights: [] }],
  };
}

const EXPECTED_OUTPUT_ORDER = [
  'MobilenetV1/offset_2/BiasAdd:0',
  'MobilenetV1/heatmap_2/BiasAdd:0',
  'MobilenetV1/displacement_fwd_2/BiasAdd:0',
  'MobilenetV1/displacement_bwd_2/BiasAdd:0',
];

describe('patchPoseNetModelJson', () => {
  it('frees the spatial input dims in the signature and on the input placeholder only', () => {
    const patched = patchPoseNetModelJson(syntheticPoseNetJson()) as PatchableJson;
    const sizes = (d: { dim?: Dim[] } | undefined) => d?.dim?.map((x) => x.size);
    expect(sizes(patched.signature.inputs['image:0']?.tensorShape)).toEqual(['1', '-1', '-1', '3']);
    const nodes = patched.modelTopology.node;
    expect(sizes(nodes.find((n) => n.name === 'image')?.attr?.shape?.shape)).toEqual(['1', '-1', '-1', '3']);
    expect(sizes(nodes.find((n) => n.name === 'other')?.attr?.shape?.shape), 'a placeholder that is not the input').toEqual(['1', '385', '385', '3']);
  });

  it('orders the outputs offset, heatmap, displacement_fwd, displacement_bwd and keeps each entry', () => {
    const original = syntheticPoseNetJson();
    const patched = patchPoseNetModelJson(original) as PatchableJson;
    expect(Object.keys(patched.signature.outputs)).toEqual(EXPECTED_OUTPUT_ORDER);
    for (const name of EXPECTED_OUTPUT_ORDER) expect(patched.signature.outputs[name]).toEqual(original.signature.outputs[name]);
  });

  it('does not mutate its input', () => {
    const original = syntheticPoseNetJson();
    const snapshot = structuredClone(original);
    patchPoseNetModelJson(original);
    expect(original).toEqual(snapshot);
    expect(Object.keys(original.signature.outputs)).toEqual(Object.keys(snapshot.signature.outputs));
  });

  it('is idempotent', () => {
    const once = patchPoseNetModelJson(syntheticPoseNetJson());
    expect(patchPoseNetModelJson(once)).toEqual(once);
  });

  it('names a missing output', () => {
    const json = syntheticPoseNetJson();
    delete json.signature.outputs['MobilenetV1/displacement_bwd_2/BiasAdd:0'];
    expect(() => patchPoseNetModelJson(json)).toThrow(/no 'displacement_bwd' output/);
  });

  const realJsonPath = join(import.meta.dirname, '..', '..', 'models', 'posenet.json');
  it.skipIf(!existsSync(realJsonPath))('patches the real models/posenet.json the same way (needs `npm run models`)', () => {
    const real = JSON.parse(readFileSync(realJsonPath, 'utf8')) as PatchableJson;
    const patched = patchPoseNetModelJson(real) as PatchableJson;
    expect(Object.keys(patched.signature.outputs)).toEqual(EXPECTED_OUTPUT_ORDER);
    const input = Object.values(patched.signature.inputs)[0];
    expect(input?.tensorShape?.dim?.map((d) => d.size)).toEqual(['1', '-1', '-1', '3']);
  });
});
