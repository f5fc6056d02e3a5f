import type { StateCreator } from 'zustand';
import { savedTeamTargets } from './teamTargets';
import { datasetWithUserSigmas } from '../core/layouts';
import type { CocoKeypointResult, CocoKeypointsGroundTruth, ParseProblem } from '../core/coco/cocoTypes';

import type { EvaluationProtocol } from '../core/evaluation/protocol';

export type { EvaluationProtocol };
export type PckNormalizer = 'bbox' | 'torso';
export type MainView = 'gallery' | 'metrics' | 'failures' | 'benchmark' | 'label';

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
  /** OKS sigmas for the scored category, one per keypoint (already checked: core/layouts parseSigmas); null: the file's or the defaults again. */
  setGroundTruthSigmas: (sigmas: readonly number[] | null) => void;
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

/** Defaults a team might start from: COCO-style AP ≥ 0.6, PCK@0.2 ≥ 0.9, 50 ms per image (why: TARGET_DEFAULT_REASONS). */
export const DEFAULT_VERDICT_TARGETS: VerdictTargetsState = { apMin: 0.6, pckMin: 0.9, latencyMaxMs: 50 };

/** Why each default is what it is, shown where the targets are set. */
export const TARGET_DEFAULT_REASONS: Record<keyof VerdictTargetsState, string> = {
  apMin:
    'AP ≥ 0.60: COCO keypoint AP (OKS 0.50:0.95) of 0.6 means most people are found with most keypoints close to where annotators put them; the published figures of the bundled models lie around 0.5–0.75 under their own conditions (see Published).',
  pckMin: 'PCK ≥ 0.90: nine in ten labelled keypoints within α (0.2 by default) of the person size from the truth, a usual bar for “the points land on the right joint”.',
  latencyMaxMs: 'Latency ≤ 50 ms per image: 20 images a second, fast enough to feel live on a laptop; set it to your product’s budget.',
};
export const DEFAULT_PCK_ALPHA = 0.2;

export const createEvaluationSlice: StateCreator<EvaluationSlice, [], [], EvaluationSlice> = (set) => ({
  groundTruth: null,
  externalColumns: [],
  pendingPredictions: [],
  // Single-person models are normally judged on person crops: that is how their accuracy was published.
  evaluationProtocol: 'crops',
  pckAlpha: DEFAULT_PCK_ALPHA,
  pckNormalizer: 'bbox',
  // A team's saved targets replace the built-in defaults (teamTargets.ts).
  verdictTargets: savedTeamTargets() ?? DEFAULT_VERDICT_TARGETS,
  showGroundTruth: true,
  mainView: 'gallery',
  setGroundTruth: (groundTruth) => set({ groundTruth }),
  setGroundTruthSigmas: (sigmas) =>
    set((s) => (s.groundTruth ? { groundTruth: { ...s.groundTruth, dataset: datasetWithUserSigmas(s.groundTruth.dataset, sigmas) } } : {})),
  addExternalColumn: (column) =>
    set((s) => {
      // Columns come back from a saved session with their ids while an importer's counter starts again
      // at 1 after a reload: an id already taken gets the next free one, so ids stay unique across reloads.
      const taken = new Set(s.externalColumns.map((c) => c.id));
      if (!taken.has(column.id)) return { externalColumns: [...s.externalColumns, column] };
      let n = s.externalColumns.length + 1;
      while (taken.has(`ext-${n}`)) n++;
      return { externalColumns: [...s.externalColumns, { ...column, id: `ext-${n}` }] };
    }),
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
