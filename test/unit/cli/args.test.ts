import { describe, expect, it } from 'vitest';
import { DEFAULT_EVAL_MODEL_IDS, OPTIONS, UsageError, parseArgs, parseModelIds } from '../../../src/cli/args';
import { commandHelp, mainHelp } from '../../../src/cli/help';
import { MODEL_IDS } from '../../../src/inference/modelCatalogue';

const EVAL_BASE = ['eval', '--images', 'imgs', '--gt', 'gt.json'];

function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('parseArgs', () => {
  it('parses eval with defaults', () => {
    expect(parseArgs(EVAL_BASE)).toEqual({
      command: 'eval',
      imagesDir: 'imgs',
      gtPath: 'gt.json',
      modelIds: [...DEFAULT_EVAL_MODEL_IDS],
      protocol: 'whole',
      outDir: 'keypoint-bench-out',
      pck: { alpha: 0.2, normalizer: 'bbox' },
      threads: 1,
      targets: { apMin: null, pckMin: null, latencyMaxMs: null },
    });
  });

  it('parses every eval option, in both --name value and --name=value forms', () => {
    const parsed = parseArgs([
      ...EVAL_BASE,
      '--models=movenet-thunder, blazepose-full,movenet-thunder',
      '--protocol', 'crops',
      '--out', 'o',
      '--alpha=0.1',
      '--normalizer', 'torso',
      '--threads', '2',
      '--target-ap', '0.5',
      '--target-pck=0.75',
      '--target-latency-ms', '40',
    ]);
    expect(parsed).toMatchObject({
      modelIds: ['movenet-thunder', 'blazepose-full'],
      protocol: 'crops',
      outDir: 'o',
      pck: { alpha: 0.1, normalizer: 'torso' },
      threads: 2,
      targets: { apMin: 0.5, pckMin: 0.75, latencyMaxMs: 40 },
    });
  });

  it('parses score', () => {
    expect(parseArgs(['score', '--gt', 'g', '--results', 'r', '--json', '--alpha', '0.05'])).toEqual({
      command: 'score', gtPath: 'g', resultsPath: 'r', json: true, pck: { alpha: 0.05, normalizer: 'bbox' },
    });
  });

  it('"all" selects every model of the manifest; unknown ids are named', () => {
    expect(parseModelIds('all')).toEqual([...MODEL_IDS]);
    expect(MODEL_IDS).toHaveLength(10);
    const error = usageError([...EVAL_BASE, '--models', 'movenet-lightning,movenet-tunder']);
    expect(error.message).toMatch(/unknown model id 'movenet-tunder' \(known: movenet-lightning, /);
    expect(error.command).toBe('eval');
    expect(usageError([...EVAL_BASE, '--models', 'movenet-lightning,']).message).toMatch(/empty entry/);
  });

  it('"landmarks given the box" models need the person-crops protocol: named when asked for, left out of "all"', () => {
    expect(usageError([...EVAL_BASE, '--models', 'blazepose-full-box']).message).toMatch(/blazepose-full-box needs ground-truth person boxes: use --protocol crops/);
    const all = parseArgs([...EVAL_BASE, '--models', 'all']);
    if (all.command !== 'eval') throw new Error('expected eval');
    expect(all.modelIds).toEqual(MODEL_IDS.filter((id) => !id.endsWith('-box')));
    const crops = parseArgs([...EVAL_BASE, '--models', 'all', '--protocol', 'crops']);
    if (crops.command !== 'eval') throw new Error('expected eval');
    expect(crops.modelIds).toEqual([...MODEL_IDS]);
  });

  it.each([
    [['eval', '--gt', 'g'], /--images is required/],
    [['eval', '--images', 'i'], /--gt is required/],
    [['score', '--gt', 'g'], /--results is required/],
    [[...EVAL_BASE, '--protocol', 'diagonal'], /--protocol must be whole or crops, got 'diagonal'/],
    [[...EVAL_BASE, '--normalizer', 'head'], /--normalizer must be bbox or torso/],
    [[...EVAL_BASE, '--alpha', '0'], /--alpha must be a number in \(0, 1\]/],
    [[...EVAL_BASE, '--alpha', 'abc'], /--alpha must be/],
    [[...EVAL_BASE, '--threads', '1.5'], /--threads must be a whole number/],
    [[...EVAL_BASE, '--target-ap', '1.2'], /--target-ap must be a number in \[0, 1\]/],
    [[...EVAL_BASE, '--target-latency-ms', '0'], /--target-latency-ms must be a positive number/],
    [[...EVAL_BASE, '--out'], /--out needs a value/],
    [[...EVAL_BASE, '--out', '--alpha', '0.1'], /--out needs a value/],
    [[...EVAL_BASE, '--out='], /--out needs a value/],
    [[...EVAL_BASE, '--frobnicate'], /unknown option '--frobnicate'/],
    [[...EVAL_BASE, 'extra'], /unexpected argument 'extra'/],
    [[...EVAL_BASE, '--gt', 'again'], /--gt is given twice/],
    [['score', '--gt', 'g', '--results', 'r', '--json=yes'], /--json takes no value/],
    [['score', '--gt', 'g', '--results', 'r', '--threads', '2'], /unknown option '--threads'/],
    [['evaluate'], /unknown command 'evaluate'/],
    [['--images', 'x'], /unknown option '--images' \(give a command first/],
    [['help', 'nope'], /unknown command 'nope'/],
  ])('%j is a usage error', (argv, message) => {
    expect(usageError(argv).message).toMatch(message);
  });

  it('shows help for no arguments, --help, -h, help <command>, and <command> --help even after bad options', () => {
    expect(parseArgs([])).toEqual({ command: 'help', topic: null });
    expect(parseArgs(['--help'])).toEqual({ command: 'help', topic: null });
    expect(parseArgs(['-h'])).toEqual({ command: 'help', topic: null });
    expect(parseArgs(['help', 'score'])).toEqual({ command: 'help', topic: 'score' });
    expect(parseArgs(['eval', '--help'])).toEqual({ command: 'help', topic: 'eval' });
    expect(parseArgs(['eval', '--bogus', '-h'])).toEqual({ command: 'help', topic: 'eval' });
    expect(parseArgs(['--version'])).toEqual({ command: 'version' });
  });
});

describe('help', () => {
  it('documents every option of every command, and lists the model ids', () => {
    for (const command of ['eval', 'score'] as const) {
      const text = commandHelp(command);
      for (const option of OPTIONS[command]) {
        expect(text, `${command} --${option.name}`).toContain(`--${option.name}`);
        expect(text).toContain(option.description.split(' ').slice(0, 3).join(' '));
      }
    }
    for (const id of MODEL_IDS) {
      expect(commandHelp('eval')).toContain(id);
      expect(mainHelp()).toContain(id);
    }
    expect(commandHelp('eval')).toContain('25%');
    expect(mainHelp()).toMatch(/keypoint-bench eval --images DIR --gt annotations\.json/);
  });
});
