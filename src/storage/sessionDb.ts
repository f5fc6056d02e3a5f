import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';

/**
 * The saved sessions, in IndexedDB (through `idb`). This layer knows records, not app state: what a
 * value means is the store's business (`store/sessionPersistence.ts`), which validates what it reads,
 * since a saved session may come from an older build.
 *
 * Every write is one transaction over all stores, so a page closed mid-write leaves the previous
 * consistent session (IndexedDB aborts an unfinished transaction). Large arrays (ground truth,
 * imported predictions) are kept in chunks written one request after the other, so no single
 * structured clone of a 100 MB file blocks the page.
 */

export const SESSION_DB_NAME = 'keypoint-bench';
const SESSION_DB_VERSION = 1;
/**
 * Items per chunk record. 5,000 COCO annotations per clone made 100–370 ms tasks on a loaded 2-core machine;
 * 1,000 keep each under about 75 ms there.
 */
export const CHUNK_ITEMS = 1000;

export interface SessionMeta {
  id: string;
  name: string;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface StoredImage {
  id: string;
  /** Insertion order within the session (images are only appended). */
  order: number;
  meta: unknown;
  thumbnail: Blob | null;
}

interface Schema extends DBSchema {
  sessions: { key: string; value: SessionMeta };
  app: { key: string; value: string };
  images: { key: [string, string]; value: StoredImage & { sessionId: string } };
  /** The image files themselves, written once per image (never rewritten when its metadata changes). */
  files: { key: [string, string]; value: { sessionId: string; id: string; file: Blob } };
  results: { key: [string, string]; value: { sessionId: string; key: string; value: unknown } };
  values: { key: [string, string]; value: { sessionId: string; name: string; value: unknown } };
  chunks: { key: [string, string, number]; value: { sessionId: string; owner: string; index: number; items: unknown[] } };
}

type StoreName = 'sessions' | 'app' | 'images' | 'files' | 'results' | 'values' | 'chunks';
const ALL_STORES: StoreName[] = ['sessions', 'app', 'images', 'files', 'results', 'values', 'chunks'];
const CURRENT_SESSION_KEY = 'currentSessionId';

/** Every key of a session in a store keyed [sessionId, …]: arrays sort after every string and number. */
const sessionRange = (sessionId: string) => IDBKeyRange.bound([sessionId], [sessionId, []]);
const chunkRange = (sessionId: string, owner: string) => IDBKeyRange.bound([sessionId, owner], [sessionId, owner, []]);

/** What one write changes; everything in it commits together or not at all. */
export interface SessionWrite {
  putImages?: StoredImage[];
  putFiles?: { id: string; file: Blob }[];
  /** Also deletes the image's file and every result whose key starts with `${id}|`. */
  deleteImageIds?: string[];
  putResults?: { key: string; value: unknown }[];
  deleteResultKeys?: string[];
  putValues?: { name: string; value: unknown }[];
  deleteValues?: string[];
  /** Replaces all chunks of each owner. */
  putChunks?: { owner: string; items: readonly unknown[] }[];
  deleteChunkOwners?: string[];
}

export interface StoredSession {
  meta: SessionMeta;
  images: StoredImage[];
  files: Map<string, Blob>;
  results: Map<string, unknown>;
  values: Map<string, unknown>;
  /** Per owner, the chunks' items concatenated in order. */
  chunks: Map<string, unknown[]>;
}

export type SessionDb = IDBPDatabase<Schema>;

export function openSessionDb(name = SESSION_DB_NAME): Promise<SessionDb> {
  return openDB<Schema>(name, SESSION_DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('sessions', { keyPath: 'id' });
      db.createObjectStore('app');
      db.createObjectStore('images', { keyPath: ['sessionId', 'id'] });
      db.createObjectStore('files', { keyPath: ['sessionId', 'id'] });
      db.createObjectStore('results', { keyPath: ['sessionId', 'key'] });
      db.createObjectStore('values', { keyPath: ['sessionId', 'name'] });
      db.createObjectStore('chunks', { keyPath: ['sessionId', 'owner', 'index'] });
    },
  });
}

export async function listSessions(db: SessionDb): Promise<SessionMeta[]> {
  const sessions = await db.getAll('sessions');
  return sessions.sort((a, b) => a.createdAtMs - b.createdAtMs);
}

export async function currentSessionId(db: SessionDb): Promise<string | null> {
  return (await db.get('app', CURRENT_SESSION_KEY)) ?? null;
}

export async function createSession(db: SessionDb, name: string, nowMs = Date.now()): Promise<SessionMeta> {
  const tx = db.transaction(['sessions', 'app'], 'readwrite');
  const sessions = tx.objectStore('sessions');
  // Strictly after every other session, so the list keeps creation order even within one millisecond.
  const latestMs = Math.max(0, ...(await sessions.getAll()).map((m) => m.createdAtMs));
  const createdAtMs = Math.max(nowMs, latestMs + 1);
  const meta: SessionMeta = { id: crypto.randomUUID(), name, createdAtMs, updatedAtMs: createdAtMs };
  await Promise.all([sessions.put(meta), tx.objectStore('app').put(meta.id, CURRENT_SESSION_KEY), tx.done]);
  return meta;
}

export async function setCurrentSession(db: SessionDb, sessionId: string): Promise<void> {
  await db.put('app', sessionId, CURRENT_SESSION_KEY);
}

export async function renameSession(db: SessionDb, sessionId: string, name: string): Promise<void> {
  const tx = db.transaction('sessions', 'readwrite');
  const meta = await tx.store.get(sessionId);
  if (meta) await tx.store.put({ ...meta, name });
  await tx.done;
}

type WriteTx = IDBPTransaction<Schema, StoreName[], 'readwrite'>;

function deleteSessionRecords(tx: WriteTx, sessionId: string): Promise<unknown>[] {
  const range = sessionRange(sessionId);
  return [tx.objectStore('images').delete(range), tx.objectStore('files').delete(range), tx.objectStore('results').delete(range), tx.objectStore('values').delete(range), tx.objectStore('chunks').delete(range)];
}

/** Removes everything the session holds but keeps it (its name) in the list. */
export async function clearSession(db: SessionDb, sessionId: string): Promise<void> {
  const tx = db.transaction(ALL_STORES, 'readwrite');
  await Promise.all([...deleteSessionRecords(tx, sessionId), tx.done]);
}

/** Removes the session and everything it holds. */
export async function deleteSession(db: SessionDb, sessionId: string): Promise<void> {
  const tx = db.transaction(ALL_STORES, 'readwrite');
  const requests = [...deleteSessionRecords(tx, sessionId), tx.objectStore('sessions').delete(sessionId)];
  if ((await tx.objectStore('app').get(CURRENT_SESSION_KEY)) === sessionId) requests.push(tx.objectStore('app').delete(CURRENT_SESSION_KEY));
  await Promise.all([...requests, tx.done]);
}

/** Reads a whole session; null if it does not exist. Chunks are read one record per task (a cursor). */
export async function loadSession(db: SessionDb, sessionId: string): Promise<StoredSession | null> {
  const meta = await db.get('sessions', sessionId);
  if (!meta) return null;
  const range = sessionRange(sessionId);
  const tx = db.transaction(['images', 'files', 'results', 'values', 'chunks'], 'readonly');
  const [images, files, results, values] = await Promise.all([
    tx.objectStore('images').getAll(range),
    tx.objectStore('files').getAll(range),
    tx.objectStore('results').getAll(range),
    tx.objectStore('values').getAll(range),
  ]);
  const chunks = new Map<string, unknown[]>();
  for (let cursor = await tx.objectStore('chunks').openCursor(range); cursor; cursor = await cursor.continue()) {
    const { owner, items } = cursor.value;
    const list = chunks.get(owner) ?? [];
    for (const item of items) list.push(item);
    chunks.set(owner, list);
  }
  await tx.done;
  return {
    meta,
    images: images.map(({ id, order, meta: imageMeta, thumbnail }) => ({ id, order, meta: imageMeta, thumbnail })).sort((a, b) => a.order - b.order),
    files: new Map(files.map((f) => [f.id, f.file])),
    results: new Map(results.map((r) => [r.key, r.value])),
    values: new Map(values.map((v) => [v.name, v.value])),
    chunks,
  };
}

/**
 * Applies one write in a single transaction; resolves when it has committed, rejects (e.g. with a
 * QuotaExceededError) when it aborted, in which case nothing of it was kept.
 */
export async function writeSession(db: SessionDb, sessionId: string, write: SessionWrite, nowMs = Date.now()): Promise<void> {
  const tx = db.transaction(ALL_STORES, 'readwrite');
  // Observed below; marked handled now, since an abort can settle it before anything awaits it.
  tx.done.catch(() => undefined);
  const requests: Promise<unknown>[] = [];
  // A request that cannot even be made (a value that cannot be cloned) throws without aborting: abort
  // here, so nothing of this write is kept rather than part of it.
  const abort = (error: unknown): never => {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted.
    }
    throw error;
  };
  try {
    const images = tx.objectStore('images');
    const files = tx.objectStore('files');
    const results = tx.objectStore('results');
    const values = tx.objectStore('values');
    const chunks = tx.objectStore('chunks');
    for (const id of write.deleteImageIds ?? []) {
      requests.push(images.delete([sessionId, id]), files.delete([sessionId, id]));
      requests.push(results.delete(IDBKeyRange.bound([sessionId, `${id}|`], [sessionId, `${id}|\uffff`])));
    }
    for (const image of write.putImages ?? []) requests.push(images.put({ ...image, sessionId }));
    for (const { id, file } of write.putFiles ?? []) requests.push(files.put({ sessionId, id, file }));
    for (const key of write.deleteResultKeys ?? []) requests.push(results.delete([sessionId, key]));
    for (const { key, value } of write.putResults ?? []) requests.push(results.put({ sessionId, key, value }));
    for (const name of write.deleteValues ?? []) requests.push(values.delete([sessionId, name]));
    for (const { name, value } of write.putValues ?? []) requests.push(values.put({ sessionId, name, value }));
    for (const owner of write.deleteChunkOwners ?? []) requests.push(chunks.delete(chunkRange(sessionId, owner)));
    requests.push(
      (async () => {
        const sessions = tx.objectStore('sessions');
        const meta = await sessions.get(sessionId);
        if (meta) await sessions.put({ ...meta, updatedAtMs: nowMs });
      })(),
    );
    // Chunks one request after the other: each clone runs in its own task instead of all in this one.
    requests.push(
      (async () => {
        for (const { owner, items } of write.putChunks ?? []) {
          await chunks.delete(chunkRange(sessionId, owner));
          const count = Math.max(1, Math.ceil(items.length / CHUNK_ITEMS));
          for (let index = 0; index < count; index++) {
            await chunks.put({ sessionId, owner, index, items: items.slice(index * CHUNK_ITEMS, (index + 1) * CHUNK_ITEMS) });
          }
        }
      })().catch(abort),
    );
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted.
    }
    await Promise.allSettled(requests);
    await tx.done.catch(() => undefined);
    throw error;
  }
  // A failed request aborts the transaction; tx.done then rejects with the reason (e.g. QuotaExceededError).
  const settled = Promise.allSettled(requests);
  try {
    await tx.done;
  } finally {
    await settled;
  }
}
