import type { ModelId } from './types';

/**
 * The overhead of the user's real job: M images × K models run as the gallery runs them (one
 * request per image carrying all K models, so each image is decoded once for all of them), as
 * batch wall time ÷ the sum of the networks' own time on the same inputs. Pure arithmetic over
 * what the worker reported; the benchmark runner does the measuring.
 */

/** One request of the timed (un-instrumented) pass, as the worker reported it. */
export interface JobTimedRequest {
  /** Input preparation in the worker, shared by the request's models (`estimateDone.decodeMs`). */
  decodeMs: number;
  /** Per model: the adapter's estimate on this image (`poses.imageLatencyMs`): pre/post-processing + networks. */
  modelMs: Partial<Record<ModelId, number>>;
}

/** One request of the raw pass (`measureRaw`), on the same image as the timed request of the same index. */
export interface JobRawRequest {
  /** Per model: the network(s) alone, re-run on the exact inputs the estimate fed them (`rawTiming.rawMs`). */
  rawMs: Partial<Record<ModelId, number>>;
}

export interface JobModelFigures {
  modelId: ModelId;
  /** Images whose raw network time is in `rawSumMs` (M when nothing is missing). */
  rawCount: number;
  rawSumMs: number;
  /** Images whose adapter time is in `modelSumMs`. */
  modelCount: number;
  /** The adapter's time summed over the timed pass. */
  modelSumMs: number;
  /** modelSumMs / rawSumMs: what the adapter (pose-detection's or our own pre/post) adds around the networks, within the job. */
  adapterOverhead: number | null;
}

export interface JobFigures {
  /** M: requests of the timed pass, one per image. */
  requestCount: number;
  /** K: the models every request carried. */
  modelIds: ModelId[];
  /** From sending the first request to the last `estimateDone`, with two images in flight. */
  wallMs: number;
  /** Σ over every model × image of the raw network time. */
  rawSumMs: number;
  /** Σ over every image of the (one) decode: file → pixels → tensor, the part not overlapped with earlier work. */
  decodeSumMs: number;
  /** Σ over every model × image of the adapter's time (pre/post-processing + networks). */
  modelSumMs: number;
  /** wallMs / rawSumMs: the target's figure (1.00 = the app adds nothing to the networks). */
  jobOverhead: number | null;
  /** (wallMs − decodeSumMs) / rawSumMs: the same without the image decodes. */
  jobOverheadWithoutDecode: number | null;
  /** modelSumMs − rawSumMs: the adapters' pre/post-processing (and the networks' slowdown in the real run against the re-run). */
  prePostSumMs: number;
  /** wallMs − modelSumMs − decodeSumMs: messages, the worker's own bookkeeping, and any idle time. */
  outsideSumMs: number;
  perModel: JobModelFigures[];
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const isNumber = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** The job's figures from the two passes' reports; a ratio is null where its denominator is 0. */
export function summariseJob(input: { modelIds: readonly ModelId[]; wallMs: number; timed: readonly JobTimedRequest[]; raw: readonly JobRawRequest[] }): JobFigures {
  const perModel: JobModelFigures[] = input.modelIds.map((modelId) => {
    const raws = input.raw.map((r) => r.rawMs[modelId]).filter(isNumber);
    const models = input.timed.map((t) => t.modelMs[modelId]).filter(isNumber);
    const rawSumMs = sum(raws);
    const modelSumMs = sum(models);
    return { modelId, rawCount: raws.length, rawSumMs, modelCount: models.length, modelSumMs, adapterOverhead: rawSumMs > 0 ? modelSumMs / rawSumMs : null };
  });
  const rawSumMs = sum(perModel.map((m) => m.rawSumMs));
  const modelSumMs = sum(perModel.map((m) => m.modelSumMs));
  const decodeSumMs = sum(input.timed.map((t) => t.decodeMs));
  return {
    requestCount: input.timed.length,
    modelIds: [...input.modelIds],
    wallMs: input.wallMs,
    rawSumMs,
    decodeSumMs,
    modelSumMs,
    jobOverhead: rawSumMs > 0 ? input.wallMs / rawSumMs : null,
    jobOverheadWithoutDecode: rawSumMs > 0 ? (input.wallMs - decodeSumMs) / rawSumMs : null,
    prePostSumMs: modelSumMs - rawSumMs,
    outsideSumMs: input.wallMs - modelSumMs - decodeSumMs,
    perModel,
  };
}

/** Why a job's figures cannot stand for M × K: a model with fewer than M raw or adapter times, or a pass of the wrong length. */
export function jobIncompleteness(figures: JobFigures, expectedRequests: number): string | null {
  if (figures.requestCount !== expectedRequests) return `${figures.requestCount} requests timed, ${expectedRequests} expected`;
  const short = figures.perModel.filter((m) => m.rawCount !== expectedRequests || m.modelCount !== expectedRequests);
  if (short.length === 0) return null;
  return short.map((m) => `${m.modelId}: ${m.modelCount} adapter and ${m.rawCount} raw times of ${expectedRequests}`).join('; ');
}

/**
 * The round a repeated job is reported by: the one whose jobOverhead is the median (the lower of the
 * two middle ones for an even count), so every figure shown comes from one real round rather than a
 * mix. A round without a ratio counts as the worst. -1 for no rounds.
 */
export function medianRoundIndex(overheads: readonly (number | null | undefined)[]): number {
  if (overheads.length === 0) return -1;
  const order = overheads.map((value, index) => ({ value: value ?? Number.POSITIVE_INFINITY, index })).sort((a, b) => a.value - b.value || a.index - b.index);
  return order[Math.floor((order.length - 1) / 2)]?.index ?? -1;
}
