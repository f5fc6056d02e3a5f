/**
 * The bad-input corpus, written at test time from the committed fixtures (test/fixtures/people, formats) so no
 * generated binary is committed. Each file says what the app must do with it: show it (and run the models), or
 * put one message in its place. Images are made with libvips compiled to WebAssembly (wasm-vips, a dependency
 * already used by src/node/browserJpeg.ts); the few formats it cannot write are built byte by byte here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Vips from 'wasm-vips';
import { REPO_ROOT, PEOPLE_DIR } from './harness';

export const FORMATS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'formats');
export const PEOPLE = readFileSync(join(PEOPLE_DIR, 'annotations.json'), 'utf8');
export const PEOPLE_FILES = (JSON.parse(PEOPLE) as { images: { file_name: string }[] }).images.map((im) => im.file_name);

export type Expectation =
  /** Shown, `widthPx`×`heightPx` upright, and run by every selected model. */
  | { kind: 'ready'; widthPx: number; heightPx: number }
  /** A gallery row holding exactly this message, and no model cells. */
  | { kind: 'error'; message: RegExp }
  /** No row: a notice in the Images panel, once. */
  | { kind: 'notice'; message: RegExp };

export interface CorpusFile {
  name: string;
  /** The type a browser would give the file (from its name, as the OS does). */
  type: string;
  bytes: Buffer;
  expect: Expectation;
}

type VipsModule = Awaited<ReturnType<typeof Vips>>;
type VipsImage = ReturnType<VipsModule['Image']['newFromBuffer']>;

/** EXIF APP1 segment: a big-endian TIFF with one IFD0 entry, Orientation (0x0112) = `orientation`. */
export function exifOrientationSegment(orientation: number): Buffer {
  const payload = Buffer.from([
    ...Buffer.from('Exif\0\0', 'latin1'),
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08,
    0x00, 0x01,
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
  ]);
  const length = payload.length + 2;
  return Buffer.concat([Buffer.from([0xff, 0xe1, length >> 8, length & 0xff]), payload]);
}

/** The JPEG with an EXIF orientation segment right after SOI (as cameras write it). */
export function withOrientation(jpeg: Buffer, orientation: number): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), exifOrientationSegment(orientation), jpeg.subarray(2)]);
}

/** Width and height from a JPEG's frame header (for checking what the writer made). */
export function jpegFrameSize(bytes: Buffer): { width: number; height: number; components: number } {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    const marker = bytes[offset + 1]!;
    const length = bytes.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7), components: bytes[offset + 9]! };
    }
    offset += 2 + length;
  }
  throw new Error('no JPEG frame header');
}

/**
 * A HEIC file's opening: the `ftyp` box with the 'heic' major brand (what an iPhone writes) and a `meta` box
 * holding an `ispe` size property, then filler. No browser engine but Safari's decodes HEVC stills, and no
 * encoder ships with wasm-vips (its libheif has AV1 only), so the header is what the app must recognise.
 */
export function heicHeader(width = 4032, height = 3024): Buffer {
  const box = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + body.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body]);
  };
  const ftyp = box('ftyp', Buffer.concat([Buffer.from('heic', 'latin1'), Buffer.alloc(4), Buffer.from('mif1heic', 'latin1')]));
  const ispe = Buffer.alloc(12);
  ispe.writeUInt32BE(width, 4);
  ispe.writeUInt32BE(height, 8);
  const meta = box('meta', Buffer.concat([Buffer.alloc(4), box('iprp', box('ipco', box('ispe', ispe)))]));
  return Buffer.concat([ftyp, meta, box('mdat', Buffer.alloc(4096, 0x5a))]);
}

/** A 250-character file name (the longest most file systems allow is 255 bytes). */
export const LONG_NAME = `${'long-name-'.repeat(24)}abcdef.jpg`;
export const HTML_NAME = '<img src=x onerror="window.__kbXss=1"><b>bold</b>.jpg';
export const EMOJI_NAME = '🏃‍♀️ runner 😀 ünïcödé.jpg';
/** Orientations 5–8 swap width and height (EXIF: the stored image is turned a quarter). */
const ORIENTED_BASE = { width: 240, height: 160 };
export const HUGE_SIDE_PX = 20000;

export interface Corpus {
  /** One drop: the good photos and every bad or unusual file, in this order. */
  files: CorpusFile[];
  /** A dropped folder: children in a scrambled order; the app must list them by name (img1, img2, img10). */
  folder: { name: string; children: CorpusFile[]; expectedOrder: string[] };
}

let vipsPromise: Promise<VipsModule> | null = null;
const vips = () => (vipsPromise ??= Vips({ preRun: (module: { ENV: Record<string, string> }) => void (module.ENV.VIPS_WARNING = '0') }));

/** Writes every corpus file under `dir` (for a failed test's inspection) and returns them. */
export async function writeCorpus(dir: string): Promise<Corpus> {
  const v = await vips();
  const people = (name: string) => readFileSync(join(PEOPLE_DIR, name));
  const load = (bytes: Buffer): VipsImage => v.Image.newFromBuffer(bytes);
  const toWidth = (image: VipsImage, width: number): VipsImage => image.resize(width / image.width);
  const jpeg = (image: VipsImage, q = 85): Buffer => Buffer.from(image.jpegsaveBuffer({ Q: q }));
  const derived = (source: string, width: number) => toWidth(load(people(source)), width);
  const ready = (bytes: Buffer, upright?: { width: number; height: number }): Expectation => {
    const size = upright ?? (bytes[0] === 0xff ? jpegFrameSize(bytes) : { width: 0, height: 0 });
    return { kind: 'ready', widthPx: size.width, heightPx: size.height };
  };

  const files: CorpusFile[] = PEOPLE_FILES.map((name) => {
    const bytes = people(name);
    return { name, type: 'image/jpeg', bytes, expect: ready(bytes) };
  });
  const add = (name: string, type: string, bytes: Buffer, expectation: Expectation) => files.push({ name, type, bytes, expect: expectation });

  add('empty.jpg', 'image/jpeg', Buffer.alloc(0), { kind: 'error', message: /^empty\.jpg: the file is empty \(0 bytes\)/ });
  const whole = people('000000000790.jpg');
  add('truncated.jpg', 'image/jpeg', whole.subarray(0, Math.floor(whole.length * 0.6)), { kind: 'error', message: /^truncated\.jpg: cannot be decoded: the JPEG is cut short/ });
  // The PNG's compressed pixel data scrambled in place: chunk structure, size and end chunk intact.
  const png = Buffer.from(readFileSync(join(FORMATS_DIR, 'person.png')));
  const idat = png.indexOf('IDAT');
  for (let i = idat + 64; i < idat + 4096; i++) png[i] = (i * 7919) & 0xff;
  add('corrupt.png', 'image/png', png, { kind: 'error', message: /^corrupt\.png: cannot be decoded: the PNG image data is corrupt/ });
  add('notes-renamed.jpg', 'image/jpeg', Buffer.from('Shopping list\n- milk\n- bread\n'), { kind: 'error', message: /^notes-renamed\.jpg: a text file, not an image despite its \.jpg name/ });
  add('document.jpg', 'image/jpeg', Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'), {
    kind: 'error',
    message: /^document\.jpg: a PDF document, not an image despite its \.jpg name: export the page as a PNG or JPEG/,
  });
  add(
    'drawing-with-script.svg',
    'image/svg+xml',
    Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>window.__kbSvgScript = 1</script><rect width="64" height="64" fill="red"/></svg>\n'),
    { kind: 'error', message: /^drawing-with-script\.svg: an SVG drawing .*, not an image: export it as a PNG or JPEG/ },
  );
  const avifSource = derived('000000027731.jpg', 320);
  add('person.avif', 'image/avif', Buffer.from(avifSource.heifsaveBuffer({ compression: 'av1', Q: 60 })), ready(Buffer.alloc(0), { width: avifSource.width, height: avifSource.height }));
  add('iphone.heic', 'image/heic', heicHeader(), { kind: 'error', message: /^iphone\.heic: HEIC is not supported by this browser: convert to JPEG/ });
  // Another picture's header (the same bytes would be refused as a repeat of iphone.heic).
  add('heic-renamed.jpg', 'image/jpeg', heicHeader(3024, 4032), { kind: 'error', message: /^heic-renamed\.jpg: HEIC is not supported by this browser: convert to JPEG/ });
  add('animated.gif', 'image/gif', readFileSync(join(FORMATS_DIR, 'person-animated.gif')), { kind: 'ready', widthPx: 320, heightPx: 213 });
  add('one-pixel.png', 'image/png', Buffer.from(v.Image.black(1, 1, { bands: 3 }).add([200, 120, 80]).cast('uchar').pngsaveBuffer()), { kind: 'ready', widthPx: 1, heightPx: 1 });
  // A real 20000×20000 JPEG (greyscale, all black: 2 MB, ~2 s to encode), valid to its end marker: only the
  // pixel limit can refuse it, not the truncation or decode checks.
  const huge = Buffer.from(v.Image.black(HUGE_SIDE_PX, HUGE_SIDE_PX).jpegsaveBuffer({ Q: 50 }));
  add('huge-20000x20000.jpg', 'image/jpeg', huge, {
    kind: 'error',
    message: /^huge-20000x20000\.jpg: 20000×20000 pixels \(400 megapixels\) is over this app's limit of 100 megapixels .*; downscale it/,
  });
  const deep = derived('000000121181.jpg', 300);
  const png16 = Buffer.from(deep.multiply(257).cast('ushort').copy({ interpretation: 'rgb16' }).pngsaveBuffer({ bitdepth: 16 }));
  if (png16[24] !== 16) throw new Error(`16-bit PNG came out at bit depth ${png16[24]}`);
  add('deep-16bit.png', 'image/png', png16, ready(Buffer.alloc(0), { width: deep.width, height: deep.height }));
  const grey = jpeg(derived('000000126995.jpg', 300).colourspace('b-w'));
  if (jpegFrameSize(grey).components !== 1) throw new Error('greyscale JPEG has more than one component');
  add('greyscale.jpg', 'image/jpeg', grey, ready(grey));
  const cmyk = jpeg(derived('000000129648.jpg', 300).colourspace('cmyk'));
  if (jpegFrameSize(cmyk).components !== 4) throw new Error('CMYK JPEG does not have four components');
  add('cmyk.jpg', 'image/jpeg', cmyk, ready(cmyk));
  const base = jpeg(v.Image.newFromBuffer(people('000000234748.jpg')).thumbnailImage(ORIENTED_BASE.width, { height: ORIENTED_BASE.height, crop: 'centre' }));
  for (let orientation = 1; orientation <= 8; orientation++) {
    const upright = orientation >= 5 ? { width: ORIENTED_BASE.height, height: ORIENTED_BASE.width } : ORIENTED_BASE;
    add(`orientation-${orientation}.jpg`, 'image/jpeg', withOrientation(base, orientation), ready(Buffer.alloc(0), upright));
  }
  // Odd names on distinct pictures (a repeat would be refused as the same file).
  for (const [name, source, width] of [
    [HTML_NAME, '000000463557.jpg', 280],
    [EMOJI_NAME, '000000463557.jpg', 300],
    [LONG_NAME, '000000463557.jpg', 320],
  ] as const) {
    const bytes = jpeg(derived(source, width));
    add(name, 'image/jpeg', bytes, ready(bytes));
  }
  // The same file twice in one drop, and under another name: kept once, a notice each.
  add('000000030752.jpg', 'image/jpeg', people('000000030752.jpg'), { kind: 'notice', message: /^000000030752\.jpg: already added \(the same file\); kept once, so ground truth matches it once$/ });
  add('copy of 000000030752.jpg', 'image/jpeg', people('000000030752.jpg'), {
    kind: 'notice',
    message: /^copy of 000000030752\.jpg: the same file as 000000030752\.jpg, already added; kept once, so ground truth matches it once$/,
  });

  const child = (name: string, width: number): CorpusFile => {
    const bytes = jpeg(derived('000000000790.jpg', width));
    return { name, type: 'image/jpeg', bytes, expect: ready(bytes) };
  };
  const folder = {
    name: 'shoot',
    children: [
      child('img10.jpg', 260),
      child('img2.jpg', 270),
      // A text file among the folder's photos: refused up front with a notice, as any non-image.
      { name: 'b-notes.txt', type: 'text/plain', bytes: Buffer.from('not a photo\n'), expect: { kind: 'notice', message: /^shoot\/b-notes\.txt: not a supported image type \(text\/plain\)/ } },
      child('img1.jpg', 280),
    ] satisfies CorpusFile[],
    expectedOrder: ['shoot/img1.jpg', 'shoot/img2.jpg', 'shoot/img10.jpg'],
  };

  files.forEach((file, i) => writeFileSync(join(dir, `${String(i).padStart(2, '0')}-${Buffer.from(file.name).toString('hex').slice(0, 40)}`), file.bytes));
  return { files, folder };
}

/**
 * A COCO keypoints ground truth of about `targetBytes` (100 MB in the test), written at test time: the eight
 * people photos' real entries first (so the added photos match), then synthetic images and people with 17
 * keypoints each and no segmentation, the densest layout for the page to receive (~240,000 annotations).
 */
export function writeLargeGroundTruth(path: string, targetBytes: number): { images: number; annotations: number; bytes: number } {
  const gt = JSON.parse(PEOPLE) as { categories: unknown[]; images: Record<string, unknown>[]; annotations: Record<string, unknown>[] };
  const parts: string[] = [];
  let bytes = 0;
  const push = (text: string) => {
    parts.push(text);
    bytes += Buffer.byteLength(text);
  };
  const images: string[] = gt.images.map((im) => JSON.stringify({ id: im['id'], file_name: im['file_name'], width: im['width'], height: im['height'] }));
  const annotations: string[] = gt.annotations.map((a) => JSON.stringify({ ...a, segmentation: undefined }));
  let size = images.reduce((s, t) => s + t.length + 1, 0) + annotations.reduce((s, t) => s + t.length + 1, 0);
  let imageId = 10_000_000;
  let annotationId = 90_000_000;
  // A deterministic pseudo-random sequence: the same file every run.
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  while (size < targetBytes - 200) {
    imageId++;
    const image = JSON.stringify({ id: imageId, file_name: `synthetic-${imageId}.jpg`, width: 640, height: 480 });
    images.push(image);
    size += image.length + 1;
    for (let person = 0; person < 2 && size < targetBytes - 200; person++) {
      const keypoints: number[] = [];
      for (let k = 0; k < 17; k++) keypoints.push(Math.round(random() * 6400) / 10, Math.round(random() * 4800) / 10, 2);
      const annotation = JSON.stringify({
        id: ++annotationId,
        image_id: imageId,
        category_id: 1,
        keypoints,
        num_keypoints: 17,
        bbox: [12.5, 20.25, 300.5, 400.75],
        area: 45012.5,
        iscrowd: 0,
      });
      annotations.push(annotation);
      size += annotation.length + 1;
    }
  }
  push(`{"info":{"description":"synthetic 100 MB ground truth for the bad-input test"},"categories":${JSON.stringify(gt.categories)},"images":[`);
  push(images.join(','));
  push('],"annotations":[');
  push(annotations.join(','));
  push(']}\n');
  writeFileSync(path, parts.join(''));
  return { images: images.length, annotations: annotations.length, bytes };
}
