import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelFileReader } from '../inference/modelAdapter';

/** Reads weight files from a local models/ directory (Node: file:// URLs do not load in tfjs). */
export function nodeModelFiles(modelsDir: string): ModelFileReader {
  return {
    async readFile(name, onBytes) {
      if (name.includes('/') || name.includes('\\')) throw new Error(`refusing model file path '${name}'`);
      const bytes = await readFile(join(modelsDir, name)).catch((error: NodeJS.ErrnoException) => {
        throw new Error(
          error.code === 'ENOENT'
            ? `model file models/${name} is missing: run \`npm run models\``
            : `cannot read models/${name}: ${error.message}`,
        );
      });
      onBytes(bytes.byteLength);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}
