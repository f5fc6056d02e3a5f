import { MODEL_SETTING_IDS, MODEL_SETTING_TEXT, defaultModelSettings, resolveModelSettings, type NumberSettingSpec } from '../../core/modelSettings';
import type { ModelInfo } from '../../core/types';
import { useAppStore } from '../../store/appStore';

/** The values a numeric setting can take, from its range and step (a short list: shown as a select). */
function choices(spec: NumberSettingSpec): number[] {
  const count = Math.floor((spec.max - spec.min) / spec.step + 1e-9) + 1;
  return Array.from({ length: count }, (_, i) => resolveModelSettings({ maxPoses: spec }, { maxPoses: spec.min + i * spec.step }).maxPoses!);
}

/**
 * The settings a model's upstream demo exposes (number of poses, minimum pose score, video smoothing), as its
 * manifest entry lists them. A change reloads that model and re-runs its results; the others keep theirs.
 */
export function ModelSettingsEditor({ model }: { model: ModelInfo }) {
  const stored = useAppStore((s) => s.modelSettings[model.id]);
  const setModelSettings = useAppStore((s) => s.setModelSettings);
  const spec = model.settings;
  if (!spec) return null;
  const values = resolveModelSettings(spec, stored);
  const defaults = defaultModelSettings(spec);
  const isDefault = JSON.stringify(values) === JSON.stringify(defaults);
  const change = (patch: Record<string, number | boolean>) => setModelSettings(model.id, resolveModelSettings(spec, { ...values, ...patch }));
  return (
    <details className="model-settings" data-testid={`settings-${model.id}`}>
      <summary>Settings{isDefault ? '' : ' (changed)'}</summary>
      {MODEL_SETTING_IDS.map((id) => {
        const entry = spec[id];
        if (!entry) return null;
        const text = MODEL_SETTING_TEXT[id];
        if (id === 'smoothing') {
          return (
            <label key={id} className="inline" title={text.help}>
              <input type="checkbox" checked={values.smoothing ?? true} onChange={(event) => change({ smoothing: event.target.checked })} />
              {text.label}
            </label>
          );
        }
        const numeric = entry as NumberSettingSpec;
        const value = values[id] ?? numeric.default;
        return (
          <label key={id} className="field" title={text.help}>
            <span>{text.label}</span>
            <select aria-label={`${model.displayName}: ${text.label}`} value={String(value)} onChange={(event) => change({ [id]: Number(event.target.value) })}>
              {choices(numeric).map((option) => (
                <option key={option} value={String(option)}>
                  {option}
                  {option === numeric.default ? ' (default)' : ''}
                </option>
              ))}
            </select>
          </label>
        );
      })}
      <p className="hint">{Object.values(MODEL_SETTING_TEXT).filter((_, i) => spec[MODEL_SETTING_IDS[i]!]).map((t) => t.help).join(' ')}</p>
      {!isDefault && (
        <button type="button" onClick={() => setModelSettings(model.id, defaults)}>
          Back to defaults
        </button>
      )}
    </details>
  );
}
