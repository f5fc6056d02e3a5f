/**
 * Decodes image files in Chromium exactly as the app's inference worker does (src/inference/inputPixels.ts), with
 * both of its decoders, and hands the pixels back to Node: the reference the Node decoder is held to.
 *
 * - ImageDecoder: WebCodecs, frame 0, `copyTo` as RGBX over the visible rect (the worker's first choice; it
 *   applies no EXIF rotation, so the stored orientation comes back, with the frame's rotation reported).
 * - createImageBitmap: `imageOrientation: 'from-image'`, drawn into a CPU-backed OffscreenCanvas (willReadFrequently)
 *   and read with getImageData (the worker's fallback, used for rotated or downscaled images).
 * Both run in a module Web Worker, like the app's. Chromium: CHROMIUM_PATH or a standard install (scripts/chromium.mjs).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from '../chromium.mjs';

const WORKER_SOURCE = `
self.onmessage = async ({ data: { bytes, type } }) => {
  const result = { imageDecoder: null, createImageBitmap: null };
  try {
    const decoder = new ImageDecoder({ data: bytes, type });
    const frame = (await decoder.decode({ frameIndex: 0 })).image;
    const rect = frame.visibleRect;
    const options = { format: 'RGBX', rect };
    const rgba = new Uint8Array(frame.allocationSize(options));
    await frame.copyTo(rgba, options);
    result.imageDecoder = { format: frame.format, rotation: frame.rotation ?? 0, width: rect.width, height: rect.height, rgba };
    frame.close();
    decoder.close();
  } catch (error) {
    result.imageDecoderError = String(error);
  }
  const bitmap = await createImageBitmap(new Blob([bytes], { type }), { imageOrientation: 'from-image' });
  const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d', { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  result.createImageBitmap = { width: bitmap.width, height: bitmap.height, rgba: new Uint8Array(context.getImageData(0, 0, bitmap.width, bitmap.height).data.buffer) };
  bitmap.close();
  self.postMessage(result);
};`;

/* global self, atob, btoa, Worker, Blob -- PAGE_DECODE runs in the page, not in Node. */
/** Base64 across the page boundary: Playwright serialises typed arrays element by element otherwise. */
const PAGE_DECODE = async ({ source, base64, type }) => {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  self.decodeWorker ??= new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), { type: 'module' });
  const result = await new Promise((resolve, reject) => {
    self.decodeWorker.onmessage = ({ data }) => resolve(data);
    self.decodeWorker.onerror = (event) => reject(new Error(event.message));
    self.decodeWorker.postMessage({ bytes, type });
  });
  const toBase64 = (u8) => {
    let text = '';
    for (let i = 0; i < u8.length; i += 0x8000) text += String.fromCharCode(...u8.subarray(i, i + 0x8000));
    return btoa(text);
  };
  for (const key of ['imageDecoder', 'createImageBitmap']) if (result[key]) result[key].rgba = toBase64(result[key].rgba);
  return result;
};

/**
 * @param {string[]} paths image files
 * @returns {Promise<{ chromiumVersion: string, results: { path: string, imageDecoder: null | { format: string, rotation: number, width: number, height: number, rgba: Uint8Array }, imageDecoderError?: string, createImageBitmap: { width: number, height: number, rgba: Uint8Array } }[] }>}
 */
/** CHROMIUM_PATH or a standard install, as the browser tests find it (scripts/chromium.mjs). */
function chromiumBinary() {
  const { path, problem } = findChromium();
  if (path === null) throw new Error(problem);
  return path;
}

export async function decodeInChromium(paths) {
  const profileDir = mkdtempSync(join(tmpdir(), 'keypoint-bench-decode-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumBinary(),
    headless: true,
    args: ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // A localhost origin is a secure context, which WebCodecs needs; nothing is served but this empty page.
    await page.route('http://localhost/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>decode</title>' }));
    await page.goto('http://localhost/');
    const results = [];
    for (const path of paths) {
      const type = /\.png$/i.test(path) ? 'image/png' : 'image/jpeg';
      const result = await page.evaluate(PAGE_DECODE, { source: WORKER_SOURCE, base64: readFileSync(path).toString('base64'), type });
      for (const key of ['imageDecoder', 'createImageBitmap']) if (result[key]) result[key].rgba = new Uint8Array(Buffer.from(result[key].rgba, 'base64'));
      results.push({ path, ...result });
    }
    return { chromiumVersion: context.browser()?.version() ?? 'unknown', results };
  } finally {
    await context.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}
