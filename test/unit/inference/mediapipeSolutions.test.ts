/**
 * The legacy MediaPipe solutions runtime outside a browser: every entry's config is checked, loading in Node fails
 * at once with the reason (no WebGL, no Worker/OffscreenCanvas here) before any file is read, and the pixels the
 * solution gets are the image's (RGBA, opaque) for RGB, RGBX and crop views. The solutions themselves run in
 * test/browser/mediapipeSolutions.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../src/core/types';
import { MODELS, adapterFactory, checkModelAdapter } from '../../../src/inference/modelRegistry';
import { cropView, rgbImage } from '../../../src/inference/rgbImage';
import { MEDIAPIPE_SOLUTIONS_RUNTIME, rgbaPixels, solutionsUnavailableReason } from '../../../src/inference/runtimes/mediapipeSolutions';

const SOLUTIONS = MODELS.filter((m) => m.runtime === MEDIAPIPE_SOLUTIONS_RUNTIME);
const variant = (info: ModelInfo, config: Record<string, unknown>): ModelInfo => ({ ...structuredClone(info), config: { ...info.config, ...config } });

describe('legacy MediaPipe solutions runtime', () => {
  it('has a twin on tfjs for every entry: BlazePose ×3, Hands ×2, Face Mesh 468 and 478', () => {
    const twins = SOLUTIONS.map((m) => MODELS.find((t) => t.id === m.sameModelAs));
    expect(twins.every((t) => t?.runtime === 'tfjs')).toBe(true);
    expect(SOLUTIONS.map((m) => `${m.family}/${m.keypointLayout}`).sort()).toEqual(
      ['blazepose/blazepose33', 'blazepose/blazepose33', 'blazepose/blazepose33', 'facemesh/face468', 'facemesh/face478', 'mediapipe-hands/hand21', 'mediapipe-hands/hand21'].sort(),
    );
    expect(SOLUTIONS.every((m) => m.defaultSelected === false)).toBe(true);
  });

  it('refuses configs its solutions cannot run', () => {
    const pose = SOLUTIONS.find((m) => m.family === 'blazepose')!;
    const face = SOLUTIONS.find((m) => m.family === 'facemesh' && m.keypointLayout === 'face468')!;
    expect(() => checkModelAdapter(variant(pose, { modelComplexity: 3 }))).toThrow(/modelComplexity/);
    expect(() => checkModelAdapter(variant(pose, { solutionFile: 'elsewhere.js' }))).toThrow(/not one of the entry's files/);
    expect(() => checkModelAdapter(variant(face, { refineLandmarks: true }))).toThrow(/gives 478 points, its layout face468 has 468/);
    expect(() => checkModelAdapter({ ...structuredClone(pose), personInput: 'box' })).toThrow(/personInput/);
  });

  it('fails to load in Node, naming why, before reading any file', async () => {
    expect(solutionsUnavailableReason()).toMatch(/Node has no Worker and no WebGL/);
    const read: string[] = [];
    for (const info of SOLUTIONS) {
      const load = adapterFactory(info)(info, { files: { readFile: (name) => (read.push(name), Promise.reject(new Error('unexpected read'))) } });
      await expect(load).rejects.toThrow(new RegExp(`^${info.id}: the legacy MediaPipe solutions run their networks as WebGL2 shaders .* browser only$`));
    }
    expect(read).toEqual([]);
  });

  it('hands the solution opaque RGBA of exactly the image (RGB, RGBX, a crop view)', () => {
    const rgb = rgbImage(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 2, 2, 3);
    expect([...rgbaPixels(rgb)]).toEqual([1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255, 10, 11, 12, 255]);
    const rgbx = rgbImage(Uint8Array.from([1, 2, 3, 0, 4, 5, 6, 0]), 2, 1, 4);
    expect([...rgbaPixels(rgbx)]).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
    expect([...rgbaPixels(cropView(rgb, { xPx: 1, yPx: 0, widthPx: 1, heightPx: 2 }))]).toEqual([4, 5, 6, 255, 10, 11, 12, 255]);
  });
});
