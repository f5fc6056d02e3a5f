// The files the app serves from its own origin besides the bundle: model weights from models/
// (placed by install-models.mjs) and the tfjs WASM binaries. Shared by the Vite plugin (dev
// server + build) and by serve.mjs so every server exposes the same URLs.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** URL prefix → directory on disk, and the file names served from it. */
export function staticAssetDirs() {
  const wasmDir = join(projectRoot, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  const modelsDir = join(projectRoot, 'models');
  return [
    { urlPrefix: '/models/', dir: modelsDir, files: existsSync(modelsDir) ? readdirSync(modelsDir).filter((n) => /\.(json|bin)$/.test(n)) : [] },
    { urlPrefix: '/tfjs-wasm/', dir: wasmDir, files: existsSync(wasmDir) ? readdirSync(wasmDir).filter((n) => n.endsWith('.wasm')) : [] },
  ];
}

/** Headers that make the page cross-origin isolated, which WASM threads (SharedArrayBuffer) need. */
export const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};
