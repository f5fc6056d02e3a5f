/**
 * Glue shared by the MediaPipe Hands and Face Mesh adapters (tfjs-models' hand-pose-detection and
 * face-landmarks-detection on their tfjs runtime): model URLs that load through the load context's reader, the
 * detectors' inner graph models, and values those libraries compute but do not return.
 */
import type { GraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkClock } from '../runtimes/tfjs';

/** A private URL scheme no fetch understands: only the load router below resolves it. */
const MODEL_URL_SCHEME = 'keypoint-bench-model://';
const routedHandlers = new Map<string, tf.io.IOHandler>();
let routerRegistered = false;
let urlCounter = 0;

/**
 * A URL string that tfjs-converter's `loadGraphModel` resolves to `handler` (an IOHandler reading through the
 * load context's ModelFileReader: fetch from /models/ with progress in the browser, fs in Node). For libraries
 * that only take URL strings (hand-pose-detection 2.0.1 calls `url.indexOf` on its model URLs): a tf.io load
 * router, registered once, answers this scheme from a table of handlers, so nothing is fetched by URL. Call
 * `release` once the model is loaded.
 */
export function routedModelUrl(name: string, handler: tf.io.IOHandler): { url: string; release: () => void } {
  if (!routerRegistered) {
    // tfjs's IORouter type says IOHandler, but its registry skips routers that return null (not theirs).
    tf.io.registerLoadRouter(((url: string | string[]) => (typeof url === 'string' ? (routedHandlers.get(url) ?? null) : null)) as unknown as Parameters<typeof tf.io.registerLoadRouter>[0]);
    routerRegistered = true;
  }
  const url = `${MODEL_URL_SCHEME}${++urlCounter}/${name}`;
  routedHandlers.set(url, handler);
  return { url, release: () => void routedHandlers.delete(url) };
}

/** A GraphModel held by a tfjs-models detector (private fields, e.g. `detector.detectorModel`); fails loudly when renamed. */
export function innerGraphModel(owner: unknown, path: readonly string[], what: string): GraphModel {
  let value: unknown = owner;
  for (const field of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
  const model = value as GraphModel | undefined;
  if (!model || typeof model.execute !== 'function') throw new Error(`${what} has no graph model at '${path.join('.')}'`);
  return model;
}

/** One call of a per-instance method, with the first value of one output tensor of the network call it made. */
export interface CapturedCall<T> {
  value: T;
  /** outputs[outputIndex][0] of the network call the method made, or null when it made none. */
  outputValue: number | null;
}

/**
 * Records, for every call of `owner[method]` (e.g. hand-pose-detection's `handLandmarks`, once per hand region),
 * its result and one scalar output of the `model.execute` call it makes, such as the handedness score, which the
 * library reads and turns into a label but does not return. The library calls `execute` synchronously at the
 * start of the method (before its first await), which is how the two are paired; the output is read through
 * `data()` (the read the library itself makes of it, so no extra GPU sync). `take()` returns and clears the
 * calls since the last `take`, in call order (the order of the library's results).
 */
export class PerCallCapture<T> {
  private readonly reads: Promise<number | null>[] = [];
  private insideMethod = false;
  private calls: Promise<CapturedCall<T>>[] = [];
  private readonly restore: (() => void)[] = [];

  constructor(owner: object, method: string, model: GraphModel, outputIndex: number) {
    const fields = owner as Record<string, unknown>;
    const original = fields[method];
    if (typeof original !== 'function') throw new Error(`the detector has no method '${method}' to capture`);
    const modelFields = model as unknown as Record<string, unknown>;
    const originalExecute = modelFields.execute as (...args: unknown[]) => unknown;
    modelFields.execute = (...args: unknown[]) => {
      const outputs = originalExecute.apply(model, args);
      // Only calls made by the method (not the warm-up's or the benchmark's own calls of the network).
      if (!this.insideMethod) return outputs;
      const tensor = Array.isArray(outputs) ? (outputs[outputIndex] as tf.Tensor | undefined) : undefined;
      this.reads.push(tensor ? tensor.data().then((values) => Number(values[0])) : Promise.resolve(null));
      return outputs;
    };
    fields[method] = (...args: unknown[]) => {
      this.reads.length = 0;
      this.insideMethod = true;
      let result: Promise<T>;
      try {
        result = (original as (...a: unknown[]) => Promise<T>).apply(owner, args);
      } finally {
        this.insideMethod = false;
      }
      const read = this.reads[0] ?? Promise.resolve(null);
      this.reads.length = 0;
      const call = Promise.all([result, read]).then(([value, outputValue]) => ({ value, outputValue }));
      // Marked handled: an estimate that fails never takes its calls (the error reaches the caller through `result`).
      call.catch(() => undefined);
      this.calls.push(call);
      return result;
    };
    this.restore.push(() => {
      fields[method] = original;
      modelFields.execute = originalExecute;
    });
  }

  async take(): Promise<CapturedCall<T>[]> {
    const calls = this.calls;
    this.calls = [];
    return Promise.all(calls);
  }

  dispose(): void {
    for (const undo of this.restore.splice(0)) undo();
  }
}

/**
 * Runs the calls of `run` one after another (each starts when the previous one settled): the per-call captures
 * above pair results by call order, which two overlapping estimates on one detector would interleave.
 */
export function oneAtATime<A extends unknown[], R>(run: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let last: Promise<unknown> = Promise.resolve();
  return (...args: A) => {
    const next = last.then(() => run(...args));
    last = next.catch(() => undefined);
    return next;
  };
}

/**
 * One library estimate, timed, with the captured calls that gave its instances: calls left from before are
 * dropped, and since the libraries drop the regions without an instance and keep the order of the rest, the
 * calls with a non-null result pair one to one with what `run` returns (checked).
 */
export async function estimateWithCalls<T, R>(
  capture: PerCallCapture<T | null>,
  clock: NetworkClock,
  run: () => Promise<R[]>,
  what: string,
): Promise<{ results: R[]; found: CapturedCall<T>[]; networkMs: number | undefined }> {
  await capture.take();
  const { value: results, networkMs } = await clock.measure(run);
  const found = (await capture.take()).filter((call): call is CapturedCall<T> => call.value !== null);
  if (found.length !== results.length) throw new Error(`${what} returned ${results.length} instances from ${found.length} landmark results`);
  return { results, found, networkMs };
}
