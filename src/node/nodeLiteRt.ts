/**
 * LiteRT.js in Node (tests, the CLI): its loader runs the WASM module's classic script through `importScripts` and
 * reads `self`, `__dirname` and `require`, which an ES module in Node lacks. This gives them to it (once, before
 * the first LiteRT model loads) and points it at the package's own wasm/ folder. Single-threaded build: Node has
 * no `navigator` for its thread pool, and the threaded build needs relaxed SIMD, which Node 20 lacks by default.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { configureLiteRt, liteRtPrintErr } from '../inference/runtimes/litert';

let configured = false;

/** Where @litertjs/core's WASM files are in node_modules. */
export function nodeLiteRtWasmDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@litertjs/core/package.json')), 'wasm');
}

/** Configures the LiteRT runtime for Node; idempotent. */
export function configureNodeLiteRt(): void {
  if (configured) return;
  configured = true;
  const wasmDir = nodeLiteRtWasmDir();
  configureLiteRt({
    wasmBase: `${wasmDir}/`,
    // The single-threaded build from `wasmBase` (prepare returns nothing): Node has no pthread workers set up here.
    prepare() {
      const scope = globalThis as Record<string, unknown>;
      scope.self ??= globalThis;
      scope.require ??= createRequire(join(wasmDir, 'loader.js'));
      scope.__dirname ??= wasmDir;
      scope.__filename ??= join(wasmDir, 'loader.js');
      scope.importScripts ??= (path: string) => void runInThisContext(readFileSync(path, 'utf8'), { filename: path });
      // The module's options (its log lines as console.debug); LiteRT's loader hands `self.Module` to the factory.
      scope.Module = { printErr: liteRtPrintErr };
      return Promise.resolve(undefined);
    },
  });
}
