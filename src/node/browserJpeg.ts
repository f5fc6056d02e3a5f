/**
 * JPEG decoding in Node that gives the pixels Chromium gives, so the CLI's keypoints are the app's.
 *
 * What Chromium does (measured on Chromium 156, see scripts/jpeg-parity/):
 * - `createImageBitmap` decodes with libjpeg-turbo to RGB: integer ("islow") IDCT, "fancy" (interpolating)
 *   chroma upsampling, libjpeg-turbo's own YCbCr→RGB; then converts an embedded ICC profile to sRGB.
 * - WebCodecs `ImageDecoder` (the worker's first choice) does not convert colour itself for 4:4:4, 4:2:2 and
 *   4:2:0 JPEGs: it hands over the planes libjpeg-turbo's IDCT produced as an I444/I422/I420 frame, and
 *   `copyTo({format: 'RGBX'})` converts them with its own fixed-point BT.601 full-range matrix, taking each chroma
 *   sample for its 2×1 or 2×2 pixels as they are (no interpolation). Other layouts (greyscale, 4:4:0, 4:1:1,
 *   RGB-coded) come out as RGB frames, like `createImageBitmap`.
 * The two differ by up to 2 levels on 4:4:4 photos and by up to ~50 on 4:2:0 ones (the chroma upsampling).
 *
 * Here libjpeg-turbo (libvips compiled to WebAssembly: no native binary, same results on every platform) does the
 * decoding, so the IDCT and upsampling are Chromium's. For the ImageDecoder path the JPEG is rewritten, in
 * memory, so that libjpeg-turbo skips its colour conversion and outputs the raw Y, Cb, Cr planes: the APPn
 * segments are replaced by an Adobe segment that declares the components untransformed. Chroma planes at their
 * stored resolution come from a half-size decode (4:2:0: libjpeg-turbo then runs the chroma IDCT at full size
 * and does not upsample) or from re-declaring a 4:2:2 frame as four separate 1×1 components. Only headers
 * change; the entropy-coded data is passed through as it is.
 */
import Vips from 'wasm-vips';

type VipsModule = Awaited<ReturnType<typeof Vips>>;
type VipsImage = InstanceType<VipsModule['Image']>;

/** Which of the browser's two decoders to reproduce (src/inference/inputPixels.ts uses both). */
export type BrowserJpegDecoder = 'ImageDecoder' | 'createImageBitmap';

export interface BrowserJpegPixels {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel (alpha 255), as stored: EXIF orientation not applied. */
  rgba: Uint8Array;
  /** The chroma layout Chromium's ImageDecoder frame has (I444/I422/I420), or null where it gives RGB. */
  yuvLayout: YuvLayout | null;
}

export type YuvLayout = '444' | '422' | '420';

let vipsModule: Promise<VipsModule> | null = null;
function loadVips(): Promise<VipsModule> {
  vipsModule ??= Vips({
    // The HEIF/JPEG XL/SVG side modules are not needed for JPEG; skipping them saves their start-up.
    dynamicLibraries: [],
    // libvips warns on stderr whenever lcms falls back from the default rendering intent for an ICC profile (every
    // sRGB v2 profile): VIPS_WARNING in its environment keeps the CLI's output clean. Errors still throw.
    preRun: (module: { ENV: Record<string, string> }) => {
      module.ENV.VIPS_WARNING = '0';
    },
  }).then((vips) => {
    // Each file is decoded once: libvips' operation cache would only hold memory.
    vips.Cache.max(0);
    return vips;
  });
  return vipsModule;
}

// --- JPEG headers ---------------------------------------------------------------------------------------------

interface Segment {
  marker: number;
  /** Byte range of the whole segment (for SOS: header and the entropy-coded data after it). */
  start: number;
  end: number;
  /** SOS only: where its header ends and the entropy-coded data begins. */
  headerEnd?: number;
}

interface FrameComponent {
  id: number;
  hSampling: number;
  vSampling: number;
  quantTable: number;
}

interface JpegHeader {
  segments: Segment[];
  sofMarker: number;
  widthPx: number;
  heightPx: number;
  components: FrameComponent[];
  hasJfif: boolean;
  /** The Adobe APP14 colour transform flag, or null without an Adobe segment. */
  adobeTransform: number | null;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP14 = 0xee;
const isApp = (marker: number) => marker >= APP0 && marker <= 0xef;
const isRestart = (marker: number) => marker >= 0xd0 && marker <= 0xd7;
/** Start-of-frame markers (every SOFn except DHT C4, JPG C8 and DAC CC, which share the range). */
const isSof = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

const u16 = (bytes: Uint8Array, at: number) => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));

/** Splits a JPEG into its segments up to EOI; null for anything it cannot follow (the caller then decodes plainly). */
function parseJpeg(bytes: Uint8Array): JpegHeader | null {
  if (bytes[0] !== 0xff || bytes[1] !== SOI) return null;
  const segments: Segment[] = [];
  let frame: Pick<JpegHeader, 'sofMarker' | 'widthPx' | 'heightPx' | 'components'> | null = null;
  let hasJfif = false;
  let adobeTransform: number | null = null;
  let at = 2;
  while (at + 1 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === EOI) {
      segments.push({ marker, start: at, end: at + 2 });
      break;
    }
    if (isRestart(marker) || marker === 0x01) return null; // only expected inside entropy-coded data
    const length = u16(bytes, at + 2);
    const headerEnd = at + 2 + length;
    if (length < 2 || headerEnd > bytes.length) return null;
    if (marker === SOS) {
      // Entropy-coded data runs to the next marker that is neither a stuffed 0xFF00 nor a restart marker.
      let end = headerEnd;
      while (end + 1 < bytes.length && !(bytes[end] === 0xff && bytes[end + 1] !== 0 && !isRestart(bytes[end + 1]!))) end++;
      if (end + 1 >= bytes.length) end = bytes.length;
      segments.push({ marker, start: at, end, headerEnd });
      at = end;
      continue;
    }
    if (marker === APP0 && length >= 7 && ascii(bytes, at + 4, 5) === 'JFIF\0') hasJfif = true;
    if (marker === APP14 && length >= 14 && ascii(bytes, at + 4, 5) === 'Adobe') adobeTransform = bytes[at + 15] ?? null;
    if (isSof(marker)) {
      const count = bytes[at + 9] ?? 0;
      if (length !== 8 + 3 * count) return null;
      const components: FrameComponent[] = [];
      for (let c = 0; c < count; c++) {
        const base = at + 10 + 3 * c;
        components.push({ id: bytes[base]!, hSampling: bytes[base + 1]! >> 4, vSampling: bytes[base + 1]! & 15, quantTable: bytes[base + 2]! });
      }
      frame = { sofMarker: marker, heightPx: u16(bytes, at + 5), widthPx: u16(bytes, at + 7), components };
    }
    segments.push({ marker, start: at, end: headerEnd });
    at = headerEnd;
  }
  return frame ? { segments, hasJfif, adobeTransform, ...frame } : null;
}

/** Whether libjpeg-turbo reads three components as YCbCr (its rules: JFIF, then Adobe, then the component ids). */
function isYCbCr(header: JpegHeader): boolean {
  if (header.components.length !== 3) return false;
  if (header.hasJfif) return true;
  if (header.adobeTransform !== null) return header.adobeTransform !== 0;
  const ids = header.components.map((c) => c.id).join(',');
  return ids !== '82,71,66'; // 'R','G','B' means RGB; 1,2,3 and anything else YCbCr
}

/** The chroma layout Chromium's ImageDecoder keeps as planes; null where its frame is RGB. */
function yuvLayoutOf(header: JpegHeader): YuvLayout | null {
  if (!isYCbCr(header)) return null;
  const [luma, cb, cr] = header.components as [FrameComponent, FrameComponent, FrameComponent];
  if (cb.hSampling !== 1 || cb.vSampling !== 1 || cr.hSampling !== 1 || cr.vSampling !== 1) return null;
  if (luma.hSampling === 1 && luma.vSampling === 1) return '444';
  if (luma.hSampling === 2 && luma.vSampling === 1) return '422';
  if (luma.hSampling === 2 && luma.vSampling === 2) return '420';
  return null;
}

/** An Adobe APP14 segment with transform 0: "the components are stored as they are", so no colour conversion. */
const UNTRANSFORMED_ADOBE = Uint8Array.of(0xff, APP14, 0, 14, 0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, 0);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The same JPEG with every APPn segment (JFIF, EXIF, ICC, Adobe) replaced by an untransformed Adobe segment:
 * decoded, its "RGB" is the stored Y, Cb, Cr. `rewrite` may replace SOF/SOS segments.
 */
function untransformedJpeg(bytes: Uint8Array, header: JpegHeader, rewrite?: (segment: Segment) => Uint8Array[] | null): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(0xff, SOI), UNTRANSFORMED_ADOBE];
  for (const segment of header.segments) {
    if (isApp(segment.marker)) continue;
    parts.push(...(rewrite?.(segment) ?? [bytes.subarray(segment.start, segment.end)]));
  }
  return concat(parts);
}

/**
 * For the half-size chroma decode of 4:2:0: an odd width or height is made even, so the half-size image has
 * ceil(size / 2) samples like the chroma plane (libvips rounds a shrunk size down). Harmless to the data: an odd
 * size is never a multiple of the 16 px MCU or the 8 px block, so the count of MCUs and blocks is unchanged.
 */
function withEvenSize(bytes: Uint8Array, header: JpegHeader): (segment: Segment) => Uint8Array[] | null {
  return (segment) => {
    if (!isSof(segment.marker)) return null;
    // A copy (Uint8Array.from, not slice: on a Node Buffer slice is a view, and the file's bytes must stay as read).
    const sof = Uint8Array.from(bytes.subarray(segment.start, segment.end));
    const heightPx = header.heightPx + (header.heightPx % 2);
    const widthPx = header.widthPx + (header.widthPx % 2);
    sof.set([heightPx >> 8, heightPx & 255, widthPx >> 8, widthPx & 255], 5);
    return [sof];
  };
}

/**
 * For 4:2:2 (baseline only): the frame re-declared as four 1×1 components, the MCU's two luma blocks as two of
 * them, then Cb and Cr, at the chroma plane's size. An MCU then holds the same four blocks in the same order, so
 * the data decodes as before and the chroma planes come out unscaled. (The luma of this decode is wrong — its
 * DC prediction now runs per half — and is not used.) Four components read as CMYK.
 */
function as422Planes(bytes: Uint8Array, header: JpegHeader): ((segment: Segment) => Uint8Array[] | null) | null {
  // Progressive scans code luma in raster order of the whole luma plane, which this split cannot follow.
  if (header.sofMarker !== 0xc0 && header.sofMarker !== 0xc1) return null;
  // A baseline frame may also code its components in separate scans; only the usual single interleaved scan is split.
  if (header.segments.some((segment) => segment.marker === SOS && bytes[segment.start + 4] !== 3)) return null;
  const [luma, cb, cr] = header.components as [FrameComponent, FrameComponent, FrameComponent];
  const chromaWidthPx = Math.ceil(header.widthPx / 2);
  const ids = [1, 2, 3, 4];
  return (segment) => {
    if (isSof(segment.marker)) {
      const precision = bytes[segment.start + 4]!;
      const body = [precision, header.heightPx >> 8, header.heightPx & 255, chromaWidthPx >> 8, chromaWidthPx & 255, 4];
      [luma, luma, cb, cr].forEach((component, i) => body.push(ids[i]!, 0x11, component.quantTable));
      return [Uint8Array.of(0xff, segment.marker, 0, body.length + 2, ...body)];
    }
    if (segment.marker !== SOS || segment.headerEnd === undefined) return null;
    const count = 3;
    const tables = new Map<number, number>();
    for (let c = 0; c < count; c++) tables.set(bytes[segment.start + 5 + 2 * c]!, bytes[segment.start + 6 + 2 * c]!);
    const body = [4];
    [luma, luma, cb, cr].forEach((component, i) => body.push(ids[i]!, tables.get(component.id) ?? 0));
    body.push(...bytes.subarray(segment.start + 5 + 2 * count, segment.headerEnd)); // spectral selection, approximation
    return [Uint8Array.of(0xff, SOS, 0, body.length + 2, ...body), bytes.subarray(segment.headerEnd, segment.end)];
  };
}

// --- Decoding -------------------------------------------------------------------------------------------------

interface Planar {
  width: number;
  height: number;
  bands: number;
  data: Uint8Array;
}

function decodeWithVips(vips: VipsModule, bytes: Uint8Array, shrink = 1): Planar {
  const image = vips.Image.newFromBuffer(bytes, shrink === 1 ? '' : `[shrink=${shrink}]`);
  try {
    return readImage(image);
  } finally {
    image.delete();
  }
}

function readImage(image: VipsImage): Planar {
  if (image.format !== 'uchar') throw new Error(`unexpected ${image.format} JPEG pixels`);
  return { width: image.width, height: image.height, bands: image.bands, data: new Uint8Array(image.writeToMemory()) };
}

/** The embedded ICC profile, or null: read from the header only (libvips decodes lazily). */
function iccProfileOf(vips: VipsModule, bytes: Uint8Array): Uint8Array | null {
  const image = vips.Image.newFromBuffer(bytes);
  try {
    // Copied: the blob is a view into memory that the image's deletion frees.
    return image.getTypeof('icc-profile-data') === 0 ? null : Uint8Array.from(image.getBlob('icc-profile-data'));
  } finally {
    image.delete();
  }
}

/**
 * Converts to sRGB through the embedded profile, as Chromium colour-manages decoded images (it uses skcms; this
 * is lcms: measured identical for sRGB profiles and within 1 level, on ~4% of values, for camera RGB profiles).
 */
function toSrgb(vips: VipsModule, rgb: Planar, profile: Uint8Array): Planar {
  const image = vips.Image.newFromMemory(rgb.data, rgb.width, rgb.height, 3, vips.BandFormat.uchar);
  let converted: VipsImage | null = null;
  try {
    image.setBlob('icc-profile-data', profile);
    converted = image.iccTransform('srgb', { embedded: true });
    return readImage(converted);
  } finally {
    converted?.delete();
    image.delete();
  }
}

function toRgba(pixels: Planar): Uint8Array {
  const count = pixels.width * pixels.height;
  const rgba = new Uint8Array(count * 4);
  const { data, bands } = pixels;
  for (let p = 0; p < count; p++) {
    const grey = bands === 1;
    rgba[p * 4] = data[p * bands]!;
    rgba[p * 4 + 1] = data[p * bands + (grey ? 0 : 1)]!;
    rgba[p * 4 + 2] = data[p * bands + (grey ? 0 : 2)]!;
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}

/**
 * Chromium's I4xx → RGBX conversion (libyuv's "JPEG" constants: BT.601 full range in 6-bit fixed point, found by
 * fitting Chromium's output and exact on every measured pixel): luma is scaled to ×64 as (y·257·16320) >> 16,
 * each chroma term is an integer multiple of (c − 128), and the sum is rounded by +32 and >> 6, then clamped.
 */
const LUMA_X64 = new Int32Array(256);
const RED_FROM_CR = new Int32Array(256);
const GREEN_FROM_CB = new Int32Array(256);
const GREEN_FROM_CR = new Int32Array(256);
const BLUE_FROM_CB = new Int32Array(256);
for (let v = 0; v < 256; v++) {
  LUMA_X64[v] = Math.floor((v * 257 * 16320) / 65536) + 32;
  RED_FROM_CR[v] = 90 * (v - 128); // 1.402 × 64
  GREEN_FROM_CB[v] = -22 * (v - 128); // 0.34414 × 64
  GREEN_FROM_CR[v] = -46 * (v - 128); // 0.71414 × 64
  BLUE_FROM_CB[v] = 113 * (v - 128); // 1.772 × 64
}
const clampByte = (x64: number) => Math.min(255, Math.max(0, x64 >> 6));

function yuvToRgb(luma: Planar, chroma: Planar, cbBand: number, crBand: number, invertChroma: boolean, layout: YuvLayout): Planar {
  const { width, height } = luma;
  const shiftX = layout === '444' ? 0 : 1;
  const shiftY = layout === '420' ? 1 : 0;
  const rgb = new Uint8Array(width * height * 3);
  const flip = invertChroma ? 255 : 0;
  for (let y = 0; y < height; y++) {
    const chromaRow = (y >> shiftY) * chroma.width;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const c = (chromaRow + (x >> shiftX)) * chroma.bands;
      const yTerm = LUMA_X64[luma.data[p * luma.bands]!]!;
      const cb = flip ^ chroma.data[c + cbBand]!;
      const cr = flip ^ chroma.data[c + crBand]!;
      rgb[p * 3] = clampByte(yTerm + RED_FROM_CR[cr]!);
      rgb[p * 3 + 1] = clampByte(yTerm + GREEN_FROM_CB[cb]! + GREEN_FROM_CR[cr]!);
      rgb[p * 3 + 2] = clampByte(yTerm + BLUE_FROM_CB[cb]!);
    }
  }
  return { width, height, bands: 3, data: rgb };
}

/** Chromium's ImageDecoder planes converted as its copyTo converts them; null where this cannot follow it. */
function decodeYuvLikeImageDecoder(vips: VipsModule, bytes: Uint8Array, header: JpegHeader, layout: YuvLayout): Planar | null {
  const planes = decodeWithVips(vips, untransformedJpeg(bytes, header));
  if (planes.bands !== 3 || planes.width !== header.widthPx || planes.height !== header.heightPx) return null;
  if (layout === '444') return yuvToRgb(planes, planes, 1, 2, false, layout);
  if (layout === '420') {
    const chroma = decodeWithVips(vips, untransformedJpeg(bytes, header, withEvenSize(bytes, header)), 2);
    if (chroma.width !== Math.ceil(header.widthPx / 2) || chroma.height !== Math.ceil(header.heightPx / 2)) return null;
    return yuvToRgb(planes, chroma, 1, 2, false, layout);
  }
  const split = as422Planes(bytes, header);
  if (!split) return null;
  const chroma = decodeWithVips(vips, untransformedJpeg(bytes, header, split));
  if (chroma.bands !== 4 || chroma.width !== Math.ceil(header.widthPx / 2) || chroma.height !== header.heightPx) return null;
  // libvips inverts CMYK from files with an Adobe segment (Adobe's inverted-CMYK convention): undo it.
  return yuvToRgb(planes, chroma, 2, 3, true, layout);
}

/** The stored size from the JPEG's frame header, or null where the file cannot be followed. */
export function jpegFrameSizePx(bytes: Uint8Array): { widthPx: number; heightPx: number } | null {
  const header = parseJpeg(bytes);
  return header ? { widthPx: header.widthPx, heightPx: header.heightPx } : null;
}

/**
 * Decodes a JPEG to the pixels `decoder` gives in Chromium (as stored; EXIF orientation is the caller's).
 * CMYK JPEGs go through libvips' CMYK→sRGB conversion, which is not Chromium's and was not measured.
 */
export async function decodeJpegLikeChromium(bytes: Uint8Array, decoder: BrowserJpegDecoder): Promise<BrowserJpegPixels> {
  const vips = await loadVips();
  const header = parseJpeg(bytes);
  const yuvLayout = header ? yuvLayoutOf(header) : null;
  const profile = iccProfileOf(vips, bytes);
  let rgb: Planar | null = null;
  if (decoder === 'ImageDecoder' && header && yuvLayout) {
    rgb = decodeYuvLikeImageDecoder(vips, bytes, header, yuvLayout);
  }
  if (!rgb) {
    rgb = decodeWithVips(vips, bytes);
    if (rgb.bands === 4) {
      const image = vips.Image.newFromBuffer(bytes);
      const srgb = image.colourspace('srgb');
      rgb = readImage(srgb);
      srgb.delete();
      image.delete();
    }
  }
  if (profile && rgb.bands === 3) rgb = toSrgb(vips, rgb, profile);
  return { width: rgb.width, height: rgb.height, rgba: toRgba(rgb), yuvLayout: decoder === 'ImageDecoder' ? yuvLayout : null };
}
