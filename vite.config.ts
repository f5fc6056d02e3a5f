import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { gitCommit } from './src/cli/provenanceInputs';
// @ts-expect-error plain ESM helper shared with scripts/serve.mjs
import { contentTypes, devSecurityHeaders, securityHeaders, staticAssetDirs } from './scripts/static-assets.mjs';

type AssetDir = { urlPrefix: string; dir: string; files: string[] };

/** Serves model weights and WASM binaries from the app's own origin in dev, and copies them into the build. */
function ownOriginAssets(): Plugin {
  let outDir = 'dist';
  let isAppBuild = false;
  return {
    name: 'keypoint-bench-own-origin-assets',
    configResolved(config) {
      outDir = config.build.outDir;
      // Only a real `vite build` gets the weights; test runners that load this config must not.
      isAppBuild = config.command === 'build' && !process.env.VITEST;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        // The app imports models/manifest.json as a module: that request (a script, `?import`) is Vite's to answer
        // with JavaScript; served raw, the strict module MIME check (and nosniff) refuses it and dev shows nothing.
        if (req.headers['sec-fetch-dest'] === 'script' || (req.url ?? '').includes('?')) {
          next();
          return;
        }
        const url = req.url ?? '';
        for (const { urlPrefix, dir, files } of staticAssetDirs() as AssetDir[]) {
          const name = url.startsWith(urlPrefix) ? url.slice(urlPrefix.length) : null;
          if (name && files.includes(name)) {
            const path = join(dir, name);
            res.setHeader('Content-Type', (contentTypes as Record<string, string>)[extname(name)] ?? 'application/octet-stream');
            res.setHeader('Content-Length', String(statSync(path).size));
            createReadStream(path).pipe(res);
            return;
          }
        }
        next();
      });
    },
    closeBundle() {
      if (!isAppBuild) return;
      for (const { urlPrefix, dir, files } of staticAssetDirs() as AssetDir[]) {
        const target = join(outDir, urlPrefix);
        mkdirSync(target, { recursive: true });
        for (const name of files) copyFileSync(join(dir, name), join(target, name));
      }
    },
  };
}

/**
 * URL path → sha256 of every weight file and WASM binary the app fetches at run time, for the service worker's
 * versioned cache (src/sw/sw.ts): the models' hashes from the manifest (install-models.mjs verified the files
 * against them), the WASM binaries hashed here (they change only with the tfjs-backend-wasm version).
 */
function runtimeAssetHashes(): Record<string, string> {
  const hashes: Record<string, string> = {};
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, 'models', 'manifest.json'), 'utf8')) as { models: { files: { name: string; sha256: string }[] }[] };
  const modelHashes = new Map(manifest.models.flatMap((m) => m.files.map((f) => [f.name, f.sha256] as const)));
  for (const { urlPrefix, dir, files } of staticAssetDirs() as AssetDir[]) {
    for (const name of files) {
      const sha256 = urlPrefix === '/models/' ? modelHashes.get(name) : createHash('sha256').update(readFileSync(join(dir, name))).digest('hex');
      if (sha256) hashes[urlPrefix + name] = sha256;
    }
  }
  return hashes;
}

/** The one inline script Vite's dev server puts in index.html (React Refresh), allowed by its hash in dev only. */
const reactRefreshPreambleHash = `'sha256-${createHash('sha256').update(react.preambleCode.replace('__BASE__', '/')).digest('base64')}'`;

export default defineConfig(({ command }) => ({
  plugins: [
    react(),
    ownOriginAssets(),
    VitePWA({
      // Our own service worker (src/sw/sw.ts); vite-plugin-pwa builds it and injects the precache list.
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      // src/app/serviceWorker.ts registers it (after the shell, without an inline script: the CSP forbids those).
      injectRegister: false,
      // The dev server runs without a service worker.
      devOptions: { enabled: false },
      // The icons are in the glob below already (the web manifest itself is always added).
      includeManifestIcons: false,
      injectManifest: {
        rollupFormat: 'iife',
        // The shell: code, styles, page, samples, icons. Weights and WASM binaries are cached when used.
        globPatterns: ['**/*.{js,css,html,svg,png,jpg,json}'],
        globIgnores: ['models/**', 'tfjs-wasm/**', 'litert-wasm/**', 'sw.js'],
        // The inference worker's bundle (tfjs) is ~3.6 MB.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
      },
      manifest: {
        name: 'Keypoint Bench',
        short_name: 'Keypoint Bench',
        description: 'Compare pretrained keypoint models on your own images, privately, in the browser.',
        id: '/',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#111318',
        theme_color: '#111318',
        // Drawn by scripts/make-icons.mjs (PNG) and by hand (SVG).
        icons: [
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' },
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
  define: {
    // The commit every export records as the app version (src/core/evaluation/provenance.ts).
    __APP_VERSION__: JSON.stringify(gitCommit(import.meta.dirname)),
    // For the service worker's build (vite-plugin-pwa passes this config's define on to it).
    __KB_SW_ASSETS__: JSON.stringify(command === 'build' ? runtimeAssetHashes() : {}),
    __KB_SW_HEADERS__: JSON.stringify(securityHeaders),
  },
  resolve: {
    alias: {
      // pose-detection imports @mediapipe/pose for its 'mediapipe' runtime, which this app never
      // uses (it would load code from a CDN); the package is a script-tag global, not an ES module.
      '@mediapipe/pose': join(import.meta.dirname, 'src/inference/mediapipePoseShim.ts'),
      // The same for hand-pose-detection, face-landmarks-detection and face-detection ('mediapipe' runtimes).
      '@mediapipe/hands': join(import.meta.dirname, 'src/inference/mediapipeHandsShim.ts'),
      '@mediapipe/face_mesh': join(import.meta.dirname, 'src/inference/mediapipeFaceMeshShim.ts'),
      '@mediapipe/face_detection': join(import.meta.dirname, 'src/inference/mediapipeFaceDetectionShim.ts'),
    },
  },
  // Isolation, CSP and nosniff on every response, as scripts/serve.mjs sends them.
  server: { headers: devSecurityHeaders([reactRefreshPreambleHash]) },
  preview: { headers: securityHeaders },
  worker: {
    format: 'es',
    // tfjs-backend-wasm starts its pthreads from `factory.toString()`: minifying renames and
    // folds identifiers the stringified code looks up in the pthread's own global scope
    // ("e is not defined"), so the worker bundle keeps its names. Only the worker is affected.
    rolldownOptions: { output: { minify: false } },
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
}));
