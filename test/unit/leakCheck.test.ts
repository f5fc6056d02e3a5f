import { describe, expect, it } from 'vitest';
import { leakCheckSentence, leakGrowth, type MemoryFacts } from '../../src/core/leakCheck';

const facts = (over: Partial<MemoryFacts> = {}): MemoryFacts => ({ numTensors: 40, tensorBytes: 4_000_000, workerHeapBytes: null, runtimeHeapBytes: 20_185_088, runtimeGpuObjects: 551, ...over });

describe('leakGrowth', () => {
  it('finds nothing when every count stayed, or fell', () => {
    expect(leakGrowth(facts(), facts())).toEqual([]);
    expect(leakGrowth(facts(), facts({ numTensors: 39, runtimeGpuObjects: 550 }))).toEqual([]);
    expect(leakCheckSentence(30, facts(), facts())).toBe('nothing grew over 30 estimates');
  });

  it('names each count that grew, with its figures', () => {
    const end = facts({ numTensors: 41, runtimeHeapBytes: 20_185_088 + 65_536, runtimeGpuObjects: 581 });
    expect(leakGrowth(facts(), end).map((g) => g.what)).toEqual(['tensors', 'runtime heap', 'GPU objects']);
    expect(leakCheckSentence(30, facts(), end)).toBe('grew over 30 estimates: tensors 40 → 41, runtime heap 20.19 → 20.25 MB, GPU objects 551 → 581');
  });

  it('does not judge what was not measured (null), nor the JS heap, which moves with garbage collection', () => {
    expect(leakGrowth(facts({ runtimeHeapBytes: null, runtimeGpuObjects: null, workerHeapBytes: 1 }), facts({ runtimeHeapBytes: 1e9, runtimeGpuObjects: 9, workerHeapBytes: 9e9 }))).toEqual([]);
  });
});
