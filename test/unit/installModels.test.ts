/**
 * scripts/install-models.mjs --verify, run on a throw-away copy: the script finds models/ relative to
 * its own file, so each case builds tmp/scripts/install-models.mjs + tmp/models/manifest.json (one fake
 * model with two small files) + tmp/node_modules → the repository's node_modules (for `tar`).
 * --verify never fetches: it only checks what is on disk.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const JSON_BYTES = Buffer.from('{"weightsManifest":[{"paths":["fake.bin"],"weights":[]}]}');
const BIN_BYTES = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function fakeManifest() {
  const fileEntry = (name: string, bytes: Buffer) => ({ name, tarballPath: `package/models/${name}`, bytes: bytes.length, sha256: sha256Hex(bytes) });
  return {
    packages: [{ name: 'fake-weights', version: '1.0.0', integrity: `sha512-${'A'.repeat(86)}==`, licence: 'MIT' }],
    models: [
      {
        id: 'fake-model',
        displayName: 'Fake',
        family: 'movenet',
        keypointLayout: 'coco17',
        inputSizePx: [8, 8],
        multiPerson: false,
        source: { package: 'fake-weights', version: '1.0.0' },
        files: [fileEntry('fake.json', JSON_BYTES), fileEntry('fake.bin', BIN_BYTES)],
        upstream: { model: 'none', url: 'https://example.invalid', licence: 'MIT' },
      },
    ],
  };
}

const tempRoots: string[] = [];
afterEach(() => {
  for (const root of tempRoots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** Builds the temp tree with the given model files on disk and runs the copied script with --verify. */
function verifyWith(files: Record<string, Buffer>) {
  const root = mkdtempSync(join(tmpdir(), 'keypoint-bench-install-test-'));
  tempRoots.push(root);
  mkdirSync(join(root, 'scripts'));
  mkdirSync(join(root, 'models'));
  copyFileSync(join(REPO_ROOT, 'scripts', 'install-models.mjs'), join(root, 'scripts', 'install-models.mjs'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'models', 'manifest.json'), JSON.stringify(fakeManifest(), null, 2));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(root, 'models', name), bytes);
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'install-models.mjs'), '--verify'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, npm_config_offline: 'true' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('install-models.mjs --verify', () => {
  it('passes with exit code 0 when every file matches', () => {
    const result = verifyWith({ 'fake.json': JSON_BYTES, 'fake.bin': BIN_BYTES });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/1 models ready in models\/ \(2 files verified\)/);
  });

  it('names a missing file and exits 1', () => {
    const result = verifyWith({ 'fake.json': JSON_BYTES });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('missing file models/fake.bin');
    expect(result.stderr).not.toContain('fake.json');
    expect(result.stderr).toContain('npm run models');
  });

  it('names a corrupt file (right size, wrong bytes) with both hashes and exits 1', () => {
    const corrupt = Buffer.from(BIN_BYTES);
    corrupt[3] = 99;
    const result = verifyWith({ 'fake.json': JSON_BYTES, 'fake.bin': corrupt });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`models/fake.bin has sha256 ${sha256Hex(corrupt)}, expected ${sha256Hex(BIN_BYTES)}`);
    expect(result.stderr).not.toContain('fake.json');
  });

  it('names a truncated file with both sizes and exits 1', () => {
    const result = verifyWith({ 'fake.json': JSON_BYTES.subarray(0, 10), 'fake.bin': BIN_BYTES });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`models/fake.json is 10 bytes, expected ${JSON_BYTES.length}`);
    expect(result.stderr).not.toContain('fake.bin');
  });
});
