/**
 * The batch's time left from what each model has been measured to cost on this device: every cell still
 * to run is priced at its model's median time per inference (one whole image, or one person crop) times
 * the inferences it needs, and the sum is scaled by how wall time has related to model time over the
 * last requests (decoding, messages and the second image in flight are in that ratio). Pure arithmetic.
 */

export interface PendingCell {
  modelId: string;
  /** 1 for a whole image; the number of labelled people under person crops. */
  inferences: number;
}

/** One finished request: wall time since the previous completion, and the model time it reported. */
export interface RequestTiming {
  gapMs: number;
  modelMs: number;
}

export interface TimeLeftInput {
  pending: readonly PendingCell[];
  /** Per model, recent milliseconds per inference on the active backend. */
  perInferenceMs: ReadonlyMap<string, readonly number[]>;
  recentRequests: readonly RequestTiming[];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds left, or null before anything has been measured. 0 when nothing is pending. */
export function estimateMsLeft({ pending, perInferenceMs, recentRequests }: TimeLeftInput): number | null {
  if (pending.length === 0) return 0;
  const perModel = new Map<string, number>();
  const all: number[] = [];
  for (const [modelId, values] of perInferenceMs) {
    const m = median(values);
    if (m !== null) perModel.set(modelId, m);
    all.push(...values);
  }
  // A model not measured yet (just ticked) is priced like the others until its first result.
  const fallback = median(all);
  if (fallback === null) return null;
  let modelMs = 0;
  for (const cell of pending) modelMs += (perModel.get(cell.modelId) ?? fallback) * Math.max(1, cell.inferences);
  const gapSum = recentRequests.reduce((sum, r) => sum + r.gapMs, 0);
  const modelSum = recentRequests.reduce((sum, r) => sum + r.modelMs, 0);
  // Wall per model millisecond; before two requests have finished, model time alone.
  const wallPerModelMs = recentRequests.length > 0 && modelSum > 0 ? gapSum / modelSum : 1;
  return modelMs * wallPerModelMs;
}
