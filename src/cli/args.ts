/**
 * Command-line parsing for `keypoint-bench`: the option tables (which also generate --help, so every option is
 * documented) and a small strict parser. Pure: no file system, no tfjs; unit-tested in test/unit/cli.
 */

import { EVALUATION_PROTOCOLS, isEvaluationProtocol, type EvaluationProtocol } from '../core/evaluation/protocol';
import type { PckSettings } from '../core/evaluation/evaluateColumn';
import type { VerdictTargets } from '../core/evaluation/verdict';
import { DEFAULT_MODEL_IDS, MODEL_IDS, MODEL_MANIFEST, modelInfo } from '../inference/modelCatalogue';
import { DEFAULT_BOOTSTRAP_RESAMPLES, DEFAULT_BOOTSTRAP_SEED } from '../core/metrics/bootstrap';

/** Wrong command line: printed as one line, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The command whose --help to point to, or null for the top level. */
    readonly command: CommandName | null = null,
  ) {
    super(message);
  }
}

/** Unusable input (missing or malformed file, no matching image): printed as one line, exit status 1. */
export class InputError extends Error {
  override name = 'InputError';
}

export type CommandName = 'eval' | 'score' | 'predict';
export const COMMANDS: readonly CommandName[] = ['eval', 'score', 'predict'];

export interface OptionSpec {
  /** Long name without the dashes. */
  name: string;
  /** Placeholder in --help; absent for a flag (no value). */
  valueName?: string;
  required?: boolean;
  /** Default shown in --help. */
  defaultText?: string;
  description: string;
}

const PCK_OPTIONS: OptionSpec[] = [
  { name: 'alpha', valueName: 'A', defaultText: '0.2', description: 'PCK threshold as a fraction of the person size (0 < A ≤ 1).' },
  {
    name: 'normalizer',
    valueName: 'bbox|torso',
    defaultText: 'bbox',
    description: 'PCK person size: bbox = longer side of the GT box; torso = shoulder-to-opposite-hip distance (persons without one are skipped).',
  },
];

/** OKS sigmas of the user, for eval and score: how strict OKS is per keypoint decides AP. */
const SIGMA_OPTION: OptionSpec = {
  name: 'sigmas',
  valueName: 'FILE|LIST',
  description:
    'OKS sigmas, one per keypoint of the ground truth\'s category in its order: a JSON file ([...] or {"sigmas": [...]}) or a comma-separated list. Default: the category\'s own "sigmas", else COCO\'s for its 17 person keypoints, else a uniform 0.025 (flagged in every report).',
};

/** The most resamples `--bootstrap` takes: 100,000 already pins a 95% interval's ends far below the print precision. */
export const MAX_BOOTSTRAP_RESAMPLES = 100_000;

/** Uncertainty and error analysis, shared by eval and score so both report the same way. */
const ANALYSIS_OPTIONS: OptionSpec[] = [
  {
    name: 'bootstrap',
    valueName: 'N',
    defaultText: String(DEFAULT_BOOTSTRAP_RESAMPLES),
    description:
      'Resamples of the images for 95% bootstrap intervals of AP, AP50, AP75, AR, PCK and median ms/image, and the paired differences between columns; 0 = no intervals.',
  },
  { name: 'seed', valueName: 'S', defaultText: String(DEFAULT_BOOTSTRAP_SEED), description: 'Seed of the bootstrap resampling (whole number 0 to 4294967295): the same seed gives the same intervals.' },
  {
    name: 'no-errors',
    description: 'Leave out the coco-analyze error taxonomy (keypoint Good/Jitter/Inversion/Swap/Miss, background errors, AP gain per error type; about 1 s per 1,000 images).',
  },
];

/** Without --models: the manifest's default selection (`defaultSelected`), as a new session of the app. */
export const DEFAULT_EVAL_MODEL_IDS: readonly string[] = DEFAULT_MODEL_IDS;

export const OPTIONS: Record<CommandName, OptionSpec[]> = {
  eval: [
    { name: 'images', valueName: 'DIR', required: true, description: 'Folder of JPEG/PNG images (not searched recursively); matched to the GT by file name.' },
    { name: 'gt', valueName: 'FILE', required: true, description: 'COCO person-keypoints ground truth (person_keypoints_*.json layout).' },
    {
      name: 'models',
      valueName: 'ID,ID',
      defaultText: DEFAULT_EVAL_MODEL_IDS.join(','),
      description: 'Comma-separated model ids (see below), or "all".',
    },
    {
      name: 'protocol',
      valueName: EVALUATION_PROTOCOLS.join('|'),
      defaultText: 'whole',
      description: 'whole = one estimate per image on the full frame; crops = one estimate per GT person on its box grown by 25% per side.',
    },
    { name: 'out', valueName: 'DIR', defaultText: 'keypoint-bench-out', description: 'Where to write <model>.results.json (COCO results), metrics.csv, metrics.json, provenance.json, and intervals.json, intervals.csv, errors.json (unless turned off).' },
    ...PCK_OPTIONS,
    SIGMA_OPTION,
    {
      name: 'threads',
      valueName: 'N',
      defaultText: '1',
      description: 'Images processed at once, each in its own worker thread (tfjs WASM in Node is single-threaded per instance). N > 1 is faster on N free cores but each worker loads every model.',
    },
    { name: 'target-ap', valueName: 'X', description: 'Verdict target: AP ≥ X (0–1). Targets only add a verdict: on the point estimate (report, metrics.json) and on the bootstrap interval (pass, fail or inconclusive; report, intervals.json).' },
    { name: 'target-pck', valueName: 'X', description: 'Verdict target: PCK@alpha ≥ X (0–1).' },
    { name: 'target-latency-ms', valueName: 'MS', description: 'Verdict target: median latency per image ≤ MS milliseconds.' },
    ...ANALYSIS_OPTIONS,
    { name: 'help', description: 'Show this help.' },
  ],
  score: [
    { name: 'gt', valueName: 'FILE', required: true, description: 'COCO person-keypoints ground truth.' },
    { name: 'results', valueName: 'FILE', required: true, description: 'COCO keypoint results: a JSON array of {image_id, category_id, keypoints, score}.' },
    { name: 'json', description: 'Print machine-readable JSON instead of text.' },
    ...PCK_OPTIONS,
    SIGMA_OPTION,
    { name: 'target-ap', valueName: 'X', description: 'Verdict target: AP ≥ X (0–1), judged on the bootstrap interval (pass, fail or inconclusive).' },
    { name: 'target-pck', valueName: 'X', description: 'Verdict target: PCK@alpha ≥ X (0–1), judged on the bootstrap interval.' },
    ...ANALYSIS_OPTIONS,
    { name: 'help', description: 'Show this help.' },
  ],
  predict: [
    { name: 'images', valueName: 'DIR', required: true, description: 'Folder of JPEG/PNG images (not searched recursively); no ground truth needed.' },
    {
      name: 'models',
      valueName: 'ID,ID',
      defaultText: DEFAULT_EVAL_MODEL_IDS.join(','),
      description: 'Comma-separated model ids (see below), or "all" (the "landmarks given the box" variants need ground-truth boxes and are left out).',
    },
    {
      name: 'out',
      valueName: 'DIR',
      defaultText: 'keypoint-bench-predictions',
      description:
        "Where to write <model>.predictions.json (COCO keypoints in the model's own layout: its category with keypoint names and skeleton; keypoint_scores, keypoints_z, world_keypoints and labels such as handedness as extra fields) and provenance.json.",
    },
    { name: 'help', description: 'Show this help.' },
  ],
};

export interface EvalArgs {
  command: 'eval';
  imagesDir: string;
  gtPath: string;
  modelIds: string[];
  protocol: EvaluationProtocol;
  outDir: string;
  pck: PckSettings;
  threads: number;
  targets: VerdictTargets;
  analysis: AnalysisArgs;
  /** `--sigmas` as given (a file path or a list), read by the command; null: the ground truth's own. */
  sigmas: string | null;
  /** `--models all`: the command keeps only the models the ground truth's keypoints can score (it knows them once read). */
  allModels: boolean;
}

export interface PredictArgs {
  command: 'predict';
  imagesDir: string;
  modelIds: string[];
  outDir: string;
}

/** What to add to the metrics: bootstrap intervals (resamples 0 = none) and the error taxonomy. */
export interface AnalysisArgs {
  bootstrapResamples: number;
  bootstrapSeed: number;
  errors: boolean;
}

export interface ScoreArgs {
  command: 'score';
  gtPath: string;
  resultsPath: string;
  json: boolean;
  pck: PckSettings;
  /** Interval-verdict targets; no latency target, a results file carries no timing. Absent = none. */
  targets?: VerdictTargets;
  /**
   * Absent = no intervals and no taxonomy: callers of `runScore` that build the arguments themselves keep the plain
   * scores; the command line always sets it (defaults on, see ANALYSIS_OPTIONS).
   */
  analysis?: AnalysisArgs;
  /** As for eval; absent or null: the ground truth's own sigmas. */
  sigmas?: string | null;
}

export type ParsedArgs = EvalArgs | ScoreArgs | PredictArgs | { command: 'help'; topic: CommandName | null } | { command: 'version' };

/** `--name value` / `--name=value` / `--flag`, strictly: unknown, repeated or valueless options are usage errors. */
function readOptions(command: CommandName, argv: readonly string[]): Map<string, string | true> {
  const specs = OPTIONS[command];
  const values = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      values.set('help', true);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`, command);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new UsageError(`unknown option '--${name}'`, command);
    if (values.has(name)) throw new UsageError(`--${name} is given twice`, command);
    if (!spec.valueName) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`, command);
      values.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      // A following option is not a value: "--out --alpha 0.3" means --out was left empty.
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`--${name} needs a value (${spec.valueName})`, command);
      i++;
    }
    if (value === '') throw new UsageError(`--${name} needs a value (${spec.valueName})`, command);
    values.set(name, value);
  }
  return values;
}

function numberOption(
  values: Map<string, string | true>,
  name: string,
  command: CommandName,
  check: { min: number; max: number; minExclusive?: boolean; integer?: boolean; what: string },
): number | null {
  const raw = values.get(name);
  if (raw === undefined || raw === true) return null;
  const n = Number(raw);
  const ok =
    raw.trim() !== '' &&
    Number.isFinite(n) &&
    (check.minExclusive ? n > check.min : n >= check.min) &&
    n <= check.max &&
    (!check.integer || Number.isInteger(n));
  if (!ok) throw new UsageError(`--${name} must be ${check.what}, got '${raw}'`, command);
  return n;
}

function pckOptions(values: Map<string, string | true>, command: CommandName): PckSettings {
  const alpha = numberOption(values, 'alpha', command, { min: 0, max: 1, minExclusive: true, what: 'a number in (0, 1]' }) ?? 0.2;
  const normalizer = (values.get('normalizer') as string | undefined) ?? 'bbox';
  if (normalizer !== 'bbox' && normalizer !== 'torso') throw new UsageError(`--normalizer must be bbox or torso, got '${normalizer}'`, command);
  return { alpha, normalizer };
}

function analysisOptions(values: Map<string, string | true>, command: CommandName): AnalysisArgs {
  return {
    bootstrapResamples:
      numberOption(values, 'bootstrap', command, { min: 0, max: MAX_BOOTSTRAP_RESAMPLES, integer: true, what: `a whole number from 0 to ${MAX_BOOTSTRAP_RESAMPLES}` }) ??
      DEFAULT_BOOTSTRAP_RESAMPLES,
    // The generator reduces any seed to 32 bits; taking only those keeps two different seeds from meaning the same one.
    bootstrapSeed: numberOption(values, 'seed', command, { min: 0, max: 0xffff_ffff, integer: true, what: 'a whole number from 0 to 4294967295' }) ?? DEFAULT_BOOTSTRAP_SEED,
    errors: values.get('no-errors') !== true,
  };
}

function requireValue(values: Map<string, string | true>, name: string, command: CommandName): string {
  const value = values.get(name);
  if (typeof value !== 'string') throw new UsageError(`--${name} is required`, command);
  return value;
}

/**
 * Why the CLI cannot run a model, or null: a runtime that executes on WebGL by itself (the legacy MediaPipe
 * solutions, manifest `runtimes`) needs a browser, and the CLI runs in Node, which has no WebGL.
 */
function nodeCannotRun(id: string): string | null {
  const info = modelInfo(id);
  const on = MODEL_MANIFEST.runtimes[info.runtime]?.executesOn;
  if (on === undefined || on === 'backend' || on.backend !== 'webgl') return null;
  return `${id} runs on ${MODEL_MANIFEST.runtimes[info.runtime]!.displayName}, which needs a browser's WebGL (Node has none): run it in the app`;
}

/** Model ids from `--models`: known ids (models/manifest.json), in the given order, without repeats; "all" = every model Node can run. */
export function parseModelIds(raw: string, command: CommandName = 'eval'): string[] {
  if (raw.trim() === 'all') return MODEL_IDS.filter((id) => nodeCannotRun(id) === null);
  const ids = raw.split(',').map((id) => id.trim());
  if (ids.some((id) => id === '')) throw new UsageError(`--models has an empty entry in '${raw}'`, command);
  const unknown = ids.filter((id) => !(MODEL_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown model id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `'${id}'`).join(', ')} (known: ${MODEL_IDS.join(', ')})`, command);
  }
  const browserOnly = ids.map(nodeCannotRun).find((reason) => reason !== null);
  if (browserOnly) throw new UsageError(browserOnly, command);
  return [...new Set(ids)];
}

/** Parses `argv` (without node and the script). Throws UsageError. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !(COMMANDS as readonly string[]).includes(topic)) throw new UsageError(`unknown command '${topic}'`);
    return { command: 'help', topic: (topic as CommandName | undefined) ?? null };
  }
  if (first === '--version') return { command: 'version' };
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(first.startsWith('-') ? `unknown option '${first}' (give a command first: ${COMMANDS.join(' or ')})` : `unknown command '${first}'`);
  }
  const command = first as CommandName;
  // --help wins over every other problem, so `eval --bogus --help` still shows the help.
  if (rest.includes('--help') || rest.includes('-h')) return { command: 'help', topic: command };
  const values = readOptions(command, rest);

  if (command === 'score') {
    return {
      command,
      gtPath: requireValue(values, 'gt', command),
      resultsPath: requireValue(values, 'results', command),
      json: values.get('json') === true,
      pck: pckOptions(values, command),
      targets: {
        apMin: numberOption(values, 'target-ap', command, { min: 0, max: 1, what: 'a number in [0, 1]' }),
        pckMin: numberOption(values, 'target-pck', command, { min: 0, max: 1, what: 'a number in [0, 1]' }),
        latencyMaxMs: null,
      },
      analysis: analysisOptions(values, command),
      sigmas: (values.get('sigmas') as string | undefined) ?? null,
    };
  }

  if (command === 'predict') {
    const modelsRaw = values.get('models');
    const modelIds = (typeof modelsRaw === 'string' ? parseModelIds(modelsRaw, command) : [...DEFAULT_EVAL_MODEL_IDS]).filter((id) => modelInfo(id).personInput !== 'box' || modelsRaw !== 'all');
    const boxModelIds = modelIds.filter((id) => modelInfo(id).personInput === 'box');
    if (boxModelIds.length > 0) throw new UsageError(`${boxModelIds.join(', ')} need${boxModelIds.length > 1 ? '' : 's'} ground-truth person boxes: use eval --protocol crops`, command);
    return { command, imagesDir: requireValue(values, 'images', command), modelIds, outDir: (values.get('out') as string | undefined) ?? 'keypoint-bench-predictions' };
  }

  const protocol = (values.get('protocol') as string | undefined) ?? 'whole';
  if (!isEvaluationProtocol(protocol)) throw new UsageError(`--protocol must be ${EVALUATION_PROTOCOLS.join(' or ')}, got '${protocol}'`, command);
  const modelsRaw = values.get('models');
  let modelIds = typeof modelsRaw === 'string' ? parseModelIds(modelsRaw, command) : [...DEFAULT_EVAL_MODEL_IDS];
  // "Landmarks given the box" variants need the ground-truth boxes of the person-crops protocol.
  const boxModelIds = modelIds.filter((id) => modelInfo(id).personInput === 'box');
  if (protocol === 'whole' && boxModelIds.length > 0) {
    if (modelsRaw !== 'all') throw new UsageError(`${boxModelIds.join(', ')} need${boxModelIds.length > 1 ? '' : 's'} ground-truth person boxes: use --protocol crops`, command);
    modelIds = modelIds.filter((id) => !boxModelIds.includes(id));
  }
  return {
    command,
    imagesDir: requireValue(values, 'images', command),
    gtPath: requireValue(values, 'gt', command),
    modelIds,
    protocol,
    outDir: (values.get('out') as string | undefined) ?? 'keypoint-bench-out',
    pck: pckOptions(values, command),
    threads: numberOption(values, 'threads', command, { min: 1, max: 64, integer: true, what: 'a whole number from 1 to 64' }) ?? 1,
    targets: {
      apMin: numberOption(values, 'target-ap', command, { min: 0, max: 1, what: 'a number in [0, 1]' }),
      pckMin: numberOption(values, 'target-pck', command, { min: 0, max: 1, what: 'a number in [0, 1]' }),
      latencyMaxMs: numberOption(values, 'target-latency-ms', command, { min: 0, max: Number.MAX_VALUE, minExclusive: true, what: 'a positive number of milliseconds' }),
    },
    analysis: analysisOptions(values, command),
    sigmas: (values.get('sigmas') as string | undefined) ?? null,
    allModels: modelsRaw === 'all',
  };
}
