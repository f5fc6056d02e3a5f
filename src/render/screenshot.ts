import { defineLayout } from '../core/layouts';
import { drawErrorLines, drawGroundTruthLayer } from './drawGroundTruth';
import { drawImage, drawPoseLayer, type Canvas2D } from './drawPoses';
import { layoutScreenshot, type ScreenshotPageLayout, type ScreenshotSpec, type ScreenshotSwatch } from './screenshotLayout';

export {
  SCREENSHOT_LAYOUT,
  cellGrid,
  gridImagesPerPage,
  layoutScreenshot,
  screenshotPages,
  specForPage,
  type ScreenshotCell,
  type ScreenshotColumn,
  type ScreenshotPageInfo,
  type ScreenshotPageLayout,
  type ScreenshotRow,
  type ScreenshotSection,
  type ScreenshotSpec,
  type ScreenshotView,
  type ScreenshotZoom,
  type Screenshot3D,
  type Screenshot3DPanel,
} from './screenshotLayout';

/** A text measurer on `ctx`: the layout wraps with the fonts the page is painted in. */
function canvasMeasure(ctx: Canvas2D): (text: string, font: string) => number {
  return (text, font) => {
    ctx.font = font;
    return ctx.measureText(text).width;
  };
}

/** Two joints and a bone: the swatch draws no particular skeleton. */
const SWATCH_BONE = defineLayout({ id: 'legend-swatch', displayName: 'legend swatch', kind: 'other', keypointNames: ['a', 'b'], edges: [[0, 1]] });

/**
 * The ground-truth swatch: a bone and two joints drawn by drawGroundTruthLayer itself, so the legend shows exactly
 * the style of the pictures, on a photo-like tile (the style is made to read over photos).
 */
function paintGroundTruthSwatch(ctx: Canvas2D, swatch: ScreenshotSwatch, tileColour: string): void {
  const { xPx, yPx, widthPx, heightPx } = swatch.box;
  ctx.save();
  ctx.fillStyle = tileColour;
  ctx.fillRect(xPx, yPx, widthPx, heightPx);
  const inset = widthPx * 0.22;
  const keypoints = [xPx + inset, yPx + heightPx - inset, 2, xPx + widthPx - inset, yPx + inset, 2];
  drawGroundTruthLayer(ctx, { skeleton: SWATCH_BONE, persons: [{ keypoints, ignored: false }] }, { scale: 1, offsetXPx: 0, offsetYPx: 0 }, 2.5);
  ctx.restore();
}

/**
 * Paints one page of a comparison (rows = images, columns = models) with a legend into `ctx`, using the same pose
 * drawing as the screen, and returns where everything went. `ctx`'s canvas must be the layout's size
 * (`layoutScreenshot` with the same fonts gives it).
 */
export function paintScreenshot(ctx: Canvas2D, spec: ScreenshotSpec): ScreenshotPageLayout {
  const layout = layoutScreenshot(spec, canvasMeasure(ctx));
  const { theme } = layout;
  ctx.fillStyle = theme.backgroundColour;
  ctx.fillRect(0, 0, layout.widthPx, layout.heightPx);
  ctx.textBaseline = 'top';

  for (const cellBox of layout.cells) {
    const row = spec.rows[cellBox.rowIndex];
    if (!row) continue;
    const { xPx, yPx, widthPx, heightPx } = cellBox.box;
    ctx.save();
    ctx.translate(xPx, yPx);
    ctx.beginPath();
    ctx.rect(0, 0, widthPx, heightPx);
    ctx.clip();
    ctx.fillStyle = theme.cellBackgroundColour;
    ctx.fillRect(0, 0, widthPx, heightPx);
    drawImage(ctx, row.image, row.sourceSizePx, row.imageSizePx, cellBox.transform);
    const drawOptions = { transform: cellBox.transform, minScore: spec.confidenceThreshold, pointRadiusPx: cellBox.pointRadiusPx };
    if (cellBox.columnIndex === null) {
      // All models on one image: as on screen, the ground truth once and every model's poses over it, no error lines.
      const groundTruth = row.cells.find((c) => c.groundTruth)?.groundTruth;
      if (groundTruth) drawGroundTruthLayer(ctx, groundTruth, cellBox.transform, cellBox.pointRadiusPx);
      for (const cell of row.cells) if (cell.layer) drawPoseLayer(ctx, cell.layer, drawOptions);
    } else {
      const cell = row.cells[cellBox.columnIndex];
      if (cell?.groundTruth) drawGroundTruthLayer(ctx, cell.groundTruth, cellBox.transform, cellBox.pointRadiusPx);
      if (cell?.errorLines && cell.errorLines.length > 0) drawErrorLines(ctx, cell.errorLines, cellBox.transform, cellBox.pointRadiusPx);
      if (cell?.layer) drawPoseLayer(ctx, cell.layer, drawOptions);
    }
    ctx.restore();
  }

  for (const { panelIndex, box } of layout.panels3d) {
    const panel = spec.view3d?.panels[panelIndex];
    ctx.fillStyle = theme.cellBackgroundColour;
    ctx.fillRect(box.xPx, box.yPx, box.widthPx, box.heightPx);
    if (panel?.image) ctx.drawImage(panel.image, box.xPx, box.yPx, box.widthPx, box.heightPx);
  }

  for (const swatch of layout.swatches) {
    if (swatch.kind === 'groundTruth') paintGroundTruthSwatch(ctx, swatch, theme.groundTruthTileColour);
    else {
      ctx.fillStyle = swatch.colour;
      ctx.fillRect(swatch.box.xPx, swatch.box.yPx, swatch.box.widthPx, swatch.box.heightPx);
    }
  }
  ctx.fillStyle = theme.ruleColour;
  for (const rule of layout.rules) ctx.fillRect(rule.xPx, rule.yPx, rule.widthPx, rule.heightPx);

  ctx.textBaseline = 'top';
  for (const text of layout.texts) {
    ctx.font = text.font;
    ctx.fillStyle = text.colour;
    // Text is painted, never parsed as markup.
    ctx.fillText(text.text, text.xPx, text.yPx);
  }
  return layout;
}

/** Renders one page to a PNG blob, with its layout (sizes, text boxes, cells) for the caller to report. */
export async function renderScreenshotPng(spec: ScreenshotSpec): Promise<{ blob: Blob; layout: ScreenshotPageLayout }> {
  // The layout needs the page's fonts to know its height: measure on a scratch canvas, then paint at that size.
  const scratch = new OffscreenCanvas(1, 1).getContext('2d');
  if (!scratch) throw new Error('cannot create a 2D canvas for the screenshot');
  const measured = layoutScreenshot(spec, canvasMeasure(scratch));
  const canvas = new OffscreenCanvas(measured.widthPx, measured.heightPx);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('cannot create a 2D canvas for the screenshot');
  const layout = paintScreenshot(ctx, spec);
  return { blob: await canvas.convertToBlob({ type: 'image/png' }), layout };
}
