import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executionOf, parseModelManifest } from '../../src/core/manifest';
import type { ModelFileEntry, ModelInfo, ModelManifest } from '../../src/core/types';

const MODELS_DIR = join(import.meta.dirname, '..', '..', 'models');
const rawManifest = JSON.parse(readFileSync(join(MODELS_DIR, 'manifest.json'), 'utf8')) as unknown;
const manifest = parseModelManifest(rawManifest);
const weightsPresent = manifest.models.every((m) => m.files.every((f) => existsSync(join(MODELS_DIR, f.name))));

const EXPECTED_IDS = [
  'movenet-lightning',
  'movenet-thunder',
  'movenet-multipose',
  'blazepose-lite',
  'blazepose-full',
  'blazepose-heavy',
  'posenet-mobilenet',
  'blazepose-lite-box',
  'blazepose-full-box',
  'blazepose-heavy-box',
  'mediapipe-hands-lite',
  'mediapipe-hands-full',
  'facemesh',
  'facemesh-attention',
  'blazepose-lite-litert',
  'blazepose-full-litert',
  'blazepose-heavy-litert',
  'facemesh-litert',
  'mediapipe-hands-lite-litert',
  'mediapipe-hands-full-litert',
  'blazepose-lite-mediapipe',
  'blazepose-full-mediapipe',
  'blazepose-heavy-mediapipe',
  'mediapipe-hands-lite-mediapipe',
  'mediapipe-hands-full-mediapipe',
  'facemesh-mediapipe',
  'facemesh-attention-mediapipe',
];
/** The keypoint layout of each family (face mesh: 468 points, or 478 with the irises of the attention mesh). */
const FAMILY_LAYOUTS: Record<string, readonly string[]> = { blazepose: ['blazepose33'], 'mediapipe-hands': ['hand21'], facemesh: ['face468', 'face478'] };

describe('models/manifest.json', () => {
  it('parses and lists every model once each', () => {
    expect(manifest.models.map((m) => m.id).sort()).toEqual([...EXPECTED_IDS].sort());
  });

  it('gives every model a model.json and the weight files of its family (LiteRT models: .tflite files)', () => {
    const names = (m: ModelInfo) => m.files.map((f) => f.name);
    for (const model of manifest.models) {
      if (model.runtime === 'mediapipe-solutions') {
        // The solution as published: its script, packed-assets loader, SIMD WASM build (script + binary), packed
        // assets and graph, plus the landmark network it loads by name (Face Mesh's networks are in its packed assets).
        const solution = { blazepose: ['pose', 'pose_web'], 'mediapipe-hands': ['hands', 'hands'], facemesh: ['face_mesh', 'face_mesh'] }[model.family];
        expect(solution, model.id).toBeDefined();
        const [prefix, graph] = solution!;
        const own = [`${prefix}.js`, `${prefix}_solution_packed_assets_loader.js`, `${prefix}_solution_simd_wasm_bin.js`, `${prefix}_solution_simd_wasm_bin.wasm`, `${prefix}_solution_packed_assets.data`, `${graph}.binarypb`];
        const landmark = model.family === 'blazepose' ? [`pose_landmark_${['lite', 'full', 'heavy'][(model.config as { modelComplexity: number }).modelComplexity]}.tflite`] : model.family === 'mediapipe-hands' ? [`hand_landmark_${['lite', 'full'][(model.config as { modelComplexity: number }).modelComplexity]}.tflite`] : [];
        expect(names(model).sort(), model.id).toEqual([...own, ...landmark].sort());
        continue;
      }
      if (model.runtime === 'litert') {
        // LiteRT.js reads the .tflite files as they are: MediaPipe's pose detector and one landmark network.
        if (model.family === 'facemesh') {
          // MediaPipe's short-range face detector and the 468-point mesh (face_landmark.tflite).
          expect(names(model).sort(), model.id).toEqual(['face_detection_short_range.tflite', 'face_landmark.tflite']);
          continue;
        }
        if (model.family === 'mediapipe-hands') {
          // MediaPipe's palm detector and hand landmark network of one type (lite or full).
          const type = model.id.replace('mediapipe-hands-', '').replace(/-litert$/, '');
          expect(names(model).sort(), model.id).toEqual([`hand_landmark_${type}.tflite`, `palm_detection_${type}.tflite`]);
          continue;
        }
        const variant = model.id.replace('blazepose-', '').replace(/-litert$/, '');
        expect(model.family, model.id).toBe('blazepose');
        expect(names(model).sort(), model.id).toEqual(['blazepose-detector.tflite', `pose_landmark_${variant}.tflite`].sort());
        continue;
      }
      expect(names(model).filter((n) => n.endsWith('.json')).length, model.id).toBeGreaterThanOrEqual(1);
      expect(names(model).filter((n) => n.endsWith('.bin')).length, model.id).toBeGreaterThanOrEqual(1);
      if (model.family === 'blazepose') {
        const variant = model.id.replace('blazepose-', '').replace(/-box$/, '');
        expect(names(model).sort(), model.id).toEqual(
          ['blazepose-detector.bin', 'blazepose-detector.json', `blazepose-${variant}.bin`, `blazepose-${variant}.json`].sort(),
        );
      }
      expect(new Set(names(model)).size, `${model.id} lists a file twice`).toBe(model.files.length);
    }
  });

  it('matches keypoint layout to family, and has one multi-person body model', () => {
    for (const model of manifest.models) {
      expect(FAMILY_LAYOUTS[model.family] ?? ['coco17'], model.id).toContain(model.keypointLayout);
    }
    expect(manifest.models.filter((m) => m.multiPerson && !(m.family in FAMILY_LAYOUTS)).map((m) => m.id)).toEqual(['movenet-multipose']);
  });

  it('has well-formed sizes, hashes, tarball paths and package integrity', () => {
    for (const model of manifest.models) {
      for (const file of model.files) {
        expect(Number.isInteger(file.bytes) && file.bytes > 0, `${model.id}/${file.name} bytes`).toBe(true);
        expect(file.sha256, `${model.id}/${file.name}`).toMatch(/^[0-9a-f]{64}$/);
        // A file converted at install time (the palm detector) or cut from a larger file (BlazePose's detector, a byte
        // range of @mediapipe/pose's packed assets) has its source file's path, not its own name.
        const extra = file as ModelFileEntry & { convert?: unknown; byteRange?: unknown };
        const converted = extra.convert !== undefined || extra.byteRange !== undefined;
        expect(file.tarballPath, `${model.id}/${file.name}`).toMatch(converted ? /^package\/.+/ : new RegExp(`^package/(.+/)?${file.name.replace(/\./g, '\\.')}$`));
      }
    }
    for (const pkg of manifest.packages) expect(pkg.integrity, pkg.name).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
  });

  it('describes a file shared by several models identically everywhere', () => {
    const byName = new Map<string, ModelFileEntry>();
    for (const file of manifest.models.flatMap((m) => m.files)) {
      const seen = byName.get(file.name);
      if (seen) expect(file, file.name).toEqual(seen);
      else byName.set(file.name, file);
    }
    expect(byName.get('blazepose-detector.bin')).toBeDefined();
  });

  it.skipIf(!weightsPresent)('lists every weight file that each model.json references (needs `npm run models`)', () => {
    for (const model of manifest.models) {
      for (const jsonFile of model.files.filter((f) => f.name.endsWith('.json'))) {
        const modelJson = JSON.parse(readFileSync(join(MODELS_DIR, jsonFile.name), 'utf8')) as { weightsManifest: { paths: string[] }[] };
        for (const path of modelJson.weightsManifest.flatMap((group) => group.paths)) {
          expect(model.files.map((f) => f.name), `${model.id}: ${jsonFile.name} needs ${path}`).toContain(path);
        }
      }
    }
  });
});

describe('parseModelManifest on broken manifests', () => {
  const broken = (edit: (copy: ModelManifest) => void): unknown => {
    const copy = structuredClone(rawManifest) as ModelManifest;
    edit(copy);
    return copy;
  };
  const model = (copy: ModelManifest, index: number): ModelInfo => {
    const entry = copy.models[index];
    if (!entry) throw new Error(`no model ${index}`);
    return entry;
  };
  const firstFile = (info: ModelInfo): ModelFileEntry => {
    const file = info.files[0];
    if (!file) throw new Error(`${info.id} has no files`);
    return file;
  };

  it('rejects a non-manifest', () => {
    expect(() => parseModelManifest(null)).toThrow(/expected \{packages/);
    expect(() => parseModelManifest({ models: [] })).toThrow(/expected \{packages/);
  });

  it.each([
    ['a malformed sha256', (c: ModelManifest) => { firstFile(model(c, 2)).sha256 = 'abc'; }, /models\[2\] \(movenet-multipose\): movenet-multipose\.json: sha256 must be 64 hex digits/],
    ['a zero byte size', (c: ModelManifest) => { firstFile(model(c, 1)).bytes = 0; }, /models\[1\] \(movenet-thunder\): movenet-thunder\.json: bad byte size/],
    ['a fractional byte size', (c: ModelManifest) => { firstFile(model(c, 1)).bytes = 1.5; }, /models\[1\] \(movenet-thunder\): .*bad byte size/],
    ['a path as file name', (c: ModelManifest) => { firstFile(model(c, 0)).name = '../etc/passwd'; }, /models\[0\] \(movenet-lightning\): bad file name '\.\.\/etc\/passwd'/],
    ['no files', (c: ModelManifest) => { model(c, 6).files = []; }, /models\[6\] \(posenet-mobilenet\): no files/],
    ['a config that is not an object', (c: ModelManifest) => { (model(c, 0) as { config: unknown }).config = ['lite']; }, /models\[0\] \(movenet-lightning\): config must be an object/],
    ['a defaultSelected that is not a boolean', (c: ModelManifest) => { (model(c, 0) as { defaultSelected: unknown }).defaultSelected = 'yes'; }, /models\[0\] \(movenet-lightning\): defaultSelected must be true or false/],
    ['a file from a package not listed', (c: ModelManifest) => { firstFile(model(c, 0)).source = { package: '@x/y', version: '1.0.0' }; }, /models\[0\] \(movenet-lightning\): source package @x\/y@1\.0\.0 is not in "packages"/],
    ['a duplicate id', (c: ModelManifest) => { model(c, 1).id = 'movenet-lightning'; }, /models\[1\] \(movenet-lightning\): duplicate id/],
    ['a family that is not a lower-case name', (c: ModelManifest) => { (model(c, 3) as { family: string }).family = 'Yolo v8'; }, /models\[3\] \(blazepose-lite\): family must be a lower-case name, got 'Yolo v8'/],
    ['an unknown layout', (c: ModelManifest) => { (model(c, 4) as { keypointLayout: string }).keypointLayout = 'h36m'; }, /models\[4\] \(blazepose-full\): unknown keypointLayout 'h36m'/],
    ['a bad input size', (c: ModelManifest) => { (model(c, 0) as { inputSizePx: unknown }).inputSizePx = [192]; }, /models\[0\] \(movenet-lightning\): inputSizePx/],
    ['a version range', (c: ModelManifest) => { model(c, 5).source.version = '^3.0.4'; }, /models\[5\] \(blazepose-heavy\): source must name a package and an exact version/],
    ['an unlisted package', (c: ModelManifest) => { c.packages = []; }, /models\[0\] \(movenet-lightning\): source package @vladmandic\/human-models@3\.0\.4 is not in "packages"/],
    ['no upstream licence', (c: ModelManifest) => { model(c, 6).upstream.licence = ''; }, /models\[6\] \(posenet-mobilenet\): upstream needs/],
    ['an upper-case id', (c: ModelManifest) => { model(c, 2).id = 'MoveNet'; }, /models\[2\] \(MoveNet\): id must be lower-case/],
    ['a null entry', (c: ModelManifest) => { (c.models as unknown[])[0] = null; }, /models\[0\]: not an object/],
    ['an unknown person input', (c: ModelManifest) => { (model(c, 8) as { personInput: unknown }).personInput = 'mask'; }, /models\[8\] \(blazepose-full-box\): unknown personInput 'mask'/],
    ['a multi-person model given the box', (c: ModelManifest) => { (model(c, 2) as { personInput: unknown }).personInput = 'box'; }, /models\[2\] \(movenet-multipose\): personInput 'box' is for single-person models/],
    ['a runtime not in "runtimes"', (c: ModelManifest) => { model(c, 0).runtime = 'onnx'; }, /models\[0\] \(movenet-lightning\): runtime 'onnx' is not in "runtimes" \(there are: tfjs, litert/],
    ['a twin of a model that is not there', (c: ModelManifest) => { c.models.find((m) => m.id === 'blazepose-lite-litert')!.sameModelAs = 'blazepose-ultra'; }, /\(blazepose-lite-litert\): sameModelAs 'blazepose-ultra' is not a model/],
    ['a twin on the same runtime', (c: ModelManifest) => { c.models.find((m) => m.id === 'blazepose-lite-litert')!.runtime = 'tfjs'; }, /\(blazepose-lite-litert\): sameModelAs 'blazepose-lite' runs on the same runtime/],
    ['a twin with another layout', (c: ModelManifest) => { c.models.find((m) => m.id === 'blazepose-lite-litert')!.sameModelAs = 'movenet-lightning'; }, /\(blazepose-lite-litert\): sameModelAs 'movenet-lightning' gives another layout/],
    ['no "runtimes"', (c: ModelManifest) => { delete (c as { runtimes?: unknown }).runtimes; }, /runtimes: expected an object/],
    ['a runtime that runs on an unknown backend', (c: ModelManifest) => { c.runtimes.litert = { displayName: 'LiteRT.js', executesOn: { backend: 'npu' as 'wasm', threads: 1, detail: 'x' } }; }, /runtimes: litert: executesOn must be "backend" or/],
  ])('names the entry for %s', (_what, edit, message) => {
    expect(() => parseModelManifest(broken(edit))).toThrow(message);
  });
});

describe('published figures', () => {
  // As printed on the cards, checked against them (sources in each entry): TensorFlow Lite pose estimation
  // benchmarks (MoveNet FP16, PoseNet FP32, COCO single-person crops) and MediaPipe Pose quality (Yoga set).
  const CARD_FIGURES: Record<string, number> = {
    'movenet-lightning': 0.63,
    'movenet-thunder': 0.72,
    'posenet-mobilenet': 0.456,
    'blazepose-lite': 0.45,
    'blazepose-full': 0.626,
    'blazepose-heavy': 0.681,
  };

  it('gives each model its card figure, with dataset, conditions, build and an https source', () => {
    for (const [id, value] of Object.entries(CARD_FIGURES)) {
      const published = manifest.models.find((m) => m.id === id)?.published;
      expect(published, id).toBeDefined();
      expect(published!.metric, id).toBe('mAP');
      expect(published!.value, id).toBe(value);
      expect(published!.source.url, id).toMatch(/^https:\/\//);
    }
    // No figure could be found for MultiPose: none is invented.
    expect(manifest.models.find((m) => m.id === 'movenet-multipose')?.published).toBeUndefined();
  });

  it('gives a box-input variant its base model figure, saying the figure is for the full pipeline', () => {
    for (const model of manifest.models.filter((m) => m.id.endsWith('-box'))) {
      const base = manifest.models.find((m) => m.id === model.id.replace(/-box$/, ''));
      expect(model.published?.value, model.id).toBe(base?.published?.value);
      expect(model.published?.conditions, model.id).toMatch(/published for the full pipeline/);
    }
  });

  const withPublished = (edit: (figure: Record<string, unknown>) => void): unknown => {
    const copy = structuredClone(rawManifest) as ModelManifest;
    const thunder = copy.models.find((m) => m.id === 'movenet-thunder')!;
    edit(thunder.published as unknown as Record<string, unknown>);
    return copy;
  };

  it.each([
    ['a percentage instead of a fraction', (f: Record<string, unknown>) => { f['value'] = 72; }, /\(movenet-thunder\): published: value must be a fraction/],
    ['an unknown metric', (f: Record<string, unknown>) => { f['metric'] = 'PCK'; }, /\(movenet-thunder\): published: unknown metric 'PCK'/],
    ['no conditions', (f: Record<string, unknown>) => { f['conditions'] = ' '; }, /\(movenet-thunder\): published: missing conditions/],
    ['no short conditions', (f: Record<string, unknown>) => { delete f['conditionsShort']; }, /\(movenet-thunder\): published: missing conditionsShort/],
    ['a plain-http source', (f: Record<string, unknown>) => { f['source'] = { title: 't', url: 'http://example.com' }; }, /\(movenet-thunder\): published: source needs a title and an https url/],
  ])('rejects %s', (_what, edit, message) => {
    expect(() => parseModelManifest(withPublished(edit))).toThrow(message);
  });
});

describe('where a model ran (executionOf)', () => {
  it('a tfjs model runs on the active backend (WASM with its threads); a LiteRT model on LiteRT’s own WASM whatever the backend', () => {
    expect(executionOf(manifest.runtimes, 'tfjs', { backend: 'wasm', wasmThreads: 2 })).toEqual({ backend: 'wasm', threads: 2, label: 'wasm ×2' });
    expect(executionOf(manifest.runtimes, 'tfjs', { backend: 'webgl', wasmThreads: 2 })).toEqual({ backend: 'webgl', threads: null, label: 'webgl' });
    // LiteRT's threads depend on the page (threaded build where cross-origin isolated): the manifest names none, the worker reports them.
    expect(executionOf(manifest.runtimes, 'litert', { backend: 'webgl', wasmThreads: 2 })).toEqual({ backend: 'wasm', threads: null, label: 'wasm (LiteRT.js)' });
  });
});
