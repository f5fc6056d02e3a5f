import type { StateCreator } from 'zustand';
import { canRedo, canUndo, commit, redo, startHistory, undo } from '../core/labelling/labelHistory';
import type { LabelDocument, LabelHistory } from '../core/labelling/labelTypes';

/** What the labeller is pointing at: the image, the person and the keypoint the keyboard acts on. */
export interface LabelCursor {
  fileName: string | null;
  personKey: string | null;
  keypointIndex: number;
}

export interface LabelSlice {
  /** The labels and their undo/redo; null until the user starts labelling (or a session brings them back). */
  labelHistory: LabelHistory | null;
  labelCursor: LabelCursor;
  /** Pre-label settings: the source (model id or imported column id) and the score below which keypoints start absent. */
  prelabelSource: string | null;
  prelabelThreshold: number;
  /** Starts labelling with `doc` (a new skeleton, an import): the undo list starts again. */
  startLabelling: (doc: LabelDocument) => void;
  /** One edit: the new document becomes current and undoable; the same document (nothing changed) is no step. */
  /** One undoable edit; edits in a row with the same `mergeKey` are one undo step (see labelHistory's commit). */
  editLabels: (edit: (doc: LabelDocument) => LabelDocument, mergeKey?: string) => void;
  undoLabels: () => void;
  redoLabels: () => void;
  setLabelCursor: (patch: Partial<LabelCursor>) => void;
  setPrelabelSource: (source: string | null) => void;
  setPrelabelThreshold: (threshold: number) => void;
  /** The saved document put back after a reload (no undo list: a reload starts it afresh). */
  restoreLabels: (doc: LabelDocument | null) => void;
}

export const canUndoLabels = (s: Pick<LabelSlice, 'labelHistory'>) => (s.labelHistory ? canUndo(s.labelHistory) : false);
export const canRedoLabels = (s: Pick<LabelSlice, 'labelHistory'>) => (s.labelHistory ? canRedo(s.labelHistory) : false);

/** Keypoints scoring below this start as absent: the app's display threshold, where a keypoint stops being drawn. */
export const DEFAULT_PRELABEL_THRESHOLD = 0.3;

export const createLabelSlice: StateCreator<LabelSlice, [], [], LabelSlice> = (set) => ({
  labelHistory: null,
  labelCursor: { fileName: null, personKey: null, keypointIndex: 0 },
  prelabelSource: null,
  prelabelThreshold: DEFAULT_PRELABEL_THRESHOLD,
  startLabelling: (doc) => set({ labelHistory: startHistory(doc) }),
  editLabels: (edit, mergeKey) =>
    set((s) => {
      if (!s.labelHistory) return {};
      const next = edit(s.labelHistory.present);
      return next === s.labelHistory.present ? {} : { labelHistory: commit(s.labelHistory, next, undefined, mergeKey) };
    }),
  undoLabels: () => set((s) => (s.labelHistory && canUndo(s.labelHistory) ? { labelHistory: undo(s.labelHistory) } : {})),
  redoLabels: () => set((s) => (s.labelHistory && canRedo(s.labelHistory) ? { labelHistory: redo(s.labelHistory) } : {})),
  setLabelCursor: (patch) => set((s) => ({ labelCursor: { ...s.labelCursor, ...patch } })),
  setPrelabelSource: (prelabelSource) => set({ prelabelSource }),
  setPrelabelThreshold: (threshold) => set({ prelabelThreshold: Math.min(1, Math.max(0, threshold)) }),
  restoreLabels: (doc) => set({ labelHistory: doc ? startHistory(doc) : null }),
});
