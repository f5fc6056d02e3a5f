import { provenanceLines, type Provenance } from '../../core/evaluation/provenance';
import { PUBLISHED_NOTE, formatPublished } from '../../core/evaluation/published';
import { decodeForInference } from '../../media/imageFiles';
import { SCREENSHOT_LAYOUT, type ScreenshotRow, type ScreenshotSection, type ScreenshotSpec } from '../../render/screenshot';
import type { AppState } from '../../store/appStore';
import { cellOf, columnsOf } from '../../store/columns';
import { effectiveProtocol } from '../../store/evaluationSlice';
import type { BenchmarkReport } from '../../store/benchmarkRunner';
import { evaluationSnapshot, verdictText, type EvaluationSnapshot } from '../../store/evaluationResults';
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

/** The titled blocks under the legend: the verdict, published figures beside the measured AP, the benchmark, provenance. */
export function reportSections(state: AppState, evaluation: EvaluationSnapshot | null, provenance: Provenance): ScreenshotSection[] {
  return [
    { title: 'Verdict', lines: evaluation ? evaluation.verdict.map((row) => ({ text: verdictText(row), pass: row.pass })) : [] },
    { title: 'Published figures (other conditions)', lines: publishedLines(state, evaluation) },
    { title: 'Benchmark (this device)', lines: state.benchmarkReport ? benchmarkLines(state.benchmarkReport) : [] },
    { title: 'Provenance', lines: provenanceLines(provenance, { compactWeights: true }).map((text) => ({ text, pass: null })) },
  ];
}

/** At most this many rows go into a grid export (the rows on screen, in order). */
const MAX_GRID_ROWS = 12;

/**
 * The current comparison as a screenshot spec: the side-by-side view's image when one is open,
 * otherwise the gallery rows on screen; with ground truth, its overlay and the verdict. Returns the
 * bitmaps it decoded so the caller can close them.
 */
export async function buildScreenshotSpec(state: AppState): Promise<{ spec: ScreenshotSpec; ownedBitmaps: ImageBitmap[]; fileStem: string }> {
  const columns = columnsOf(state);
  if (columns.length === 0) throw new Error('select at least one model to export');
  const focused = state.focusedImageId ? state.images.find((im) => im.id === state.focusedImageId) : undefined;
  const ready = state.images.filter((im) => im.status === 'ready');
  const visible = state.visibleImageIds.map((id) => ready.find((im) => im.id === id)).filter((im) => im !== undefined);
  const chosen = focused ? [focused] : (visible.length > 0 ? visible : ready).slice(0, MAX_GRID_ROWS);
  if (chosen.length === 0) throw new Error('add images before exporting');
  const ownedBitmaps: ImageBitmap[] = [];
  const rows: ScreenshotRow[] = [];
  const latenciesByColumn = new Map<string, number[]>();
  for (const image of chosen) {
    let source: ImageBitmap | null = image.thumbnail;
    if (focused) {
      const { bitmap } = await decodeForInference(image.file, image, 1600);
      ownedBitmaps.push(bitmap);
      source = bitmap;
    }
    if (!source) continue;
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
        if (cell.imageLatencyMs !== null) latenciesByColumn.set(column.id, [...(latenciesByColumn.get(column.id) ?? []), cell.imageLatencyMs]);
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
  const evaluation = evaluationSnapshot(state);
  const protocol = effectiveProtocol(state);
  const createdAt = new Date();
  const provenance = exportProvenance(state, evaluation ? evaluation.columns.map((c) => c.metrics) : [], createdAt);
  const spec: ScreenshotSpec = {
    title: focused ? `Keypoint Bench — ${focused.name}` : `Keypoint Bench — ${rows.length} image${rows.length === 1 ? '' : 's'} × ${columns.length} column${columns.length === 1 ? '' : 's'}`,
    columns: columns.map((c) => ({ label: c.label, colour: c.colour, medianImageLatencyMs: median(latenciesByColumn.get(c.id) ?? []) })),
    rows,
    backendLabel: `${state.backend.active ?? 'none'}${state.backend.choice === 'auto' ? ' (Auto)' : ''}`,
    confidenceThreshold: state.confidenceThreshold,
    createdAt,
    cellWidthPx: focused ? SCREENSHOT_LAYOUT.singleCellWidthPx : SCREENSHOT_LAYOUT.gridCellWidthPx,
    note: `Protocol: ${protocol === 'crops' ? 'person crops' : 'whole image'}`,
    sections: reportSections(state, evaluation, provenance),
  };
  return { spec, ownedBitmaps, fileStem: `keypoint-bench-${timestampStem(spec.createdAt)}` };
}
