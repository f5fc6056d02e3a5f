/**
 * Weight files are checked against models/manifest.json before a model is built from them
 * (src/inference/modelFileCheck.ts; the worker wraps its fetch reader with it).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ModelFileEntry } from '../../src/core/types';
import { manifestFiles, verifyingReader } from '../../src/inference/modelFileCheck';
import { MODELS } from '../../src/inference/modelCatalogue';
import type { ModelFileReader } from '../../src/inference/modelAdapter';

const GOOD = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const entry: ModelFileEntry = { name: 'model.bin', tarballPath: 'package/models/model.bin', bytes: GOOD.byteLength, sha256: sha(GOOD) };
const serving = (bytes: Uint8Array): ModelFileReader => ({
  readFile: (_name, onBytes) => {
    onBytes(bytes.byteLength);
    return Promise.resolve(bytes.slice().buffer);
  },
});

describe('verifyingReader', () => {
  it('passes the published bytes through, with progress', async () => {
    const seen: number[] = [];
    const bytes = await verifyingReader(serving(GOOD), new Map([[entry.name, entry]])).readFile('model.bin', (n) => seen.push(n));
    expect([...new Uint8Array(bytes)]).toEqual([...GOOD]);
    expect(seen).toEqual([GOOD.byteLength]);
  });

  it('fails a changed file naming it, both hashes and both sizes', async () => {
    const bad = GOOD.slice();
    bad[3] = 99;
    const reading = verifyingReader(serving(bad), new Map([[entry.name, entry]])).readFile('model.bin', () => undefined);
    await expect(reading).rejects.toThrow(`model.bin is corrupt or not the published file: its sha256 is ${sha(bad)}, models/manifest.json expects ${entry.sha256} (8 bytes received, 8 expected)`);
    const short = verifyingReader(serving(GOOD.slice(0, 5)), new Map([[entry.name, entry]])).readFile('model.bin', () => undefined);
    await expect(short).rejects.toThrow(/\(5 bytes received, 8 expected\)/);
  });

  it('refuses a file the manifest does not list', async () => {
    await expect(verifyingReader(serving(GOOD), new Map()).readFile('other.bin', () => undefined)).rejects.toThrow('other.bin is not listed in models/manifest.json');
  });

  it('without Web Crypto (no secure context) still checks the size', async () => {
    const noDigest = () => Promise.resolve(null);
    await expect(verifyingReader(serving(GOOD), new Map([[entry.name, entry]]), noDigest).readFile('model.bin', () => undefined)).resolves.toBeInstanceOf(ArrayBuffer);
    await expect(verifyingReader(serving(GOOD.slice(1)), new Map([[entry.name, entry]]), noDigest).readFile('model.bin', () => undefined)).rejects.toThrow(/7 bytes received, models\/manifest.json lists 8/);
  });

  it('knows every file of every model, shared files once', () => {
    const files = manifestFiles(MODELS);
    for (const model of MODELS) for (const file of model.files) expect(files.get(file.name)?.sha256).toBe(file.sha256);
    expect(files.get('blazepose-detector.bin')).toBeDefined();
  });
});
