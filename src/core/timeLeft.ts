/**
 * The batch's time left from what each model has been measured to cost on this device: every cell still
 * to run is priced at its model's time per inference (one whole image, or one person crop) times the
 * inferences it needs, and the sum is scaled by how wall time has related to model time over the last
 * requests (decoding, messages and the second image in flight are in that ratio). Pure arithmetic.
 *
 * Time per inference is total model time over total inferences (not a median of per-request ratios): the
 * time left is a sum, dominated by the images with many people, and a one-crop request's fixed costs
 * would otherwise weigh as much as a thirteen-crop one. A batch's first request runs while the batch's
 * other images are still being read and thumbnailed on the main thread (measured: about twice the
 * steady per-inference time on two cores), so it is priced from only until anything later is measured.
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

/** What one model cost in one finished request. */
export interface CostSample {
  latencyMs: number;
  /** 1 for a whole image; the person crops it ran. */
  inferences: number;
  /** The batch's first request, which overlaps the batch's start-up (see the module comment). */
  batchStart: boolean;
}

export interface TimeLeftInput {
  pending: readonly PendingCell[];
  /** Per model, its recent requests on the active backend. */
  costSamples: ReadonlyMap<string, readonly CostSample[]>;
  recentRequests: readonly RequestTiming[];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Σ time / Σ inferences over the samples, leaving out batch starts when there is anything else. */
export function msPerInference(samples: readonly CostSample[]): number | null {
  const steady = samples.filter((s) => !s.batchStart);
  const used = steady.length > 0 ? steady : samples;
  let latencyMs = 0;
  let inferences = 0;
  for (const s of used) {
    latencyMs += s.latencyMs;
    inferences += Math.max(1, s.inferences);
  }
  return inferences > 0 ? latencyMs / inferences : null;
}

/** Milliseconds left, or null before anything has been measured. 0 when nothing is pending. */
export function estimateMsLeft({ pending, costSamples, recentRequests }: TimeLeftInput): number | null {
  if (pending.length === 0) return 0;
  const perModel = new Map<string, number>();
  for (const [modelId, samples] of costSamples) {
    const ms = msPerInference(samples);
    if (ms !== null) perModel.set(modelId, ms);
  }
  // A model not measured yet (just ticked) is priced like the others until its first result.
  const fallback = median([...perModel.values()]);
  if (fallback === null) return null;
  let modelMs = 0;
  for (const cell of pending) modelMs += (perModel.get(cell.modelId) ?? fallback) * Math.max(1, cell.inferences);
  const gapSum = recentRequests.reduce((sum, r) => sum + r.gapMs, 0);
  const modelSum = recentRequests.reduce((sum, r) => sum + r.modelMs, 0);
  // Wall per model millisecond; before two requests have finished, model time alone.
  const wallPerModelMs = recentRequests.length > 0 && modelSum > 0 ? gapSum / modelSum : 1;
  return modelMs * wallPerModelMs;
}
