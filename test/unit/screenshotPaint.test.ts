import { describe, expect, it } from 'vitest';
import { COCO17 } from '../../src/core/layouts/builtinLayouts';
import type { Canvas2D } from '../../src/render/drawPoses';
import { paintScreenshot, type ScreenshotSpec } from '../../src/render/screenshot';
import { GROUND_TRUTH_LEGEND } from '../../src/render/screenshotLayout';
import { SCREENSHOT_THEMES } from '../../src/render/screenshotTheme';

interface Call {
  name: string;
  args: unknown[];
  fillStyle: unknown;
  strokeStyle: unknown;
}

/** A 2D context that records every call with the fill and stroke styles current at the time; text is 7 px a character. */
function recordingContext(): { ctx: Canvas2D; calls: Call[] } {
  const calls: Call[] = [];
  const state: Record<string | symbol, unknown> = { fillStyle: '#000000', strokeStyle: '#000000', font: '' };
  const ctx = new Proxy(state, {
    get: (object, key) => {
      if (key === 'measureText') return (text: string) => ({ width: text.length * 7 });
      if (key in object) return object[key];
      return (...args: unknown[]) => void calls.push({ name: String(key), args, fillStyle: object.fillStyle, strokeStyle: object.strokeStyle });
    },
    set: (object, key, value) => {
      object[key] = value;
      return true;
    },
  }) as unknown as Canvas2D;
  return { ctx, calls };
}

const spec = (theme: 'dark' | 'light'): ScreenshotSpec => ({
  title: 'Keypoint Bench — a.jpg',
  view: 'sideBySide',
  theme,
  columns: [{ label: 'MoveNet SinglePose Lightning', colour: '#ff3b30', medianImageLatencyMs: 40 }],
  rows: [
    {
      imageName: 'a.jpg',
      image: {} as CanvasImageSource,
      sourceSizePx: { width: 640, height: 480 },
      imageSizePx: { width: 640, height: 480 },
      cells: [{ layer: null, groundTruth: { persons: [], skeleton: COCO17 }, imageLatencyMs: 40, inferences: 1 }],
    },
  ],
  backendLabel: 'wasm',
  confidenceThreshold: 0.3,
  createdAt: new Date(0),
  sections: [{ title: 'Verdict — whole dataset: 4 images, 11 labelled people', lines: [{ text: 'PASS · MoveNet SinglePose Lightning', pass: true }] }],
});

describe('screenshot painting', () => {
  it.each(['dark', 'light'] as const)('%s: page background, text colours from the theme; the model colour and the ground-truth style unchanged', (themeName) => {
    const theme = SCREENSHOT_THEMES[themeName];
    const { ctx, calls } = recordingContext();
    const layout = paintScreenshot(ctx, spec(themeName));
    const background = calls.find((c) => c.name === 'fillRect');
    expect(background?.args).toEqual([0, 0, layout.widthPx, layout.heightPx]);
    expect(background?.fillStyle).toBe(theme.backgroundColour);
    const texts = calls.filter((c) => c.name === 'fillText');
    expect(texts.find((c) => c.args[0] === 'Keypoint Bench — a.jpg')?.fillStyle).toBe(theme.titleColour);
    expect(texts.find((c) => c.args[0] === 'PASS · MoveNet SinglePose Lightning')?.fillStyle).toBe(theme.passColour);
    expect(texts.map((c) => c.args[0]).join(' ')).toContain(GROUND_TRUTH_LEGEND);
    // The model's swatch keeps its colour whatever the theme.
    expect(calls.some((c) => c.name === 'fillRect' && c.fillStyle === '#ff3b30')).toBe(true);
    // The ground-truth swatch is drawn by drawGroundTruthLayer: white strokes (bone and diamonds) over a dark outline.
    const strokes = calls.filter((c) => c.name === 'stroke').map((c) => c.strokeStyle);
    expect(strokes).toContain('#ffffff');
    expect(strokes).toContain('#000000');
  });
});
