/**
 * The body of the classic worker that hosts one legacy MediaPipe solution (@mediapipe/pose, hands or face_mesh).
 *
 * Why a worker of its own: in a worker the solution loads its scripts with `importScripts`, which the app's module
 * inference worker does not have, and each solution's scripts define the same globals (`Module`,
 * `createMediapipeSolutionsWasm`), so two solutions cannot share a scope. One classic worker per loaded model also
 * makes disposal exact: terminating it frees the solution's WASM heap and its WebGL context at once.
 *
 * The worker is a sandbox for the solution's file loading: it gets every file's bytes from the adapter (read and
 * sha256-checked against the manifest like any weight file) and serves them from memory. `fetch` and
 * `importScripts` answer only those files (blob: URLs made here); anything else is refused with an error naming it,
 * and XMLHttpRequest is removed, so the solution can neither download nor send anything.
 *
 * This function is turned into the worker's source with `Function.prototype.toString` (mediapipeSolutions.ts), so it
 * must not use anything from outside its own body (no imports, no module-level names; types are erased).
 */
import type { SolutionMemory, SolutionReply, SolutionRequest } from './solutionProtocol';

export function solutionWorkerMain(): void {
  interface SolutionObject {
    setOptions(options: Record<string, unknown>): void;
    onResults(listener: (results: Record<string, unknown>) => void): void;
    initialize(): Promise<void>;
    reset(): Promise<void> | void;
    send(inputs: { image: ImageData }, timestampMs?: number): Promise<void>;
    close(): Promise<void>;
  }
  type Scope = Record<string, unknown> & {
    postMessage(message: SolutionReply, transfer?: Transferable[]): void;
    onmessage: ((event: MessageEvent<SolutionRequest>) => void) | null;
  };
  const scope = self as unknown as Scope;
  const ownImportScripts = scope.importScripts as (...urls: string[]) => void;
  /** File name → its blob: URL; blob: URL → its bytes. */
  const urlOf = new Map<string, string>();
  const bytesOf = new Map<string, ArrayBuffer>();
  const nameOf = new Map<string, string>();
  let solution: SolutionObject | null = null;
  let latest: Record<string, unknown> | null = null;
  let lastTimestampMs = -Infinity;
  /** Whether the last frame gave any instance (then the graph may be tracking it). */
  let lastFound = false;
  let loadOptions: Record<string, unknown> = {};
  let modeOptions = '{}';
  let queue: Promise<void> = Promise.resolve();
  let wasmName = '';

  const refuse = (what: string) => new Error(`MediaPipe solution worker: refused ${what}: not one of the model's files (nothing is fetched at run time)`);
  const locate = (name: string): string => {
    const url = urlOf.get(name.split('/').pop() ?? name);
    if (!url) throw refuse(`the file '${name}'`);
    return url;
  };
  const urlOfRequest = (input: unknown): string => (typeof input === 'string' ? input : input instanceof URL ? input.href : (input as { url?: string }).url ?? String(input));

  scope.fetch = (input: unknown) => {
    const url = urlOfRequest(input);
    const bytes = bytesOf.get(url);
    if (!bytes) return Promise.reject(refuse(`fetch(${url})`));
    const type = url === urlOf.get(wasmName) ? 'application/wasm' : 'application/octet-stream';
    return Promise.resolve(new Response(bytes, { status: 200, headers: { 'Content-Type': type } }));
  };
  scope.importScripts = (...urls: string[]) => {
    for (const url of urls) {
      if (!bytesOf.has(url)) throw refuse(`importScripts(${url})`);
      // In a worker the solution passes its data files (the landmark .tflite) to importScripts along with its scripts
      // (its worker path does not filter them out as its page path does); they are fetched when the graph needs them.
      if (!(nameOf.get(url) ?? '').endsWith('.js')) continue;
      try {
        ownImportScripts(url);
      } catch (error) {
        throw new Error(`${nameOf.get(url) ?? url}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  scope.XMLHttpRequest = undefined;

  /**
   * What the solution keeps alive, counted from outside it for the benchmark's leak check: the WebAssembly.Memory its
   * module makes (seen through WebAssembly.instantiate*; a memory only grows) and every WebGL object and ImageBitmap it
   * creates minus those it deletes or closes. Counting wraps the constructors' prototypes before the solution loads,
   * so it sees the solution's own calls; the wrappers only count and call through.
   */
  const memories: WebAssembly.Memory[] = [];
  const keepMemories = (values: unknown[]) => {
    for (const value of values) if (value instanceof WebAssembly.Memory && !memories.includes(value)) memories.push(value);
  };
  const seeInstance = (instance: WebAssembly.Instance, imports: WebAssembly.Imports | undefined) =>
    keepMemories([...Object.values(instance.exports), ...Object.values(imports ?? {}).flatMap((module) => Object.values(module as Record<string, unknown>))]);
  const wasm = WebAssembly as unknown as Record<'instantiate' | 'instantiateStreaming', (source: unknown, imports?: WebAssembly.Imports) => Promise<WebAssembly.Instance | WebAssembly.WebAssemblyInstantiatedSource>>;
  for (const name of ['instantiate', 'instantiateStreaming'] as const) {
    const own = wasm[name];
    if (typeof own !== 'function') continue;
    wasm[name] = async (source, imports) => {
      const result = await own.call(WebAssembly, source, imports);
      seeInstance(result instanceof WebAssembly.Instance ? result : result.instance, imports);
      return result;
    };
  }
  let gpuObjects = 0;
  const alive = new WeakSet<object>();
  const made = (object: unknown) => {
    if (object && typeof object === 'object' && !alive.has(object)) {
      alive.add(object);
      gpuObjects++;
    }
    return object;
  };
  const gone = (object: unknown) => {
    if (object && typeof object === 'object' && alive.has(object)) {
      alive.delete(object);
      gpuObjects--;
    }
  };
  const wrap = (target: Record<string, unknown> | undefined, name: string, after: (result: unknown, args: unknown[]) => unknown) => {
    const own = target?.[name];
    if (typeof own !== 'function') return;
    target![name] = function (this: unknown, ...args: unknown[]) {
      return after(own.apply(this, args), args);
    };
  };
  const glPairs = ['Buffer', 'Framebuffer', 'Program', 'Renderbuffer', 'Shader', 'Texture', 'VertexArray', 'Query', 'Sampler', 'TransformFeedback'];
  for (const context of [scope.WebGL2RenderingContext, scope.WebGLRenderingContext] as ({ prototype: Record<string, unknown> } | undefined)[]) {
    const proto = context?.prototype;
    for (const kind of glPairs) {
      wrap(proto, `create${kind}`, made);
      wrap(proto, `delete${kind}`, (result, args) => (gone(args[0]), result));
    }
    wrap(proto, 'fenceSync', made);
    wrap(proto, 'deleteSync', (result, args) => (gone(args[0]), result));
  }
  wrap(scope.OffscreenCanvas ? (scope.OffscreenCanvas as { prototype: Record<string, unknown> }).prototype : undefined, 'transferToImageBitmap', made);
  wrap(scope, 'createImageBitmap', (result) => (result as Promise<unknown>).then(made));
  const bitmapPrototype = (scope.ImageBitmap as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  const ownClose = bitmapPrototype?.close;
  if (bitmapPrototype && typeof ownClose === 'function') {
    bitmapPrototype.close = function (this: object) {
      gone(this);
      return (ownClose as () => void).call(this);
    };
  }
  const memoryNow = (): SolutionMemory => ({ heapBytes: memories.length ? memories.reduce((sum, memory) => sum + memory.buffer.byteLength, 0) : null, gpuObjects });

  const plain = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

  /**
   * Two fixes the published solution scripts need in a worker, made in memory to the script text (the file itself was
   * checked against its sha256 first); each must match exactly once, else loading fails naming it. Their worker path
   * (1) creates its WebGL context with the WebGL2 request under a minified key (`majorVersion` renamed), so emscripten
   * would make a WebGL1 context, and (2) never keeps that context where `send` reads it (the page path does: its
   * `…K = gl` before `createContext(canvas, true, true, {})`), so every `send` fails reading `canvas` of undefined.
   * The fix asks for WebGL2 by the name emscripten reads and keeps the context in the page path's field.
   */
  function patchSolutionScript(name: string, source: string): string {
    const contextField = [...source.matchAll(/;(\w)\.(\w+)=(\w);\1\.(\w+)\.canvas=\1\.(\w+);\1\.\4\.createContext\(\1\.\5,!0,!0,\{\}\)/g)];
    const workerContext = [...source.matchAll(/(\w)\.(\w+)\.GL\.createContext\(\1\.(\w+),\{antialias:!1,\s*alpha:!1,\w+:("undefined"!==typeof WebGL2RenderingContext\?2:1)\}\);\1\.\2\.GL\.makeContextCurrent\((\w)\);/g)];
    if (contextField.length !== 1 || workerContext.length !== 1) {
      throw new Error(`MediaPipe solution: ${name} is not the script this worker knows how to fix (its WebGL context set-up: ${contextField.length} and ${workerContext.length} matches, 1 each expected)`);
    }
    const field = contextField[0]![2]!;
    const [whole, a, module, canvas, version, handle] = workerContext[0]! as unknown as string[];
    const fixed = `${a}.${module}.GL.createContext(${a}.${canvas},{antialias:!1,alpha:!1,majorVersion:${version}});${a}.${module}.GL.makeContextCurrent(${handle});${a}.${field}=${a}.${module}.GL.getContext(${handle}).GLctx;`;
    return source.replace(whole!, () => fixed);
  }

  /**
   * The app's CSP has no 'unsafe-eval'. The Pose and Hands builds' embind makes its invokers as closures; Face Mesh's
   * older build (emscripten without DYNAMIC_EXECUTION=0) makes three kinds with `new Function`: named wrappers, the
   * invokers of bound C++ functions, and emval's method callers. Each is swapped here, in memory, for a closure that
   * does exactly what the generated code does (same checks, wiring, destructors, return conversion); the text around
   * them must be the one this knows, and no dynamic code may remain, else loading fails naming the file.
   */
  function withoutDynamicCode(name: string, source: string): string {
    if (!source.includes('new Function') && !source.includes('new_(Function')) return source;
    const swap = (text: string, start: string, end: string, replacement: string) => {
      const from = text.indexOf(start);
      const to = from < 0 ? -1 : text.indexOf(end, from);
      if (from < 0 || to < 0 || text.indexOf(start, from + 1) >= 0) throw new Error(`MediaPipe solution: ${name} is not the build this worker knows how to run without eval (at ${start.slice(0, 40)}…)`);
      return text.slice(0, from) + replacement + text.slice(to + end.length);
    };
    let text = swap(source, 'function createNamedFunction(name,body){', '(body)}', 'function createNamedFunction(name,body){return function(){"use strict";return body.apply(this,arguments)}}');
    text = swap(
      text,
      'function craftInvokerFunction(humanName,argTypes,classType,cppInvokerFunc,cppTargetFunc){',
      'var invokerFunction=new_(Function,args1).apply(null,args2);return invokerFunction}',
      'function craftInvokerFunction(humanName,argTypes,classType,cppInvokerFunc,cppTargetFunc){var argCount=argTypes.length;' +
        'if(argCount<2){throwBindingError("argTypes array size mismatch! Must at least get return value and \'this\' types!")}' +
        'var isClassMethodFunc=argTypes[1]!==null&&classType!==null;var needsDestructorStack=false;' +
        'for(var i=1;i<argTypes.length;++i){if(argTypes[i]!==null&&argTypes[i].destructorFunction===undefined){needsDestructorStack=true;break}}' +
        'var returns=argTypes[0].name!=="void";var expected=argCount-2;var first=isClassMethodFunc?2:1;' +
        'return function(){if(arguments.length!==expected){throwBindingError("function "+humanName+" called with "+arguments.length+" arguments, expected "+expected+" args!")}' +
        'var destructors=needsDestructorStack?[]:null;var wired=[cppTargetFunc];' +
        'if(isClassMethodFunc){wired.push(argTypes[1].toWireType(destructors,this))}' +
        'for(var k=0;k<expected;++k){wired.push(argTypes[k+2].toWireType(destructors,arguments[k]))}' +
        'var rv=cppInvokerFunc.apply(null,wired);' +
        'if(needsDestructorStack){runDestructors(destructors)}else{for(var j=isClassMethodFunc?1:2;j<argTypes.length;++j){if(argTypes[j].destructorFunction!==null){argTypes[j].destructorFunction(j===1?wired[1]:wired[first+j-2])}}}' +
        'if(returns){return argTypes[0].fromWireType(rv)}}}',
    );
    text = swap(
      text,
      'var params=["retType"];var args=[retType];',
      'var invokerFunction=new_(Function,params).apply(null,args);',
      'var argTypesList=types.slice(1);var invokerFunction=function(handle,name,destructors,args){var values=new Array(argCount-1);var offset=0;' +
        'for(var i=0;i<argCount-1;++i){values[i]=argTypesList[i].readValueFromPointer(args+offset);offset+=argTypesList[i]["argPackAdvance"]}' +
        'var rv=handle[name].apply(handle,values);' +
        'for(var i=0;i<argCount-1;++i){if(argTypesList[i]["deleteObject"]){argTypesList[i].deleteObject(values[i])}}' +
        'if(!retType.isVoid){return retType.toWireType(destructors,rv)}};',
    );
    if (text.includes('new Function') || text.includes('new_(Function')) throw new Error(`MediaPipe solution: ${name} still makes code at run time (eval), which the app's CSP forbids`);
    return text;
  }

  const patched = (bytes: ArrayBuffer, patch: (source: string) => string) => new TextEncoder().encode(patch(new TextDecoder().decode(bytes))).buffer as ArrayBuffer;

  async function init(request: Extract<SolutionRequest, { type: 'init' }>): Promise<void> {
    const script = request.files[request.solutionFile];
    if (!script) throw new Error(`MediaPipe solution: ${request.solutionFile} is not among the model's files`);
    request.files[request.solutionFile] = patched(script, (source) => patchSolutionScript(request.solutionFile, source));
    for (const [name, bytes] of Object.entries(request.files)) {
      if (name.endsWith('_wasm_bin.js')) request.files[name] = patched(bytes, (source) => withoutDynamicCode(name, source));
    }
    for (const [name, bytes] of Object.entries(request.files)) {
      const url = URL.createObjectURL(new Blob([bytes], { type: name.endsWith('.js') ? 'text/javascript' : 'application/octet-stream' }));
      urlOf.set(name, url);
      bytesOf.set(url, bytes);
      nameOf.set(url, name);
      if (name.endsWith('.wasm')) wasmName = name;
    }
    if (typeof OffscreenCanvas === 'undefined') throw new Error('MediaPipe solution: this browser has no OffscreenCanvas in workers (the solution renders with WebGL2 on one)');
    // The packed-assets loader script adopts this object as its emscripten `Module`, which the solution then hands to
    // its WASM factory: its files come from here, the packed .data from memory instead of an XMLHttpRequest.
    scope.createMediapipeSolutionsPackedAssets = {
      locateFile: locate,
      getPreloadedPackage: (remoteName: string) => {
        const bytes = bytesOf.get(remoteName);
        if (!bytes) throw refuse(`the packed assets '${remoteName}'`);
        return bytes;
      },
      printErr: (line: string) => console.debug(`MediaPipe solution: ${line}`),
    };
    (scope.importScripts as (...urls: string[]) => void)(locate(request.solutionFile));
    const constructor = scope[request.className] as (new (config: { locateFile: (name: string) => string }) => SolutionObject) | undefined;
    if (typeof constructor !== 'function') throw new Error(`MediaPipe solution: ${request.solutionFile} defined no ${request.className}`);
    const created = new constructor({ locateFile: locate });
    created.setOptions(request.options);
    loadOptions = request.options;
    created.onResults((results) => {
      latest = results;
    });
    await created.initialize();
    solution = created;
  }

  /** Sends one frame and returns the solution's results for it (null: it called no listener). */
  async function sendFrame(rgba: Uint8ClampedArray<ArrayBuffer>, widthPx: number, heightPx: number, timestampMs: number): Promise<Record<string, unknown> | null> {
    latest = null;
    await solution!.send({ image: new ImageData(rgba, widthPx, heightPx) }, timestampMs);
    const results = latest as Record<string, unknown> | null;
    latest = null;
    // The solution hands back its input picture (an ImageBitmap): closed here, or each image would keep its GPU memory.
    const picture = results?.image as { close?: () => void } | undefined;
    if (picture && typeof picture.close === 'function') picture.close();
    return results;
  }

  const foundAny = (results: Record<string, unknown> | null, fields: readonly string[]) =>
    fields.some((field) => {
      const value = results?.[field];
      return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null;
    });

  async function estimate(request: Extract<SolutionRequest, { type: 'estimate' }>): Promise<SolutionReply> {
    if (!solution) throw new Error('MediaPipe solution: estimate before init');
    const { widthPx, heightPx, resultFields } = request;
    const wanted = JSON.stringify(request.modeOptions);
    if (wanted !== modeOptions) {
      // New options reload the graph at the next frame: nothing is tracked after that.
      solution.setOptions({ ...loadOptions, ...request.modeOptions });
      modeOptions = wanted;
      lastFound = false;
    }
    // MediaPipe needs rising timestamps: a video whose clock went back starts a new graph run.
    let timestampMs = request.timestampMs ?? Math.max(performance.now(), lastTimestampMs + 1);
    if (timestampMs <= lastTimestampMs) {
      await solution.reset();
      lastFound = false;
    }
    const start = performance.now();
    if (request.reset && lastFound) {
      // A still must not see the previous image. A blank frame loses every tracked region, so the next frame runs the
      // detector as a fresh graph does: the same landmarks as after reset(), which restarts the graph and costs far
      // more (SwiftShader: 4.8-6.9 s per still against 0.3 s for the blank frame). Checked identical to the last digit
      // for all three solutions, Pose only without landmark smoothing (its world and visibility filters outlive a
      // blank frame), which is why stills run Pose unsmoothed (`modeOptions`), as the tfjs twin does. Should the blank
      // frame find anything, the graph is restarted after all.
      if (foundAny(await sendFrame(new Uint8ClampedArray(widthPx * heightPx * 4), widthPx, heightPx, timestampMs), resultFields)) await solution.reset();
      timestampMs += 1;
    }
    const results = await sendFrame(new Uint8ClampedArray(request.rgba), widthPx, heightPx, timestampMs);
    const ms = performance.now() - start;
    lastTimestampMs = timestampMs;
    lastFound = foundAny(results, resultFields);
    const fields: Record<string, unknown> = {};
    for (const field of resultFields) fields[field] = plain(results?.[field]);
    return { type: 'result', id: request.id, fields, ms, gotResults: results !== null, memory: memoryNow() };
  }

  scope.onmessage = (event) => {
    const request = event.data;
    queue = queue.then(async () => {
      try {
        if (request.type === 'init') {
          await init(request);
          scope.postMessage({ type: 'ready' });
        } else {
          scope.postMessage(await estimate(request));
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        scope.postMessage(request.type === 'init' ? { type: 'failed', message } : { type: 'error', id: request.id, message });
      }
    });
  };
}
