import type { StateCreator } from 'zustand';
import type { CocoKeypointResult, CocoKeypointsGroundTruth, ParseProblem } from '../core/coco/cocoTypes';

import type { EvaluationProtocol } from '../core/evaluation/protocol';

export type { EvaluationProtocol };
export type PckNormalizer = 'bbox' | 'torso';
export type MainView = 'gallery' | 'metrics' | 'failures' | 'benchmark';

export interface GroundTruthState {
  fileName: string;
  /** sha256 of the file's bytes as loaded, for provenance; null where Web Crypto is unavailable (no secure context). */
  sha256: string | null;
  dataset: CocoKeypointsGroundTruth;
  problems: readonly ParseProblem[];
}

/** Predictions made elsewhere (e.g. a research model in Python), imported as a COCO results file. */
export interface ExternalColumn {
  /** 'ext-N'; never collides with manifest model ids, which have no 'ext-' prefix. */
  id: string;
  name: string;
  fileName: string;
  /**
   * The file's entries that passed validation, in file order: the parsed JSON objects themselves, so `bbox`,
   * `area`, fields no scorer reads and the keypoint triples are as the file has them. Metrics are computed from
   * these and "Export COCO results" writes them back (see jsonImport's fileEntriesOf).
   */
  results: readonly CocoKeypointResult[];
  problems: readonly ParseProblem[];
}

/** A results file dropped before any ground truth: its image ids mean nothing until GT arrives. */
export interface PendingPredictions {
  fileName: string;
  json: unknown;
}

export interface VerdictTargetsState {
  apMin: number | null;
  pckMin: number | null;
  latencyMaxMs: number | null;
}

export interface EvaluationSlice {
  groundTruth: GroundTruthState | null;
  externalColumns: ExternalColumn[];
  pendingPredictions: PendingPredictions[];
  evaluationProtocol: EvaluationProtocol;
  pckAlpha: number;
  pckNormalizer: PckNormalizer;
  verdictTargets: VerdictTargetsState;
  showGroundTruth: boolean;
  mainView: MainView;
  setGroundTruth: (gt: GroundTruthState | null) => void;
  addExternalColumn: (column: ExternalColumn) => void;
  renameExternalColumn: (id: string, name: string) => void;
  removeExternalColumn: (id: string) => void;
  setPendingPredictions: (pending: PendingPredictions[]) => void;
  setEvaluationProtocol: (protocol: EvaluationProtocol) => void;
  setPck: (alpha: number, normalizer: PckNormalizer) => void;
  setVerdictTargets: (targets: Partial<VerdictTargetsState>) => void;
  setShowGroundTruth: (show: boolean) => void;
  setMainView: (view: MainView) => void;
}

/** Defaults a team might start from: COCO-style AP ≥ 0.6, PCK@0.2 ≥ 0.9, 50 ms per image. */
export const DEFAULT_VERDICT_TARGETS: VerdictTargetsState = { apMin: 0.6, pckMin: 0.9, latencyMaxMs: 50 };
export const DEFAULT_PCK_ALPHA = 0.2;

export const createEvaluationSlice: StateCreator<EvaluationSlice, [], [], EvaluationSlice> = (set) => ({
  groundTruth: null,
  externalColumns: [],
  pendingPredictions: [],
  // Single-person models are normally judged on person crops: that is how their accuracy was published.
  evaluationProtocol: 'crops',
  pckAlpha: DEFAULT_PCK_ALPHA,
  pckNormalizer: 'bbox',
  verdictTargets: DEFAULT_VERDICT_TARGETS,
  showGroundTruth: true,
  mainView: 'gallery',
  setGroundTruth: (groundTruth) => set({ groundTruth }),
  addExternalColumn: (column) => set((s) => ({ externalColumns: [...s.externalColumns, column] })),
  renameExternalColumn: (id, name) =>
    set((s) => ({ externalColumns: s.externalColumns.map((c) => (c.id === id ? { ...c, name: name.trim() || c.name } : c)) })),
  removeExternalColumn: (id) => set((s) => ({ externalColumns: s.externalColumns.filter((c) => c.id !== id) })),
  setPendingPredictions: (pendingPredictions) => set({ pendingPredictions }),
  setEvaluationProtocol: (evaluationProtocol) => set({ evaluationProtocol }),
  setPck: (pckAlpha, pckNormalizer) => set({ pckAlpha: Math.min(0.5, Math.max(0, pckAlpha)), pckNormalizer }),
  setVerdictTargets: (targets) => set((s) => ({ verdictTargets: { ...s.verdictTargets, ...targets } })),
  setShowGroundTruth: (showGroundTruth) => set({ showGroundTruth }),
  setMainView: (mainView) => set({ mainView }),
});

/**
 * The protocol inference actually runs under: person crops need ground-truth boxes, so without
 * ground truth every image runs whole (the user's choice is kept for when ground truth arrives).
 */
export function effectiveProtocol(state: Pick<EvaluationSlice, 'groundTruth' | 'evaluationProtocol'>): EvaluationProtocol {
  return state.groundTruth ? state.evaluationProtocol : 'whole';
}
