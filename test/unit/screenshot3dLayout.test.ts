import { describe, expect, it } from 'vitest';
import { EXPORT_ORBIT_TEXT } from '../../src/core/pose3d';
import { SCREENSHOT_LAYOUT, layoutScreenshot, type MeasureTextPx, type RectPx, type ScreenshotSpec, type ScreenshotView } from '../../src/render/screenshotLayout';

/** Every character 0.6 em wide: over-measures system-ui text, so a layout that fits here fits on canvas. */
const fakeMeasure: MeasureTextPx = (text, font) => [...text].length * Number(/(\d+)px/.exec(font)?.[1] ?? 14) * 0.6;
const NAMES = ['MoveNet SinglePose Lightning', 'BlazePose lite', 'MediaPipe Hands lite', 'MediaPipe Face Mesh with attention (irises)', 'BlazePose heavy', 'PoseNet (MobileNetV1)', 'MediaPipe Face Mesh'];

function specOf(view: ScreenshotView, count: number, with3d = true): ScreenshotSpec {
  const columns = NAMES.slice(0, count).map((label, i) => ({ label, colour: `#${(0x336699 + i * 4321).toString(16)}`, medianImageLatencyMs: 50 }));
  return {
    title: 'Keypoint Bench — 000000000790.jpg',
    view,
    columns,
    rows: [{ imageName: 'a.jpg', image: {} as CanvasImageSource, sourceSizePx: { width: 640, height: 480 }, imageSizePx: { width: 640, height: 480 }, cells: columns.map(() => ({ layer: null, imageLatencyMs: 40, inferences: 1 })) }],
    backendLabel: 'wasm',
    confidenceThreshold: 0.3,
    createdAt: new Date('2026-12-02T03:04:05Z'),
    sections: [{ title: 'Provenance', lines: [{ text: 'Keypoint Bench abc', pass: null }] }],
    ...(with3d
      ? { view3d: { caption: EXPORT_ORBIT_TEXT, panels: columns.map((c, i) => ({ label: c.label, colour: c.colour, detail: i % 2 ? 'world landmarks, metres' : 'no 3D output (2D keypoints only)', image: null })) } }
      : {}),
  };
}

const inside = (a: RectPx, b: RectPx) => a.xPx >= b.xPx - 1e-6 && a.yPx >= b.yPx - 1e-6 && a.xPx + a.widthPx <= b.xPx + b.widthPx + 1e-6 && a.yPx + a.heightPx <= b.yPx + b.heightPx + 1e-6;
const overlap = (a: RectPx, b: RectPx) => a.xPx < b.xPx + b.widthPx && b.xPx < a.xPx + a.widthPx && a.yPx < b.yPx + b.heightPx && b.yPx < a.yPx + a.heightPx;

describe('screenshot layout: the 3D row', () => {
  it.each([
    ['sideBySide', 1],
    ['sideBySide', 2],
    ['sideBySide', 7],
    ['overlayAll', 3],
  ] as const)('%s with %i columns: caption, one panel per column under the pictures, nothing overflows or overlaps', (view, count) => {
    const layout = layoutScreenshot(specOf(view, count), fakeMeasure);
    const page = { xPx: 0, yPx: 0, widthPx: layout.widthPx, heightPx: layout.heightPx };
    expect(layout.texts.find((t) => t.role === 'heading' && t.text === EXPORT_ORBIT_TEXT)).toBeDefined();
    expect(layout.panels3d.map((p) => p.panelIndex)).toEqual(Array.from({ length: count }, (_, i) => i));
    const lowestPicture = Math.max(...layout.cells.map((c) => c.box.yPx + c.box.heightPx));
    const rule = layout.rules[0]!;
    for (const { box } of layout.panels3d) {
      expect(box.heightPx).toBe(Math.round(box.widthPx * SCREENSHOT_LAYOUT.panel3dAspect));
      expect(box.widthPx).toBeLessThanOrEqual(SCREENSHOT_LAYOUT.panel3dWidthPx);
      expect(inside(box, page)).toBe(true);
      expect(box.yPx).toBeGreaterThan(lowestPicture);
      expect(box.yPx + box.heightPx).toBeLessThan(rule.yPx);
    }
    // Three to a line at most.
    expect(new Set(layout.panels3d.map((p) => p.box.yPx)).size).toBe(Math.ceil(count / SCREENSHOT_LAYOUT.panels3dPerLineMax));
    for (const text of layout.texts) expect(inside({ xPx: text.xPx, yPx: text.yPx, widthPx: text.widthPx, heightPx: text.lineHeightPx }, text.box), text.text).toBe(true);
    const boxes = [...new Map(layout.texts.map((t) => [JSON.stringify(t.box), t.box])).values(), ...layout.cells.map((c) => c.box), ...layout.swatches.map((s) => s.box), ...layout.panels3d.map((p) => p.box)];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i]!, boxes[j]!), `${JSON.stringify(boxes[i])} × ${JSON.stringify(boxes[j])}`).toBe(false);
  });

  it('adds nothing without 3D, and nothing to a grid', () => {
    const plain = layoutScreenshot(specOf('sideBySide', 2, false), fakeMeasure);
    expect(plain.panels3d).toEqual([]);
    expect(plain.texts.some((t) => t.text === EXPORT_ORBIT_TEXT)).toBe(false);
    const grid = layoutScreenshot(specOf('grid', 2), fakeMeasure);
    expect(grid.panels3d).toEqual([]);
    expect(grid.heightPx).toBe(layoutScreenshot(specOf('grid', 2, false), fakeMeasure).heightPx);
  });
});
