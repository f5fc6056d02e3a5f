import { create } from 'zustand';
import type { CocoImage, CocoKeypointAnnotation, CocoKeypointResult, ParseProblem } from '../core/coco/cocoTypes';
import { unpackAnnotations } from '../core/coco/packAnnotations';
import { readCocoText, readCocoValue, resultsContextOf, type CocoFileReading, type ResultsContext } from '../core/coco/readCocoFile';
import { sha256Hex } from '../core/evaluation/provenance';
import type { JsonParseReply, JsonParseStage, ToJsonWorker } from '../media/jsonParseProtocol';
import { useAppStore } from './appStore';
import type { GroundTruthState, PendingPredictions } from './evaluationSlice';
import { DatasetIndexBuilder, groundTruthIndex } from './groundTruthIndex';
import { pushNoticeOnce } from './noticeOnce';
import type { ImageItem } from './types';

export { fileEntriesOf } from '../core/coco/readCocoFile';

let externalCounter = 0;

/** A JSON file being read, for the progress shown where files are added. */
export interface JsonImportProgressEntry {
  id: number;
  fileName: string;
  stage: JsonParseStage;
}

/** Files being read now (kept apart from the app store: it is transient and never saved with the session). */
export const useJsonImportProgress = create<{ active: JsonImportProgressEntry[] }>(() => ({ active: [] }));

function setProgress(id: number, fileName: string, stage: JsonParseStage | null): void {
  useJsonImportProgress.setState((s) => ({
    active: stage === null ? s.active.filter((e) => e.id !== id) : s.active.some((e) => e.id === id) ? s.active.map((e) => (e.id === id ? { id, fileName, stage } : e)) : [...s.active, { id, fileName, stage }],
  }));
}

/** "hrnet_w32.results.json" → "hrnet_w32": a default column name the user can change. */
function columnNameFromFile(fileName: string): string {
  return fileName.replace(/\.json$/i, '').replace(/[._-]?(results|predictions|preds|dets|detections)$/i, '') || fileName;
}

// --- Reading: in the JSON worker where there is one, else here (Node tests) --------------------------------------

let worker: Worker | null | undefined;
let nextReadId = 0;
interface PendingRead {
  fileName: string;
  images: CocoImage[];
  annotations: CocoKeypointAnnotation[];
  results: CocoKeypointResult[];
  entries: unknown[];
  problems: ParseProblem[];
  /** Ground truth is indexed as it arrives, chunk by chunk (see DatasetIndexBuilder). */
  index: DatasetIndexBuilder;
  /** When the progress line was last updated: at most every PROGRESS_UPDATE_MS, as chunks come fast. */
  shownAt: number;
  resolve: (value: { reading: CocoFileReading; sha256: string | null }) => void;
  reject: (error: Error) => void;
}
const reads = new Map<number, PendingRead>();

function append<T>(target: T[], items: readonly unknown[]): void {
  // Chunks hold a few thousand entries; a loop, since push(...items) would put them all on the call stack.
  for (const item of items) target.push(item as T);
}

const PROGRESS_UPDATE_MS = 100;

function showReceiving(id: number, read: PendingRead, done: number, total: number): void {
  const now = performance.now();
  if (now - read.shownAt < PROGRESS_UPDATE_MS && done < total) return;
  read.shownAt = now;
  setProgress(id, read.fileName, { phase: 'receiving', done, total });
}

function acknowledge(id: number): void {
  const ack: ToJsonWorker = { type: 'ack', id };
  worker?.postMessage(ack);
}

function jsonWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (typeof Worker === 'undefined') return (worker = null);
  try {
    worker = new Worker(new URL('../media/jsonParseWorker.ts', import.meta.url), { type: 'module', name: 'json-parse' });
  } catch {
    return (worker = null);
  }
  worker.onmessage = (event: MessageEvent<JsonParseReply>) => {
    const reply = event.data;
    const read = reads.get(reply.id);
    if (!read) return;
    switch (reply.type) {
      case 'progress':
        setProgress(reply.id, read.fileName, reply.stage);
        return;
      case 'chunk':
        append(read[reply.part], reply.items);
        if (reply.part === 'images') read.index.addImages(reply.items as CocoImage[]);
        acknowledge(reply.id);
        showReceiving(reply.id, read, reply.done, reply.total);
        return;
      case 'annotations': {
        const chunk: CocoKeypointAnnotation[] = [];
        unpackAnnotations(reply.packed, chunk);
        append(read.annotations, chunk);
        read.index.addAnnotations(chunk);
        acknowledge(reply.id);
        showReceiving(reply.id, read, reply.done, reply.total);
        return;
      }
      case 'failed':
        reads.delete(reply.id);
        read.reject(new Error(reply.message));
        return;
      case 'done': {
        reads.delete(reply.id);
        const { head } = reply;
        let reading: CocoFileReading;
        if (head.kind === 'groundTruth') {
          const dataset = { images: read.images, annotations: read.annotations, categories: head.categories };
          read.index.register(dataset);
          reading = { kind: 'groundTruth', dataset, problems: read.problems };
        } else if (head.kind === 'results') {
          reading = { kind: 'results', results: read.results, problems: read.problems };
        } else if (head.kind === 'pendingResults') {
          reading = { kind: 'pendingResults', entries: read.entries };
        } else {
          reading = head;
        }
        // The store update (and the render and save it starts) in a task of its own, not after the last chunk's.
        setTimeout(() => read.resolve({ reading, sha256: reply.sha256 }), 0);
        return;
      }
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    for (const [id, read] of reads) {
      reads.delete(id);
      read.reject(new Error(`the JSON reader stopped (${event.message || 'out of memory?'})`));
    }
    worker?.terminate();
    worker = undefined;
  };
  return worker;
}

/** Reads, parses and validates a file: in the worker, with progress, or directly where workers are unavailable. */
async function readJsonFile(file: Blob, fileName: string, context: ResultsContext | null): Promise<{ reading: CocoFileReading; sha256: string | null }> {
  const target = jsonWorker();
  if (!target) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return { reading: readCocoText(new TextDecoder().decode(bytes), context), sha256: await sha256Hex(bytes) };
  }
  const id = ++nextReadId;
  setProgress(id, fileName, { phase: 'reading', bytesRead: 0, totalBytes: file.size });
  try {
    return await new Promise((resolve, reject) => {
      reads.set(id, { fileName, images: [], annotations: [], results: [], entries: [], problems: [], index: new DatasetIndexBuilder(), shownAt: 0, resolve, reject });
      const request: ToJsonWorker = { type: 'read', id, file, context };
      target.postMessage(request);
    });
  } finally {
    setProgress(id, fileName, null);
  }
}

// --- What each reading does to the store --------------------------------------------------------------------------

/** The last ground-truth file this page read (a session restored after a reload has only the parsed copy). */
let lastGroundTruthFile: { fileName: string; sha256: string | null; file: Blob } | null = null;

/** The file the ground truth in use was read from, where this page read it (user sigmas applied since do not matter). */
export function groundTruthFile(gt: Pick<GroundTruthState, 'fileName' | 'sha256'>): Blob | null {
  const last = lastGroundTruthFile;
  return last && last.fileName === gt.fileName && last.sha256 === gt.sha256 ? last.file : null;
}

/** Results files read before ground truth, by their pending entry: the file, re-read in the worker once it comes. */
const pendingFiles = new WeakMap<PendingPredictions, Blob>();

function addColumn(fileName: string, results: CocoKeypointResult[], problems: ParseProblem[]): void {
  useAppStore.getState().addExternalColumn({ id: `ext-${++externalCounter}`, name: columnNameFromFile(fileName), fileName, results, problems });
}

/** A results file against the current ground truth: a column, or one notice per reason it was refused. */
async function importPredictions(fileName: string, file: Blob | null, json: unknown, gt: GroundTruthState): Promise<void> {
  const context = resultsContextOf(gt.dataset);
  const reading = file ? (await readJsonFile(file, fileName, context)).reading : readCocoValue(json, context);
  applyReading(fileName, file, reading, null);
}

function applyReading(fileName: string, file: Blob | null, reading: CocoFileReading, sha256: string | null): Promise<void> | void {
  const store = useAppStore.getState();
  switch (reading.kind) {
    case 'refused':
      for (const message of reading.messages) pushNoticeOnce('evaluation', `${fileName}: ${message}`);
      return;
    case 'results':
      addColumn(fileName, reading.results, reading.problems);
      return;
    case 'pendingResults': {
      // Ground truth may have arrived while this file was read: then it is checked against it now.
      if (store.groundTruth) return importPredictions(fileName, file, reading.entries, store.groundTruth);
      const pending: PendingPredictions = { fileName, json: reading.entries };
      if (file) pendingFiles.set(pending, file);
      store.setPendingPredictions([...store.pendingPredictions, pending]);
      pushNoticeOnce('evaluation', `${fileName}: predictions kept; add the ground-truth annotations.json to match their image ids`);
      return;
    }
    case 'groundTruth': {
      const gt: GroundTruthState = { fileName, sha256, dataset: reading.dataset, problems: reading.problems };
      // Label mode continues from the file itself, so the fields the evaluation drops (segmentation, info…) are kept.
      lastGroundTruthFile = file ? { fileName, sha256, file } : null;
      return applyGroundTruth(gt);
    }
  }
}

async function applyGroundTruth(gt: GroundTruthState): Promise<void> {
  const store = useAppStore.getState();
  store.setGroundTruth(gt);
  const pending = useAppStore.getState().pendingPredictions;
  useAppStore.getState().setPendingPredictions([]);
  // In a task of its own: the page has just received a possibly huge ground truth and renders it now.
  setTimeout(warnIfNoImageMatches, 0);
  for (const entry of pending) await importPredictions(entry.fileName, pendingFiles.get(entry) ?? null, entry.json, gt);
}

/**
 * With ground truth and images both there but not one image matching it by file name, nothing can be evaluated:
 * say so once, naming a few names on each side, so a mismatch (another split, renamed files) is plain at once.
 */
export function noImageMatchMessage(gt: GroundTruthState | null, images: ImageItem[]): string | null {
  const added = images.filter((image) => image.status !== 'error');
  if (!gt || added.length === 0) return null;
  // The store's own array, so the index is the one the ground-truth panel reads (memoised): 250,000 annotations
  // are indexed once, not twice.
  const index = groundTruthIndex(gt, images);
  if (!index || added.some((image) => index.gtImageByAppImageId.has(image.id))) return null;
  const examples = (names: string[]) => names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  const listed: string[] = [];
  for (const image of gt.dataset.images) {
    if (image.file_name) listed.push(image.file_name);
    if (listed.length > 3) break;
  }
  return (
    `${gt.fileName}: matches none of the ${added.length} added image${added.length === 1 ? '' : 's'} by file name ` +
    `(it lists ${listed.length > 0 ? examples(listed) : 'no file names'}; added: ${examples(added.map((image) => image.name))}); ` +
    'add the images it annotates, or the annotations of these images'
  );
}

/** Shows the "matches no image" notice when it applies (after ground truth or images were added). */
export function warnIfNoImageMatches(): void {
  const { groundTruth, images } = useAppStore.getState();
  const message = noImageMatchMessage(groundTruth, images);
  if (message) pushNoticeOnce('evaluation', message);
}

/**
 * Reads a dropped/picked JSON file off the page's thread: an object with images/annotations is ground truth
 * (replacing any earlier one); an array is a COCO results file from another model, which becomes a column
 * (held until ground truth arrives, since its image ids refer to it). Problems are reported with the file name
 * and entry; good entries are kept. A results file with no valid entry is refused with a message, not shown as
 * an empty column.
 */
export async function importJsonFile(file: Blob, fileName: string): Promise<void> {
  const gt = useAppStore.getState().groundTruth;
  let read: { reading: CocoFileReading; sha256: string | null };
  try {
    read = await readJsonFile(file, fileName, gt ? resultsContextOf(gt.dataset) : null);
  } catch (error) {
    pushNoticeOnce('evaluation', `${fileName}: could not be read: ${error instanceof Error ? error.message : String(error)}; try adding it again`);
    return;
  }
  const now = useAppStore.getState().groundTruth;
  // Ground truth replaced while a results file was checked against the old one: check it against the new one.
  if (read.reading.kind === 'results' && now !== gt && now) return importPredictions(fileName, file, null, now);
  await applyReading(fileName, file, read.reading, read.sha256);
}
