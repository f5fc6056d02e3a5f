// The files the app serves from its own origin besides the bundle: model weights from models/
// (placed by install-models.mjs), the tfjs WASM binaries and LiteRT.js's WASM files. Shared by the Vite plugin (dev
// server + build) and by serve.mjs so every server exposes the same URLs.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** URL prefix → directory on disk, and the file names served from it. */
export function staticAssetDirs() {
  const wasmDir = join(projectRoot, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  const modelsDir = join(projectRoot, 'models');
  // LiteRT.js's builds (threaded, single-threaded relaxed SIMD, and compat for browsers without it): loader script + binary.
  const liteRtDir = join(projectRoot, 'node_modules', '@litertjs', 'core', 'wasm');
  const liteRtFiles = ['litert_wasm_internal', 'litert_wasm_compat_internal', 'litert_wasm_threaded_internal'].flatMap((n) => [`${n}.js`, `${n}.wasm`]);
  return [
    // Besides weights: the legacy MediaPipe solutions' own files (solution and loader scripts, WASM, packed assets, graphs).
    { urlPrefix: '/models/', dir: modelsDir, files: existsSync(modelsDir) ? readdirSync(modelsDir).filter((n) => /\.(json|bin|tflite|js|wasm|data|binarypb)$/.test(n)) : [] },
    { urlPrefix: '/tfjs-wasm/', dir: wasmDir, files: existsSync(wasmDir) ? readdirSync(wasmDir).filter((n) => n.endsWith('.wasm')) : [] },
    { urlPrefix: '/litert-wasm/', dir: liteRtDir, files: liteRtFiles.filter((n) => existsSync(join(liteRtDir, n))) },
  ];
}

/** Headers that make the page cross-origin isolated, which WASM threads (SharedArrayBuffer) need. */
export const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * What a page of this app may load and where it may connect: only its own origin. Every server sends it
 * (serve.mjs, Vite's preview and dev server) and the service worker stamps it on what it serves from its cache.
 * - script-src: the bundle only, no inline script, no eval(); 'wasm-unsafe-eval' lets WebAssembly compile
 *   (tfjs-backend-wasm). blob:: each WASM pthread (a worker from a blob: URL, hence worker-src blob:) loads its
 *   code with importScripts() from a second blob: URL that tfjs makes of its own bundled code; without it the
 *   pthreads fail to start ("importScripts … failed to load") and WASM has no threads. A blob: script can only
 *   be made by script that already runs here, so it lets nothing new in.
 * - img-src blob: data:: thumbnails and exported PNGs are blob: URLs; canvases read data: URLs.
 * - media-src blob:: a video file is played from a blob: URL (the webcam's stream is an object, not a URL).
 * - connect-src 'self': fetch/XHR/WebSocket to this origin only (weights, samples; Vite's HMR socket in dev).
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "style-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Every response of every server carries these: isolation for WASM threads, the CSP, and no MIME sniffing. */
export const securityHeaders = {
  ...crossOriginIsolationHeaders,
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
};

/**
 * The dev server's variant: Vite injects CSS as <style> elements and @vitejs/plugin-react one fixed inline module
 * script (the React Refresh preamble), so dev allows inline styles and that one script by its hash — still no
 * 'unsafe-inline' for scripts. `inlineScriptHashes` are 'sha256-…' sources.
 */
export function devSecurityHeaders(inlineScriptHashes) {
  const policy = contentSecurityPolicy
    .replace("script-src 'self' 'wasm-unsafe-eval' blob:", `script-src 'self' 'wasm-unsafe-eval' blob: ${inlineScriptHashes.join(' ')}`)
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
  return { ...securityHeaders, 'Content-Security-Policy': policy };
}

export const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.tflite': 'application/octet-stream',
  '.data': 'application/octet-stream',
  '.binarypb': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.md': 'text/markdown; charset=utf-8',
};
