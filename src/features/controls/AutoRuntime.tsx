import { twinGroup, withTwins } from '../../core/fastestRuntime';
import { MODELS, MODEL_MANIFEST, modelInfo } from '../../inference/modelCatalogue';
import { useAppStore } from '../../store/appStore';
import { AUTO_MEASURE_IMAGES, applyAutoRuntime, autoChoices, autoMeasureModelIds, groupsWithTwins } from '../../store/autoRuntime';
import { runBenchmarkSession } from '../../store/benchmarkSession';
import { useController } from '../../store/controllerContext';

const runtimeName = (id: string) => {
  const runtime = modelInfo(id).runtime;
  return Object.hasOwn(MODEL_MANIFEST.runtimes, runtime) ? MODEL_MANIFEST.runtimes[runtime]!.displayName : runtime;
};

/**
 * Auto runtime, per chosen model that exists on more than one runtime: which twin runs and why (the figures it
 * was chosen from), or that it has not been measured here, with a way to measure it now.
 */
export function AutoRuntime() {
  const controller = useController();
  const on = useAppStore((s) => s.runtimeAuto);
  const setOn = useAppStore((s) => s.setRuntimeAuto);
  const selected = useAppStore((s) => s.selectedModelIds);
  const backend = useAppStore((s) => s.backend);
  const report = useAppStore((s) => s.benchmarkReport);
  const running = useAppStore((s) => s.benchmarkRunning);
  const progress = useAppStore((s) => s.benchmarkProgress);
  const readyImages = useAppStore((s) => s.images.filter((im) => im.status === 'ready').length);
  const pushNotice = useAppStore((s) => s.pushNotice);
  const groups = groupsWithTwins(selected);
  if (groups.length === 0) return null;
  const choices = autoChoices({ backend, benchmarkReport: report });
  const unmeasured = groups.filter((g) => !choices.some((c) => c.modelId === g));
  const toMeasure = autoMeasureModelIds({ backend }, unmeasured);

  const measure = async () => {
    try {
      await runBenchmarkSession(controller, {
        modelIds: toMeasure.modelIds,
        backends: backend.active ? [backend.active] : ['wasm'],
        imageCount: AUTO_MEASURE_IMAGES,
      });
    } catch (error) {
      pushNotice('models', `Measuring runtimes: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return (
    <div className="auto-runtime" data-testid="auto-runtime">
      <label className="inline">
        <input
          type="checkbox"
          checked={on}
          onChange={(event) => {
            setOn(event.target.checked);
            if (event.target.checked) applyAutoRuntime();
          }}
        />
        Auto runtime: run each model on its fastest runtime measured here
      </label>
      <ul>
        {groups.map((group) => {
          const chosen = selected.filter((id) => twinGroup(id, MODELS) === group);
          const choice = choices.find((c) => c.modelId === group);
          const runs = chosen.map((id) => `${modelInfo(id).displayName} (${runtimeName(id)})`).join(' and ');
          const note = !choice
            ? `${modelInfo(group).displayName}: its runtimes (${withTwins([group], MODELS).map(runtimeName).join(', ')}) are not measured here yet; runs ${runs}`
            : chosen.length > 1
              ? `${choice.reason}. You chose ${runs}: a comparison, which Auto leaves as it is`
              : chosen[0] === choice.fastest.modelId
                ? `${choice.reason}. Runs ${runs}`
                : `${choice.reason}. Runs ${runs}, as you chose${on ? '' : ' (Auto is off)'}`;
          return (
            <li key={group} data-group={group} data-runs={chosen.join(' ')} data-fastest={choice?.fastest.modelId ?? ''}>
              {note}
            </li>
          );
        })}
      </ul>
      {toMeasure.skipped.length > 0 && <p className="hint">{toMeasure.skipped.join('; ')}.</p>}
      {unmeasured.length > 0 && (
        <button type="button" disabled={running || readyImages === 0 || toMeasure.modelIds.length < 2} onClick={() => void measure()}>
          {running
            ? (progress?.text ?? 'Measuring…')
            : readyImages === 0
              ? 'Add images to measure runtimes on'
              : `Measure runtimes (${toMeasure.modelIds.length} models × ${AUTO_MEASURE_IMAGES} images)`}
        </button>
      )}
    </div>
  );
}
