/** The CLI in-process, without tfjs: exit statuses, one-line errors, and `score` against pycocotools' outputs. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import type { ScoreJson } from '../../../src/cli/scoreCommand';
import type { CliIo } from '../../../src/cli/terminal';
import { FIXTURE_DIR, loadExpected, loadRawResults } from '../metrics/cocoFixtures';

const dir = mkdtempSync(join(tmpdir(), 'keypoint-bench-cli-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stderrIsTty: false };
  const status = await main(argv, io);
  return { status, stdout, stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const devGt = file('gt.dev.json', new TextDecoder().decode(gunzipSync(readFileSync(join(FIXTURE_DIR, 'gt.dev.json.gz')))));

describe('keypoint-bench (in-process)', () => {
  it('prints help on stdout with status 0', async () => {
    const { status, stdout, stderr } = await run(['eval', '--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('--protocol whole|crops');
    expect(stderr).toBe('');
  });

  it.each([
    [['eval', '--images', 'x', '--gt', 'y', '--protocol', 'sideways'], 2],
    [['eval', '--images', 'x', '--gt', 'y', '--models', 'nope'], 2],
    [['bogus'], 2],
    [['score', '--gt', join(dir, 'missing.json'), '--results', join(dir, 'missing.json')], 1],
    [['score', '--gt', file('notjson.json', 'not json {'), '--results', devGt], 1],
    [['score', '--gt', devGt, '--results', file('obj.json', '{"a": 1}')], 1],
    [['eval', '--images', join(dir, 'no-such-dir'), '--gt', devGt], 1],
    [['eval', '--images', dir, '--gt', devGt], 1],
  ])('%j fails with status %i and exactly one line on stderr', async (argv, expected) => {
    const { status, stdout, stderr } = await run(argv);
    expect(status).toBe(expected);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([expect.stringMatching(/^keypoint-bench( eval| score)?: /), '']);
  });

  it.each(['perfect', 'noise_5px', 'mixed_realistic', 'random_scores'])('score reproduces pycocotools on coco-eval dev/%s', async (name) => {
    const results = file(`${name}.json`, JSON.stringify(loadRawResults('dev')[name]));
    const expected = loadExpected().dev[name]!;
    const text = await run(['score', '--gt', devGt, '--results', results]);
    expect(text.status).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout.split('\n').slice(0, 10)).toEqual(expected.summaryLines);
    expect(text.stdout).toMatch(/^ PCK@0\.2 \(bbox\) = \d\.\d{3} /m);
    const json = await run(['score', '--gt', devGt, '--results', results, '--json', '--normalizer', 'torso']);
    const parsed = JSON.parse(json.stdout) as ScoreJson;
    expect(Object.values(parsed.stats)).toEqual(expected.stats);
    expect(parsed.summaryLines).toEqual(expected.summaryLines);
    expect(parsed.detections).toBe(expected.nDets);
    expect(parsed.pck.normalizer).toBe('torso');
  });
});
