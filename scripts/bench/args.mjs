// Command-line options of `npm run bench` (scripts/bench.mjs). No dependencies.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

// Model ids come from models/manifest.json only.
const MANIFEST_MODELS = JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8')).models;
/** Every model that runs on a whole image (the "landmarks given the box" variants need ground-truth boxes). */
export const ALL_MODELS = MANIFEST_MODELS.filter((m) => m.personInput === undefined).map((m) => m.id);
/** The manifest's default selection (`defaultSelected`), as a new session of the app runs. */
export const QUICK_MODELS = MANIFEST_MODELS.filter((m) => m.defaultSelected === true).map((m) => m.id);
export const ALL_BACKENDS = ['wasm', 'webgl', 'webgpu', 'cpu'];

export const USAGE = `Usage: node scripts/bench.mjs [options]   (npm run bench -- [options])

  --quick               Small run: the default models, WASM only, 10 images, 20-inference leak check
  --models a,b          Model ids, or "all" (full default: all ${ALL_MODELS.length} whole-image models; quick: ${QUICK_MODELS.join(',')})
  --backends a,b        Any of wasm,webgl,webgpu,cpu (full default: all four; quick: wasm)
  --images N            Images per model × WASM configuration (default 100 full, 10 quick)
  --slow-images N       Images per model on cpu/webgl/webgpu (default min(--images, 10) full, min(--images, 5) quick)
  --leak N              Extra inferences of the leak check, once per model on WASM with all cores (default 500 full, 20 quick; 0 = skip)
  --threads 1,2         WASM thread counts to compare (default 1,<cores>)
  --job-images N        Images of the job: N images × all --models together on WASM, as the gallery runs them (default --images)
  --job-rounds N        Rounds of the job (each a timed pass, a raw pass and a one-in-flight diagnostic); the median round is reported (default 3)
  --job-threads N       WASM threads to request for the job, for diagnosis (default: the app's default, which the target is about)
  --skip-job            Skip the job measurement
  --scale N             Also the scale run: N large photos added at once and run in the gallery with it on screen (default 0 = skip; issue 10.7 asks for 1000)
  --scale-megapixels M  Size of the scale run's photos (default 12)
  --scale-models a,b    Models of the scale run (default ${QUICK_MODELS[0]})
  --scale-timeout S     Seconds the scale run may take (default 7200)
  --label N             Also the label run: N photos in Label mode, pre-labelled with the first --scale-models model; times the tab, pre-labelling them all, a nudge, the next image, an accept and a save (default 0 = skip)
  --label-megapixels M  Size of the label run's photos (default 2)
  --webcam-frames N     Also the webcam soak: the live mode on Chromium's fake camera for N frames, tensors and heap at the start and the end (default 0 = skip; issue 10.8 asks for 10000)
  --row-timeout S       Seconds one model × backend row may take before it is abandoned (default 600)
  --first-runs N        Repeats of the "first keypoints" page-load measurement (default 3)
  --skip-first          Skip the "first keypoints" measurement
  --skip-node           Skip the Node measurements (CLI throughput, evaluation time)
  --skip-browser        Skip the in-browser model × backend benchmark
  --no-build            Use the existing dist/ instead of running \`npm run build\`
  --out DIR             Where reports go (default bench/results)
  --report FILE.json    Measure nothing: re-render the targets, notes and .md of a saved run
  --help                This text
`;

function list(value, name) {
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function positiveInt(value, name, { allowZero = false } = {}) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new Error(`${name} needs a${allowZero ? ' non-negative' : ' positive'} integer, got '${value}'`);
  return n;
}

/** Parses argv (without node and the script); throws with a message on a bad option. */
export function parseArgs(argv, cores = availableParallelism()) {
  const given = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i];
    switch (arg) {
      case '--quick': given.quick = true; break;
      case '--models': given.models = list(value(), arg); break;
      case '--backends': given.backends = list(value(), arg); break;
      case '--images': given.images = positiveInt(value(), arg); break;
      case '--slow-images': given.slowImages = positiveInt(value(), arg); break;
      case '--leak': given.leak = positiveInt(value(), arg, { allowZero: true }); break;
      case '--job-images': given.jobImages = positiveInt(value(), arg); break;
      case '--job-rounds': given.jobRounds = positiveInt(value(), arg); break;
      case '--job-threads': given.jobThreads = positiveInt(value(), arg); break;
      case '--skip-job': given.skipJob = true; break;
      case '--threads': given.threads = list(value(), arg).map((t) => positiveInt(t, arg)); break;
      case '--scale': given.scale = positiveInt(value(), arg, { allowZero: true }); break;
      case '--scale-megapixels': given.scaleMegapixels = positiveInt(value(), arg); break;
      case '--scale-models': given.scaleModels = list(value(), arg); break;
      case '--scale-timeout': given.scaleTimeoutS = positiveInt(value(), arg); break;
      case '--label': given.label = positiveInt(value(), arg, { allowZero: true }); break;
      case '--label-megapixels': given.labelMegapixels = positiveInt(value(), arg); break;
      case '--webcam-frames': given.webcamFrames = positiveInt(value(), arg, { allowZero: true }); break;
      case '--row-timeout': given.rowTimeoutS = positiveInt(value(), arg); break;
      case '--first-runs': given.firstRuns = positiveInt(value(), arg); break;
      case '--skip-first': given.skipFirst = true; break;
      case '--skip-node': given.skipNode = true; break;
      case '--skip-browser': given.skipBrowser = true; break;
      case '--no-build': given.noBuild = true; break;
      case '--report': given.report = value(); if (!given.report) throw new Error('--report needs a file'); break;
      case '--out': given.out = value(); if (!given.out) throw new Error('--out needs a value'); break;
      case '--help': case '-h': given.help = true; break;
      default: throw new Error(`unknown option '${arg}'`);
    }
  }
  const quick = given.quick === true;
  let models = given.models ?? (quick ? QUICK_MODELS : ALL_MODELS);
  if (models.length === 1 && models[0] === 'all') models = ALL_MODELS;
  const unknownModels = models.filter((m) => !ALL_MODELS.includes(m));
  if (unknownModels.length > 0) throw new Error(`unknown model id(s): ${unknownModels.join(', ')} (known: ${ALL_MODELS.join(', ')})`);
  const backends = given.backends ?? (quick ? ['wasm'] : ALL_BACKENDS);
  const unknownBackends = backends.filter((b) => !ALL_BACKENDS.includes(b));
  if (unknownBackends.length > 0) throw new Error(`unknown backend(s): ${unknownBackends.join(', ')} (known: ${ALL_BACKENDS.join(', ')})`);
  const images = given.images ?? (quick ? 10 : 100);
  const scaleModels = given.scaleModels ?? QUICK_MODELS.slice(0, 1);
  const unknownScaleModels = scaleModels.filter((m) => !ALL_MODELS.includes(m));
  if (unknownScaleModels.length > 0) throw new Error(`unknown model id(s) for --scale-models: ${unknownScaleModels.join(', ')}`);
  const threads = [...new Set(given.threads ?? [1, cores])].sort((a, b) => a - b);
  return {
    help: given.help === true,
    mode: quick ? 'quick' : 'full',
    models,
    backends,
    images,
    slowImages: given.slowImages ?? Math.min(images, quick ? 5 : 10),
    leak: given.leak ?? (quick ? 20 : 500),
    threads,
    // The job is judged on WASM: asked for only when WASM is among the backends measured.
    jobImages: given.skipJob === true || given.skipBrowser === true || !backends.includes('wasm') ? 0 : given.jobImages ?? images,
    jobRounds: given.jobRounds ?? 3,
    jobThreads: given.jobThreads ?? null,
    rowTimeoutS: given.rowTimeoutS ?? 600,
    webcamFrames: given.webcamFrames ?? 0,
    scale: given.scale ?? 0,
    scaleMegapixels: given.scaleMegapixels ?? 12,
    scaleModels,
    scaleTimeoutS: given.scaleTimeoutS ?? 7200,
    label: given.label ?? 0,
    labelMegapixels: given.labelMegapixels ?? 2,
    firstRuns: given.firstRuns ?? 3,
    skipFirst: given.skipFirst === true,
    skipNode: given.skipNode === true,
    skipBrowser: given.skipBrowser === true,
    build: given.noBuild !== true,
    out: given.out ?? 'bench/results',
    report: given.report ?? null,
    cores,
  };
}
