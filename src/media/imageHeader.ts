/**
 * What a file is, from its first bytes, before any decoder sees it: the format by its signature (never by the
 * file name or the type the browser guessed from it) and, for the formats the app reads, the pixel size from the
 * header. Pure: bytes in, a description out, so it runs in Node tests and in the browser alike.
 *
 * Why: the browser's decoders say only "cannot decode" for everything from an empty file to a PDF called .jpg or
 * an iPhone HEIC, and a 20000×20000 JPEG is decoded in full (1.6 GB of pixels) before anything can refuse it.
 * Reading the header first gives each of these its own message, and the size check costs a few kilobytes.
 */

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'avif' | 'heic';

export const FORMAT_NAMES: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'JPEG',
  png: 'PNG',
  gif: 'GIF',
  webp: 'WebP',
  bmp: 'BMP',
  avif: 'AVIF',
  heic: 'HEIC/HEIF',
};

export type HeaderInfo =
  /** A format the app hands to the browser's decoder; the size is null where the header does not say it simply. */
  | {
      kind: 'image';
      format: ImageFormat;
      widthPx: number | null;
      heightPx: number | null;
      /** JPEG only: where the first scan's entropy-coded data starts (the end-of-image marker must follow it). */
      jpegScanOffset?: number;
      /** JPEG: 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK; PNG: the bit depth. For messages and tests. */
      detail?: string;
    }
  | { kind: 'empty' }
  /** The header goes on past the bytes given: call again with at least `needBytes` bytes of the file. */
  | { kind: 'needMoreBytes'; needBytes: number }
  /** The file itself ends inside the header. */
  | { kind: 'truncated'; format: ImageFormat; what: string }
  /** The header is there but makes no sense (a zero size, a bad marker). */
  | { kind: 'corrupt'; format: ImageFormat; what: string }
  /** Not an image the app reads: a PDF, an SVG drawing, text, another format. */
  | { kind: 'notImage'; what: string; advice: string };

/** How much of a file to read first: enough for every format's header except JPEGs with large metadata. */
export const HEADER_PROBE_BYTES = 64 * 1024;

const ascii = (bytes: Uint8Array, start: number, length: number): string => {
  let out = '';
  for (let i = start; i < start + length && i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
};
const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) >>> 0) + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
const u32le = (b: Uint8Array, i: number) => ((b[i + 3]! << 24) >>> 0) + ((b[i + 2]! << 16) | (b[i + 1]! << 8) | b[i]!);
const i32le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

/**
 * Describes a file from `bytes`, its first bytes (or all of it), and its full size `fileSize`.
 * Returns `needMoreBytes` when the header runs past `bytes` but not past the file.
 */
export function readImageHeader(bytes: Uint8Array, fileSize: number): HeaderInfo {
  if (fileSize === 0) return { kind: 'empty' };
  const complete = bytes.length >= fileSize;
  const more = (needBytes: number): HeaderInfo => ({ kind: 'needMoreBytes', needBytes: Math.min(fileSize, Math.max(needBytes, bytes.length * 2)) });

  if (bytes[0] === 0xff && bytes[1] === 0xd8 && (bytes.length < 3 || bytes[2] === 0xff)) return readJpeg(bytes, complete, more);
  if (ascii(bytes, 0, 8) === '\x89PNG\r\n\x1a\n') return readPng(bytes, complete, more);
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') {
    if (bytes.length < 10) return complete ? { kind: 'truncated', format: 'gif', what: 'the file ends inside the GIF header' } : more(10);
    return sized('gif', u16le(bytes, 6), u16le(bytes, 8));
  }
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return readWebp(bytes, complete, more);
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 6 && u32le(bytes, 2) > 26) {
    if (bytes.length < 26) return complete ? { kind: 'truncated', format: 'bmp', what: 'the file ends inside the BMP header' } : more(26);
    // BITMAPINFOHEADER and later: signed 32-bit sizes (a negative height is a top-down bitmap).
    if (u32le(bytes, 14) >= 40) return sized('bmp', Math.abs(i32le(bytes, 18)), Math.abs(i32le(bytes, 22)));
    return sized('bmp', u16le(bytes, 18), u16le(bytes, 20));
  }
  if (ascii(bytes, 4, 4) === 'ftyp') return readIsoBmff(bytes, complete, more);
  return notAnImage(bytes);
}

function sized(format: ImageFormat, widthPx: number, heightPx: number, extra: Partial<Extract<HeaderInfo, { kind: 'image' }>> = {}): HeaderInfo {
  if (widthPx <= 0 || heightPx <= 0) return { kind: 'corrupt', format, what: `its header gives a size of ${widthPx}×${heightPx} pixels` };
  return { kind: 'image', format, widthPx, heightPx, ...extra };
}

/** JPEG: walks the marker segments (by their lengths) to the frame header (SOFn) and the first scan (SOS). */
function readJpeg(bytes: Uint8Array, complete: boolean, more: (n: number) => HeaderInfo): HeaderInfo {
  const truncated: HeaderInfo = { kind: 'truncated', format: 'jpeg', what: 'the file ends before the JPEG image data starts' };
  let offset = 2;
  let frame: { widthPx: number; heightPx: number; components: number; precision: number } | null = null;
  for (;;) {
    if (offset + 4 > bytes.length) return complete ? truncated : more(offset + 4);
    if (bytes[offset] !== 0xff) return { kind: 'corrupt', format: 'jpeg', what: `no JPEG marker at byte ${offset}` };
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    // Markers without a length: TEM and RSTn (not expected before the scan, but legal).
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (marker === 0xd9) return { kind: 'corrupt', format: 'jpeg', what: 'the JPEG ends (EOI) before any image data' };
    const length = u16be(bytes, offset + 2);
    if (length < 2) return { kind: 'corrupt', format: 'jpeg', what: `a segment length of ${length} at byte ${offset}` };
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (offset + 10 > bytes.length) return complete ? truncated : more(offset + 10);
      frame = {
        precision: bytes[offset + 4]!,
        heightPx: u16be(bytes, offset + 5),
        widthPx: u16be(bytes, offset + 7),
        components: bytes[offset + 9]!,
      };
    }
    if (marker === 0xda) {
      if (!frame) return { kind: 'corrupt', format: 'jpeg', what: 'the image data (SOS) comes before the frame header (SOF)' };
      // A height of 0 means "given later by a DNL marker": legal, rare, and the decoder knows it; the size is unknown here.
      if (frame.heightPx === 0) return { kind: 'image', format: 'jpeg', widthPx: null, heightPx: null, jpegScanOffset: offset + 2 + length };
      const kinds: Record<number, string> = { 1: 'greyscale', 3: 'colour', 4: 'CMYK' };
      return sized('jpeg', frame.widthPx, frame.heightPx, {
        jpegScanOffset: offset + 2 + length,
        detail: `${kinds[frame.components] ?? `${frame.components} components`}, ${frame.precision}-bit`,
      });
    }
    offset += 2 + length;
  }
}

/** PNG: IHDR must be the first chunk; its width, height, bit depth and colour type. */
function readPng(bytes: Uint8Array, complete: boolean, more: (n: number) => HeaderInfo): HeaderInfo {
  if (bytes.length < 26) return complete ? { kind: 'truncated', format: 'png', what: 'the file ends inside the PNG header' } : more(26);
  if (ascii(bytes, 12, 4) !== 'IHDR') return { kind: 'corrupt', format: 'png', what: 'the first chunk is not the PNG header (IHDR)' };
  const colourTypes: Record<number, string> = { 0: 'greyscale', 2: 'RGB', 3: 'palette', 4: 'greyscale + alpha', 6: 'RGBA' };
  return sized('png', u32be(bytes, 16), u32be(bytes, 20), { detail: `${bytes[24]}-bit ${colourTypes[bytes[25]!] ?? `colour type ${bytes[25]}`}` });
}

/** WebP: the size sits in the first chunk, in one of three layouts (lossy VP8, lossless VP8L, extended VP8X). */
function readWebp(bytes: Uint8Array, complete: boolean, more: (n: number) => HeaderInfo): HeaderInfo {
  if (bytes.length < 30) return complete ? { kind: 'truncated', format: 'webp', what: 'the file ends inside the WebP header' } : more(30);
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8X') return sized('webp', 1 + (bytes[24]! | (bytes[25]! << 8) | (bytes[26]! << 16)), 1 + (bytes[27]! | (bytes[28]! << 8) | (bytes[29]! << 16)));
  if (chunk === 'VP8L') {
    const b = (i: number) => bytes[21 + i]!;
    return sized('webp', 1 + (b(0) | ((b(1) & 0x3f) << 8)), 1 + ((b(1) >> 6) | (b(2) << 2) | ((b(3) & 0x0f) << 10)));
  }
  if (chunk === 'VP8 ') return sized('webp', u16le(bytes, 26) & 0x3fff, u16le(bytes, 28) & 0x3fff);
  return { kind: 'corrupt', format: 'webp', what: `an unknown WebP chunk "${chunk}"` };
}

/** Brands of the ISO base media file format (HEIF family) that mean AVIF and HEIC. */
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'msf1']);

/**
 * ISO BMFF (AVIF, HEIC): the `ftyp` box's major and compatible brands say which codec. AVIF files list `mif1`
 * too, so AVIF brands win. The size is the largest `ispe` (image spatial extents) property: a file may also
 * hold a thumbnail or grid tiles, and the limit is about the largest image in it.
 */
function readIsoBmff(bytes: Uint8Array, complete: boolean, more: (n: number) => HeaderInfo): HeaderInfo {
  const ftypSize = u32be(bytes, 0);
  if (ftypSize < 16) return { kind: 'notImage', what: 'an ISO media file with a malformed header', advice: 'use JPEG, PNG, WebP, GIF, BMP or AVIF images' };
  if (bytes.length < ftypSize) return complete ? { kind: 'truncated', format: 'heic', what: 'the file ends inside its header' } : more(ftypSize);
  const brands = [ascii(bytes, 8, 4)];
  for (let i = 16; i + 4 <= ftypSize; i += 4) brands.push(ascii(bytes, i, 4));
  const format: ImageFormat | null = brands.some((b) => AVIF_BRANDS.has(b)) ? 'avif' : brands.some((b) => HEIC_BRANDS.has(b)) ? 'heic' : null;
  if (!format) {
    return { kind: 'notImage', what: `a video or media file (ISO brand "${brands[0]}"), not a still image`, advice: 'use JPEG, PNG, WebP, GIF, BMP or AVIF images' };
  }
  let widthPx = 0;
  let heightPx = 0;
  // 'ispe' box: size(4) 'ispe'(4) version+flags(4) width(4) height(4).
  for (let i = ftypSize; i + 20 <= bytes.length; i++) {
    if (bytes[i] === 0x69 && ascii(bytes, i, 4) === 'ispe') {
      const w = u32be(bytes, i + 8);
      const h = u32be(bytes, i + 12);
      if (w * h > widthPx * heightPx) {
        widthPx = w;
        heightPx = h;
      }
    }
  }
  if (widthPx === 0 && !complete && bytes.length < 1024 * 1024) return more(bytes.length * 4);
  return { kind: 'image', format, widthPx: widthPx || null, heightPx: heightPx || null, detail: `brands ${brands.join(', ')}` };
}

/** Names what a non-image file most likely is, from its first bytes. */
function notAnImage(bytes: Uint8Array): HeaderInfo {
  const advice = 'add the photo itself as JPEG, PNG, WebP, GIF, BMP or AVIF';
  if (ascii(bytes, 0, 5) === '%PDF-') return { kind: 'notImage', what: 'a PDF document', advice: 'export the page as a PNG or JPEG image to use it' };
  // Text: skip a UTF-8 byte-order mark and leading white space, then look at the start.
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (start < bytes.length && (bytes[start] === 0x20 || bytes[start] === 0x09 || bytes[start] === 0x0a || bytes[start] === 0x0d)) start++;
  const head = ascii(bytes, start, 512).toLowerCase();
  if (/^<svg[\s>]/.test(head) || (head.startsWith('<?xml') && head.includes('<svg')) || (head.startsWith('<!doctype svg'))) {
    return { kind: 'notImage', what: 'an SVG drawing (vector graphics, which may carry scripts)', advice: 'export it as a PNG or JPEG image to use it' };
  }
  if (ascii(bytes, 0, 4) === '\x00\x00\x00\x0cjxl' || (bytes[0] === 0xff && bytes[1] === 0x0a)) {
    return { kind: 'notImage', what: 'a JPEG XL image, which this app does not read', advice: 'convert it to JPEG or PNG' };
  }
  if (ascii(bytes, 0, 4) === 'II*\x00' || ascii(bytes, 0, 4) === 'MM\x00*') {
    return { kind: 'notImage', what: 'a TIFF (or camera raw) image, which browsers do not decode', advice: 'convert it to JPEG or PNG' };
  }
  if (looksLikeText(bytes)) return { kind: 'notImage', what: 'a text file', advice };
  const hex = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return { kind: 'notImage', what: `not an image format this app reads (it starts with bytes ${hex})`, advice };
}

/** True when the first kilobyte is UTF-8 text without control characters other than tab and line breaks. */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 1024);
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return false;
  try {
    // A multi-byte character cut at the end of the sample is not a reason to call it binary.
    new TextDecoder('utf-8', { fatal: true }).decode(head.length === bytes.length ? head : head.subarray(0, Math.max(0, head.length - 4)));
    return true;
  } catch {
    return false;
  }
}

/**
 * JPEG: true when the end-of-image marker (FF D9) follows the image data. `tail` holds the file from
 * `jpegScanOffset` to its end. Inside the entropy-coded data a 0xFF byte is always followed by 0x00 or a restart
 * marker, so FF D9 there is the end of the image; a file without one was cut short (a broken download or copy),
 * and the browser would show its missing part grey. Data after the marker (a phone's appended video) is allowed.
 */
export function jpegHasEndMarker(tail: Uint8Array): boolean {
  let at = tail.length;
  for (;;) {
    if (at < 2) return false;
    // lastIndexOf runs natively: a few milliseconds even for a 20 MB photo without the marker.
    at = tail.lastIndexOf(0xd9, at - 1);
    if (at < 1) return false;
    if (tail[at - 1] === 0xff) return true;
  }
}

/** PNG: true when the IEND chunk is in `tail`, the last bytes of the file. */
export function pngHasEndChunk(tail: Uint8Array): boolean {
  for (let i = tail.length - 8; i >= 0; i--) {
    if (tail[i] === 0x49 && tail[i + 1] === 0x45 && tail[i + 2] === 0x4e && tail[i + 3] === 0x44) return true;
  }
  return false;
}
