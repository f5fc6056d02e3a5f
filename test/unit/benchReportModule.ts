/** scripts/bench/report.mjs, a plain-JS script without type declarations: loaded by URL and typed here once. */

export interface BenchTarget {
  group: string;
  subject: string;
  value: string;
  verdict: string;
}

export interface BenchReportModule {
  configLabel: (row: object) => string;
  evaluateTargets: (result: unknown) => BenchTarget[];
  jobTable: (job: unknown, rows: unknown[]) => string;
  jobSubject: (job: unknown) => string;
  markdownReport: (result: unknown) => string;
}

export const benchReport = (await import(new URL('../../scripts/bench/report.mjs', import.meta.url).href)) as BenchReportModule;
