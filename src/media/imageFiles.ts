/** File-level handling of user images: what is accepted, folder walking, decoding upright. */

import { INFERENCE_MAX_SIDE_PX, THUMBNAIL_MAX_SIDE_PX, inferenceSizePx } from '../core/imageLimits';
import type { ImageInfoReply, ImageInfoRequest } from './imageInfoProtocol';
import { inspectImage } from './imageInspect';

export { INFERENCE_MAX_SIDE_PX, THUMBNAIL_MAX_SIDE_PX };

/**
 * Files that go to the image path. Besides what browsers decode, HEIC/HEIF, SVG and TIFF come in too, so that
 * the header check names what they are and what to do in the image's place; the header (imageHeader.ts), not
 * this name, decides what a file is, so a HEIC or a PDF called .jpg is caught as well.
 */
const IMAGE_EXTENSIONS = /\.(jpe?g|jfif|png|webp|gif|bmp|avif|heic|heif|svg|tiff?)$/i;
const IMAGE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/bmp',
  'image/x-ms-bmp',
  'image/avif',
  'image/heic',
  'image/heif',
  'image/svg+xml',
  'image/tiff',
]);
/** The formats the app reads, for messages and the file picker. */
export const READABLE_FORMATS_TEXT = 'JPEG, PNG, WebP, GIF, BMP or AVIF';
export const IMAGE_PICKER_ACCEPT = `${[...IMAGE_TYPES].join(',')},.jpg,.jpeg,.jfif,.png,.webp,.gif,.bmp,.avif,.heic,.heif`;

export function isSupportedImageFile(file: File): boolean {
  return IMAGE_TYPES.has(file.type) || IMAGE_EXTENSIONS.test(file.name);
}

export interface CollectedFiles {
  files: File[];
  /** COCO ground truth or results files travelling with the images. */
  jsonFiles: File[];
  /** Names of dropped entries that are not supported images, with the reason. */
  skipped: { name: string; reason: string }[];
}

/** Splits picked/dropped files into supported images and skipped entries. */
export function partitionImageFiles(candidates: Iterable<File>): CollectedFiles {
  const result: CollectedFiles = { files: [], jsonFiles: [], skipped: [] };
  for (const file of candidates) {
    if (isSupportedImageFile(file)) result.files.push(file);
    else if (/\.json$/i.test(file.name) || file.type === 'application/json') result.jsonFiles.push(file);
    else result.skipped.push({ name: file.name, reason: `not a supported image type (${file.type || 'unknown type'}); use ${READABLE_FORMATS_TEXT} images, or COCO .json annotations/results` });
  }
  return result;
}

const NAME_ORDER = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function readAllEntries(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    // readEntries returns batches (100 in Chrome) until an empty batch.
    const readBatch = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          readBatch();
        }
      }, reject);
    readBatch();
  });
}

async function filesFromEntry(entry: FileSystemEntry, pathPrefix: string): Promise<File[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return [pathPrefix ? new File([file], `${pathPrefix}${file.name}`, { type: file.type, lastModified: file.lastModified }) : file];
  }
  if (entry.isDirectory) {
    // readEntries gives a folder's files in no defined order (Chrome: the file system's); by name, numbers in
    // names compared as numbers (img2 before img10), is the order a file browser shows.
    const children = (await readAllEntries(entry as FileSystemDirectoryEntry)).sort((a, b) => NAME_ORDER.compare(a.name, b.name));
    const nested = await Promise.all(children.map((child) => filesFromEntry(child, `${pathPrefix}${entry.name}/`)));
    return nested.flat();
  }
  return [];
}

/** All files of a drop, walking dropped folders recursively; file names keep their folder path. */
export async function filesFromDataTransfer(dataTransfer: DataTransfer): Promise<File[]> {
  const entries = [...dataTransfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.length > 0 && entries.every((entry) => entry !== null)) {
    const nested = await Promise.all(entries.map((entry) => filesFromEntry(entry as FileSystemEntry, '')));
    return nested.flat();
  }
  return [...dataTransfer.files];
}

export interface DecodedImageInfo {
  /** Upright (EXIF-applied) size of the original image. */
  widthPx: number;
  heightPx: number;
  /** JPEG, THUMBNAIL_MAX_SIDE_PX at most (see thumbnailSizePx). */
  thumbnail: Blob;
}

let worker: Worker | null | undefined;
let nextRequestId = 0;
const waiting = new Map<number, { name: string; resolve: (info: DecodedImageInfo) => void; reject: (error: Error) => void }>();

/** The image worker, started on first use; null where workers are unavailable (then images decode here). */
function imageWorker(): Worker | null {
  if (worker !== undefined) return worker;
  try {
    worker = new Worker(new URL('./imageInfoWorker.ts', import.meta.url), { type: 'module', name: 'image-info' });
  } catch {
    worker = null;
    return worker;
  }
  worker.onmessage = (event: MessageEvent<ImageInfoReply>) => {
    const reply = event.data;
    const entry = waiting.get(reply.id);
    if (!entry) return;
    waiting.delete(reply.id);
    if (reply.ok) entry.resolve({ widthPx: reply.widthPx, heightPx: reply.heightPx, thumbnail: reply.thumbnail });
    else entry.reject(new Error(reply.message));
  };
  worker.onerror = (event) => {
    // A crashed worker (out of memory on a huge image, say): its images fail with a message, the next one starts a new worker.
    event.preventDefault();
    for (const [id, entry] of waiting) {
      waiting.delete(id);
      entry.reject(new Error(`${entry.name}: the image decoder stopped (${event.message || 'out of memory?'}); remove the image and add it again`));
    }
    worker?.terminate();
    worker = undefined;
  };
  return worker;
}

/**
 * Checks a file by its header and decodes it upright (EXIF orientation applied, as the browser displays it),
 * in the image worker: its size and a thumbnail. Rejects with the message to show in the image's place
 * (it names the file) when the file is refused or cannot be decoded.
 */
export function decodeImageInfo(file: Blob, name: string): Promise<DecodedImageInfo> {
  const target = imageWorker();
  if (!target) return inspectImage(file, name, THUMBNAIL_MAX_SIDE_PX);
  return new Promise((resolve, reject) => {
    const id = ++nextRequestId;
    waiting.set(id, { name, resolve, reject });
    const request: ImageInfoRequest = { id, file, name, thumbnailMaxSidePx: THUMBNAIL_MAX_SIDE_PX };
    target.postMessage(request);
  });
}

/**
 * A bitmap of the image at most `maxSidePx` on its longer side, upright, for inference or the
 * large view; `scaleToImagePx` maps its pixels back to original-image pixels.
 */
export async function decodeForInference(
  file: Blob,
  size: { widthPx: number; heightPx: number },
  maxSidePx = INFERENCE_MAX_SIDE_PX,
): Promise<{ bitmap: ImageBitmap; scaleToImagePx: number }> {
  const target = inferenceSizePx(size, maxSidePx);
  if (target.scaleToImagePx === 1) return { bitmap: await createImageBitmap(file, { imageOrientation: 'from-image' }), scaleToImagePx: 1 };
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image', resizeWidth: target.widthPx, resizeHeight: target.heightPx, resizeQuality: 'high' });
  return { bitmap, scaleToImagePx: target.scaleToImagePx };
}
