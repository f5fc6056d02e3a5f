/**
 * Messages between the page and the JSON worker (jsonParseWorker.ts). Large arrays come back in chunks: a
 * message is deserialised on the page's thread in one go, and 280,000 annotations in one message would block
 * it for seconds; chunks of a few thousand take a few milliseconds each.
 */
import type { CocoKeypointCategory, ParseProblem } from '../core/coco/cocoTypes';
import type { ResultsContext } from '../core/coco/readCocoFile';

export interface JsonParseRequest {
  type: 'read';
  id: number;
  /** The file itself (passed by reference). */
  file: Blob;
  /** The current ground truth's ids and categories, to check a results file against; null without ground truth. */
  context: ResultsContext | null;
}

/**
 * The page took a chunk: the worker keeps at most JSON_CHUNKS_IN_FLIGHT unacknowledged, so the page's thread
 * gets its turns (input, rendering, the garbage collector's idle-time work) between chunks instead of
 * deserialising a hundred of them back to back.
 */
export interface JsonChunkAck {
  type: 'ack';
  id: number;
}

export type ToJsonWorker = JsonParseRequest | JsonChunkAck;

export const JSON_CHUNKS_IN_FLIGHT = 2;

export type JsonParseStage =
  | { phase: 'reading'; bytesRead: number; totalBytes: number }
  | { phase: 'parsing'; totalBytes: number }
  | { phase: 'validating'; done: number; total: number }
  /** Entries handed to the page so far (the chunks' `done`). */
  | { phase: 'receiving'; done: number; total: number };

/** Which array of the reading a chunk belongs to (annotations come packed, see the 'annotations' reply). */
export type JsonChunkPart = 'images' | 'results' | 'entries' | 'problems';

/** The reading without its big arrays (they came as chunks before it). */
export type JsonReadingHead =
  | { kind: 'refused'; messages: string[] }
  | { kind: 'groundTruth'; categories: CocoKeypointCategory[] }
  | { kind: 'results' }
  | { kind: 'pendingResults' };

export type JsonParseReply =
  | { id: number; type: 'progress'; stage: JsonParseStage }
  /** `done` of `total`: entries of every part sent so far, this chunk included, for the page's progress bar. */
  | { id: number; type: 'chunk'; part: JsonChunkPart; items: unknown[]; done: number; total: number }
  /** Ground-truth annotations packed into numbers (core/coco/packAnnotations): transferred, not cloned. */
  | { id: number; type: 'annotations'; packed: Float64Array; done: number; total: number }
  /** `sha256` of the file's bytes (null without Web Crypto). */
  | { id: number; type: 'done'; head: JsonReadingHead; sha256: string | null }
  | { id: number; type: 'failed'; message: string };

/**
 * Entries per chunk of plain objects: measured in Chromium on this project's 2-core machine, 4,000 keypoint
 * annotations as objects took 25–100 ms to deserialise on the page's thread; 500 small entries (images) take a few.
 */
export const JSON_CHUNK_ENTRIES = 500;
/** Annotations per packed chunk: 2,000 are ~1 MB of numbers, unpacked in a few milliseconds (20 ms on a loaded 2-core machine). */
export const PACKED_CHUNK_ANNOTATIONS = 2000;

export type { ParseProblem };
