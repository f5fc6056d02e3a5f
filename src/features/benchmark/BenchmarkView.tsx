import type { ChartConfiguration } from 'chart.js';
import { useMemo, useRef, useState } from 'react';
import type { BackendName, ModelId } from '../../core/types';
import { defaultWasmThreads } from '../../core/backendDecision';
import { autoSkipsRuntime, fastestPerModel, selectFastest, withTwins, type FastestChoice } from '../../core/fastestRuntime';
import { leakCheckSentence, leakGrowth } from '../../core/leakCheck';
import { autoRuntimeContext } from '../../store/autoRuntime';
import { MODELS, MODEL_IDS, MODEL_MANIFEST, modelInfo } from '../../inference/modelCatalogue';

const WHOLE_IMAGE_MODEL_IDS: readonly ModelId[] = MODELS.filter((m) => m.personInput !== 'box').map((m) => m.id);
import { modelColour } from '../../render/palette';
import { useAppStore } from '../../store/appStore';
import { benchmarkConfigLabel as configLabel, type BenchmarkReport, type BenchmarkRow, type JobMeasurement } from '../../store/benchmarkRunner';
import { DEFAULT_BENCHMARK_IMAGES, runBenchmarkSession } from '../../store/benchmarkSession';
import { useController } from '../../store/controllerContext';
import { ChartCanvas } from '../../ui/ChartCanvas';
import { downloadBlob, timestampStem } from '../../ui/download';

const BACKENDS: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const ms = (v: number | null) => (v === null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const MB = (v: number | null) => (v === null ? '—' : (v / 1e6).toFixed(1));


const ratio = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(2));

/** The single-image row that matches the job's configuration (WASM, the job's thread count), for the per-model comparison. */
function singleImageRow(report: BenchmarkReport, job: JobMeasurement, modelId: ModelId): BenchmarkRow | undefined {
  return report.rows.find((r) => r.modelId === modelId && r.backend === job.backend && r.status === 'ok' && r.wasmThreads === job.wasmThreads);
}

/**
 * The user's job: every chosen model on every image, as the gallery runs it, against the networks'
 * own time; per model, what the adapter adds within the job and the single-image figures beside it.
 */
function JobSection({ report, job }: { report: BenchmarkReport; job: JobMeasurement }) {
  const on = `${job.backend}${job.wasmThreads !== null ? ` ×${job.wasmThreads}` : ''}`;
  const names = new Map(report.rows.map((r) => [r.modelId, r.displayName]));
  return (
    <div className="benchmark-job" data-testid="benchmark-job" data-status={job.status}>
      <h3>
        Your job: {job.requestCount ?? '—'} images × {job.modelIds?.length ?? '—'} models on {on}
      </h3>
      <p className="hint">
        One request per image with every model (each image decoded once), two images in flight, as the gallery runs a batch. Job overhead = batch wall time
        ÷ the sum of the networks&apos; own time on the same inputs (measured in a second pass, outside the wall time); target ≤ 1.05.
      </p>
      {job.status === 'failed' ? (
        <p className="error">{job.error}</p>
      ) : (
        <>
          <table className="metrics-table">
            <tbody>
              <tr>
                <th scope="row">Job overhead (wall ÷ Σ raw)</th>
                <td data-stat="job-overhead">{ratio(job.jobOverhead)}</td>
              </tr>
              <tr>
                <th scope="row">Without the image decodes ((wall − Σ decode) ÷ Σ raw)</th>
                <td data-stat="job-overhead-without-decode">{ratio(job.jobOverheadWithoutDecode)}</td>
              </tr>
              <tr>
                <th scope="row">Batch wall time ms</th>
                <td data-stat="job-wall">{ms(job.wallMs ?? null)}</td>
              </tr>
              <tr>
                <th scope="row">Σ networks (raw) ms</th>
                <td data-stat="job-raw">{ms(job.rawSumMs ?? null)}</td>
              </tr>
              <tr>
                <th scope="row">Σ decode (file → pixels → tensor, once per image) ms{job.decoder ? ` (${job.decoder})` : ''}</th>
                <td data-stat="job-decode">{ms(job.decodeSumMs ?? null)}</td>
              </tr>
              <tr>
                <th scope="row">Σ pre/post-processing around the networks (Σ adapter − Σ raw) ms</th>
                <td data-stat="job-prepost">{ms(job.prePostSumMs ?? null)}</td>
              </tr>
              <tr>
                <th scope="row">Messages, worker bookkeeping, idle (wall − Σ adapter − Σ decode) ms</th>
                <td data-stat="job-outside">{ms(job.outsideSumMs ?? null)}</td>
              </tr>
              {job.rounds.length > 1 && (
                <tr>
                  <th scope="row">Rounds (the median one is shown)</th>
                  <td data-stat="job-rounds">{job.rounds.map((r) => ratio(r.figures.jobOverhead)).join(', ')}</td>
                </tr>
              )}
              {job.oneInFlight && (
                <tr>
                  <th scope="row" title="the same batch, the next image sent only when one is done: no decode overlaps a model">
                    Diagnostic: one image in flight, wall ms (÷ Σ raw)
                  </th>
                  <td data-stat="job-one-in-flight">
                    {ms(job.oneInFlight.wallMs)} ({ratio(job.oneInFlight.jobOverhead)})
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <table className="metrics-table" data-testid="benchmark-job-models">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Σ raw ms (images)</th>
                <th scope="col">Σ adapter ms</th>
                <th scope="col" title="Σ adapter ÷ Σ raw within the job">Adapter ÷ raw</th>
                <th scope="col" title="single image, one at a time: p50 / raw p50">Single-image overhead</th>
                <th scope="col">Single-image decode p50 ms</th>
                <th scope="col" title="(p50 − decode p50) / raw p50">Single-image overhead without decode</th>
              </tr>
            </thead>
            <tbody>
              {(job.perModel ?? []).map((m) => {
                const row = singleImageRow(report, job, m.modelId);
                const withoutDecode = row && row.latencyP50Ms !== null && row.decodeP50Ms !== null && row.rawP50Ms ? (row.latencyP50Ms - row.decodeP50Ms) / row.rawP50Ms : null;
                return (
                  <tr key={m.modelId} data-model-id={m.modelId} data-raw-count={m.rawCount}>
                    <th scope="row">{names.get(m.modelId) ?? MODELS.find((x) => x.id === m.modelId)?.displayName ?? m.modelId}</th>
                    <td>
                      {ms(m.rawSumMs)} ({m.rawCount})
                    </td>
                    <td>{ms(m.modelSumMs)}</td>
                    <td>{ratio(m.adapterOverhead)}</td>
                    <td>{ratio(row?.overheadRatio)}</td>
                    <td>{ms(row?.decodeP50Ms ?? null)}</td>
                    <td>{ratio(withoutDecode)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function latencyChart(report: BenchmarkReport): ChartConfiguration {
  const configs = [...new Set(report.rows.map(configLabel))];
  const models = [...new Set(report.rows.map((r) => r.modelId))];
  return {
    type: 'bar',
    data: {
      labels: configs,
      datasets: models.map((modelId) => ({
        label: report.rows.find((r) => r.modelId === modelId)?.displayName ?? modelId,
        backgroundColor: modelColour(modelId, MODEL_IDS),
        data: configs.map((c) => report.rows.find((r) => r.modelId === modelId && configLabel(r) === c)?.latencyP50Ms ?? Number.NaN),
      })),
    },
    options: {
      plugins: { legend: { position: 'bottom' } },
      scales: { y: { type: 'linear', min: 0, title: { display: true, text: 'p50 latency per image (ms), app pipeline' } } },
    },
  };
}

/** Per model that ran in more than one runtime × backend: the fastest, every figure it was chosen from, and a way to use it. */
function FastestSection({ choices }: { choices: FastestChoice[] }) {
  const selected = useAppStore((s) => s.selectedModelIds);
  const setSelectedModels = useAppStore((s) => s.setSelectedModels);
  const swapped = selectFastest(selected, choices, MODELS);
  const changes = swapped.join() !== selected.join();
  return (
    <div className="benchmark-fastest" data-testid="benchmark-fastest">
      <h3>Fastest runtime × backend per model</h3>
      <ul>
        {choices.map((c) => (
          <li key={c.modelId} data-model-id={c.modelId} data-fastest={c.fastest.modelId} data-fastest-config={c.fastest.configLabel}>
            {c.reason}
          </li>
        ))}
      </ul>
      <p className="hint">
        Using it swaps each chosen model for its fastest runtime twin (the same pretrained model); the tfjs backend stays as chosen, since one backend serves
        every tfjs model, and a LiteRT model runs on LiteRT&apos;s own WASM whatever it is.
      </p>
      <button type="button" disabled={!changes} onClick={() => setSelectedModels(swapped)}>
        {changes ? 'Use the fastest runtime for each chosen model' : 'The chosen models already use their fastest runtime'}
      </button>
    </div>
  );
}

/** The leak check's verdict per row: whether anything the worker holds grew over its extra estimates. */
function LeakSection({ rows }: { rows: BenchmarkRow[] }) {
  return (
    <div className="benchmark-leaks" data-testid="benchmark-leaks">
      <h3>Leak check</h3>
      <ul>
        {rows.map((r, index) =>
          r.leakCheck ? (
            <li key={`${index}-${r.modelId}`} data-model-id={r.modelId} data-grew={leakGrowth(r.leakCheck.start, r.leakCheck.end).length > 0}>
              {r.displayName} ({configLabel(r)}): {leakCheckSentence(r.leakCheck.estimates, r.leakCheck.start, r.leakCheck.end)}
            </li>
          ) : null,
        )}
      </ul>
      <p className="hint">Tensors, the runtime&apos;s WASM heap and its GPU objects after the last measured image against after the extra ones.</p>
    </div>
  );
}

/** In-app benchmark: every chosen model × backend through the real pipeline on the user's images. */
export function BenchmarkView() {
  const controller = useController();
  const report = useAppStore((s) => s.benchmarkReport);
  const running = useAppStore((s) => s.benchmarkRunning);
  const progress = useAppStore((s) => s.benchmarkProgress);
  const selected = useAppStore((s) => s.selectedModelIds);
  const activeBackend = useAppStore((s) => s.backend.active);
  // Twins on a software GPU here (the legacy MediaPipe solutions on SwiftShader) are not added: seconds per image, never chosen.
  const backendState = useAppStore((s) => s.backend);
  const imageCountAvailable = useAppStore((s) => s.images.filter((im) => im.status === 'ready').length);
  const pushNotice = useAppStore((s) => s.pushNotice);
  // The benchmark runs whole images, where "landmarks given the box" models have no box (the gallery skips them).
  const [modelIds, setModelIds] = useState<ModelId[]>(() => selected.filter((id) => WHOLE_IMAGE_MODEL_IDS.includes(id)));
  const [backends, setBackends] = useState<BackendName[]>(activeBackend ? [activeBackend] : ['wasm']);
  const [imageCount, setImageCount] = useState(DEFAULT_BENCHMARK_IMAGES);
  const [compareThreads, setCompareThreads] = useState(false);
  const [leakCheck, setLeakCheck] = useState(false);
  const [job, setJob] = useState(true);
  const [twins, setTwins] = useState(true);
  const abort = useRef<AbortController | null>(null);
  // What the app runs WASM with by default (all cores within tfjs's cap), against one thread.
  const defaultThreads = defaultWasmThreads(navigator.hardwareConcurrency, globalThis.crossOriginIsolated === true);
  const chart = useMemo(() => (report && report.rows.some((r) => r.status === 'ok') ? latencyChart(report) : null), [report]);
  const fastest = useMemo(() => (report ? fastestPerModel(report.rows.map((r) => ({ ...r, configLabel: configLabel(r) })), MODELS, MODEL_MANIFEST.runtimes) : []), [report]);

  const toggle = <T,>(list: T[], value: T, on: boolean) => (on ? [...new Set([...list, value])] : list.filter((v) => v !== value));
  const start = async () => {
    abort.current = new AbortController();
    try {
      await runBenchmarkSession(controller, {
        modelIds: twins ? withTwins(modelIds, MODELS).filter((id) => modelIds.includes(id) || autoSkipsRuntime(modelInfo(id).runtime, MODEL_MANIFEST.runtimes, autoRuntimeContext({ backend: backendState })) === null) : MODEL_IDS.filter((id) => modelIds.includes(id)),
        jobModelIds: MODEL_IDS.filter((id) => modelIds.includes(id)),
        backends: BACKENDS.filter((b) => backends.includes(b)),
        imageCount,
        ...(compareThreads ? { wasmThreadCounts: [...new Set([1, defaultThreads])] } : {}),
        leakCheckInferences: leakCheck ? 500 : 0,
        job,
        signal: abort.current.signal,
      });
    } catch (error) {
      pushNotice('export', `Benchmark: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return (
    <section className="benchmark" aria-label="Benchmark">
      <p className="hint">
        Each model × backend runs in a fresh worker on your added images ({imageCountAvailable} available, repeated as needed): load time, first inference,
        latency through the whole app pipeline (decode → worker → model → reply), the network&apos;s own time on the same inputs, throughput with batching,
        tensors and heap before/after, and long tasks on this page; then, as a job, every chosen model on every image the way the gallery runs them.
        Gallery work pauses meanwhile.
      </p>
      <fieldset className="bench-options" disabled={running}>
        <legend>Models</legend>
        {MODELS.filter((m) => WHOLE_IMAGE_MODEL_IDS.includes(m.id)).map((m) => (
          <label key={m.id} className="inline">
            <input type="checkbox" checked={modelIds.includes(m.id)} onChange={(e) => setModelIds((l) => toggle(l, m.id, e.target.checked))} />
            {m.displayName}
          </label>
        ))}
      </fieldset>
      <fieldset className="bench-options" disabled={running}>
        <legend>Backends</legend>
        {BACKENDS.map((b) => (
          <label key={b} className="inline">
            <input type="checkbox" checked={backends.includes(b)} onChange={(e) => setBackends((l) => toggle(l, b, e.target.checked))} />
            {b}
          </label>
        ))}
        <label className="inline">
          Images per run <input type="number" min={1} max={1000} value={imageCount} onChange={(e) => setImageCount(Math.max(1, Number(e.target.value) || 1))} />
        </label>
        <label className="inline">
          <input type="checkbox" checked={compareThreads} onChange={(e) => setCompareThreads(e.target.checked)} /> WASM: 1 thread vs {defaultThreads}
        </label>
        <label className="inline">
          <input type="checkbox" checked={leakCheck} onChange={(e) => setLeakCheck(e.target.checked)} /> Leak check (500 more inferences)
        </label>
        <label className="inline">
          <input type="checkbox" checked={job} onChange={(e) => setJob(e.target.checked)} /> Job: every chosen model on every image together (WASM)
        </label>
        <label className="inline">
          <input type="checkbox" checked={twins} onChange={(e) => setTwins(e.target.checked)} /> Also each model&apos;s twins on other runtimes (e.g. LiteRT), to find the
          fastest
        </label>
      </fieldset>
      <div className="row-buttons">
        {running ? (
          <button type="button" onClick={() => abort.current?.abort()}>
            Cancel benchmark
          </button>
        ) : (
          <button type="button" className="primary" disabled={imageCountAvailable === 0 || modelIds.length === 0 || (backends.length === 0 && !job)} onClick={() => void start()}>
            Run benchmark
          </button>
        )}
        {report && !running && (
          <button type="button" onClick={() => downloadBlob(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }), `keypoint-bench-${timestampStem()}-benchmark.json`)}>
            Export benchmark JSON
          </button>
        )}
      </div>
      {running && progress && (
        <div className="batch" role="status" aria-live="polite">
          <progress max={1} value={progress.fraction} aria-label="Benchmark progress" />
          <span data-testid="benchmark-progress">{progress.text}</span>
        </div>
      )}
      {report && (
        <>
          {report.autoDecision && <p className="hint" data-testid="benchmark-auto">Auto picks {report.autoDecision.reason}</p>}
          <table className="metrics-table" data-testid="benchmark-table">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Backend</th>
                <th scope="col">Runtime</th>
                <th scope="col">Load ms</th>
                <th scope="col">First inference ms</th>
                <th scope="col">p50 ms</th>
                <th scope="col">p95 ms</th>
                <th scope="col">Raw model p50 ms</th>
                <th scope="col" title="app pipeline p50 / raw model p50">Overhead</th>
                <th scope="col">Images/s</th>
                <th scope="col">Tensors before → after</th>
                <th scope="col">Worker tensor MB</th>
                <th scope="col" title="The model's own runtime outside tfjs (LiteRT, MediaPipe solutions): its WASM heap, and the GPU objects it keeps alive (WebGL objects, open ImageBitmaps)">
                  Runtime heap MB · GPU objects
                </th>
                <th scope="col">Long tasks</th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((r, index) => (
                <tr key={`${index}-${r.modelId}-${configLabel(r)}`} data-model-id={r.modelId} data-backend={r.backend} data-wasm-threads={r.wasmThreads ?? ''} data-status={r.status}>
                  <th scope="row">{r.displayName}</th>
                  <td title={r.executionDetail ?? undefined}>{configLabel(r)}</td>
                  <td data-stat="runtime">{r.runtime}</td>
                  {r.status === 'failed' ? (
                    <td colSpan={11} className="error">
                      {r.error}
                    </td>
                  ) : (
                    <>
                      <td>{ms(r.loadMs)}</td>
                      <td>{ms(r.firstInferenceMs)}</td>
                      <td data-stat="p50">{ms(r.latencyP50Ms)}</td>
                      <td>{ms(r.latencyP95Ms)}</td>
                      <td data-stat="raw">{ms(r.rawP50Ms)}</td>
                      <td data-stat="overhead">{r.overheadRatio === null ? '—' : r.overheadRatio.toFixed(2)}</td>
                      <td>{r.throughputImagesPerS === null ? '—' : r.throughputImagesPerS.toFixed(1)}</td>
                      <td data-stat="tensors">
                        {r.tensorsBefore ?? '—'} → {r.tensorsAfter ?? '—'}
                      </td>
                      <td>
                        {MB(r.tensorBytesBefore)} → {MB(r.tensorBytesAfter)}
                      </td>
                      <td data-stat="runtime-memory">
                        {r.runtimeHeapBytesBefore === null && r.runtimeGpuObjectsBefore === null ? '—' : `${MB(r.runtimeHeapBytesBefore)} → ${MB(r.runtimeHeapBytesAfter)}`}
                        {r.runtimeGpuObjectsBefore !== null && ` · ${r.runtimeGpuObjectsBefore} → ${r.runtimeGpuObjectsAfter ?? '—'}`}
                      </td>
                      <td>{r.longTasks ? `${r.longTasks.count} (max ${r.longTasks.maxMs.toFixed(0)} ms)` : 'n/a'}</td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {report.rows.some((r) => r.leakCheck) && <LeakSection rows={report.rows} />}
          {fastest.length > 0 && <FastestSection choices={fastest} />}
          {report.job && <JobSection report={report} job={report.job} />}
          {chart && (
            <div className="charts">
              <figure>
                <figcaption>Latency per model × backend</figcaption>
                <ChartCanvas config={chart} label="p50 latency per model and backend" heightPx={300} />
              </figure>
            </div>
          )}
        </>
      )}
    </section>
  );
}
