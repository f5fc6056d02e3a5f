/**
 * How far Node's JPEG pixels are from Chromium's: decodes every JPEG given (files or folders) in Chromium with
 * both of the app worker's decoders (chromiumDecode.mjs) and in Node with jpeg-js (the former decoder) and with
 * src/node/browserJpeg.ts in both modes, and prints, per chroma layout, the share of differing RGB values and the
 * mean and largest absolute difference. EXIF orientation is left out (ImageDecoder reports it, does not apply it):
 * createImageBitmap is compared only on files without a rotation.
 *   npx tsx scripts/jpeg-parity/measure.mjs test/fixtures/people /work/shared/data/coco-dev/images
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { decodeJpegLikeChromium } from '../../src/node/browserJpeg.ts';
import { decodeInChromium } from './chromiumDecode.mjs';

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: npx tsx scripts/jpeg-parity/measure.mjs FILE_OR_FOLDER...');
  process.exit(2);
}
const paths = args.flatMap((arg) => (statSync(arg).isDirectory() ? readdirSync(arg).filter((name) => /\.jpe?g$/i.test(name)).sort().map((name) => join(arg, name)) : [arg]));

const rows = new Map();
function compare(label, layout, pixels, referencePixels) {
  const key = `${label} [${layout}]`;
  const row = rows.get(key) ?? { files: 0, identicalFiles: 0, values: 0, differing: 0, sum: 0, max: 0 };
  rows.set(key, row);
  row.files++;
  if (pixels.length !== referencePixels.length) throw new Error(`${key}: sizes differ`);
  let differing = 0;
  for (let i = 0; i < referencePixels.length; i++) {
    if ((i & 3) === 3) continue; // alpha / X
    row.values++;
    const difference = Math.abs(pixels[i] - referencePixels[i]);
    if (difference === 0) continue;
    differing++;
    row.sum += difference;
    if (difference > row.max) row.max = difference;
  }
  row.differing += differing;
  if (differing === 0) row.identicalFiles++;
}

const { chromiumVersion, results } = await decodeInChromium(paths);
for (const { path, imageDecoder, createImageBitmap } of results) {
  const bytes = readFileSync(path);
  const layout = imageDecoder?.format ?? 'no ImageDecoder';
  const jpegJs = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 }).data;
  const upright = !imageDecoder || imageDecoder.rotation === 0;
  if (imageDecoder) {
    compare('jpeg-js            vs Chromium ImageDecoder     ', layout, jpegJs, imageDecoder.rgba);
    compare('Node browserJpeg   vs Chromium ImageDecoder     ', layout, (await decodeJpegLikeChromium(bytes, 'ImageDecoder')).rgba, imageDecoder.rgba);
    if (upright) compare('Chromium ImageDecoder vs Chromium createImageBitmap', layout, imageDecoder.rgba, createImageBitmap.rgba);
  }
  if (upright) {
    compare('jpeg-js            vs Chromium createImageBitmap', layout, jpegJs, createImageBitmap.rgba);
    compare('Node browserJpeg   vs Chromium createImageBitmap', layout, (await decodeJpegLikeChromium(bytes, 'createImageBitmap')).rgba, createImageBitmap.rgba);
  }
}
console.log(`Chromium ${chromiumVersion}, ${results.length} JPEGs`);
for (const [key, row] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
  const share = ((100 * row.differing) / row.values).toFixed(3);
  console.log(`${key}: ${row.identicalFiles}/${row.files} files identical; ${share}% of values differ; mean |Δ| ${(row.sum / row.values).toFixed(4)}; max |Δ| ${row.max}`);
}
