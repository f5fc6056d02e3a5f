/**
 * Undo/redo over label documents. Documents are immutable and an edit copies only the image it touches (plus the
 * images map's slots), so a step costs that image's record and one pointer per image, not a copy of the labels.
 */
import type { LabelDocument, LabelHistory } from './labelTypes';

/**
 * Steps kept for undo. A step holds a document that shares every untouched image with its neighbours, so its own
 * cost is the touched image and the images map (8 bytes a slot): 500 steps on a 2,000-image set are ~8 MB over
 * the touched records. 500 edits is a long stretch of labelling (dozens of images' worth of drags and marks); a
 * bound is needed at all because a session runs for hours and the history lives in memory.
 */
export const HISTORY_LIMIT = 500;

export function startHistory(doc: LabelDocument): LabelHistory {
  return { past: [], present: doc, future: [] };
}

/**
 * `doc` becomes the present, undoable; the redo list is dropped. No step when `doc` is the present itself. With a
 * `mergeKey` equal to the one that made the present, `doc` replaces the present instead: one undo takes back the
 * whole run (ten presses of a nudge key are one move, not ten steps).
 */
export function commit(history: LabelHistory, doc: LabelDocument, limit: number = HISTORY_LIMIT, mergeKey?: string): LabelHistory {
  if (doc === history.present) return history;
  const keyed = mergeKey === undefined ? {} : { mergeKey };
  if (mergeKey !== undefined && history.mergeKey === mergeKey && history.future.length === 0 && history.past.length > 0) return { past: history.past, present: doc, future: [], ...keyed };
  const past = [...history.past, history.present];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, present: doc, future: [], ...keyed };
}

export const canUndo = (history: LabelHistory) => history.past.length > 0;
export const canRedo = (history: LabelHistory) => history.future.length > 0;

export function undo(history: LabelHistory): LabelHistory {
  const previous = history.past[history.past.length - 1];
  if (!previous) return history;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
}

export function redo(history: LabelHistory): LabelHistory {
  const [next, ...rest] = history.future;
  if (!next) return history;
  return { past: [...history.past, history.present], present: next, future: rest };
}
