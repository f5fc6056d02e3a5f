/**
 * The pure parts of bad-input handling (issue 10, points 4 and 5): what a file is from its header, the messages
 * for refused files, repeats, the JSON reading's refusals, the packed annotations and the chunk-built index.
 * The browser side is test/browser/badInput.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CocoKeypointAnnotation, CocoKeypointsGroundTruth } from '../../src/core/coco/cocoTypes';
import { packAnnotations, unpackAnnotations } from '../../src/core/coco/packAnnotations';
import { parseGroundTruth } from '../../src/core/coco/parseGroundTruth';
import { readCocoText, readCocoValue, resultsContextOf } from '../../src/core/coco/readCocoFile';
import { MAX_IMAGE_PIXELS } from '../../src/core/imageLimits';
import { splitDuplicates } from '../../src/media/duplicates';
import { jpegHasEndMarker, pngHasEndChunk, readImageHeader, type HeaderInfo } from '../../src/media/imageHeader';
import { decodeFailure, headerProblem } from '../../src/media/imageInspect';
import { DatasetIndexBuilder, groundTruthIndex, gtImagesWithoutFiles } from '../../src/store/groundTruthIndex';
import { noImageMatchMessage } from '../../src/store/jsonImport';
import type { ImageItem } from '../../src/store/types';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const read = (...parts: string[]) => new Uint8Array(readFileSync(join(FIXTURES, ...parts)));
const header = (bytes: Uint8Array): HeaderInfo => readImageHeader(bytes, bytes.length);

function isoFile(brand: string, compatible: string[], ispe: [number, number] | null): Uint8Array {
  const box = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + body.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body]);
  };
  const ftyp = box('ftyp', Buffer.concat([Buffer.from(brand, 'latin1'), Buffer.alloc(4), Buffer.from(compatible.join(''), 'latin1')]));
  const size = Buffer.alloc(12);
  if (ispe) {
    size.writeUInt32BE(ispe[0], 4);
    size.writeUInt32BE(ispe[1], 8);
  }
  return new Uint8Array(Buffer.concat([ftyp, ispe ? box('meta', box('ispe', size)) : Buffer.alloc(0), Buffer.alloc(64)]));
}

/** A JPEG's frame header patched to another size (the scan data stays that of the small image). */
function withJpegSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let o = 2;
  for (;;) {
    const marker = out[o + 1]!;
    if (marker >= 0xc0 && marker <= 0xc2) {
      out[o + 5] = height >> 8;
      out[o + 6] = height & 0xff;
      out[o + 7] = width >> 8;
      out[o + 8] = width & 0xff;
      return out;
    }
    o += 2 + ((out[o + 2]! << 8) | out[o + 3]!);
  }
}

describe('readImageHeader: the format by its signature, and the size', () => {
  it('reads the size of every format the app decodes', () => {
    expect(header(read('people', '000000000790.jpg'))).toMatchObject({ kind: 'image', format: 'jpeg', widthPx: 640, heightPx: 422, detail: 'colour, 8-bit' });
    expect(header(read('jpeg-decode', 'crop-grey.jpg'))).toMatchObject({ kind: 'image', format: 'jpeg', detail: 'greyscale, 8-bit' });
    expect(header(read('formats', 'person.png'))).toMatchObject({ kind: 'image', format: 'png', widthPx: 320, heightPx: 213 });
    expect(header(read('formats', 'person.webp'))).toMatchObject({ kind: 'image', format: 'webp', widthPx: 320, heightPx: 213 });
    expect(header(read('formats', 'person.bmp'))).toMatchObject({ kind: 'image', format: 'bmp', widthPx: 320, heightPx: 213 });
    expect(header(read('formats', 'person-animated.gif'))).toMatchObject({ kind: 'image', format: 'gif', widthPx: 320, heightPx: 213 });
  });

  it('asks for more bytes when a JPEG header runs past the first read, and says "truncated" when the file ends there', () => {
    const jpeg = read('people', '000000000790.jpg');
    expect(readImageHeader(jpeg.subarray(0, 40), jpeg.length)).toMatchObject({ kind: 'needMoreBytes' });
    expect(header(jpeg.subarray(0, 40))).toEqual({ kind: 'truncated', format: 'jpeg', what: 'the file ends before the JPEG image data starts' });
    expect(header(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x5a, 0x5a, 0, 0]))).toMatchObject({ kind: 'truncated', format: 'jpeg' });
  });

  it('tells HEIC from AVIF by the ftyp brands, whatever the file is called', () => {
    expect(header(isoFile('heic', ['mif1', 'heic'], [4032, 3024]))).toMatchObject({ kind: 'image', format: 'heic', widthPx: 4032, heightPx: 3024 });
    expect(header(isoFile('mif1', ['heic'], null))).toMatchObject({ kind: 'image', format: 'heic', widthPx: null });
    // AVIF files list mif1 too: the AVIF brand wins.
    expect(header(isoFile('avif', ['mif1', 'avif', 'miaf'], [640, 480]))).toMatchObject({ kind: 'image', format: 'avif', widthPx: 640, heightPx: 480 });
    expect(header(isoFile('isom', ['iso2', 'mp41'], null))).toMatchObject({ kind: 'notImage' });
  });

  it('names what a non-image is: empty, PDF, SVG, text, other bytes', () => {
    expect(readImageHeader(new Uint8Array(0), 0)).toEqual({ kind: 'empty' });
    expect(header(new TextEncoder().encode('%PDF-1.7\n...'))).toMatchObject({ kind: 'notImage', what: 'a PDF document' });
    expect(header(new TextEncoder().encode('\ufeff  <?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'))).toMatchObject({ kind: 'notImage', what: expect.stringMatching(/^an SVG drawing/) });
    expect(header(new TextEncoder().encode('Shopping list: milk, bread ünïcödé\n'))).toMatchObject({ kind: 'notImage', what: 'a text file' });
    expect(header(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8]))).toMatchObject({ kind: 'notImage', what: 'not an image format this app reads (it starts with bytes 00 01 02 03 04 05 06 07)' });
  });

  it('finds a JPEG cut short by its missing end marker, and a PNG by its missing end chunk', () => {
    const jpeg = read('people', '000000000790.jpg');
    const info = header(jpeg);
    const scan = info.kind === 'image' ? (info.jpegScanOffset ?? 0) : 0;
    expect(scan).toBeGreaterThan(0);
    expect(jpegHasEndMarker(jpeg.subarray(scan))).toBe(true);
    expect(jpegHasEndMarker(jpeg.subarray(scan, Math.floor(jpeg.length * 0.6)))).toBe(false);
    // Data after the end marker (a phone's appended video) is allowed.
    expect(jpegHasEndMarker(new Uint8Array([...jpeg.subarray(scan), 1, 2, 3, 4]))).toBe(true);
    const png = read('formats', 'person.png');
    expect(pngHasEndChunk(png.subarray(png.length - 4096))).toBe(true);
    expect(pngHasEndChunk(png.subarray(png.length - 4096, png.length - 12))).toBe(false);
  });
});

describe('messages for refused files', () => {
  it('refuses an image over the pixel limit from its header, naming the limit', () => {
    const huge = header(withJpegSize(read('people', '000000000790.jpg'), 20000, 20000));
    expect(huge).toMatchObject({ kind: 'image', widthPx: 20000, heightPx: 20000 });
    expect(headerProblem(huge, 'huge.jpg')).toBe(
      "huge.jpg: 20000×20000 pixels (400 megapixels) is over this app's limit of 100 megapixels (decoding it would take 1.6 GB of memory); downscale it (e.g. to 10000×10000) and add it again",
    );
    expect(MAX_IMAGE_PIXELS).toBe(100_000_000);
    expect(headerProblem(header(withJpegSize(read('people', '000000000790.jpg'), 10000, 10000)), 'at-limit.jpg')).toBeNull();
  });

  it('says HEIC is not supported, convert to JPEG, when the browser cannot decode it', () => {
    const heic = header(isoFile('heic', ['mif1', 'heic'], [4032, 3024]));
    expect(headerProblem(heic, 'IMG_0001.jpg')).toBeNull();
    expect(decodeFailure(heic, 'IMG_0001.jpg')).toMatch(/^IMG_0001\.jpg: HEIC is not supported by this browser: convert to JPEG/);
    expect(decodeFailure(header(read('formats', 'person.png')), 'x.png')).toMatch(/^x\.png: cannot be decoded: the PNG image data is corrupt/);
  });

  it('names the mismatch between a name and the content', () => {
    expect(headerProblem(header(new TextEncoder().encode('%PDF-1.4')), 'scan.jpg')).toBe('scan.jpg: a PDF document, not an image despite its .jpg name: export the page as a PNG or JPEG image to use it');
    expect(headerProblem(readImageHeader(new Uint8Array(0), 0), 'empty.png')).toBe('empty.png: the file is empty (0 bytes), nothing to show; copy or download it again');
  });
});

describe('splitDuplicates: the same file is kept once', () => {
  const file = (text: string) => new Blob([text]);
  it('by its bytes, within one drop and against images already added', async () => {
    const a = file('same bytes');
    const split = await splitDuplicates(
      [
        { name: 'a.jpg', file: a },
        { name: 'copy of a.jpg', file: file('same bytes') },
        { name: 'b.jpg', file: file('other byte') },
        { name: 'x.jpg', file: file('already there') },
        { name: 'empty.jpg', file: file('') },
        { name: 'empty2.jpg', file: file('') },
        { name: 'empty.jpg', file: file('') },
      ],
      [{ name: 'x-original.jpg', file: file('already there') }],
    );
    expect(split.unique.map((f) => f.name)).toEqual(['a.jpg', 'b.jpg', 'empty.jpg', 'empty2.jpg']);
    expect(split.duplicates).toEqual([
      { name: 'copy of a.jpg', sameAs: 'a.jpg' },
      { name: 'x.jpg', sameAs: 'x-original.jpg' },
      { name: 'empty.jpg', sameAs: 'empty.jpg' },
    ]);
  });
});

const PEOPLE_GT = readFileSync(join(FIXTURES, 'people', 'annotations.json'), 'utf8');
const peopleGt = parseGroundTruth(PEOPLE_GT).value!;

describe('reading a JSON file (what the JSON worker runs)', () => {
  const context = resultsContextOf(peopleGt);
  const keypoints = Array.from({ length: 51 }, (_, i) => i);

  it('refuses a results list with no valid entry as a whole, with one message, instead of an empty column', () => {
    const reading = readCocoValue([{ image_id: 424242, category_id: 1, keypoints, score: 1 }, { image_id: 790, category_id: 1, keypoints: 'x', score: 1 }, 7], context);
    expect(reading).toEqual({
      kind: 'refused',
      messages: [expect.stringMatching(/^none of its 3 detections is valid, so no column was added \(results\[0\] \(image 424242\): image_id 424242 is not an image of the ground truth; and 2 more problems\)/)],
    });
    expect(readCocoValue([], context)).toEqual({ kind: 'refused', messages: ['results list is empty: the COCO evaluation needs at least one detection; not imported'] });
    const good = readCocoValue([{ image_id: 790, category_id: 1, keypoints, score: 1, extra: 'kept' }, 7], context);
    expect(good).toMatchObject({ kind: 'results', results: [{ image_id: 790, extra: 'kept' }], problems: [{ where: 'results[1]' }] });
  });

  it('keeps a results list for later without ground truth; names malformed JSON and a wrong shape', () => {
    expect(readCocoValue([1, 2], null)).toEqual({ kind: 'pendingResults', entries: [1, 2] });
    expect(readCocoText('{"images": [', null)).toEqual({ kind: 'refused', messages: [expect.stringMatching(/^not JSON \(/)] });
    expect(readCocoText('{"images": 3}', null)).toEqual({ kind: 'refused', messages: [expect.stringMatching(/^ground truth must have "images", "annotations" and "categories" arrays/)] });
    expect(readCocoText('{"type": "FeatureCollection"}', null)).toMatchObject({ kind: 'refused', messages: [expect.stringMatching(/^neither COCO keypoints ground truth/)] });
  });

  it('reports validation progress', () => {
    const calls: string[] = [];
    readCocoText(PEOPLE_GT, null, (p) => calls.push(p.phase === 'validating' ? `${p.done}/${p.total}` : p.phase));
    const total = peopleGt.categories.length + peopleGt.images.length + peopleGt.annotations.length;
    expect(calls).toEqual(['parsing', `${total}/${total}`]);
  });
});

describe('ground truth handed over in chunks', () => {
  it('packs and unpacks annotations exactly', () => {
    const out: CocoKeypointAnnotation[] = [];
    const packed = packAnnotations(peopleGt.annotations);
    unpackAnnotations(packed.subarray(0), out);
    expect(out).toEqual(peopleGt.annotations);
    expect(JSON.stringify(out)).toBe(JSON.stringify(peopleGt.annotations));
  });

  it('an index built chunk by chunk equals the one built at once', () => {
    const images = peopleGt.images.map((im, i): ImageItem => ({ id: `app-${i}`, name: `folder/${im.file_name ?? ''}`, file: new Blob([]), source: 'user', status: 'ready', widthPx: 1, heightPx: 1, thumbnail: null, error: null }));
    const atOnce = groundTruthIndex({ fileName: 'gt.json', sha256: null, dataset: peopleGt, problems: [] }, images);
    const chunked: CocoKeypointsGroundTruth = { images: [...peopleGt.images], annotations: [...peopleGt.annotations], categories: peopleGt.categories };
    const builder = new DatasetIndexBuilder();
    for (let i = 0; i < chunked.images.length; i += 3) builder.addImages(chunked.images.slice(i, i + 3));
    for (let i = 0; i < chunked.annotations.length; i += 7) builder.addAnnotations(chunked.annotations.slice(i, i + 7));
    builder.register(chunked);
    const index = groundTruthIndex({ fileName: 'gt.json', sha256: null, dataset: chunked, problems: [] }, images);
    expect(index?.counts).toEqual(atOnce?.counts);
    expect([...(index?.annotationsByGtImageId ?? [])]).toEqual([...(atOnce?.annotationsByGtImageId ?? [])]);
    expect([...(index?.gtImageByAppImageId ?? [])]).toEqual([...(atOnce?.gtImageByAppImageId ?? [])]);
    expect(index?.counts.images).toBe(8);
  });

  it('counts and names the annotated ground-truth images that have no added file, as a scan of the whole file would', () => {
    const gt = { fileName: 'gt.json', sha256: null, dataset: peopleGt, problems: [] };
    const item = (name: string, i: number): ImageItem => ({ id: `app-${i}`, name, file: new Blob([]), source: 'user', status: 'ready', widthPx: 1, heightPx: 1, thumbnail: null, error: null });
    // The definition, by brute force: listed images with at least one annotation whose file was not added.
    const missingByScan = (added: string[]) =>
      peopleGt.images.filter((im) => !added.includes(im.file_name ?? '') && peopleGt.annotations.some((a) => a.image_id === im.id)).map((im) => im.file_name);
    const annotated = peopleGt.images.filter((im) => peopleGt.annotations.some((a) => a.image_id === im.id)).map((im) => im.file_name ?? '');
    expect(annotated.length).toBeGreaterThan(3);
    for (const added of [[], annotated.slice(0, 1), annotated.slice(1, 3), annotated, ['unrelated.jpg', ...annotated.slice(2)]]) {
      const index = groundTruthIndex(gt, added.map(item))!;
      expect(index.gtImagesWithoutFilesCount, added.join(',')).toBe(missingByScan(added).length);
      expect(gtImagesWithoutFiles(index, 100).map((im) => im.file_name)).toEqual(missingByScan(added));
      expect(gtImagesWithoutFiles(index, 2).map((im) => im.file_name)).toEqual(missingByScan(added).slice(0, 2));
    }
    // An image listed twice counts once.
    const twice: CocoKeypointsGroundTruth = { ...peopleGt, images: [...peopleGt.images, peopleGt.images[0]!] };
    const index = groundTruthIndex({ ...gt, dataset: twice }, [])!;
    expect(index.gtImagesWithoutFilesCount).toBe(annotated.length);
    expect(gtImagesWithoutFiles(index, 100)).toHaveLength(annotated.length);
  });

  it('says when ground truth matches none of the added images', () => {
    const gt = { fileName: 'val.json', sha256: null, dataset: peopleGt, problems: [] };
    const image = (name: string, status: ImageItem['status'] = 'ready'): ImageItem => ({ id: name, name, file: new Blob([]), source: 'user', status, widthPx: 1, heightPx: 1, thumbnail: null, error: null });
    expect(noImageMatchMessage(gt, [image('IMG_1.jpg'), image('000000000790.jpg', 'error')])).toBe(
      'val.json: matches none of the 1 added image by file name (it lists 000000000790.jpg, 000000027731.jpg, 000000030752.jpg, …; added: IMG_1.jpg); add the images it annotates, or the annotations of these images',
    );
    expect(noImageMatchMessage(gt, [image('IMG_1.jpg'), image('000000000790.jpg')])).toBeNull();
    expect(noImageMatchMessage(gt, [])).toBeNull();
  });
});
