import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import exifr from 'exifr';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { orientedSize, type ExifOrientation } from '../../src/core/orientation';
import { decodeJpegLikeChromium } from '../../src/node/browserJpeg';
import { decodeImageFile, orientRgba, type DecodedImage } from '../../src/node/nodeImages';

/**
 * A stored 3×2 image whose pixels are labelled a…f:
 *     a b c
 *     d e f
 * and how it must look upright for each EXIF orientation (TIFF/EXIF 2.3 definitions), written out by hand.
 */
const STORED = ['abc', 'def'];
const UPRIGHT: Record<ExifOrientation, string[]> = {
  1: ['abc', 'def'], // as stored
  2: ['cba', 'fed'], // mirrored horizontally
  3: ['fed', 'cba'], // rotated 180°
  4: ['def', 'abc'], // mirrored vertically
  5: ['ad', 'be', 'cf'], // mirrored horizontally, then rotated 90° counter-clockwise (transpose)
  6: ['da', 'eb', 'fc'], // rotated 90° clockwise
  7: ['fc', 'eb', 'da'], // mirrored horizontally, then rotated 90° clockwise (transverse)
  8: ['cf', 'be', 'ad'], // rotated 90° counter-clockwise
};
const ORIENTATIONS: ExifOrientation[] = [1, 2, 3, 4, 5, 6, 7, 8];

/** RGBA with a distinct colour per label: R = code, G = code + 1, B = code + 2, A = 255. */
function labelledRgba(rows: readonly string[]): Uint8Array {
  const width = rows[0]?.length ?? 0;
  const rgba = new Uint8Array(width * rows.length * 4);
  rows.forEach((row, y) =>
    [...row].forEach((label, x) => {
      const code = label.charCodeAt(0);
      rgba.set([code, code + 1, code + 2, 255], (y * width + x) * 4);
    }),
  );
  return rgba;
}

/** Reads the labels back from RGB pixels, checking that each pixel kept its three channels together. */
function labelsOf(image: DecodedImage): string[] {
  const rows: string[] = [];
  for (let y = 0; y < image.height; y++) {
    let row = '';
    for (let x = 0; x < image.width; x++) {
      const offset = (y * image.width + x) * 3;
      const [r, g, b] = [image.rgb[offset] ?? 0, image.rgb[offset + 1] ?? 0, image.rgb[offset + 2] ?? 0];
      if (g !== r + 1 || b !== r + 2) throw new Error(`pixel ${x},${y} has mixed channels ${r},${g},${b}`);
      row += String.fromCharCode(r);
    }
    rows.push(row);
  }
  return rows;
}

describe('orientedSize', () => {
  it.each(ORIENTATIONS)('orientation %i', (orientation) => {
    const upright = UPRIGHT[orientation];
    expect(orientedSize({ width: 3, height: 2 }, orientation)).toEqual({ width: upright[0]?.length, height: upright.length });
  });

  it('does not return its argument (callers may mutate the result)', () => {
    const stored = { width: 4, height: 3 };
    expect(orientedSize(stored, 1)).not.toBe(stored);
  });
});

describe('orientRgba', () => {
  it.each(ORIENTATIONS)('orientation %i turns the stored pixels upright', (orientation) => {
    const upright = orientRgba(labelledRgba(STORED), 3, 2, orientation);
    expect(upright.rgb).toHaveLength(upright.width * upright.height * 3);
    expect(labelsOf(upright)).toEqual(UPRIGHT[orientation]);
  });
});

describe('decodeImageFile on the EXIF-rotated fixture', () => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'rotated');
  const rotatedPath = join(dir, 'rotated-exif6.jpg');
  const uprightPath = join(dir, 'upright.jpg');

  function meanAbsDifference(a: DecodedImage, b: DecodedImage): number {
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    let sum = 0;
    for (let i = 0; i < a.rgb.length; i++) sum += Math.abs((a.rgb[i] ?? 0) - (b.rgb[i] ?? 0));
    return sum / a.rgb.length;
  }

  it('is a fixture with stored pixels on their side and EXIF Orientation 6', async () => {
    const bytes = readFileSync(rotatedPath);
    expect(await exifr.orientation(bytes)).toBe(6);
    const stored = jpeg.decode(bytes);
    expect([stored.width, stored.height]).toEqual([425, 640]);
  });

  it('returns the upright size and the upright pixels, within JPEG re-encoding noise', async () => {
    const rotated = await decodeImageFile(rotatedPath);
    const upright = await decodeImageFile(uprightPath);
    expect([rotated.width, rotated.height]).toEqual([640, 425]);
    // Measured 1.2 grey levels (the rotated copy is re-encoded at quality 95).
    expect(meanAbsDifference(rotated, upright)).toBeLessThan(3);
  });

  it('negative control: the same pixels turned the wrong way differ far beyond that noise', async () => {
    const stored = jpeg.decode(readFileSync(rotatedPath), { useTArray: true, formatAsRGBA: true });
    const wrongWay = orientRgba(stored.data, stored.width, stored.height, 8);
    expect(meanAbsDifference(wrongWay, await decodeImageFile(uprightPath))).toBeGreaterThan(20);
  });

  it('leaves a file without EXIF as stored', async () => {
    const upright = await decodeImageFile(uprightPath);
    // The stored pixels, decoded as the app's ImageDecoder path decodes them (no orientation involved).
    const plain = await decodeJpegLikeChromium(readFileSync(uprightPath), 'ImageDecoder');
    expect([upright.width, upright.height]).toEqual([plain.width, plain.height]);
    expect(upright.rgb.subarray(0, 6)).toEqual(new Uint8Array([...plain.rgba.subarray(0, 3), ...plain.rgba.subarray(4, 7)]));
  });
});
