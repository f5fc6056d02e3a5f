/** File-level handling of user images: what is accepted, folder walking, decoding upright. */

const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif|bmp)$/i;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/bmp', 'image/x-ms-bmp']);

import { INFERENCE_MAX_SIDE_PX, THUMBNAIL_MAX_SIDE_PX, inferenceSizePx } from '../core/imageLimits';

export { INFERENCE_MAX_SIDE_PX, THUMBNAIL_MAX_SIDE_PX };

export function isSupportedImageFile(file: File): boolean {
  return IMAGE_TYPES.has(file.type) || (file.type === '' && IMAGE_EXTENSIONS.test(file.name)) || IMAGE_EXTENSIONS.test(file.name);
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
    else result.skipped.push({ name: file.name, reason: `not a supported image type (${file.type || 'unknown type'}); use JPEG, PNG, WebP, GIF or BMP images, or COCO .json annotations/results` });
  }
  return result;
}

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
    const children = await readAllEntries(entry as FileSystemDirectoryEntry);
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
  thumbnail: ImageBitmap;
}

/**
 * Decodes a file upright (EXIF orientation applied, as the browser displays it), keeps a
 * thumbnail and the original size. Throws a message naming the file when it cannot be decoded.
 */
export async function decodeImageInfo(file: Blob, name: string): Promise<DecodedImageInfo> {
  let full: ImageBitmap;
  try {
    full = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new Error(`${name}: cannot be decoded as an image (corrupt, or a format this browser cannot read)`);
  }
  try {
    const widthPx = full.width;
    const heightPx = full.height;
    if (widthPx === 0 || heightPx === 0) throw new Error(`${name}: image has no pixels`);
    const scale = Math.min(1, THUMBNAIL_MAX_SIDE_PX / Math.max(widthPx, heightPx));
    const thumbnail = await createImageBitmap(full, {
      resizeWidth: Math.max(1, Math.round(widthPx * scale)),
      resizeHeight: Math.max(1, Math.round(heightPx * scale)),
      resizeQuality: 'high',
    });
    return { widthPx, heightPx, thumbnail };
  } finally {
    full.close();
  }
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
