import { describe, expect, it } from 'vitest';
import { SCREENSHOT_LAYOUT, screenshotSizePx } from '../../src/render/screenshot';

describe('screenshot layout', () => {
  it('grows with columns and rows and keeps a minimum width for the legend', () => {
    const row = { imageSizePx: { width: 640, height: 480 } };
    const one = screenshotSizePx(1, [row], SCREENSHOT_LAYOUT.singleCellWidthPx);
    expect(one.width).toBe(SCREENSHOT_LAYOUT.minWidthPx);
    const seven = screenshotSizePx(7, [row], SCREENSHOT_LAYOUT.gridCellWidthPx);
    expect(seven.width).toBe(2 * SCREENSHOT_LAYOUT.marginPx + 7 * SCREENSHOT_LAYOUT.gridCellWidthPx + 6 * SCREENSHOT_LAYOUT.gapPx);
    const twoRows = screenshotSizePx(7, [row, row], SCREENSHOT_LAYOUT.gridCellWidthPx);
    const cellHeight = (SCREENSHOT_LAYOUT.gridCellWidthPx * 480) / 640;
    expect(twoRows.height - seven.height).toBe(SCREENSHOT_LAYOUT.rowTitleHeightPx + cellHeight + SCREENSHOT_LAYOUT.cellLabelHeightPx + SCREENSHOT_LAYOUT.gapPx);
  });
});
