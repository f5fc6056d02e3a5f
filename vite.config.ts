import { copyFileSync, createReadStream, mkdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { gitCommit } from './src/cli/provenanceInputs';
// @ts-expect-error plain ESM helper shared with scripts/serve.mjs
import { contentTypes, crossOriginIsolationHeaders, staticAssetDirs } from './scripts/static-assets.mjs';

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
        const url = (req.url ?? '').split('?')[0] ?? '';
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

export default defineConfig({
  plugins: [react(), ownOriginAssets()],
  // The commit every export records as the app version (src/core/evaluation/provenance.ts).
  define: { __APP_VERSION__: JSON.stringify(gitCommit(import.meta.dirname)) },
  resolve: {
    alias: {
      // pose-detection imports @mediapipe/pose for its 'mediapipe' runtime, which this app never
      // uses (it would load code from a CDN); the package is a script-tag global, not an ES module.
      '@mediapipe/pose': join(import.meta.dirname, 'src/inference/mediapipePoseShim.ts'),
    },
  },
  server: { headers: crossOriginIsolationHeaders },
  preview: { headers: crossOriginIsolationHeaders },
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
});
