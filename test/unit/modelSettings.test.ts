import { describe, expect, it } from 'vitest';
import { defaultModelSettings, resolveModelSettings, settingsSpecProblem, type ModelSettingsSpec } from '../../src/core/modelSettings';
import { MODELS } from '../../src/inference/modelCatalogue';

const spec: ModelSettingsSpec = {
  maxPoses: { default: 6, min: 1, max: 6, step: 1 },
  minPoseScore: { default: 0.1, min: 0.1, max: 0.9, step: 0.05 },
  smoothing: { default: true },
};

describe('per-model settings', () => {
  it('defaults come from the spec; a model without settings has none', () => {
    expect(defaultModelSettings(spec)).toEqual({ maxPoses: 6, minPoseScore: 0.1, smoothing: true });
    expect(defaultModelSettings(undefined)).toEqual({});
  });

  it('clamps to the range, snaps to the step, keeps defaults for wrong types and drops settings the model lacks', () => {
    expect(resolveModelSettings(spec, { maxPoses: 9, minPoseScore: 0.33, smoothing: false })).toEqual({ maxPoses: 6, minPoseScore: 0.35, smoothing: false });
    expect(resolveModelSettings(spec, { maxPoses: 0, minPoseScore: 0.2 })).toEqual({ maxPoses: 1, minPoseScore: 0.2, smoothing: true });
    expect(resolveModelSettings(spec, { maxPoses: '3', minPoseScore: Number.NaN, smoothing: 'no' })).toEqual(defaultModelSettings(spec));
    expect(resolveModelSettings({ smoothing: { default: true } }, { maxPoses: 2 })).toEqual({ smoothing: true });
    expect(resolveModelSettings(spec, null)).toEqual(defaultModelSettings(spec));
  });

  it('checks a manifest spec', () => {
    expect(settingsSpecProblem(undefined)).toBeNull();
    expect(settingsSpecProblem(spec)).toBeNull();
    expect(settingsSpecProblem({ nms: { default: 1 } })).toMatch(/unknown setting 'nms'/);
    expect(settingsSpecProblem({ maxPoses: { default: 7, min: 1, max: 6, step: 1 } })).toMatch(/min ≤ default ≤ max/);
    expect(settingsSpecProblem({ smoothing: { default: 'yes' } })).toMatch(/boolean default/);
  });

  it('the manifest gives MultiPose its pose count and score floor, and the video models smoothing', () => {
    const byId = new Map(MODELS.map((m) => [m.id, m]));
    expect(defaultModelSettings(byId.get('movenet-multipose')?.settings)).toEqual({ maxPoses: 6, minPoseScore: 0.1, smoothing: true });
    for (const id of ['movenet-lightning', 'movenet-thunder', 'blazepose-lite', 'blazepose-full', 'blazepose-heavy']) expect(byId.get(id)?.settings?.smoothing?.default).toBe(true);
  });
});
