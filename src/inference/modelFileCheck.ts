import { sha256Hex } from '../core/evaluation/provenance';
import type { ModelFileEntry, ModelInfo } from '../core/types';
import type { ModelFileReader } from './modelAdapter';

/** Every file the manifest lists, by name (BlazePose's detector is shared by several models, with one hash). */
export function manifestFiles(models: readonly ModelInfo[]): Map<string, ModelFileEntry> {
  return new Map(models.flatMap((model) => model.files.map((file) => [file.name, file] as const)));
}

/**
 * Wraps a reader so every file is checked against models/manifest.json before a model is built from it:
 * a truncated download, a proxy's error page or a replaced file fails that model, naming the file and
 * both hashes, instead of loading wrong weights that give wrong keypoints without any error.
 * `digest` is null where Web Crypto is unavailable (a page served over plain http to another host is
 * not a secure context); then the size is still checked and the hash is not.
 */
export function verifyingReader(
  reader: ModelFileReader,
  expected: ReadonlyMap<string, ModelFileEntry>,
  digest: (bytes: ArrayBuffer) => Promise<string | null> = sha256Hex,
): ModelFileReader {
  return {
    async readFile(name, onBytes) {
      const entry = expected.get(name);
      if (!entry) throw new Error(`${name} is not listed in models/manifest.json: refusing to load it`);
      const bytes = await reader.readFile(name, onBytes);
      const actual = await digest(bytes);
      if (actual !== null && actual !== entry.sha256) {
        throw new Error(
          `${name} is corrupt or not the published file: its sha256 is ${actual}, models/manifest.json expects ${entry.sha256} ` +
            `(${bytes.byteLength} bytes received, ${entry.bytes} expected). Re-install the weights on the server (npm run models).`,
        );
      }
      if (actual === null && bytes.byteLength !== entry.bytes) {
        throw new Error(`${name} is corrupt: ${bytes.byteLength} bytes received, models/manifest.json lists ${entry.bytes} (sha256 not checked: no Web Crypto on this page)`);
      }
      return bytes;
    },
  };
}
