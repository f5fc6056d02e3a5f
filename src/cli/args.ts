/**
 * Command-line parsing for `keypoint-bench`: the option tables (which also generate --help, so every option is
 * documented) and a small strict parser. Pure: no file system, no tfjs; unit-tested in test/unit/cli.
 */

import { EVALUATION_PROTOCOLS, isEvaluationProtocol, type EvaluationProtocol } from '../core/evaluation/protocol';
import type { PckSettings } from '../core/evaluation/evaluateColumn';
import type { VerdictTargets } from '../core/evaluation/verdict';
import { MODEL_IDS, modelInfo } from '../inference/modelCatalogue';

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

export type CommandName = 'eval' | 'score';
export const COMMANDS: readonly CommandName[] = ['eval', 'score'];

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

export const DEFAULT_EVAL_MODEL_IDS: readonly string[] = ['movenet-lightning', 'blazepose-lite'];

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
    { name: 'out', valueName: 'DIR', defaultText: 'keypoint-bench-out', description: 'Where to write <model>.results.json (COCO results), metrics.csv, metrics.json and provenance.json.' },
    ...PCK_OPTIONS,
    {
      name: 'threads',
      valueName: 'N',
      defaultText: '1',
      description: 'Images processed at once, each in its own worker thread (tfjs WASM in Node is single-threaded per instance). N > 1 is faster on N free cores but each worker loads every model.',
    },
    { name: 'target-ap', valueName: 'X', description: 'Verdict target: AP ≥ X (0–1). Targets only add a verdict to the report and metrics.json.' },
    { name: 'target-pck', valueName: 'X', description: 'Verdict target: PCK@alpha ≥ X (0–1).' },
    { name: 'target-latency-ms', valueName: 'MS', description: 'Verdict target: median latency per image ≤ MS milliseconds.' },
    { name: 'help', description: 'Show this help.' },
  ],
  score: [
    { name: 'gt', valueName: 'FILE', required: true, description: 'COCO person-keypoints ground truth.' },
    { name: 'results', valueName: 'FILE', required: true, description: 'COCO keypoint results: a JSON array of {image_id, category_id, keypoints, score}.' },
    { name: 'json', description: 'Print machine-readable JSON instead of text.' },
    ...PCK_OPTIONS,
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
}

export interface ScoreArgs {
  command: 'score';
  gtPath: string;
  resultsPath: string;
  json: boolean;
  pck: PckSettings;
}

export type ParsedArgs = EvalArgs | ScoreArgs | { command: 'help'; topic: CommandName | null } | { command: 'version' };

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

function requireValue(values: Map<string, string | true>, name: string, command: CommandName): string {
  const value = values.get(name);
  if (typeof value !== 'string') throw new UsageError(`--${name} is required`, command);
  return value;
}

/** Model ids from `--models`: known ids (models/manifest.json), in the given order, without repeats; "all" = every model. */
export function parseModelIds(raw: string, command: CommandName = 'eval'): string[] {
  if (raw.trim() === 'all') return [...MODEL_IDS];
  const ids = raw.split(',').map((id) => id.trim());
  if (ids.some((id) => id === '')) throw new UsageError(`--models has an empty entry in '${raw}'`, command);
  const unknown = ids.filter((id) => !(MODEL_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown model id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `'${id}'`).join(', ')} (known: ${MODEL_IDS.join(', ')})`, command);
  }
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
    };
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
  };
}
