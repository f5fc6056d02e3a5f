import { provenanceLines, type Provenance } from '../../core/evaluation/provenance';
import { PUBLISHED_NOTE, formatPublished } from '../../core/evaluation/published';
import { decodeForInference } from '../../media/imageFiles';
import {
  gridImagesPerPage,
  screenshotPages,
  specForPage,
  type ScreenshotPageInfo,
  type ScreenshotRow,
  type ScreenshotSection,
  type ScreenshotSpec,
  type ScreenshotView,
} from '../../render/screenshot';
import { SCREENSHOT_THEMES, type ScreenshotThemeName } from '../../render/screenshotTheme';
import { DEPTH_SOURCE_TEXT, EXPORT_ORBIT, EXPORT_ORBIT_TEXT, depthSourceOf, pose3dGeometry } from '../../core/pose3d';
import { SCREENSHOT_LAYOUT, type Screenshot3D } from '../../render/screenshotLayout';
import type { AppState } from '../../store/appStore';
import { cellOf, columnsOf } from '../../store/columns';
import { effectiveProtocol } from '../../store/evaluationSlice';
import type { BenchmarkReport } from '../../store/benchmarkRunner';
import { evaluationSnapshot, verdictText, type EvaluationSnapshot } from '../../store/evaluationResults';
import { currentReport, intervalVerdictRows, useIntervals } from '../../store/intervals';
import { intervalVerdictText } from '../../core/evaluation/intervalText';
import type { BootstrapReport } from '../../core/metrics/bootstrap';
import { exportProvenance, exportPublished } from '../../store/exportProvenance';
import { median } from '../../store/selectors';
import { timestampStem } from '../../ui/download';
import { cellOverlay } from '../../ui/overlays';

/** One line per benchmark row: the figures a reader needs to compare speed. */
function benchmarkLines(report: BenchmarkReport): { text: string; pass: boolean | null }[] {
  const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(v >= 100 ? 0 : 1)} ms`);
  return report.rows.map((row) => ({
    text:
      row.status === 'ok'
        ? `${row.displayName} · ${row.backend}${row.wasmThreads ? ` ×${row.wasmThreads}` : ''} · p50 ${ms(row.latencyP50Ms)} · p95 ${ms(row.latencyP95Ms)} · raw ${ms(row.rawP50Ms)} · overhead ${row.overheadRatio?.toFixed(2) ?? '—'} · ${row.throughputImagesPerS?.toFixed(1) ?? '—'} images/s · first inference ${ms(row.firstInferenceMs)}`
        : `${row.displayName} · ${row.backend}: failed (${row.error ?? 'unknown'})`,
    pass: null,
  }));
}

/** Measured AP beside each model's published figure, with the note that they were measured differently. */
function publishedLines(state: AppState, evaluation: EvaluationSnapshot | null): { text: string; pass: boolean | null }[] {
  if (!evaluation) return [];
  const published = exportPublished(state);
  const lines = evaluation.columns.flatMap(({ column, metrics }) => {
    const figure = published[column.id];
    if (!figure) return [];
    const ap = metrics.stats.AP >= 0 ? metrics.stats.AP.toFixed(3) : 'n/a';
    return [{ text: `${column.label}: AP ${ap} measured here · published ${formatPublished(figure)} (${figure.conditionsShort})`, pass: null }];
  });
  return lines.length > 0 ? [...lines, { text: PUBLISHED_NOTE, pass: null }] : [];
}

/** The dataset-wide blocks below the pictures: the verdict, published figures beside the measured AP, the benchmark, provenance. */
export function reportSections(state: AppState, evaluation: EvaluationSnapshot | null, provenance: Provenance): ScreenshotSection[] {
  return [
    { title: verdictTitle(provenance, currentReport(useIntervals.getState(), state)), lines: verdictLines(state, evaluation) },
    { title: 'Published figures (other conditions)', lines: publishedLines(state, evaluation) },
    { title: 'Benchmark (this device)', lines: state.benchmarkReport ? benchmarkLines(state.benchmarkReport) : [] },
    { title: 'Provenance', lines: provenanceLines(provenance, { compactWeights: true }).map((text) => ({ text, pass: null })) },
  ];
}

/** The verdict's block title: the verdict scores the whole dataset, whatever the picture shows; with its intervals' basis. */
export function verdictTitle(provenance: Provenance, intervals: BootstrapReport | null = null): string {
  const images = `${provenance.imagesScored} image${provenance.imagesScored === 1 ? '' : 's'}`;
  const people = `${provenance.peopleScored} labelled ${provenance.peopleScored === 1 ? 'person' : 'people'}`;
  const basis = intervals
    ? `; ${Math.round(intervals.confidenceLevel * 100)}% bootstrap intervals (${intervals.resamples.toLocaleString('en-US')} resamples of ${intervals.imageCount} images, seed ${intervals.seed})`
    : '; point estimates (intervals not computed yet)';
  return `Verdict — whole dataset: ${images}, ${people}${basis}`;
}

/** One line per column: judged on the intervals once they are in, else the point estimates, marked as such. */
function verdictLines(state: AppState, evaluation: EvaluationSnapshot | null): ScreenshotSection['lines'] {
  if (!evaluation) return [];
  const rows = intervalVerdictRows(currentReport(useIntervals.getState(), state), state.verdictTargets);
  if (rows) return rows.map((row) => ({ text: intervalVerdictText(row, `PCK@${state.pckAlpha}`), pass: row.outcome === 'pass' ? true : row.outcome === 'fail' ? false : null }));
  return evaluation.verdict.map((row) => ({ text: `${verdictText(row)} (point estimate)`, pass: row.pass }));
}

/** Pixels each exported 3D panel is rendered at (drawn scaled into its box, of the same aspect). */
const PANEL_3D_RENDER_PX = { width: 960, height: Math.round(960 * SCREENSHOT_LAYOUT.panel3dAspect) };

/** Each column's 3D picture of one image, rendered at the export's fixed camera; the bitmaps go into `owned`. */
async function export3d(state: AppState, imageId: string, columns: ReturnType<typeof columnsOf>, theme: ScreenshotThemeName, owned: ImageBitmap[]): Promise<Screenshot3D> {
  const items = columns.map((column) => {
    const cell = cellOf(state, imageId, column);
    if (!cell || cell.status !== 'done') return { detail: cell?.status === 'error' ? 'error: no 3D' : 'not run yet', item: null };
    const source = depthSourceOf(cell.poses);
    if (!source) return { detail: cell.poses.length === 0 ? 'no pose found' : 'no 3D output (2D keypoints only)', item: null };
    const geometry = pose3dGeometry(cell.poses, column.layout, state.confidenceThreshold);
    if (!geometry) return { detail: `${DEPTH_SOURCE_TEXT[source]}: no keypoint above the threshold`, item: null };
    return { detail: DEPTH_SOURCE_TEXT[source], item: { geometry, colour: column.colour } };
  });
  const colours = SCREENSHOT_THEMES[theme];
  // three.js loads with the first 3D view, not with the page.
  const { renderPose3DPictures } = await import('../../render/pose3dScene');
  const pictures = renderPose3DPictures(
    items.map((i) => i.item),
    EXPORT_ORBIT,
    PANEL_3D_RENDER_PX,
    { backgroundColour: colours.cellBackgroundColour, gridColour: colours.ruleColour },
  );
  for (const picture of pictures) if (picture) owned.push(picture);
  return {
    caption: EXPORT_ORBIT_TEXT,
    panels: columns.map((column, i) => ({ label: column.label, colour: column.colour, detail: items[i]?.detail ?? '', image: pictures[i] ?? null })),
  };
}

/** What an export holds: its pages (one, or a grid's contact sheets) rendered one at a time. */
export interface ScreenshotJob {
  fileStem: string;
  view: ScreenshotView;
  pages: ScreenshotPageInfo[];
  /** Decodes that page's images, builds its spec and hands it to `render`; the bitmaps are closed afterwards. */
  withPage: <T>(index: number, render: (spec: ScreenshotSpec) => Promise<T>) => Promise<T>;
}

/**
 * The current comparison as an export: the side-by-side view's image when one is open (zoomed, or all models on one
 * image, as on screen), otherwise every ready image of the grid, as contact sheets of `gridImagesPerPage` images;
 * with ground truth, its overlay and the verdict.
 */
export function screenshotJob(state: AppState, theme: ScreenshotThemeName = 'dark'): ScreenshotJob {
  const columns = columnsOf(state);
  if (columns.length === 0) throw new Error('select at least one model to export');
  const focused = state.focusedImageId ? state.images.find((im) => im.id === state.focusedImageId && im.status === 'ready') : undefined;
  const ready = state.images.filter((im) => im.status === 'ready');
  const chosen = focused ? [focused] : ready;
  if (chosen.length === 0) throw new Error('add images before exporting');
  const view: ScreenshotView = focused ? (state.compareOverlayAll ? 'overlayAll' : 'sideBySide') : 'grid';
  const pages = focused ? screenshotPages(1, 1) : screenshotPages(chosen.length, gridImagesPerPage(columns.length, chosen.length));
  const evaluation = evaluationSnapshot(state);
  const protocol = effectiveProtocol(state);
  const createdAt = new Date();
  const provenance = exportProvenance(state, evaluation ? evaluation.columns.map((c) => c.metrics) : [], createdAt);
  const sections = reportSections(state, evaluation, provenance);
  // The legend's median latency is over every exported image, so each page carries the same legend.
  const latenciesByColumn = new Map<string, number[]>();
  for (const image of chosen) {
    for (const column of columns) {
      const cell = cellOf(state, image.id, column);
      if (cell?.status === 'done' && cell.imageLatencyMs !== null) latenciesByColumn.set(column.id, [...(latenciesByColumn.get(column.id) ?? []), cell.imageLatencyMs]);
    }
  }
  const title = focused
    ? `Keypoint Bench — ${focused.name}`
    : `Keypoint Bench — ${chosen.length} image${chosen.length === 1 ? '' : 's'} × ${columns.length} column${columns.length === 1 ? '' : 's'}`;
  const zoom = focused ? state.compareZoom : null;

  const withPage = async <T,>(index: number, render: (spec: ScreenshotSpec) => Promise<T>): Promise<T> => {
    const page = pages[index];
    if (!page) throw new Error(`no page ${index + 1}`);
    const ownedBitmaps: ImageBitmap[] = [];
    try {
      const rows: ScreenshotRow[] = [];
      for (const image of chosen.slice(page.firstRow, page.firstRow + page.rowCount)) {
        let source: ImageBitmap | null = null;
        if (focused) {
          // Enough pixels for the zoom: the large view's own decode limit.
          source = (await decodeForInference(image.file, image, 1600)).bitmap;
        } else if (image.thumbnail) {
          // Decoded for the export only (the page keeps thumbnails as files), a page at a time.
          source = await createImageBitmap(image.thumbnail, { imageOrientation: 'none' }).catch(() => null);
        }
        if (!source) continue;
        ownedBitmaps.push(source);
        rows.push({
          imageName: image.name,
          image: source,
          sourceSizePx: { width: source.width, height: source.height },
          imageSizePx: { width: image.widthPx, height: image.heightPx },
          cells: columns.map((column) => {
            const cell = cellOf(state, image.id, column);
            if (!cell || cell.status !== 'done') {
              return { layer: null, imageLatencyMs: null, inferences: null, note: cell?.status === 'error' ? 'error' : cell?.status === 'skipped' ? 'skipped' : 'not run yet' };
            }
            const overlay = cellOverlay(state, image, column, cell);
            return {
              layer: overlay.layer,
              groundTruth: overlay.groundTruth,
              errorLines: overlay.errorLines,
              imageLatencyMs: cell.imageLatencyMs,
              inferences: cell.inferences,
              ...(column.kind === 'external' ? { note: 'imported' } : {}),
            };
          }),
        });
      }
      // The 3D row, as on screen when the 3D view is on: every column from the one fixed camera, stated in the caption.
      const view3d = focused && state.compareView3d ? await export3d(state, focused.id, columns, theme, ownedBitmaps) : null;
      const spec: ScreenshotSpec = specForPage(
        {
          title,
          view,
          zoom,
          theme,
          columns: columns.map((c) => ({ label: c.label, colour: c.colour, medianImageLatencyMs: median(latenciesByColumn.get(c.id) ?? []) })),
          rows,
          backendLabel: `${state.backend.active ?? 'none'}${state.backend.choice === 'auto' ? ' (Auto)' : ''}`,
          confidenceThreshold: state.confidenceThreshold,
          createdAt,
          note: `Protocol: ${protocol === 'crops' ? 'person crops' : 'whole image'}`,
          sections,
          ...(view3d ? { view3d } : {}),
        },
        page,
      );
      return await render(spec);
    } finally {
      for (const bitmap of ownedBitmaps) bitmap.close();
    }
  };
  return { fileStem: `keypoint-bench-${timestampStem(createdAt)}`, view, pages, withPage };
}
