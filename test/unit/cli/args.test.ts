import { describe, expect, it } from 'vitest';
import { DEFAULT_EVAL_MODEL_IDS, OPTIONS, UsageError, parseArgs, parseModelIds } from '../../../src/cli/args';
import { commandHelp, mainHelp } from '../../../src/cli/help';
import { MODELS, MODEL_IDS, MODEL_MANIFEST, modelInfo } from '../../../src/inference/modelCatalogue';

const EVAL_BASE = ['eval', '--images', 'imgs', '--gt', 'gt.json'];
/** Models whose runtime executes on WebGL by itself (the legacy MediaPipe solutions): browser only, never the CLI's. */
const BROWSER_ONLY = MODELS.filter((m) => { const on = MODEL_MANIFEST.runtimes[m.runtime]!.executesOn; return on !== 'backend' && on.backend === 'webgl'; }).map((m) => m.id);
/** Ids the CLI can run. */
const NODE_IDS = MODEL_IDS.filter((id) => !BROWSER_ONLY.includes(id));
/** Ids from the manifest, picked by what the models are (no id is written here). */
const WHOLE_IMAGE_IDS = MODELS.filter((m) => m.personInput === undefined && !BROWSER_ONLY.includes(m.id)).map((m) => m.id);
const [FIRST, SECOND] = [WHOLE_IMAGE_IDS[0]!, WHOLE_IMAGE_IDS[WHOLE_IMAGE_IDS.length - 1]!];
const BOX_ID = MODELS.find((m) => m.personInput === 'box')!.id;

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
      analysis: { bootstrapResamples: 1000, bootstrapSeed: 1, errors: true },
      sigmas: null,
      allModels: false,
    });
  });

  it('parses every eval option, in both --name value and --name=value forms', () => {
    const parsed = parseArgs([
      ...EVAL_BASE,
      `--models=${FIRST}, ${SECOND},${FIRST}`,
      '--protocol', 'crops',
      '--out', 'o',
      '--alpha=0.1',
      '--normalizer', 'torso',
      '--threads', '2',
      '--target-ap', '0.5',
      '--target-pck=0.75',
      '--target-latency-ms', '40',
      '--bootstrap', '0',
      '--seed=7',
      '--no-errors',
    ]);
    expect(parsed).toMatchObject({
      modelIds: [FIRST, SECOND],
      protocol: 'crops',
      outDir: 'o',
      pck: { alpha: 0.1, normalizer: 'torso' },
      threads: 2,
      targets: { apMin: 0.5, pckMin: 0.75, latencyMaxMs: 40 },
      analysis: { bootstrapResamples: 0, bootstrapSeed: 7, errors: false },
    });
  });

  it('parses score', () => {
    expect(parseArgs(['score', '--gt', 'g', '--results', 'r', '--json', '--alpha', '0.05'])).toEqual({
      command: 'score', gtPath: 'g', resultsPath: 'r', json: true, pck: { alpha: 0.05, normalizer: 'bbox' },
      targets: { apMin: null, pckMin: null, latencyMaxMs: null },
      analysis: { bootstrapResamples: 1000, bootstrapSeed: 1, errors: true },
      sigmas: null,
    });
    expect(parseArgs(['score', '--gt', 'g', '--results', 'r', '--target-ap', '0.4', '--target-pck=0.6', '--bootstrap', '200', '--seed', '3'])).toMatchObject({
      targets: { apMin: 0.4, pckMin: 0.6, latencyMaxMs: null },
      analysis: { bootstrapResamples: 200, bootstrapSeed: 3, errors: true },
    });
  });

  it('parses predict (no ground truth; box variants refused or, with "all", left out) and --sigmas', () => {
    expect(parseArgs(['predict', '--images', 'imgs'])).toEqual({ command: 'predict', imagesDir: 'imgs', modelIds: [...DEFAULT_EVAL_MODEL_IDS], outDir: 'keypoint-bench-predictions' });
    const all = parseArgs(['predict', '--images', 'imgs', '--models', 'all', '--out', 'o']) as { modelIds: string[] };
    expect(all.modelIds).toEqual(NODE_IDS.filter((id) => modelInfo(id).personInput !== 'box'));
    const box = MODEL_IDS.find((id) => modelInfo(id).personInput === 'box')!;
    expect(() => parseArgs(['predict', '--images', 'imgs', '--models', box])).toThrow(/need.* ground-truth person boxes/);
    expect(() => parseArgs(['predict'])).toThrow(/--images is required/);
    expect(parseArgs(['score', '--gt', 'g', '--results', 'r', '--sigmas', '0.1,0.2'])).toMatchObject({ sigmas: '0.1,0.2' });
  });

  it('"all" selects every model of the manifest that Node can run; unknown ids are named', () => {
    // A runtime that executes on WebGL by itself (the legacy MediaPipe solutions) needs a browser.
    expect(BROWSER_ONLY.length).toBeGreaterThan(0);
    expect(parseModelIds('all')).toEqual(NODE_IDS);
    expect(usageError([...EVAL_BASE, '--models', BROWSER_ONLY[0]!]).message).toMatch(/needs a browser's WebGL \(Node has none\): run it in the app/);
    const typo = `${FIRST}x`;
    const error = usageError([...EVAL_BASE, '--models', `${FIRST},${typo}`]);
    expect(error.message).toContain(`unknown model id '${typo}' (known: ${MODEL_IDS[0]}, `);
    expect(error.command).toBe('eval');
    expect(usageError([...EVAL_BASE, '--models', `${FIRST},`]).message).toMatch(/empty entry/);
  });

  it('"landmarks given the box" models need the person-crops protocol: named when asked for, left out of "all"', () => {
    expect(usageError([...EVAL_BASE, '--models', BOX_ID]).message).toContain(`${BOX_ID} needs ground-truth person boxes: use --protocol crops`);
    const all = parseArgs([...EVAL_BASE, '--models', 'all']);
    if (all.command !== 'eval') throw new Error('expected eval');
    expect(all.modelIds).toEqual(NODE_IDS.filter((id) => modelInfo(id).personInput !== 'box'));
    const crops = parseArgs([...EVAL_BASE, '--models', 'all', '--protocol', 'crops']);
    if (crops.command !== 'eval') throw new Error('expected eval');
    expect(crops.modelIds).toEqual(NODE_IDS);
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
    [[...EVAL_BASE, '--bootstrap', '-1'], /--bootstrap must be a whole number from 0 to 100000/],
    [[...EVAL_BASE, '--bootstrap', '2.5'], /--bootstrap must be a whole number/],
    [[...EVAL_BASE, '--bootstrap'], /--bootstrap needs a value/],
    [['score', '--gt', 'g', '--results', 'r', '--seed', '4294967296'], /--seed must be a whole number from 0 to 4294967295/],
    [['score', '--gt', 'g', '--results', 'r', '--target-latency-ms', '30'], /unknown option '--target-latency-ms'/],
    [['score', '--gt', 'g', '--results', 'r', '--no-errors=1'], /--no-errors takes no value/],
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
    for (const command of ['eval', 'score'] as const) {
      const text = commandHelp(command);
      expect(text).toMatch(/--bootstrap N +Resamples of the images .* 0 = no intervals\. \(default: 1000\)/s);
      expect(text).toMatch(/--seed S .*\(default: 1\)/s);
      expect(text).toContain('PASS (all of it meets');
      expect(text).toContain('Good / Jitter / Inversion / Swap / Miss');
    }
    expect(commandHelp('eval')).toContain('intervals.json and intervals.csv');
    expect(commandHelp('score')).toContain('"intervals" and "errors"');
    expect(mainHelp()).toMatch(/keypoint-bench eval --images DIR --gt annotations\.json/);
  });
});
