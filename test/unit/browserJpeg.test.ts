/**
 * Node decodes JPEGs to the pixels Chromium decodes. The reference is Chromium itself (Chromium 156, Debian):
 * test/fixtures/jpeg-decode/chromium-reference.json holds the sha256 of the RGB that each of the app worker's two
 * decoders (WebCodecs ImageDecoder, createImageBitmap) gave for every fixture JPEG — 4:4:4 photos, an EXIF-rotated
 * one, and 4:2:0 / 4:2:2 / progressive / restart-marker / 4:4:0 / greyscale variants (see that folder's README).
 * Equality is bit for bit: measured, it holds on every fixture.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeJpegLikeChromium } from '../../src/node/browserJpeg';
import { decodeImageFile } from '../../src/node/nodeImages';

interface DecodeReference {
  width: number;
  height: number;
  rgbSha256: string;
}

interface FileReference {
  imageDecoder: (DecodeReference & { format: string; rotation: number }) | null;
  createImageBitmap: DecodeReference;
}

const ROOT = join(import.meta.dirname, '..', '..');
const reference = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'jpeg-decode', 'chromium-reference.json'), 'utf8')) as { files: Record<string, FileReference> };
const FILES = Object.entries(reference.files);

function rgbSha256(pixels: Uint8Array, channels: 3 | 4): string {
  if (channels === 3) return createHash('sha256').update(pixels).digest('hex');
  const rgb = new Uint8Array((pixels.length / 4) * 3);
  for (let p = 0, o = 0; p < pixels.length; p += 4, o += 3) rgb.set(pixels.subarray(p, p + 3), o);
  return createHash('sha256').update(rgb).digest('hex');
}

describe('Node JPEG decoding against Chromium', () => {
  it('covers every layout the app meets: I444, I422 and I420 frames, and RGB ones', () => {
    const formats = new Set(FILES.map(([, file]) => file.imageDecoder?.format));
    expect([...formats].sort()).toEqual(['BGRX', 'I420', 'I422', 'I444']);
  });

  it.each(FILES.filter(([, file]) => file.imageDecoder))('%s: equals Chromium ImageDecoder (RGBX copyTo), as stored', async (path, file) => {
    const decoded = await decodeJpegLikeChromium(readFileSync(join(ROOT, path)), 'ImageDecoder');
    expect([decoded.width, decoded.height]).toEqual([file.imageDecoder!.width, file.imageDecoder!.height]);
    expect(rgbSha256(decoded.rgba, 4)).toBe(file.imageDecoder!.rgbSha256);
  });

  it.each(FILES)('%s: equals Chromium createImageBitmap (EXIF orientation applied)', async (path, file) => {
    const decoded = await decodeImageFile(join(ROOT, path), { jpegDecoder: 'createImageBitmap' });
    expect([decoded.width, decoded.height]).toEqual([file.createImageBitmap.width, file.createImageBitmap.height]);
    expect(rgbSha256(decoded.rgb, 3)).toBe(file.createImageBitmap.rgbSha256);
  });

  it.each(FILES)('%s: decodeImageFile picks the decoder the app worker picks', async (path, file) => {
    // The worker takes ImageDecoder unless the frame needs turning (it reports, but does not apply, EXIF rotation).
    const appUses = file.imageDecoder && file.imageDecoder.rotation === 0 ? file.imageDecoder : file.createImageBitmap;
    const decoded = await decodeImageFile(join(ROOT, path));
    expect(rgbSha256(decoded.rgb, 3)).toBe(appUses.rgbSha256);
  });

  it('negative control: jpeg-js, the previous decoder, matches neither of Chromium’s decodes', () => {
    for (const [path, file] of FILES.filter(([name]) => name.startsWith('test/fixtures/people/'))) {
      const decoded = jpeg.decode(readFileSync(join(ROOT, path)), { useTArray: true, formatAsRGBA: true });
      const hash = rgbSha256(decoded.data, 4);
      expect(hash, path).not.toBe(file.imageDecoder?.rgbSha256);
      expect(hash, path).not.toBe(file.createImageBitmap.rgbSha256);
    }
  });
});
