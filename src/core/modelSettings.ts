/**
 * Per-model settings the upstream demos expose, as data: which a model has, their ranges and defaults
 * come from its manifest entry (`settings`); what each means is here, the one place that names them.
 * Values are applied when the model loads, so changing one reloads that model and re-runs its results.
 */

export interface NumberSettingSpec {
  default: number;
  min: number;
  max: number;
  step: number;
}

export interface BooleanSettingSpec {
  default: boolean;
}

export interface ModelSettingsSpec {
  /** Most instances (people, hands, faces) a multi-instance model reports per image. */
  maxPoses?: NumberSettingSpec;
  /** Poses scoring below this are dropped by the model itself. */
  minPoseScore?: NumberSettingSpec;
  /** Keypoint smoothing between video frames (webcam, video files); stills are never smoothed. */
  smoothing?: BooleanSettingSpec;
}

export type ModelSettingId = keyof ModelSettingsSpec;

export interface ModelSettings {
  maxPoses?: number;
  minPoseScore?: number;
  smoothing?: boolean;
}

export const MODEL_SETTING_IDS: readonly ModelSettingId[] = ['maxPoses', 'minPoseScore', 'smoothing'];

export const MODEL_SETTING_TEXT: Record<ModelSettingId, { label: string; help: string }> = {
  maxPoses: { label: 'Poses at most', help: 'The most instances (people, hands or faces, as the model finds) it reports in one image (or crop).' },
  minPoseScore: { label: 'Minimum pose score', help: 'Poses the model scores below this are not reported at all (the confidence threshold only hides keypoints).' },
  smoothing: { label: 'Smooth video', help: 'Smooths keypoints between frames of the webcam or a video; photos are never smoothed.' },
};

const isNumberSpec = (id: ModelSettingId): id is 'maxPoses' | 'minPoseScore' => id !== 'smoothing';

/** The model's settings at their defaults. */
export function defaultModelSettings(spec: ModelSettingsSpec | undefined): ModelSettings {
  const out: ModelSettings = {};
  for (const id of MODEL_SETTING_IDS) {
    const entry = spec?.[id];
    if (entry) (out as Record<string, number | boolean>)[id] = entry.default;
  }
  return out;
}

/**
 * `values` made valid for `spec`: settings the model does not have are dropped, numbers are clamped to their
 * range and snapped to their step (from the minimum), anything of the wrong type takes the default.
 */
export function resolveModelSettings(spec: ModelSettingsSpec | undefined, values: unknown): ModelSettings {
  const given = typeof values === 'object' && values !== null ? (values as Record<string, unknown>) : {};
  const out = defaultModelSettings(spec);
  for (const id of MODEL_SETTING_IDS) {
    const entry = spec?.[id];
    const value = given[id];
    if (!entry) continue;
    if (isNumberSpec(id)) {
      const numeric = entry as NumberSettingSpec;
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const snapped = numeric.min + Math.round((value - numeric.min) / numeric.step) * numeric.step;
      // Rounded to the step's decimals, so 0.1 + 2 × 0.05 reads 0.2, not 0.20000000000000004.
      const decimals = Math.max(0, -Math.floor(Math.log10(numeric.step)));
      out[id] = Number(Math.min(numeric.max, Math.max(numeric.min, snapped)).toFixed(decimals));
    } else if (typeof value === 'boolean') out.smoothing = value;
  }
  return out;
}

/** Why a manifest's settings spec is unusable, or null when it is fine. */
export function settingsSpecProblem(spec: unknown): string | null {
  if (spec === undefined) return null;
  if (typeof spec !== 'object' || spec === null) return 'settings must be an object';
  for (const [id, entry] of Object.entries(spec as Record<string, unknown>)) {
    if (!(MODEL_SETTING_IDS as readonly string[]).includes(id)) return `unknown setting '${id}'`;
    if (typeof entry !== 'object' || entry === null) return `setting ${id} must be an object`;
    const e = entry as Record<string, unknown>;
    if (id === 'smoothing') {
      if (typeof e.default !== 'boolean') return 'setting smoothing needs a boolean default';
      continue;
    }
    const numbers = ['default', 'min', 'max', 'step'].map((k) => e[k]);
    if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) return `setting ${id} needs numeric default, min, max and step`;
    const [def, min, max, step] = numbers as number[];
    if (!(min! <= def! && def! <= max! && step! > 0)) return `setting ${id}: needs min ≤ default ≤ max and a positive step`;
  }
  return null;
}
