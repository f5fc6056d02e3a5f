/**
 * The same file added twice (picked again, or a copy in a dropped folder) would be a second row that ground
 * truth matches too, so it is counted once: files are the same when their bytes are. Only files whose sizes
 * match one another are read and hashed, so adding distinct photos reads nothing.
 */
import type { RepeatsReply, RepeatsRequest } from './repeatsProtocol';

export interface NamedBlob {
  file: Blob;
  name: string;
}

export interface DuplicateSplit<T extends NamedBlob> {
  /** Files not seen before, in the order given. */
  unique: T[];
  /** Each file left out, with the name of the file it repeats (an earlier one, or one already added). */
  duplicates: { name: string; sameAs: string }[];
}

const digests = new WeakMap<Blob, Promise<string>>();

/** SHA-256 of the bytes (hex) where Web Crypto is available (secure contexts, Node), else the bytes as text. */
function fingerprint(file: Blob): Promise<string> {
  let digest = digests.get(file);
  if (!digest) {
    digest = file.arrayBuffer().then(async (buffer) => {
      if (globalThis.crypto?.subtle) {
        const hash = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', buffer));
        return [...hash].map((b) => b.toString(16).padStart(2, '0')).join('');
      }
      // No Web Crypto (an insecure context): equal sizes are rare enough to compare the bytes themselves.
      return new TextDecoder('latin1').decode(buffer);
    });
    digests.set(file, digest);
  }
  return digest;
}

/** Splits `incoming` into files to add and repeats of an earlier incoming file or of one in `existing`. */
export async function splitDuplicates<T extends NamedBlob>(incoming: readonly T[], existing: readonly NamedBlob[]): Promise<DuplicateSplit<T>> {
  // Each file's size read once: a disk-backed File answers `size` through the browser process, and 1,000 photos
  // dropped at once made this the longest task of the drop (the scale run).
  const sizeOf = new Map<Blob, number>();
  for (const { file } of [...existing, ...incoming]) sizeOf.set(file, file.size);
  const sizes = new Map<number, number>();
  for (const size of sizeOf.values()) sizes.set(size, (sizes.get(size) ?? 0) + 1);
  const seen = new Map<string, string>();
  const key = async ({ file, name }: NamedBlob) => {
    const size = sizeOf.get(file) ?? file.size;
    // Empty files are all alike: one is a repeat only under the same name (each gets its own "empty" message).
    if (size === 0) return `0:${name}`;
    return (sizes.get(size) ?? 0) > 1 ? `${size}:${await fingerprint(file)}` : `${size}:`;
  };
  for (const item of existing) {
    const k = await key(item);
    if (!seen.has(k)) seen.set(k, item.name);
  }
  const result: DuplicateSplit<T> = { unique: [], duplicates: [] };
  for (const item of incoming) {
    const k = await key(item);
    const sameAs = seen.get(k);
    if (sameAs !== undefined) result.duplicates.push({ name: item.name, sameAs });
    else {
      seen.set(k, item.name);
      result.unique.push(item);
    }
  }
  return result;
}

let worker: Worker | null | undefined;
let nextId = 0;
const waiting = new Map<number, (reply: RepeatsReply) => void>();

function repeatsWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (typeof Worker === 'undefined') return (worker = null);
  try {
    worker = new Worker(new URL('./repeatsWorker.ts', import.meta.url), { type: 'module', name: 'repeats' });
  } catch {
    return (worker = null);
  }
  worker.onmessage = (event: MessageEvent<RepeatsReply>) => {
    waiting.get(event.data.id)?.(event.data);
    waiting.delete(event.data.id);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    for (const [id, resolve] of waiting) resolve({ id, ok: false, message: event.message || 'the repeat check stopped' });
    waiting.clear();
    worker?.terminate();
    worker = undefined;
  };
  return worker;
}

/**
 * splitDuplicates in the repeats worker (where there is one): the page's thread never reads the files' sizes or
 * bytes. Falls back to checking here if the worker fails.
 */
export async function splitDuplicatesOffThread<T extends NamedBlob>(incoming: readonly T[], existing: readonly NamedBlob[]): Promise<DuplicateSplit<T>> {
  const target = repeatsWorker();
  if (!target) return splitDuplicates(incoming, existing);
  const id = ++nextId;
  const reply = await new Promise<RepeatsReply>((resolve) => {
    waiting.set(id, resolve);
    const request: RepeatsRequest = {
      id,
      incoming: incoming.map(({ file, name }) => ({ file, name })),
      existing: existing.map(({ file, name }) => ({ file, name })),
    };
    target.postMessage(request);
  });
  if (!reply.ok) return splitDuplicates(incoming, existing);
  return { unique: reply.uniqueIndices.map((i) => incoming[i]!), duplicates: reply.duplicates };
}
