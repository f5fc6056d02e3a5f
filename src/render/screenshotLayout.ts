import { fitImage, zoomedTransform, type ImageToCanvas, type ZoomView } from '../core/geometry';
import { formatImageLatency, formatMs } from '../core/latencyText';
import type { ErrorLine, GroundTruthLayer } from './drawGroundTruth';
import { pointRadiusFor, type PoseLayer } from './drawPoses';
import { REPORT_STYLE } from './reportPage';
import { SCREENSHOT_THEMES, themeVerdictColour, type ScreenshotTheme, type ScreenshotThemeName } from './screenshotTheme';

/**
 * Where everything in a screenshot export goes, computed without drawing: pure, given a text measurer, so a unit
 * test can run it with a fake one and a browser test can read back what the real fonts gave. Every text it places
 * comes with its measured width and the box it must stay in.
 */

/** Layout of an exported comparison, in canvas pixels. */
export const SCREENSHOT_LAYOUT = {
  marginPx: 24,
  gapPx: 12,
  /** A slide's width (1920 px) plus margins: wider pages shrink to unreadable when dropped into a report. */
  maxWidthPx: 2000,
  minWidthPx: 720,
  titleLineHeightPx: 30,
  textLineHeightPx: 20,
  headingLineHeightPx: 22,
  captionLineHeightPx: 18,
  /** A model name under a cell wraps onto at most this many lines (then an ellipsis: only user-named imports get that long). */
  captionNameLinesMax: 2,
  legendColumnsMax: 3,
  legendSwatchPx: 14,
  /** Side by side: as on screen (CompareView lays out at most three panels per line). */
  sideBySidePerLineMax: 3,
  singleCellWidthPx: 560,
  /** CompareView's panels are at most this tall; a portrait image is letterboxed into the same shape here. */
  singleCellMaxHeightPx: 560,
  overlayCellWidthPx: 1200,
  overlayCellMaxHeightPx: 760,
  /** Grid view: many smaller cells, never narrower than the minimum (then they wrap onto a second line). */
  gridCellWidthPx: 300,
  gridCellMinWidthPx: 240,
  /**
   * Contact sheet: an image's cells form a block; narrow blocks (few models) sit side by side, up to this many, and a
   * page holds `gridLinesPerPage` lines of blocks (a larger grid becomes several pages).
   */
  gridBlocksPerLineMax: 6,
  gridLinesPerPage: 6,
  /** Between two images' blocks: wider than between one image's cells, so the blocks read as groups. */
  blockGapPx: 28,
  /** 3D panels: at most this many per line, this wide, height = width × the aspect. */
  panels3dPerLineMax: 3,
  panel3dWidthPx: 480,
  panel3dAspect: 0.75,
} as const;

export const SCREENSHOT_FONTS = {
  title: REPORT_STYLE.titleFont,
  text: REPORT_STYLE.textFont,
  heading: REPORT_STYLE.headingFont,
  caption: '13px system-ui, sans-serif',
} as const;

/** What the export shows: the gallery grid, the side-by-side view, or its "all models on one image" view. */
export type ScreenshotView = 'grid' | 'sideBySide' | 'overlayAll';

/** The on-screen zoom of the side-by-side view (core/geometry's ZoomView). */
export type ScreenshotZoom = ZoomView;

export interface ScreenshotColumn {
  label: string;
  colour: string;
  /** Shown in the legend: median model time per image over the exported images, or null when none finished. */
  medianImageLatencyMs: number | null;
}

export interface ScreenshotCell {
  layer: PoseLayer | null;
  groundTruth?: GroundTruthLayer | null;
  errorLines?: readonly ErrorLine[];
  /** Model time for this image (all its inferences) and how many inferences that was; null when not run. */
  imageLatencyMs: number | null;
  inferences: number | null;
  /** Replaces the latency text, e.g. "error" or "running". */
  note?: string;
}

export interface ScreenshotRow {
  imageName: string;
  image: CanvasImageSource;
  /** Size of `image` itself (it may be a thumbnail). */
  sourceSizePx: { width: number; height: number };
  /** Original image size: the space keypoints are in. */
  imageSizePx: { width: number; height: number };
  cells: ScreenshotCell[];
}

export interface ScreenshotSection {
  title: string;
  /** `pass` colours the line: green, red, or neutral when null. */
  lines: { text: string; pass: boolean | null }[];
}

export interface ScreenshotSpec {
  title: string;
  columns: ScreenshotColumn[];
  rows: ScreenshotRow[];
  backendLabel: string;
  confidenceThreshold: number;
  createdAt: Date;
  /** Default: 'grid'. */
  view?: ScreenshotView;
  /** Preferred cell width; default per view (SCREENSHOT_LAYOUT). The page never grows past `maxWidthPx` for it. */
  cellWidthPx?: number;
  /** Side by side and all-on-one only: the zoom on screen. */
  zoom?: ScreenshotZoom | null;
  /** Default: 'dark'. */
  theme?: ScreenshotThemeName;
  /** Extra facts line, e.g. the evaluation protocol. */
  note?: string;
  /**
   * Titled blocks below the pictures: the dataset-wide verdict, published figures, the benchmark, provenance. They
   * describe the whole dataset, so they sit under their own rule, never under an image's name.
   */
  sections?: ScreenshotSection[];
  /** A page of a larger grid: which one, and which images of how many it holds. */
  page?: ScreenshotPageInfo;
  /** Side by side and all-on-one only: each column's 3D view, under the pictures, with the fixed camera stated. */
  view3d?: Screenshot3D;
}

/** The 3D row of an export: a caption stating the camera angle, and one panel per column. */
export interface Screenshot3D {
  caption: string;
  panels: Screenshot3DPanel[];
}

export interface Screenshot3DPanel {
  label: string;
  colour: string;
  /** The units ("world landmarks, metres") or why there is no picture ("no 3D output"). */
  detail: string;
  /** The rendered view (any size; drawn scaled into its box at `SCREENSHOT_LAYOUT.panel3dAspect`), or null. */
  image: CanvasImageSource | null;
}

export interface ScreenshotPageInfo {
  index: number;
  count: number;
  /** Index of this page's first image among all `totalRows`, and how many it holds. */
  firstRow: number;
  rowCount: number;
  totalRows: number;
}

export interface RectPx {
  xPx: number;
  yPx: number;
  widthPx: number;
  heightPx: number;
}

export type ScreenshotTextRole = 'title' | 'facts' | 'legend' | 'rowTitle' | 'caption' | 'heading' | 'line';

/** One line of text as placed: top-left corner (text baseline 'top'), measured width, and the box it must fit in. */
export interface ScreenshotText {
  role: ScreenshotTextRole;
  text: string;
  font: string;
  colour: string;
  xPx: number;
  yPx: number;
  widthPx: number;
  lineHeightPx: number;
  box: RectPx;
}

export interface ScreenshotCellBox {
  rowIndex: number;
  /** The column drawn, or null for the all-models-on-one-image cell (every column's poses). */
  columnIndex: number | null;
  box: RectPx;
  /** Image pixels → cell pixels (relative to the cell's top-left corner). */
  transform: ImageToCanvas;
  pointRadiusPx: number;
}

/** Where a 3D panel's picture goes. */
export interface Screenshot3DPanelBox {
  panelIndex: number;
  box: RectPx;
}

export interface ScreenshotSwatch {
  kind: 'model' | 'groundTruth';
  colour: string;
  box: RectPx;
}

export interface ScreenshotPageLayout {
  widthPx: number;
  heightPx: number;
  theme: ScreenshotTheme;
  texts: ScreenshotText[];
  cells: ScreenshotCellBox[];
  swatches: ScreenshotSwatch[];
  rules: RectPx[];
  /** The 3D panels' pictures (empty without a 3D row). */
  panels3d: Screenshot3DPanelBox[];
}

/** Width of `text` in `font`, in canvas pixels. */
export type MeasureTextPx = (text: string, font: string) => number;

/** The legend's words for ground truth: how it is drawn (drawGroundTruth.ts), so a reader can tell it from a model. */
export const GROUND_TRUTH_LEGEND = 'Ground truth (white dashed bones, hollow diamonds)';

/**
 * Splits `text` into lines no wider than `maxWidthPx`: at spaces, or inside a word longer than a line. Beyond
 * `maxLines` the last line ends in an ellipsis. Every line returned is measured to fit.
 */
export function wrapText(text: string, font: string, maxWidthPx: number, measure: MeasureTextPx, maxLines = Number.POSITIVE_INFINITY): string[] {
  const fits = (s: string) => measure(s, font) <= maxWidthPx;
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (fits(candidate)) {
      current = candidate;
      continue;
    }
    if (current !== '') lines.push(current);
    current = '';
    if (fits(word)) {
      current = word;
      continue;
    }
    for (const char of word) {
      if (current !== '' && !fits(current + char)) {
        lines.push(current);
        current = '';
      }
      current += char;
    }
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, Math.max(1, maxLines));
  const chars = [...lines.slice(kept.length - 1).join(' ')];
  let end = chars.length;
  while (end > 0 && !fits(chars.slice(0, end).join('') + '…')) end--;
  kept[kept.length - 1] = chars.slice(0, end).join('').trimEnd() + '…';
  return kept;
}

export { zoomedTransform };

export interface CellGrid {
  /** Cells per line within one image's block, and lines of them. */
  perLine: number;
  lines: number;
  cellWidthPx: number;
  /** Grid only: image blocks side by side (1 elsewhere), and one block's width. */
  blocksPerLine: number;
  blockWidthPx: number;
  pageWidthPx: number;
}

/**
 * How many cells per line, how wide, how many images side by side, and the page width, for `columnCount` columns in
 * `view`; `imageCount` (grid: all images exported) keeps a small grid from leaving empty block places.
 */
export function cellGrid(view: ScreenshotView, columnCount: number, preferredCellWidthPx?: number, imageCount = Number.POSITIVE_INFINITY): CellGrid {
  const L = SCREENSHOT_LAYOUT;
  const usablePx = L.maxWidthPx - 2 * L.marginPx;
  const count = Math.max(1, columnCount);
  let perLine: number;
  let cellWidthPx: number;
  if (view === 'overlayAll') {
    perLine = 1;
    cellWidthPx = Math.min(preferredCellWidthPx ?? L.overlayCellWidthPx, usablePx);
  } else {
    const preferred = preferredCellWidthPx ?? (view === 'grid' ? L.gridCellWidthPx : L.singleCellWidthPx);
    const minimum = Math.min(preferred, L.gridCellMinWidthPx);
    const fitMax = Math.max(1, Math.floor((usablePx + L.gapPx) / (minimum + L.gapPx)));
    const widest = view === 'grid' ? fitMax : Math.min(fitMax, L.sideBySidePerLineMax);
    // Balanced lines (4 + 3 rather than 6 + 1) when the columns do not fit on one.
    perLine = Math.ceil(count / Math.ceil(count / widest));
    cellWidthPx = Math.min(preferred, Math.floor((usablePx - (perLine - 1) * L.gapPx) / perLine));
  }
  const blockWidthPx = perLine * cellWidthPx + (perLine - 1) * L.gapPx;
  const blocksPerLine =
    view === 'grid' ? Math.max(1, Math.min(L.gridBlocksPerLineMax, Math.max(1, imageCount), Math.floor((usablePx + L.blockGapPx) / (blockWidthPx + L.blockGapPx)))) : 1;
  const pageWidthPx = Math.max(L.minWidthPx, 2 * L.marginPx + blocksPerLine * blockWidthPx + (blocksPerLine - 1) * L.blockGapPx);
  return { perLine, lines: view === 'overlayAll' ? 1 : Math.ceil(count / perLine), cellWidthPx, blocksPerLine, blockWidthPx, pageWidthPx };
}

/** Images on one contact sheet of a grid of `imageCount` images × `columnCount` columns. */
export function gridImagesPerPage(columnCount: number, imageCount: number): number {
  return cellGrid('grid', columnCount, undefined, imageCount).blocksPerLine * SCREENSHOT_LAYOUT.gridLinesPerPage;
}

function cellHeightPx(view: ScreenshotView, imageSizePx: { width: number; height: number }, cellWidthPx: number): number {
  const natural = Math.round((cellWidthPx * imageSizePx.height) / Math.max(1, imageSizePx.width));
  const L = SCREENSHOT_LAYOUT;
  if (view === 'sideBySide') return Math.min(natural, L.singleCellMaxHeightPx);
  if (view === 'overlayAll') return Math.min(natural, L.overlayCellMaxHeightPx);
  return natural;
}

function factsLine(spec: ScreenshotSpec, view: ScreenshotView): string {
  // Only the grid counts images: a single image's page is named by its title, and a count there would read as the
  // scope of the dataset-wide verdict.
  let imagesFact: string | null = null;
  if (view === 'grid') {
    const total = spec.page?.totalRows ?? spec.rows.length;
    imagesFact =
      spec.page && spec.page.count > 1
        ? `Images ${spec.page.firstRow + 1}–${spec.page.firstRow + spec.rows.length} of ${total} (page ${spec.page.index + 1} of ${spec.page.count})`
        : `${total} image${total === 1 ? '' : 's'}`;
  }
  const zoomFact = view !== 'grid' && spec.zoom ? `Zoom ${spec.zoom.factor}× at (${spec.zoom.centerImagePx.x.toFixed(0)}, ${spec.zoom.centerImagePx.y.toFixed(0)}) px` : null;
  return [
    ...(view === 'overlayAll' ? ['All models on one image'] : []),
    `Backend: ${spec.backendLabel}`,
    `Confidence threshold: ${spec.confidenceThreshold.toFixed(2)}`,
    `Date: ${spec.createdAt.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    ...(imagesFact ? [imagesFact] : []),
    ...(zoomFact ? [zoomFact] : []),
    ...(spec.note ? [spec.note] : []),
  ].join('   ·   ');
}

/** Places every text, swatch and picture of one page of `spec`. */
export function layoutScreenshot(spec: ScreenshotSpec, measure: MeasureTextPx): ScreenshotPageLayout {
  const L = SCREENSHOT_LAYOUT;
  const F = SCREENSHOT_FONTS;
  const theme = SCREENSHOT_THEMES[spec.theme ?? 'dark'];
  const view = spec.view ?? 'grid';
  const grid = cellGrid(view, spec.columns.length, spec.cellWidthPx, spec.page?.totalRows ?? spec.rows.length);
  const widthPx = grid.pageWidthPx;
  const contentWidthPx = widthPx - 2 * L.marginPx;
  const texts: ScreenshotText[] = [];
  const cells: ScreenshotCellBox[] = [];
  const swatches: ScreenshotSwatch[] = [];
  const rules: RectPx[] = [];
  const panels3d: Screenshot3DPanelBox[] = [];

  /** Wraps `text` into `box` (its width; lines from its top) and returns the height used. */
  const place = (role: ScreenshotTextRole, text: string, font: string, colour: string, box: { xPx: number; yPx: number; widthPx: number }, lineHeightPx: number, maxLines?: number): number => {
    const lines = wrapText(text, font, box.widthPx, measure, maxLines);
    const boxPx: RectPx = { ...box, heightPx: lines.length * lineHeightPx };
    lines.forEach((line, i) => {
      if (line === '') return;
      texts.push({ role, text: line, font, colour, xPx: box.xPx, yPx: box.yPx + i * lineHeightPx, widthPx: measure(line, font), lineHeightPx, box: boxPx });
    });
    return boxPx.heightPx;
  };

  let y: number = L.marginPx;
  y += place('title', spec.title, F.title, theme.titleColour, { xPx: L.marginPx, yPx: y, widthPx: contentWidthPx }, L.titleLineHeightPx);
  y += 2;
  y += place('facts', factsLine(spec, view), F.text, theme.textColour, { xPx: L.marginPx, yPx: y, widthPx: contentWidthPx }, L.textLineHeightPx);
  y += L.gapPx;

  // Legend: every column, and ground truth whenever a cell shows it.
  const showsGroundTruth = spec.rows.some((row) => row.cells.some((cell) => cell.groundTruth));
  const entries: { kind: ScreenshotSwatch['kind']; colour: string; text: string }[] = [
    ...spec.columns.map((c) => ({
      kind: 'model' as const,
      colour: c.colour,
      text: c.medianImageLatencyMs === null ? c.label : `${c.label} — median ${formatMs(c.medianImageLatencyMs)}/image`,
    })),
    ...(showsGroundTruth ? [{ kind: 'groundTruth' as const, colour: '#ffffff', text: GROUND_TRUTH_LEGEND }] : []),
  ];
  const legendColumns = Math.max(1, Math.min(L.legendColumnsMax, entries.length));
  const legendEntryWidthPx = Math.floor((contentWidthPx - (legendColumns - 1) * L.gapPx) / legendColumns);
  const swatchSpacePx = L.legendSwatchPx + 8;
  for (let start = 0; start < entries.length; start += legendColumns) {
    let rowHeightPx: number = L.textLineHeightPx;
    entries.slice(start, start + legendColumns).forEach((entry, i) => {
      const x = L.marginPx + i * (legendEntryWidthPx + L.gapPx);
      const swatchSizePx = entry.kind === 'groundTruth' ? L.legendSwatchPx + 4 : L.legendSwatchPx;
      swatches.push({ kind: entry.kind, colour: entry.colour, box: { xPx: x, yPx: y + 2, widthPx: swatchSizePx, heightPx: swatchSizePx } });
      const used = place('legend', entry.text, F.text, theme.titleColour, { xPx: x + swatchSpacePx + (swatchSizePx - L.legendSwatchPx), yPx: y, widthPx: legendEntryWidthPx - swatchSpacePx - (swatchSizePx - L.legendSwatchPx) }, L.textLineHeightPx);
      rowHeightPx = Math.max(rowHeightPx, used);
    });
    y += rowHeightPx + 6;
  }
  y += L.gapPx;

  // Pictures. Each image's cells, `perLine` to a line with their captions, from `top` at `left`; returns the y below.
  const placeImageCells = (row: ScreenshotRow, rowIndex: number, left: number, top: number): number => {
    const heightPx = cellHeightPx(view, row.imageSizePx, grid.cellWidthPx);
    const placeCell = (columnIndex: number | null, x: number, cellTop: number) => {
      const box = { width: grid.cellWidthPx, height: heightPx };
      const fit = fitImage(row.imageSizePx, box);
      const transform = view !== 'grid' && spec.zoom ? zoomedTransform(fit, spec.zoom, box, row.imageSizePx) : fit;
      // Sized by the fitted picture, not the zoom, as on screen: a zoomed dot is as big as an unzoomed one.
      const pointRadiusPx = pointRadiusFor(row.imageSizePx.width * fit.scale, row.imageSizePx.height * fit.scale);
      cells.push({ rowIndex, columnIndex, box: { xPx: x, yPx: cellTop, widthPx: box.width, heightPx: box.height }, transform, pointRadiusPx });
    };
    let lineTop = top;
    if (view === 'overlayAll') {
      placeCell(null, left, lineTop);
      return lineTop + heightPx + L.gapPx;
    }
    for (let lineStart = 0; lineStart < row.cells.length; lineStart += grid.perLine) {
      let captionHeightPx = 0;
      row.cells.slice(lineStart, lineStart + grid.perLine).forEach((cell, i) => {
        const columnIndex = lineStart + i;
        const x = left + i * (grid.cellWidthPx + L.gapPx);
        placeCell(columnIndex, x, lineTop);
        const column = spec.columns[columnIndex];
        const captionTop = lineTop + heightPx + 4;
        swatches.push({ kind: 'model', colour: column?.colour ?? theme.titleColour, box: { xPx: x, yPx: captionTop + 4, widthPx: 10, heightPx: 10 } });
        const textBox = { xPx: x + 16, widthPx: grid.cellWidthPx - 16 };
        let used = place('caption', column?.label ?? '', F.caption, theme.captionColour, { ...textBox, yPx: captionTop }, L.captionLineHeightPx, L.captionNameLinesMax);
        used += place('caption', cell.note ?? formatImageLatency(cell.imageLatencyMs, cell.inferences), F.caption, theme.captionColour, { ...textBox, yPx: captionTop + used }, L.captionLineHeightPx, 1);
        captionHeightPx = Math.max(captionHeightPx, used + 4);
      });
      lineTop += heightPx + captionHeightPx + L.gapPx;
    }
    return lineTop;
  };

  if (view === 'grid') {
    // Contact sheet: lines of image blocks, each block its image's name over its cells.
    for (let start = 0; start < spec.rows.length; start += grid.blocksPerLine) {
      const line = spec.rows.slice(start, start + grid.blocksPerLine);
      const leftOf = (k: number) => L.marginPx + k * (grid.blockWidthPx + L.blockGapPx);
      let titleHeightPx = 0;
      line.forEach((row, k) => {
        titleHeightPx = Math.max(titleHeightPx, place('rowTitle', row.imageName, F.heading, theme.titleColour, { xPx: leftOf(k), yPx: y, widthPx: grid.blockWidthPx }, L.headingLineHeightPx));
      });
      const top = y + titleHeightPx + 2;
      y = Math.max(...line.map((row, k) => placeImageCells(row, start + k, leftOf(k), top))) + (L.blockGapPx - L.gapPx);
    }
    if (spec.rows.length > 0) y -= L.blockGapPx - L.gapPx;
  } else {
    spec.rows.forEach((row, rowIndex) => {
      y = placeImageCells(row, rowIndex, L.marginPx, y);
    });
  }

  // The 3D row (one image only): the camera angle, then a panel per column with its name and units.
  if (spec.view3d && view !== 'grid' && spec.view3d.panels.length > 0) {
    const panels = spec.view3d.panels;
    y += place('heading', spec.view3d.caption, F.heading, theme.titleColour, { xPx: L.marginPx, yPx: y, widthPx: contentWidthPx }, L.headingLineHeightPx);
    y += 4;
    const perLine = Math.min(L.panels3dPerLineMax, panels.length);
    const panelWidthPx = Math.min(L.panel3dWidthPx, Math.floor((contentWidthPx - (perLine - 1) * L.gapPx) / perLine));
    const panelHeightPx = Math.round(panelWidthPx * L.panel3dAspect);
    for (let lineStart = 0; lineStart < panels.length; lineStart += perLine) {
      let captionHeightPx = 0;
      panels.slice(lineStart, lineStart + perLine).forEach((panel, i) => {
        const x = L.marginPx + i * (panelWidthPx + L.gapPx);
        panels3d.push({ panelIndex: lineStart + i, box: { xPx: x, yPx: y, widthPx: panelWidthPx, heightPx: panelHeightPx } });
        const captionTop = y + panelHeightPx + 4;
        swatches.push({ kind: 'model', colour: panel.colour, box: { xPx: x, yPx: captionTop + 4, widthPx: 10, heightPx: 10 } });
        const textBox = { xPx: x + 16, widthPx: panelWidthPx - 16 };
        let used = place('caption', panel.label, F.caption, theme.captionColour, { ...textBox, yPx: captionTop }, L.captionLineHeightPx, L.captionNameLinesMax);
        used += place('caption', panel.detail, F.caption, theme.captionColour, { ...textBox, yPx: captionTop + used }, L.captionLineHeightPx, 2);
        captionHeightPx = Math.max(captionHeightPx, used + 4);
      });
      y += panelHeightPx + captionHeightPx + L.gapPx;
    }
  }

  // Dataset-wide blocks, under a rule of their own.
  const sections = (spec.sections ?? []).filter((s) => s.lines.length > 0);
  if (sections.length > 0) {
    rules.push({ xPx: L.marginPx, yPx: y, widthPx: contentWidthPx, heightPx: 1 });
    y += L.gapPx;
  }
  for (const section of sections) {
    y += place('heading', section.title, F.heading, theme.titleColour, { xPx: L.marginPx, yPx: y, widthPx: contentWidthPx }, L.headingLineHeightPx);
    for (const line of section.lines) {
      y += place('line', line.text, F.text, themeVerdictColour(theme, line.pass), { xPx: L.marginPx, yPx: y, widthPx: contentWidthPx }, L.textLineHeightPx);
    }
    y += L.gapPx;
  }
  return { widthPx, heightPx: Math.ceil(y + L.marginPx - L.gapPx), theme, texts, cells, swatches, rules, panels3d };
}

/** Which images each page of a grid holds: `rowsPerPage` at most (gridImagesPerPage); at least one page (possibly empty). */
export function screenshotPages(totalRows: number, rowsPerPage: number): ScreenshotPageInfo[] {
  const count = Math.max(1, Math.ceil(totalRows / rowsPerPage));
  return Array.from({ length: count }, (_, index) => ({
    index,
    count,
    firstRow: index * rowsPerPage,
    rowCount: Math.max(0, Math.min(rowsPerPage, totalRows - index * rowsPerPage)),
    totalRows,
  }));
}

/**
 * One page of a larger grid (`spec.rows` already that page's rows): the dataset-wide blocks go on the first page, the
 * one pasted into a report; the others say where they are.
 */
export function specForPage(spec: ScreenshotSpec, page: ScreenshotPageInfo): ScreenshotSpec {
  if (page.count === 1) return { ...spec, page };
  return {
    ...spec,
    title: `${spec.title} — page ${page.index + 1} of ${page.count}`,
    page,
    ...(page.index === 0 ? {} : { sections: [], note: [spec.note, 'Verdict and provenance: page 1'].filter(Boolean).join('   ·   ') }),
  };
}
