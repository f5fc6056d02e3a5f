import { MODELS, MODEL_IDS } from '../../inference/modelCatalogue';
import { modelColour } from '../../render/palette';
import { useAppStore } from '../../store/appStore';
import type { ModelStatus } from '../../store/types';
import { twinGroup } from '../../core/fastestRuntime';
import { applyAutoRuntime } from '../../store/autoRuntime';
import { AutoRuntime } from './AutoRuntime';
import { ModelSettingsEditor } from './ModelSettingsEditor';

function statusLabel(status: ModelStatus | undefined, selected: boolean): string {
  if (!selected || !status) return '';
  switch (status.state) {
    case 'loading':
      return status.totalBytes > 0
        ? `loading ${(status.loadedBytes / 1e6).toFixed(1)} / ${(status.totalBytes / 1e6).toFixed(1)} MB`
        : 'loading…';
    case 'ready':
      return `ready (load ${((status.loadMs ?? 0) / 1000).toFixed(1)} s, warm-up ${((status.warmupMs ?? 0) / 1000).toFixed(1)} s)`;
    case 'error':
      return `failed: ${status.error ?? ''}`;
    default:
      return '';
  }
}

export function ModelPicker() {
  const selected = useAppStore((s) => s.selectedModelIds);
  const modelStatus = useAppStore((s) => s.modelStatus);
  const setModelSelected = useAppStore((s) => s.setModelSelected);
  const setSelectedModels = useAppStore((s) => s.setSelectedModels);
  return (
    <section className="panel" aria-labelledby="models-heading">
      <h2 id="models-heading">Models</h2>
      <div className="row-buttons">
        <button type="button" onClick={() => setSelectedModels([...MODEL_IDS])}>
          Select all
        </button>
        <button type="button" onClick={() => setSelectedModels([])}>
          None
        </button>
      </div>
      <ul className="model-list">
        {MODELS.map((model) => {
          const isSelected = selected.includes(model.id);
          const status = modelStatus[model.id];
          const progress = status && status.state === 'loading' && status.totalBytes > 0 ? status.loadedBytes / status.totalBytes : null;
          return (
            <li key={model.id} data-model-id={model.id} data-state={isSelected ? (status?.state ?? 'idle') : 'off'}>
              <label>
                <input
                  type="checkbox"
                  checked={isSelected}
                  onChange={(event) => {
                    const groupWasChosen = selected.some((id) => twinGroup(id, MODELS) === twinGroup(model.id, MODELS));
                    setModelSelected(model.id, event.target.checked, MODEL_IDS);
                    // A model newly chosen runs on its fastest measured twin; a second twin chosen beside one is a comparison.
                    if (event.target.checked && !groupWasChosen) applyAutoRuntime(new Set([twinGroup(model.id, MODELS)]));
                  }}
                />
                <span className="swatch" style={{ background: modelColour(model.id, MODEL_IDS) }} aria-hidden="true" />
                {model.displayName}
              </label>
              <span className="model-meta">
                {model.inputSizePx[0]}×{model.inputSizePx[1]} · {model.multiPerson ? 'multi-person' : 'single person'} ·{' '}
                {(model.files.reduce((n, f) => n + f.bytes, 0) / 1e6).toFixed(1)} MB
                {model.personInput === 'box' ? ' · person crops only: no detector, landmarks on the ground-truth box' : ''}
              </span>
              {progress !== null && <progress max={1} value={progress} aria-label={`${model.displayName} download`} />}
              <span className={`model-status ${status?.state ?? ''}`}>{statusLabel(status, isSelected)}</span>
              {isSelected && <ModelSettingsEditor model={model} />}
            </li>
          );
        })}
      </ul>
      <AutoRuntime />
    </section>
  );
}
