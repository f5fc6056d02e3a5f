/**
 * Bootstrap intervals and the coco-analyze error taxonomy in the CLI, through `score` on the COCO dev results sets
 * (no model inference). References: pycocotools' stats (test/fixtures/coco-eval/expected.json) for the point
 * estimates, the authors' coco-analyze tool (test/fixtures/coco-analyze/expected.json.gz) for the taxonomy.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import type { CocoKeypointsGroundTruth } from '../../../src/core/coco/cocoTypes';
import type { BootstrapMetricName } from '../../../src/core/metrics/bootstrap';
import { computeIntervals, comparisonLines, intervalsCsv, intervalsJson, intervalsText } from '../../../src/cli/intervals';
import { main } from '../../../src/cli/main';
import type { ScoreJson } from '../../../src/cli/scoreCommand';
import type { CliIo } from '../../../src/cli/terminal';
import { FIXTURE_DIR, loadExpected, loadGroundTruth, loadRawResults, loadResults } from '../metrics/cocoFixtures';

const dir = mkdtempSync(join(tmpdir(), 'keypoint-bench-cli-analysis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[], stderrIsTty = false): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stderrIsTty, columns: 100 };
  const status = await main(argv, io);
  return { status, stdout, stderr };
}

function file(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const devGtText = new TextDecoder().decode(gunzipSync(readFileSync(join(FIXTURE_DIR, 'gt.dev.json.gz'))));
const devGt = file('gt.dev.json', devGtText);
const rawGt = JSON.parse(devGtText) as CocoKeypointsGroundTruth;
const results = (name: string) => file(`${name}.json`, loadRawResults('dev')[name]);

/** The ground truth of the first `count` images and the results on them, as files. */
function subset(name: string, count: number): { gt: string; results: string } {
  const keep = new Set(rawGt.images.slice(0, count).map((image) => image.id));
  const gt = { ...rawGt, images: rawGt.images.filter((i) => keep.has(i.id)), annotations: rawGt.annotations.filter((a) => keep.has(a.image_id)) };
  const res = (loadRawResults('dev')[name] as { image_id: number }[]).filter((r) => keep.has(r.image_id));
  return { gt: file(`gt.first${count}.json`, gt), results: file(`${name}.first${count}.json`, res) };
}

async function scoreJson(argv: string[]): Promise<ScoreJson> {
  const out = await run(['score', ...argv, '--json']);
  expect(out.status, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as ScoreJson;
}

/** "0.416 [0.341, 0.499]" cells of the printed interval table, per metric heading. */
function printedIntervals(stdout: string): { point: number; lower: number; upper: number }[] {
  const block = stdout.split('Bootstrap intervals (')[1]?.split('\n\n')[0] ?? '';
  return [...block.matchAll(/(−?\d+\.\d+)(?: ms)? \[(−?\d+\.\d+), (−?\d+\.\d+)\]/g)].map((m) => ({
    point: Number(m[1]!.replace('−', '-')),
    lower: Number(m[2]!.replace('−', '-')),
    upper: Number(m[3]!.replace('−', '-')),
  }));
}

const SCORE_METRICS: BootstrapMetricName[] = ['AP', 'AP50', 'AP75', 'AR', 'PCK'];

/** The coco-analyze tool's own outputs on the dev sets. */
interface ToolAnalysis {
  localization: { total_keypoints: number; n_analysed: number; counts: Record<string, number>; per_keypoint: Record<string, number[]> };
  background: { bckgd_fp: number[]; false_neg: number[] };
  ap_impact: { ap_improvement: Record<string, Record<string, number[]>> };
}
const toolExpected = JSON.parse(new TextDecoder().decode(gunzipSync(readFileSync(join(FIXTURE_DIR, '..', 'coco-analyze', 'expected.json.gz'))))) as {
  dev: Record<string, ToolAnalysis>;
};

describe('score: bootstrap intervals', () => {
  it('prints every statistic with a 95% interval that contains its point estimate, the pycocotools value', async () => {
    const out = await run(['score', '--gt', devGt, '--results', results('mixed_realistic')]);
    expect(out.status).toBe(0);
    // Not a terminal: no progress lines, stderr stays for warnings.
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('Bootstrap intervals (dataset-wide: 38 images, 121 labelled people; 95% bootstrap intervals, 1,000 resamples of the images, seed 1):');
    const cells = printedIntervals(out.stdout);
    // AP, AP50, AP75, AR, PCK; no latency column for a results file (nothing was timed).
    expect(cells).toHaveLength(5);
    for (const cell of cells) {
      expect(cell.lower).toBeLessThanOrEqual(cell.point);
      expect(cell.point).toBeLessThanOrEqual(cell.upper);
      expect(cell.upper).toBeGreaterThan(cell.lower);
    }
    const stats = loadExpected().dev.mixed_realistic!.stats;
    // pycocotools' AP, AP50, AP75 and AR (stats 0, 1, 2, 5), to the 3 printed decimals.
    expect(cells.slice(0, 4).map((c) => c.point)).toEqual([stats[0]!, stats[1]!, stats[2]!, stats[5]!].map((v) => Number(v.toFixed(3))));
    expect(out.stdout).not.toContain('ms/image');

    const json = await scoreJson(['--gt', devGt, '--results', results('mixed_realistic')]);
    const column = json.intervals!.columns[0]!;
    expect([column.intervals.AP.point, column.intervals.AP50.point, column.intervals.AP75.point, column.intervals.AR.point]).toEqual([stats[0], stats[1], stats[2], stats[5]]);
    expect(column.intervals.PCK.point).toBe(json.pck.value);
    for (const metric of SCORE_METRICS) {
      const i = column.intervals[metric];
      expect(i.lower!, metric).toBeLessThanOrEqual(i.point!);
      expect(i.upper!, metric).toBeGreaterThanOrEqual(i.point!);
      expect(i.definedResamples, metric).toBe(1000);
    }
    expect(column.intervals.medianImageLatencyMs).toEqual({ point: null, lower: null, upper: null, definedResamples: 0 });
    expect(json.intervals!.pairs).toEqual([]);
  });

  it('narrows as images are added (10 → 38 images)', async () => {
    const few = subset('mixed_realistic', 10);
    const small = (await scoreJson(['--gt', few.gt, '--results', few.results])).intervals!.columns[0]!.intervals;
    const large = (await scoreJson(['--gt', devGt, '--results', results('mixed_realistic')])).intervals!.columns[0]!.intervals;
    for (const metric of SCORE_METRICS) {
      const width = (i: (typeof small)[BootstrapMetricName]) => i.upper! - i.lower!;
      expect(width(large[metric]), metric).toBeLessThan(width(small[metric]));
    }
  });

  it('--seed makes the intervals reproducible; another seed moves their ends', async () => {
    const argv = ['--gt', devGt, '--results', results('noise_5px'), '--bootstrap', '300'];
    const a = await scoreJson([...argv, '--seed', '5']);
    const b = await scoreJson([...argv, '--seed', '5']);
    const c = await scoreJson([...argv, '--seed', '6']);
    expect(b.intervals).toEqual(a.intervals);
    expect(a.intervals!.seed).toBe(5);
    expect(a.intervals!.resamples).toBe(300);
    const ends = (json: ScoreJson) => SCORE_METRICS.flatMap((m) => [json.intervals!.columns[0]!.intervals[m].lower, json.intervals!.columns[0]!.intervals[m].upper]);
    expect(ends(c)).not.toEqual(ends(a));
    // Same point estimates: the seed only changes the resamples.
    expect(c.intervals!.columns[0]!.intervals.AP.point).toBe(a.intervals!.columns[0]!.intervals.AP.point);
    const textA = await run(['score', ...argv, '--seed', '5', '--no-errors']);
    const textB = await run(['score', ...argv, '--seed', '5', '--no-errors']);
    const block = (s: string) => s.split('\nProvenance:')[0];
    expect(block(textB.stdout)).toBe(block(textA.stdout));
    expect(textA.stdout).toContain('300 resamples of the images, seed 5');
  });

  it('--bootstrap 0 prints no interval', async () => {
    const out = await run(['score', '--gt', devGt, '--results', results('noise_5px'), '--bootstrap', '0', '--target-ap', '0.5']);
    expect(out.status).toBe(0);
    expect(out.stdout).not.toContain('Bootstrap');
    expect(out.stdout).not.toMatch(/\d\.\d{3} \[/);
    expect(out.stdout).not.toContain('Verdict');
    expect((await scoreJson(['--gt', devGt, '--results', results('noise_5px'), '--bootstrap', '0'])).intervals).toBeNull();
  });

  it('judges targets on the interval: below it PASS, above it FAIL, at the point INCONCLUSIVE', async () => {
    const ap = loadExpected().dev.mixed_realistic!.stats[0]!;
    const verdict = async (target: string) => {
      const out = await run(['score', '--gt', devGt, '--results', results('mixed_realistic'), '--no-errors', '--target-ap', target]);
      return out.stdout.split('\n').find((line) => line.includes(' · AP '))!.trim();
    };
    // An AP interval of 38 images cannot reach 0.05 or 0.95 around a point of 0.416.
    expect(await verdict('0.05')).toMatch(/^PASS · .* · AP 0\.416 \[\d\.\d{3}, \d\.\d{3}\] vs ≥ 0\.050: pass$/);
    expect(await verdict('0.95')).toMatch(/^FAIL · .*: fail$/);
    expect(await verdict(String(ap))).toMatch(/^INCONCLUSIVE · .*: inconclusive \(it sits on the target\)$/);
    const json = await scoreJson(['--gt', devGt, '--results', results('mixed_realistic'), '--no-errors', '--target-ap', '0.05', '--target-pck', '0.99']);
    expect(json.intervals!.verdicts!.map((v) => v.row.outcome)).toEqual(['fail']);
    expect(json.intervals!.verdicts![0]!.row.checks.map((c) => c.verdict.outcome)).toEqual(['pass', 'fail']);
    expect(json.intervals!.verdicts![0]!.text).toContain('PCK@0.2 ');
  });

  it('shows progress on a terminal', async () => {
    const out = await run(['score', '--gt', devGt, '--results', results('noise_5px'), '--no-errors'], true);
    expect(out.status).toBe(0);
    expect(out.stderr).toContain('bootstrap: 1000/1000 resamples');
    // The progress line is cleared at the end.
    expect(out.stderr.endsWith('\r\x1b[2K')).toBe(true);
  });
});

describe('intervals of several columns (as eval prints them)', () => {
  const gt = loadGroundTruth('dev');
  const imageIds = gt.images.map((image) => image.id);
  // Every image timed: perfect at 10 ms, noise_10px at 30 ms, so each median is exactly that on any resample.
  const column = (name: string, ms: number) => ({ columnId: name, displayName: name, results: loadResults('dev', name), imageLatencyMs: imageIds.map(() => ms) });
  const input = { gt, imageIds, columns: [column('noise_10px', 30), column('perfect', 10)], pck: { alpha: 0.2, normalizer: 'bbox' as const }, resamples: 400, seed: 1 };
  const targets = { apMin: null, pckMin: null, latencyMaxMs: 20 };

  it('compares each column with the best-AP one on the same resamples, and judges latency targets', async () => {
    const progress: string[] = [];
    const report = await computeIntervals(input, (phase, done, total) => progress.push(`${phase} ${done}/${total}`));
    expect(progress).toContain('resampling 400/400');
    const text = intervalsText(report, targets, input.pck);
    expect(text).toContain('Paired differences against the best AP (perfect), on the same resampled images:');
    const lines = comparisonLines(report);
    // One line per measured statistic: AP, AP50, AP75, AR, PCK, latency.
    expect(lines).toHaveLength(6);
    // Perfect detections score AP 1 (pycocotools on dev/perfect), so perfect is better on every resample.
    expect(loadExpected().dev.perfect!.stats[0]).toBe(1);
    expect(lines[0]).toMatch(/^perfect is better than noise_10px: \+\d\.\d{3} AP \[\+\d\.\d{3}, \+\d\.\d{3}\], significant \(the interval excludes 0\)$/);
    expect(lines[5]).toBe('perfect is faster than noise_10px: −20.0 ms [−20.0, −20.0], significant (the interval excludes 0)');
    expect(text).toContain('10.0 ms [10.0, 10.0]');
    expect(text).toMatch(/PASS · perfect · median latency 10\.0 ms \[10\.0, 10\.0\] vs ≤ 20\.0 ms: pass/);
    expect(text).toMatch(/FAIL · noise_10px · median latency 30\.0 ms \[30\.0, 30\.0\] vs ≤ 20\.0 ms: fail/);

    const json = intervalsJson(report, targets, input.pck);
    expect(json.pairs).toHaveLength(1);
    expect(json.pairs[0]!.differences.AP.significant).toBe(true);
    expect(json.comparisons).toEqual(lines);
    // Plain JSON: no typed arrays of per-resample values.
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    const csv = intervalsCsv(report).trimEnd().split('\r\n');
    // Header, 2 columns × 6 statistics, 1 pair × 6 statistics.
    expect(csv).toHaveLength(1 + 12 + 6);
    expect(csv[0]).toBe('kind,column_id,versus_column_id,metric,point,lower,upper,significant,defined_resamples,resamples,seed,confidence_level,images');
    expect(csv.at(-1)).toBe('difference,noise_10px,perfect,medianImageLatencyMs,20,20,20,true,400,400,1,0.95,38');
  });
});

describe('score: coco-analyze error taxonomy', () => {
  it.each(['mixed_realistic', 'synth_lr_swap', 'noise_5px'])('dev/%s: the classes add up to the labelled keypoints and equal the tool', async (name) => {
    const path = name.startsWith('synth_')
      ? file(`${name}.json`, (JSON.parse(new TextDecoder().decode(gunzipSync(readFileSync(join(FIXTURE_DIR, '..', 'coco-analyze', 'results.synthetic.json.gz'))))) as { dev: Record<string, unknown> }).dev[name])
      : results(name);
    const json = await scoreJson(['--gt', devGt, '--results', path, '--bootstrap', '0']);
    const analysis = json.errors!.columns[0]!.analysis!;
    const tool = toolExpected.dev[name]!;
    const { good, jitter, inversion, swap, miss } = analysis.counts;
    expect(good + jitter + inversion + swap + miss).toBe(analysis.labelledKeypoints);
    expect(analysis.labelledKeypoints).toBe(tool.localization.total_keypoints);
    expect(analysis.analysedDetections).toBe(tool.localization.n_analysed);
    expect({ ...analysis.counts }).toEqual(tool.localization.counts);
    // Per keypoint, the same classes, adding up to the overall counts.
    for (const cls of ['good', 'jitter', 'inversion', 'swap', 'miss'] as const) {
      expect(analysis.perKeypoint.map((row) => row.counts[cls]), cls).toEqual(tool.localization.per_keypoint[cls]);
    }
    expect(analysis.perKeypoint.reduce((sum, row) => sum + row.labelled, 0)).toBe(analysis.labelledKeypoints);
    expect(analysis.background.falsePositives).toEqual(tool.background.bckgd_fp);
    expect(analysis.background.falseNegatives).toEqual(tool.background.false_neg);
    // The tool's bar: np.mean of its per-threshold AP improvement, area 'all'.
    for (const gain of analysis.apGain) {
      const perOks = tool.ap_impact.ap_improvement[gain.errorType]!['all']!;
      expect(gain.meanOverThresholds!, gain.errorType).toBeCloseTo(perOks.reduce((s, v) => s + v, 0) / perOks.length, 12);
    }
  });

  it('prints the classes, background errors, AP gains and the per-keypoint table; --no-errors leaves them out', async () => {
    const path = results('mixed_realistic');
    const out = await run(['score', '--gt', devGt, '--results', path, '--bootstrap', '0']);
    const tool = toolExpected.dev.mixed_realistic!;
    const c = tool.localization.counts;
    const pct = (n: number) => `${((100 * n) / tool.localization.total_keypoints).toFixed(1)}%`;
    expect(out.stdout).toContain('Error taxonomy (coco-analyze');
    expect(out.stdout).toContain(
      `  Keypoints: Good ${c.good} (${pct(c.good!)}) · Jitter ${c.jitter} (${pct(c.jitter!)}) · Inversion ${c.inversion} (${pct(c.inversion!)}) · Swap ${c.swap} (${pct(c.swap!)}) · Miss ${c.miss} (${pct(c.miss!)})`,
    );
    expect(out.stdout).toContain(`at OKS 0.50: ${tool.background.bckgd_fp[0]} false positives, ${tool.background.false_neg[0]} false negatives`);
    expect(out.stdout).toMatch(/AP gain if fixed \(area all\) +mean \.50:\.95 +± std +at OKS 0\.50 +at OKS 0\.75\n +miss +\+\d\.\d{3}/);
    const nose = tool.localization.per_keypoint;
    expect(out.stdout).toMatch(new RegExp(`\\n  nose +${['good', 'jitter', 'inversion', 'swap', 'miss'].reduce((s, k) => s + nose[k]![0]!, 0)} +${nose.good![0]} `));
    expect(out.stdout).toMatch(/Most often: Jitter: \w+ \d+/);
    const off = await run(['score', '--gt', devGt, '--results', path, '--bootstrap', '0', '--no-errors']);
    expect(off.stdout).not.toContain('Error taxonomy');
    expect((await scoreJson(['--gt', devGt, '--results', path, '--bootstrap', '0', '--no-errors'])).errors).toBeNull();
  });

  it('a results file the tool cannot analyse (no detection on a ground-truth image) is reported, not fatal', async () => {
    const path = file('elsewhere.json', [{ image_id: 999_999_999, category_id: 1, keypoints: new Array(51).fill(0), score: 1 }]);
    const out = await run(['score', '--gt', devGt, '--results', path, '--bootstrap', '0']);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/\[results\]: not available \(/);
  });
});
