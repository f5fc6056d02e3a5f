/**
 * Bootstrap intervals of the evaluation on screen, computed in the analysis worker whenever the evaluation changes
 * (new results, another protocol, PCK α, ground truth): seeded, so the same inputs give the same intervals. Kept
 * apart from the app store: derived, transient, never saved (it is recomputed from what is saved).
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import { computeAnalysis } from '../analysis/analysisClient';
import type { BootstrapPhase, BootstrapRequest, ColumnErrorAnalysis } from '../analysis/analysisProtocol';
import { restrictGroundTruth } from '../core/evaluation/evaluateColumn';
import { intervalVerdictRow, type IntervalVerdictRow } from '../core/evaluation/verdictInterval';
import { DEFAULT_BOOTSTRAP_RESAMPLES, DEFAULT_BOOTSTRAP_SEED, type BootstrapReport } from '../core/metrics/bootstrap';
import { useAppStore, type AppState } from './appStore';
import { evaluationSnapshot, type EvaluationSnapshot } from './evaluationResults';
import { groundTruthIndex } from './groundTruthIndex';

/** The fewest resamples the app runs: fewer make the 2.5th/97.5th percentiles too rough for a 95% interval. */
export const MIN_BOOTSTRAP_RESAMPLES = 1000;
export const MAX_BOOTSTRAP_RESAMPLES = 100_000;
/** Results arrive one image at a time during a batch: wait for a pause before resampling everything again… */
const RECOMPUTE_DELAY_MS = 700;
/** …but not longer than this while they keep coming. */
const RECOMPUTE_MAX_WAIT_MS = 5000;

/** What the evaluation (and so the intervals) depends on; the verdict targets are not among them. */
const EVALUATION_INPUTS = ['groundTruth', 'images', 'results', 'externalColumns', 'selectedModelIds', 'evaluationProtocol', 'pckAlpha', 'pckNormalizer'] as const;
export type EvaluationInputs = Pick<AppState, (typeof EVALUATION_INPUTS)[number]>;

const inputsOf = (state: AppState): EvaluationInputs => Object.fromEntries(EVALUATION_INPUTS.map((key) => [key, state[key]])) as EvaluationInputs;
const sameInputs = (a: EvaluationInputs | null, b: EvaluationInputs | null) => a !== null && b !== null && EVALUATION_INPUTS.every((key) => a[key] === b[key]);

export interface IntervalsState {
  status: 'idle' | 'running' | 'done' | 'error';
  resamples: number;
  seed: number;
  /** While running. */
  progress: { phase: BootstrapPhase; done: number; total: number } | null;
  /** The evaluation inputs the report (or the running job) belongs to: a report is shown only beside its own numbers. */
  inputs: EvaluationInputs | null;
  report: BootstrapReport | null;
  /** The coco-analyze error taxonomy per column, on the same images (computed after the intervals). */
  errors: ColumnErrorAnalysis[] | null;
  /** Images every column was scored on (the ones resampled), and how many images the columns were scored on at most. */
  imagesResampled: number;
  imagesScoredMax: number;
  error: string | null;
  /**
   * Views and exports that show intervals now. The intervals are computed only while one does: the resampling and
   * the evaluation it starts from cost the page's thread and a core, which a batch in the gallery needs more.
   */
  demand: number;
  setResampling: (options: { resamples?: number; seed?: number }) => void;
}

export const useIntervals = create<IntervalsState>((set) => ({
  status: 'idle',
  resamples: DEFAULT_BOOTSTRAP_RESAMPLES,
  seed: DEFAULT_BOOTSTRAP_SEED,
  progress: null,
  inputs: null,
  report: null,
  errors: null,
  imagesResampled: 0,
  imagesScoredMax: 0,
  error: null,
  demand: 0,
  setResampling: ({ resamples, seed }) =>
    set((s) => ({
      resamples: resamples === undefined || !Number.isFinite(resamples) ? s.resamples : Math.min(MAX_BOOTSTRAP_RESAMPLES, Math.max(MIN_BOOTSTRAP_RESAMPLES, Math.round(resamples))),
      seed: seed === undefined || !Number.isFinite(seed) ? s.seed : Math.trunc(seed) >>> 0,
    })),
}));

/**
 * What the worker resamples for a snapshot: the images every column was scored on (so each resample draws the same
 * images for every column and differences are paired), with each column's results and latencies on them. Null
 * without a column or a common image.
 */
export function bootstrapRequestOf(state: AppState, snapshot: EvaluationSnapshot, resamples: number, seed: number): { request: BootstrapRequest; imagesScoredMax: number } | null {
  const index = groundTruthIndex(state.groundTruth, state.images);
  if (!index || snapshot.columns.length === 0) return null;
  // How many columns scored each image: the common images are those every column scored.
  const columnsScoring = new Map<number, number>();
  let imagesScoredMax = 0;
  for (const column of snapshot.columns) {
    const ids = new Set(column.imagesScored.map((image) => image.gtImageId));
    imagesScoredMax = Math.max(imagesScoredMax, ids.size);
    for (const id of ids) columnsScoring.set(id, (columnsScoring.get(id) ?? 0) + 1);
  }
  // In ground-truth file order, so a request does not depend on the order results arrived in.
  const imageIds = index.dataset.images.filter((image) => columnsScoring.get(image.id) === snapshot.columns.length).map((image) => image.id);
  if (imageIds.length === 0) return null;
  const kept = new Set(imageIds);
  const columns = snapshot.columns.map((c) => {
    const latencyById = new Map(c.imagesScored.map((image) => [image.gtImageId, image.latencyMs]));
    const timed = c.imagesScored.some((image) => image.latencyMs !== null);
    return {
      columnId: c.column.id,
      displayName: c.column.label,
      results: c.results.filter((r) => kept.has(r.image_id)),
      imageLatencyMs: timed ? imageIds.map((id) => latencyById.get(id) ?? null) : null,
    };
  });
  return {
    request: { gt: restrictGroundTruth(index.dataset, imageIds), imageIds, columns, pck: { alpha: state.pckAlpha, normalizer: state.pckNormalizer }, resamples, seed, errorAnalysis: true },
    imagesScoredMax,
  };
}

/** The report, if it was computed from the evaluation `state` shows now (else null: it is being recomputed). */
export function currentReport(intervals: Pick<IntervalsState, 'report' | 'inputs'>, state: AppState): BootstrapReport | null {
  return intervals.report && sameInputs(intervals.inputs, inputsOf(state)) ? intervals.report : null;
}

/** The interval verdict of each column against the targets, once the current report is in. */
export function intervalVerdictRows(report: BootstrapReport | null, targets: AppState['verdictTargets']): IntervalVerdictRow[] | null {
  return report ? report.columns.map((column) => intervalVerdictRow(column, targets)) : null;
}

/** Keeps the intervals computed while the calling view is mounted. */
export function useIntervalsDemand(): void {
  useEffect(() => {
    useIntervals.setState((s) => ({ demand: s.demand + 1 }));
    return () => useIntervals.setState((s) => ({ demand: Math.max(0, s.demand - 1) }));
  }, []);
}

/**
 * For an export: asks for the intervals of the evaluation as it is now and waits (at most `timeoutMs`) until they are
 * in or cannot be had; resolves either way (the export then says what it has).
 */
export async function awaitIntervals(timeoutMs = 120_000): Promise<void> {
  useIntervals.setState((s) => ({ demand: s.demand + 1 }));
  try {
    await new Promise<void>((resolve) => {
      const settled = () => {
        const s = useIntervals.getState();
        return s.status === 'error' || s.status === 'idle' || (s.status === 'done' && sameInputs(s.inputs, inputsOf(useAppStore.getState())));
      };
      // The runner answers a new demand at once (or after its short pause): give it that long before reading "idle".
      const timer = setTimeout(() => finish(), timeoutMs);
      let unsubscribe = () => {};
      const finish = () => {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
      setTimeout(() => {
        if (settled()) return finish();
        unsubscribe = useIntervals.subscribe(() => {
          if (settled()) finish();
        });
      }, RECOMPUTE_DELAY_MS + 50);
    });
  } finally {
    useIntervals.setState((s) => ({ demand: Math.max(0, s.demand - 1) }));
  }
}

/** Subscribes a component to the current report (null while it is recomputed). */
export function useCurrentReport(): BootstrapReport | null {
  const intervals = useIntervals((s) => s);
  return useAppStore((state) => currentReport(intervals, state));
}

/** The error taxonomy, if computed from the evaluation `state` shows now. */
export function currentErrors(intervals: Pick<IntervalsState, 'errors' | 'inputs'>, state: AppState): ColumnErrorAnalysis[] | null {
  return intervals.errors && sameInputs(intervals.inputs, inputsOf(state)) ? intervals.errors : null;
}

export function useCurrentErrors(): ColumnErrorAnalysis[] | null {
  const intervals = useIntervals((s) => s);
  return useAppStore((state) => currentErrors(intervals, state));
}

/** Keeps the intervals in step with the evaluation; returns the function that stops it. */
export function startIntervalRunner(): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let firstPendingAtMs: number | null = null;
  let running: AbortController | null = null;
  let wanted: { inputs: EvaluationInputs | null; resamples: number; seed: number } = { inputs: null, resamples: 0, seed: 0 };

  const run = () => {
    timer = null;
    firstPendingAtMs = null;
    const state = useAppStore.getState();
    const inputs = inputsOf(state);
    const snapshot = evaluationSnapshot(state);
    const { resamples, seed } = useIntervals.getState();
    running?.abort();
    running = null;
    const built = snapshot ? bootstrapRequestOf(state, snapshot, resamples, seed) : null;
    if (!built) {
      useIntervals.setState({ status: 'idle', progress: null, inputs, report: null, errors: null, imagesResampled: 0, imagesScoredMax: 0, error: null });
      return;
    }
    const controller = new AbortController();
    running = controller;
    useIntervals.setState({ status: 'running', progress: { phase: 'preparing', done: 0, total: built.request.columns.length }, inputs, report: null, errors: null, imagesResampled: built.request.imageIds.length, imagesScoredMax: built.imagesScoredMax, error: null });
    computeAnalysis(
      built.request,
      (phase, done, total) => {
        if (!controller.signal.aborted) useIntervals.setState({ progress: { phase, done, total } });
      },
      controller.signal,
    ).then(
      (report) => {
        if (controller.signal.aborted) return;
        running = null;
        useIntervals.setState({ status: 'done', progress: null, report: report.bootstrap, errors: report.errors });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        running = null;
        useIntervals.setState({ status: 'error', progress: null, error: error instanceof Error ? error.message : String(error) });
      },
    );
  };

  const check = () => {
    const state = useAppStore.getState();
    const { resamples, seed, demand } = useIntervals.getState();
    // Nothing shows intervals: compute nothing (a view or an export that needs them raises the demand).
    if (demand === 0) {
      if (timer) clearTimeout(timer);
      timer = null;
      firstPendingAtMs = null;
      running?.abort();
      running = null;
      wanted = { inputs: null, resamples: 0, seed: 0 };
      if (useIntervals.getState().status === 'running') useIntervals.setState({ status: 'idle', progress: null });
      return;
    }
    const inputs = inputsOf(state);
    if (sameInputs(inputs, wanted.inputs) && resamples === wanted.resamples && seed === wanted.seed && useIntervals.getState().status !== 'idle') return;
    wanted = { inputs, resamples, seed };
    // Asked for again with nothing changed since the last report: it still holds.
    const last = useIntervals.getState();
    if (last.status === 'done' && last.report && sameInputs(last.inputs, inputs) && last.report.resamples === resamples && last.report.seed === seed) return;
    if (state.groundTruth === null) {
      // Nothing to evaluate: no need to wait.
      if (timer) clearTimeout(timer);
      timer = null;
      running?.abort();
      running = null;
      useIntervals.setState({ status: 'idle', progress: null, inputs, report: null, errors: null, imagesResampled: 0, imagesScoredMax: 0, error: null });
      return;
    }
    // Out of date from now on: nothing may read the last report as this evaluation's while the next one waits.
    if (useIntervals.getState().status !== 'running') useIntervals.setState({ status: 'running', progress: null });
    const now = performance.now();
    firstPendingAtMs ??= now;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, Math.max(0, Math.min(RECOMPUTE_DELAY_MS, firstPendingAtMs + RECOMPUTE_MAX_WAIT_MS - now)));
  };
  const unsubscribeApp = useAppStore.subscribe(check);
  const unsubscribeIntervals = useIntervals.subscribe((s, previous) => {
    if (s.resamples !== previous.resamples || s.seed !== previous.seed || (s.demand > 0) !== (previous.demand > 0)) check();
  });
  check();
  return () => {
    unsubscribeApp();
    unsubscribeIntervals();
    if (timer) clearTimeout(timer);
    running?.abort();
  };
}
