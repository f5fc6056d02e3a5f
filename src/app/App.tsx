import { useEffect, useState } from 'react';
import { BackendPicker } from '../features/controls/BackendPicker';
import { BatchProgress } from '../features/controls/BatchProgress';
import { ModelPicker } from '../features/controls/ModelPicker';
import { Notices } from '../features/controls/Notices';
import { ThresholdSlider } from '../features/controls/ThresholdSlider';
import { BenchmarkView } from '../features/benchmark/BenchmarkView';
import { LabelView } from '../features/label/LabelView';
import { FailuresView } from '../features/evaluation/FailuresView';
import { GroundTruthPanel } from '../features/evaluation/GroundTruthPanel';
import { MetricsView } from '../features/evaluation/MetricsView';
import { ExportButtons } from '../features/export/ExportButtons';
import { ReportButtons } from '../features/report/ReportButtons';
import { CompareView } from '../features/gallery/CompareView';
import { GalleryGrid } from '../features/gallery/GalleryGrid';
import { InputsPanel } from '../features/inputs/InputsPanel';
import { SessionPanel } from '../features/session/SessionPanel';
import { WebcamPanel } from '../features/webcam/WebcamPanel';
import { LiveStage } from '../features/webcam/LiveStage';
import { useLiveLarge } from '../features/webcam/liveViewStore';
import { weightPackages } from '../core/manifest';
import { MODEL_MANIFEST } from '../inference/modelCatalogue';
import { useAppStore } from '../store/appStore';
import { runBenchmarkSession, type BenchmarkRequest } from '../store/benchmarkSession';
import { ControllerContext } from '../store/controllerContext';
import { startIntervalRunner, useIntervals } from '../store/intervals';
import type { MainView } from '../store/evaluationSlice';
import { InferenceController } from '../store/inferenceController';
import { SessionContext } from '../store/sessionContext';
import { SessionPersistence } from '../store/sessionPersistence';

const VIEWS: { id: MainView; label: string }[] = [
  { id: 'gallery', label: 'Gallery' },
  { id: 'metrics', label: 'Metrics & verdict' },
  { id: 'failures', label: 'Worst first' },
  { id: 'benchmark', label: 'Benchmark' },
  { id: 'label', label: 'Label' },
];

function ModelCredits() {
  return (
    <details className="credits">
      <summary>Models and licences</summary>
      <ul>
        {MODEL_MANIFEST.models.map((m) => (
          <li key={m.id}>
            {m.displayName}: {m.upstream.model}, {m.upstream.licence}; weights from {weightPackages(m).join(' and ')}, served by this app.
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
  // The webcam or a video shown large takes the main area until Esc or a view tab.
  const liveLarge = useLiveLarge();
  const setMainView = useAppStore((s) => s.setMainView);
  const setFocusedImageId = useAppStore((s) => s.setFocusedImageId);

  const [persistence, setPersistence] = useState<SessionPersistence | null>(null);

  useEffect(() => {
    let cancelled = false;
    let started = false;
    let stopIntervals: (() => void) | null = null;
    const sessionStore = new SessionPersistence();
    // The saved session is put in the store before the controller starts, so the controller sees its
    // images and finished results together and runs only what is missing.
    void sessionStore.start().finally(() => {
      if (cancelled) return;
      setPersistence(sessionStore);
      // Read-only handle for end-to-end tests and curious users: the store's current state.
      // runBenchmark drives the same in-app benchmark for `npm run bench`; flushSession writes the session now.
      (window as unknown as { keypointBench?: unknown }).keypointBench = {
        getState: useAppStore.getState,
        runBenchmark: (request: BenchmarkRequest) => runBenchmarkSession(controller, request),
        flushSession: () => sessionStore.flush(),
        getIntervals: useIntervals.getState,
      };
      started = true;
      controller.start();
      stopIntervals = startIntervalRunner();
    });
    return () => {
      cancelled = true;
      sessionStore.stop();
      if (started) controller.stop();
      stopIntervals?.();
    };
  }, [controller]);

  return (
    <ControllerContext.Provider value={controller}>
      <SessionContext.Provider value={persistence}>
      <div className="app">
        <header className="app-header">
          <h1>Keypoint Bench</h1>
          <p>Is an off-the-shelf pose model good enough for your images? Everything runs in this browser.</p>
        </header>
        <aside className="sidebar">
          <SessionPanel />
          <Notices area="session" />
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
          <ReportButtons />
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
                onClick={() => {
                  setMainView(view.id);
                  // The side-by-side view lives inside the Gallery tab: the tab itself leads back to the grid,
                  // also when it is the tab already shown.
                  if (view.id === 'gallery') setFocusedImageId(null);
                }}
              >
                {view.label}
              </button>
            ))}
          </nav>
          {liveLarge ? (
            <LiveStage />
          ) : mainView === 'metrics' ? (
            <MetricsView />
          ) : mainView === 'failures' ? (
            <FailuresView />
          ) : mainView === 'benchmark' ? (
            <BenchmarkView />
          ) : mainView === 'label' ? (
            <LabelView />
          ) : focusedImageId ? (
            <CompareView key={focusedImageId} imageId={focusedImageId} />
          ) : (
            <GalleryGrid />
          )}
        </main>
      </div>
      </SessionContext.Provider>
    </ControllerContext.Provider>
  );
}
