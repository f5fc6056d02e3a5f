import { useEffect, useState } from 'react';
import { BackendPicker } from '../features/controls/BackendPicker';
import { BatchProgress } from '../features/controls/BatchProgress';
import { ModelPicker } from '../features/controls/ModelPicker';
import { Notices } from '../features/controls/Notices';
import { ThresholdSlider } from '../features/controls/ThresholdSlider';
import { BenchmarkView } from '../features/benchmark/BenchmarkView';
import { FailuresView } from '../features/evaluation/FailuresView';
import { GroundTruthPanel } from '../features/evaluation/GroundTruthPanel';
import { MetricsView } from '../features/evaluation/MetricsView';
import { ExportButtons } from '../features/export/ExportButtons';
import { CompareView } from '../features/gallery/CompareView';
import { GalleryGrid } from '../features/gallery/GalleryGrid';
import { InputsPanel } from '../features/inputs/InputsPanel';
import { WebcamPanel } from '../features/webcam/WebcamPanel';
import { MODEL_MANIFEST } from '../inference/modelCatalogue';
import { useAppStore } from '../store/appStore';
import { runBenchmarkSession, type BenchmarkRequest } from '../store/benchmarkSession';
import { ControllerContext } from '../store/controllerContext';
import type { MainView } from '../store/evaluationSlice';
import { InferenceController } from '../store/inferenceController';

const VIEWS: { id: MainView; label: string }[] = [
  { id: 'gallery', label: 'Gallery' },
  { id: 'metrics', label: 'Metrics & verdict' },
  { id: 'failures', label: 'Worst first' },
  { id: 'benchmark', label: 'Benchmark' },
];

function ModelCredits() {
  return (
    <details className="credits">
      <summary>Models and licences</summary>
      <ul>
        {MODEL_MANIFEST.models.map((m) => (
          <li key={m.id}>
            {m.displayName}: {m.upstream.model}, {m.upstream.licence}; weights from {m.source.package}@{m.source.version}, served by this app.
          </li>
        ))}
      </ul>
    </details>
  );
}

export function App() {
  const [controller] = useState(() => new InferenceController());
  const focusedImageId = useAppStore((s) => s.focusedImageId);
  const mainView = useAppStore((s) => s.mainView);
  const setMainView = useAppStore((s) => s.setMainView);

  useEffect(() => {
    // Read-only handle for end-to-end tests and curious users: the store's current state.
    // runBenchmark drives the same in-app benchmark for `npm run bench`.
    (window as unknown as { keypointBench?: unknown }).keypointBench = {
      getState: useAppStore.getState,
      runBenchmark: (request: BenchmarkRequest) => runBenchmarkSession(controller, request),
    };
    controller.start();
    return () => controller.stop();
  }, [controller]);

  return (
    <ControllerContext.Provider value={controller}>
      <div className="app">
        <header className="app-header">
          <h1>Keypoint Bench</h1>
          <p>Is an off-the-shelf pose model good enough for your images? Everything runs in this browser.</p>
        </header>
        <aside className="sidebar">
          <InputsPanel />
          <Notices area="inputs" />
          <section className="panel" aria-label="Display">
            <ThresholdSlider />
          </section>
          <ModelPicker />
          <Notices area="models" />
          <GroundTruthPanel />
          <Notices area="evaluation" />
          <BackendPicker />
          <Notices area="backend" />
          <ExportButtons />
          <Notices area="export" />
          <WebcamPanel />
          <Notices area="webcam" />
          <ModelCredits />
        </aside>
        <main className="main">
          <BatchProgress />
          <nav className="tabs" role="tablist" aria-label="Views">
            {VIEWS.map((view) => (
              <button
                key={view.id}
                type="button"
                role="tab"
                aria-selected={mainView === view.id}
                className={mainView === view.id ? 'active' : ''}
                onClick={() => setMainView(view.id)}
              >
                {view.label}
              </button>
            ))}
          </nav>
          {mainView === 'metrics' ? (
            <MetricsView />
          ) : mainView === 'failures' ? (
            <FailuresView />
          ) : mainView === 'benchmark' ? (
            <BenchmarkView />
          ) : focusedImageId ? (
            <CompareView key={focusedImageId} imageId={focusedImageId} />
          ) : (
            <GalleryGrid />
          )}
        </main>
      </div>
    </ControllerContext.Provider>
  );
}
