/**
 * LiteRT.js in the app's inference worker. Its loader runs the WASM module's classic script with `importScripts`,
 * which a module worker does not allow; so the script (served from our own origin, /litert-wasm/, like tfjs's
 * WASM files) is fetched here, given one line that hands its factory to the worker's global scope, and imported
 * as a module from a blob: URL (the CSP allows blob: scripts, not eval). LiteRT's `importScripts` call is then a
 * no-op, and the module finds its .wasm next to the script through `locateFile`. The threaded build (one thread
 * per core) where the page is cross-origin isolated, else the single-threaded relaxed-SIMD build, else the compat build.
 */
import { supportsFeature } from '@litertjs/core';
import { configureLiteRt, liteRtPrintErr } from './litert';

/** Where the app serves LiteRT's WASM files (same origin; scripts/static-assets.mjs). */
export const LITERT_WASM_URL = '/litert-wasm/';

type LoaderScope = Record<string, unknown>;

export function configureBrowserLiteRt(): void {
  const scope = globalThis as unknown as LoaderScope;
  const ownImportScripts = Object.getOwnPropertyDescriptor(scope, 'importScripts');
  configureLiteRt({
    wasmBase: LITERT_WASM_URL,
    async prepare() {
      // Threads need SharedArrayBuffer (cross-origin isolation, which every server of the app sets up); the threaded
      // build is a relaxed-SIMD one. Measured here (2 cores, 8 photos, median per image): BlazePose lite 96 → 70 ms,
      // full 120 → 88 ms against the single-threaded build.
      const relaxedSimd = await supportsFeature('relaxedSimd');
      const threaded = globalThis.crossOriginIsolated === true && relaxedSimd && (await supportsFeature('threads')) && navigator.hardwareConcurrency > 1;
      const name = threaded ? 'litert_wasm_threaded_internal' : relaxedSimd ? 'litert_wasm_internal' : 'litert_wasm_compat_internal';
      const scriptUrl = new URL(`${LITERT_WASM_URL}${name}.js`, globalThis.location.href).href;
      const response = await fetch(scriptUrl);
      if (!response.ok) throw new Error(`LiteRT: ${scriptUrl} answered HTTP ${response.status}`);
      const source = `${await response.text()}\nglobalThis.ModuleFactory = ModuleFactory;\n`;
      const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      try {
        await import(/* @vite-ignore */ blobUrl);
      } finally {
        URL.revokeObjectURL(blobUrl);
      }
      if (typeof scope.ModuleFactory !== 'function') throw new Error('LiteRT: the WASM loader script defined no ModuleFactory');
      const base = new URL('.', scriptUrl).href;
      // Each pthread is a classic worker running this same script from its real URL (here it ran from a blob:).
      scope.Module = { locateFile: (path: string) => base + path, printErr: liteRtPrintErr, mainScriptUrlOrBlob: scriptUrl };
      // LiteRT calls importScripts(script) next; the script has run already.
      scope.importScripts = () => undefined;
      // One XNNPACK thread per core (the pthread pool is as large: navigator.hardwareConcurrency).
      return { path: scriptUrl, threads: threaded ? navigator.hardwareConcurrency : 1 };
    },
    finish() {
      if (ownImportScripts) Object.defineProperty(scope, 'importScripts', ownImportScripts);
      else delete scope.importScripts;
    },
  });
}
