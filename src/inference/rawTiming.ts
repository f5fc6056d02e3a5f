import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';

type GraphCall = { model: GraphModel; method: 'execute' | 'predict'; input: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap; extra: unknown };

const cloneInput = (input: GraphCall['input']): GraphCall['input'] =>
  input instanceof tf.Tensor ? tf.clone(input) : Array.isArray(input) ? input.map((t) => tf.clone(t)) : Object.fromEntries(Object.entries(input).map(([k, t]) => [k, tf.clone(t)]));

const inputTensors = (input: GraphCall['input']): tf.Tensor[] => (input instanceof tf.Tensor ? [input] : Array.isArray(input) ? input : Object.values(input));

/**
 * Separates a model's own execution time from everything around it (decode, resize, pre- and
 * post-processing): while recording, every graph-model call an estimate makes is captured with a
 * copy of its exact input tensors; `timeRecorded` then re-runs just those calls, waiting for
 * every output value, and returns the total milliseconds. Same run, same inputs.
 */
export class RawExecutionRecorder {
  private recording = false;
  private calls: GraphCall[] = [];
  private readonly restore: (() => void)[] = [];

  constructor(models: readonly GraphModel[]) {
    for (const model of models) {
      for (const method of ['execute', 'predict'] as const) {
        const original = model[method].bind(model) as (input: GraphCall['input'], extra?: unknown) => tf.Tensor | tf.Tensor[] | tf.NamedTensorMap;
        (model as unknown as Record<string, unknown>)[method] = (input: GraphCall['input'], extra?: unknown) => {
          // predict() calls execute() internally: record only the outermost call.
          if (this.recording && !this.inCall) this.calls.push({ model, method, input: cloneInput(input), extra });
          const outer = !this.inCall;
          this.inCall = true;
          try {
            return original(input, extra);
          } finally {
            if (outer) this.inCall = false;
          }
        };
        this.restore.push(() => {
          (model as unknown as Record<string, unknown>)[method] = original;
        });
      }
    }
  }

  private inCall = false;

  /** Runs `estimate` while capturing the graph calls it makes. */
  async record<T>(estimate: () => Promise<T>): Promise<T> {
    this.discard();
    this.recording = true;
    try {
      return await estimate();
    } finally {
      this.recording = false;
    }
  }

  /** Re-runs the captured calls alone; milliseconds until every output value is available. */
  async timeRecorded(): Promise<number> {
    let totalMs = 0;
    for (const call of this.calls) {
      const startMs = performance.now();
      const output = (call.model[call.method] as (input: GraphCall['input'], extra?: unknown) => tf.Tensor | tf.Tensor[] | tf.NamedTensorMap)(call.input, call.extra);
      const outputs = inputTensors(output);
      await Promise.all(outputs.map((t) => t.data()));
      totalMs += performance.now() - startMs;
      tf.dispose(outputs);
    }
    return totalMs;
  }

  get callCount(): number {
    return this.calls.length;
  }

  discard(): void {
    for (const call of this.calls) tf.dispose(inputTensors(call.input));
    this.calls = [];
  }

  dispose(): void {
    this.discard();
    for (const undo of this.restore.splice(0)) undo();
  }
}
