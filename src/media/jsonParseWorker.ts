/// <reference lib="webworker" />
/**
 * The JSON worker: reads a dropped ground-truth or results file, parses and validates it (core/coco/readCocoFile)
 * off the page's thread, with progress (bytes read, then entries validated), and hands the reading back as plain
 * data in chunks (see jsonParseProtocol.ts). One file at a time, in the order they came.
 */
import { packAnnotations } from '../core/coco/packAnnotations';
import { readCocoText, type CocoFileReading } from '../core/coco/readCocoFile';
import { sha256Hex } from '../core/evaluation/provenance';
import {
  JSON_CHUNK_ENTRIES,
  JSON_CHUNKS_IN_FLIGHT,
  PACKED_CHUNK_ANNOTATIONS,
  type JsonChunkPart,
  type JsonParseReply,
  type JsonParseRequest,
  type JsonParseStage,
  type JsonReadingHead,
  type ToJsonWorker,
} from './jsonParseProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
/** Progress messages at most this often: enough for a smooth bar, few enough to cost the page nothing. */
const PROGRESS_INTERVAL_MS = 50;

let queue: Promise<void> = Promise.resolve();
/** Chunks sent and not yet acknowledged by the page, and who waits for the next acknowledgement. */
let unacknowledged = 0;
let onAck: (() => void) | null = null;

scope.onmessage = (event: MessageEvent<ToJsonWorker>) => {
  const message = event.data;
  if (message.type === 'ack') {
    unacknowledged = Math.max(0, unacknowledged - 1);
    onAck?.();
    return;
  }
  queue = queue.then(() => handle(message));
};

/** Posts a chunk once fewer than JSON_CHUNKS_IN_FLIGHT are waiting on the page. */
async function postChunk(reply: JsonParseReply, transfer: Transferable[] = []): Promise<void> {
  while (unacknowledged >= JSON_CHUNKS_IN_FLIGHT) await new Promise<void>((resolve) => (onAck = resolve));
  onAck = null;
  unacknowledged++;
  scope.postMessage(reply, transfer);
}

async function handle({ id, file, context }: JsonParseRequest): Promise<void> {
  const send = (reply: JsonParseReply) => scope.postMessage(reply);
  let lastProgressAt = 0;
  const progress = (stage: JsonParseStage, force = false) => {
    const now = performance.now();
    if (!force && now - lastProgressAt < PROGRESS_INTERVAL_MS) return;
    lastProgressAt = now;
    send({ id, type: 'progress', stage });
  };
  try {
    const bytes = await readWithProgress(file, (bytesRead) => progress({ phase: 'reading', bytesRead, totalBytes: file.size }));
    progress({ phase: 'reading', bytesRead: bytes.length, totalBytes: file.size }, true);
    // The digest runs while the text is parsed; the ground truth's sha256 is of the bytes exactly as loaded.
    const sha256 = sha256Hex(bytes);
    progress({ phase: 'parsing', totalBytes: file.size }, true);
    const reading = readCocoText(new TextDecoder().decode(bytes), context, (stage) => {
      if (stage.phase === 'validating') progress(stage);
    });
    const head = await sendChunks(id, reading);
    send({ id, type: 'done', head, sha256: await sha256 });
  } catch (error) {
    send({ id, type: 'failed', message: error instanceof Error ? error.message : String(error) });
  } finally {
    unacknowledged = 0;
  }
}

/** The file's bytes, read as a stream so the page can show how far it got. */
async function readWithProgress(file: Blob, onBytes: (bytesRead: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(file.size);
  let offset = 0;
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.set(value, offset);
    offset += value.length;
    onBytes(offset);
  }
  return offset === out.length ? out : out.subarray(0, offset);
}

/** Posts the reading's big arrays in chunks and returns what is left of it. */
async function sendChunks(id: number, reading: CocoFileReading): Promise<JsonReadingHead> {
  const annotations = reading.kind === 'groundTruth' ? reading.dataset.annotations : [];
  const parts: [JsonChunkPart, readonly unknown[]][] =
    reading.kind === 'groundTruth'
      ? [['images', reading.dataset.images], ['problems', reading.problems]]
      : reading.kind === 'results'
        ? [['results', reading.results], ['problems', reading.problems]]
        : reading.kind === 'pendingResults'
          ? [['entries', reading.entries]]
          : [];
  const total = annotations.length + parts.reduce((sum, [, items]) => sum + items.length, 0);
  let done = 0;
  for (let start = 0; start < annotations.length; start += PACKED_CHUNK_ANNOTATIONS) {
    const chunk = annotations.slice(start, start + PACKED_CHUNK_ANNOTATIONS);
    done += chunk.length;
    const packed = packAnnotations(chunk);
    await postChunk({ id, type: 'annotations', packed, done, total }, [packed.buffer]);
  }
  for (const [part, items] of parts) {
    for (let start = 0; start < items.length; start += JSON_CHUNK_ENTRIES) {
      const chunk = items.slice(start, start + JSON_CHUNK_ENTRIES);
      done += chunk.length;
      await postChunk({ id, type: 'chunk', part, items: chunk, done, total });
    }
  }
  switch (reading.kind) {
    case 'refused':
      return reading;
    case 'groundTruth':
      return { kind: 'groundTruth', categories: [...reading.dataset.categories] };
    case 'results':
      return { kind: 'results' };
    case 'pendingResults':
      return { kind: 'pendingResults' };
  }
}
