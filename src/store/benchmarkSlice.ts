import type { StateCreator } from 'zustand';
import type { BenchmarkReport } from './benchmarkRunner';

export interface BenchmarkSlice {
  benchmarkReport: BenchmarkReport | null;
  benchmarkRunning: boolean;
  benchmarkProgress: { text: string; fraction: number } | null;
  setBenchmarkReport: (report: BenchmarkReport | null) => void;
  setBenchmarkRunning: (running: boolean) => void;
  setBenchmarkProgress: (progress: { text: string; fraction: number } | null) => void;
}

export const createBenchmarkSlice: StateCreator<BenchmarkSlice, [], [], BenchmarkSlice> = (set) => ({
  benchmarkReport: null,
  benchmarkRunning: false,
  benchmarkProgress: null,
  setBenchmarkReport: (benchmarkReport) => set({ benchmarkReport }),
  setBenchmarkRunning: (benchmarkRunning) => set({ benchmarkRunning }),
  setBenchmarkProgress: (benchmarkProgress) => set({ benchmarkProgress }),
});
