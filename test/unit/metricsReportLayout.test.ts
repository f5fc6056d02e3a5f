import { describe, expect, it } from 'vitest';
import { layoutMetricsReport, wrapText, type LaidOutText, type MetricsReportSpec, type TextMeasure } from '../../src/render/metricsReport';

/** A stand-in for canvas text metrics: a fixed width per character, wider for bold and title fonts. */
function fakeMeasure(): TextMeasure {
  return {
    font: '14px sans-serif',
    measureText(text: string) {
      const perChar = this.font.includes('22px') ? 12 : this.font.startsWith('600') ? 8 : 7;
      return { width: text.length * perChar };
    },
  };
}

const NAMES = ['MoveNet SinglePose Lightning', 'MoveNet SinglePose Thunder', 'MoveNet MultiPose Lightning', 'BlazePose lite', 'BlazePose full', 'BlazePose heavy', 'PoseNet MobileNet 0.75'];
const withCi = (v: string) => `${v} [0.291, 0.402]`;

function sevenModelSpec(): MetricsReportSpec {
  return {
    title: 'Keypoint Bench — is it good enough?',
    facts: [`Protocol: ${'Person crops: each model runs once per ground-truth person on that person’s box grown by 25% '.repeat(3)}`, 'Ground truth: annotations.json · 38 images scored · 121 labelled people'],
    table: {
      header: ['Model', 'AP', 'Published*', 'AP50', 'AP75', 'AR', 'PCK@0.2', 'ms/image', 'ms/inference', 'Images', 'No pose'],
      rows: NAMES.map((name, i) => ({
        colour: `#${i}${i}${i}`,
        cells: [name, withCi('0.343'), '0.720 (COCO val, own crops)', withCi('0.612'), withCi('0.330'), withCi('0.401'), withCi('0.812'), '31.2 ms [29.0, 33.1]', '10.4 ms', '38/38', '3/121 crops'],
      })),
    },
    notes: ['* Published figures were measured under other conditions. '.repeat(4)],
    verdictHeading: 'Verdict — dataset-wide: 38 images, 121 labelled people; 95% bootstrap intervals, 1,000 resamples of the images, seed 1',
    verdictLines: NAMES.map((name) => ({ text: `INCONCLUSIVE · ${name} · AP 0.343 [0.291, 0.402] vs ≥ 0.350: inconclusive, about 130 more labelled people would likely settle it · median latency 31.2 ms [29.0, 33.1] vs ≤ 50.0 ms: pass`, pass: null, colour: '#fff' })),
    charts: [
      { image: {} as CanvasImageSource, widthPx: 640, heightPx: 300 },
      { image: {} as CanvasImageSource, widthPx: 640, heightPx: 300 },
      { image: {} as CanvasImageSource, widthPx: 1600, heightPx: 400 },
    ],
    provenance: ['weights: ' + 'a1b2c3d4'.repeat(12)],
  };
}

describe('metrics report layout', () => {
  it('wraps by words, and cuts a word longer than the line', () => {
    const measure = fakeMeasure();
    expect(wrapText(measure, 'aa bb cc dd', 35)).toEqual(['aa bb', 'cc dd']);
    const cut = wrapText(measure, 'x'.repeat(20), 70);
    expect(cut).toEqual(['x'.repeat(10), 'x'.repeat(10)]);
  });

  it('at 7 models with intervals, no text runs outside its box or the page, and table cells never overlap', () => {
    const layout = layoutMetricsReport(fakeMeasure(), sevenModelSpec());
    const texts = layout.items.filter((item): item is LaidOutText => item.kind === 'text');
    expect(layout.widthPx).toBeLessThanOrEqual(2000);
    for (const t of texts) {
      expect(t.widthPx, t.text).toBeLessThanOrEqual(t.boxWidthPx);
      expect(t.xPx, t.text).toBeGreaterThanOrEqual(0);
      expect(t.xPx + t.boxWidthPx, t.text).toBeLessThanOrEqual(layout.widthPx);
      expect(t.yPx).toBeLessThan(layout.heightPx);
    }
    // Table rows: texts on one line, left to right, each box ends before the next one starts (headers spaced).
    const byLine = new Map<number, LaidOutText[]>();
    for (const t of texts) byLine.set(t.yPx, [...(byLine.get(t.yPx) ?? []), t]);
    for (const line of byLine.values()) {
      const sorted = [...line].sort((a, b) => a.xPx - b.xPx);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1]!.xPx + sorted[i - 1]!.widthPx, `${sorted[i - 1]!.text} | ${sorted[i]!.text}`).toBeLessThan(sorted[i]!.xPx);
    }
    // The long protocol fact and the verdict lines wrapped instead of being cut: every word is there.
    const painted = texts.map((t) => t.text).join(' ');
    for (const line of [...sevenModelSpec().facts, ...sevenModelSpec().verdictLines.map((l) => l.text)]) expect(painted).toContain(line.split(/\s+/).join(' ').slice(0, 80));
    // Charts keep their pixel size (their fonts match the page's), two 640 px charts side by side, the wide one shrunk to the page.
    const images = layout.items.filter((item) => item.kind === 'image');
    expect(images.map((i) => [i.widthPx, i.heightPx])).toEqual([[640, 300], [640, 300], [1352, 338]]);
    expect(images[0]!.yPx).toBe(images[1]!.yPx);
    expect(images[2]!.yPx).toBeGreaterThan(images[0]!.yPx + 300);
    expect(layout.heightPx).toBeGreaterThanOrEqual(images[2]!.yPx + 338);
  });
});
