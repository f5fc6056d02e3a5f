import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store/appStore';
import { cellOf, useColumns, type Column } from '../../store/columns';
import type { ImageItem } from '../../store/types';
import { cellOverlay, overlayCanvasProps, useOverlayState } from '../../ui/overlays';
import { PoseCanvas } from '../../ui/PoseCanvas';
import { useNearViewport } from '../../ui/useNearViewport';
import { useThumbnail } from '../../ui/useThumbnail';
import { CellCaption } from './CellCaption';
import { trackFocusModality } from './compareKeys';

const GRID_CELL_MAX_HEIGHT_PX = 260;
/** A row before it is measured: the cell's image at its largest plus title and caption. */
const ROW_ESTIMATE_PX = 340;
/** Space between rows. */
const ROW_GAP_PX = 14;
/**
 * Rows mounted beyond the screen on each side. Only mounted rows subscribe to the store, so the work a new
 * result causes does not grow with the number of images; a few screens of them keep scrolling smooth.
 */
const OVERSCAN_ROWS = 10;
/**
 * The narrowest a cell gets before the row's cells wrap onto another line: a thumbnail in which keypoints can
 * still be told apart, and a caption whose figures ("45.7 ms/image · 1 pose") fit on one line.
 */
const MIN_CELL_WIDTH_PX = 140;
/** Space between cells. */
const CELL_GAP_PX = 8;

/**
 * Cells per line of a row: all of them while they fit at their narrowest, else as few lines as fit, filled
 * evenly (seven models at 1024 px: 4 + 3, not 6 + 1). Every row uses the same count, so a model keeps its place.
 */
function cellsPerLine(widthPx: number, columnCount: number): number {
  const count = Math.max(1, columnCount);
  const fit = Math.max(1, Math.floor((widthPx + CELL_GAP_PX) / (MIN_CELL_WIDTH_PX + CELL_GAP_PX)));
  if (count <= fit) return count;
  return Math.ceil(count / Math.ceil(count / fit));
}

const GalleryRow = memo(function GalleryRow({ image, columns, perLine }: { image: ImageItem; columns: Column[]; perLine: number }) {
  const rowRef = useRef<HTMLDivElement>(null);
  const nearViewport = useNearViewport(rowRef);
  // Subscribes to this row's cells only, so a result elsewhere does not redraw this row.
  const cells = useAppStore(useShallow((s) => columns.map((c) => cellOf(s, image.id, c))));
  const threshold = useAppStore((s) => s.confidenceThreshold);
  const overlayState = useOverlayState();
  const setFocusedImageId = useAppStore((s) => s.setFocusedImageId);
  const removeImage = useAppStore((s) => s.removeImage);
  const imageSizePx = useMemo(() => ({ width: image.widthPx, height: image.heightPx }), [image.widthPx, image.heightPx]);
  const thumbnail = useThumbnail(nearViewport ? image.thumbnail : null);
  const sourceSizePx = useMemo(() => ({ width: thumbnail?.width ?? 1, height: thumbnail?.height ?? 1 }), [thumbnail]);
  const overlays = useMemo(
    () => (nearViewport ? columns.map((column, i) => cellOverlay(overlayState, image, column, cells[i])) : []),
    [nearViewport, columns, cells, overlayState, image],
  );
  return (
    <div ref={rowRef} className="gallery-row" role="row" data-image-id={image.id} data-image-name={image.name}>
      <div className="row-title" role="rowheader">
        <button type="button" className="link" onClick={() => setFocusedImageId(image.id)} title="Open side-by-side view">
          {image.name}
        </button>
        <span className="dims">
          {image.status === 'ready' ? `${image.widthPx}×${image.heightPx}` : image.status === 'decoding' ? 'decoding…' : ''}
        </span>
        <button type="button" className="icon" aria-label={`Remove ${image.name}`} onClick={() => removeImage(image.id)}>
          ×
        </button>
      </div>
      {image.status === 'error' ? (
        <p className="error" role="alert">
          {image.error}
        </p>
      ) : (
        // minmax(0, …): a cell never grows past its share for its content; the captions wrap instead.
        <div className="cells" style={{ gridTemplateColumns: `repeat(${perLine}, minmax(0, 1fr))`, gap: CELL_GAP_PX }}>
          {columns.map((column, i) => {
            const cell = cells[i];
            const overlay = overlays[i];
            return (
              <figure
                key={column.id}
                className="cell"
                role="gridcell"
                data-model-id={column.id}
                data-status={cell?.status ?? 'waiting'}
                data-poses={cell?.status === 'done' ? cell.poses.length : ''}
              >
                {nearViewport ? (
                  <PoseCanvas
                    image={thumbnail}
                    sourceSizePx={sourceSizePx}
                    imageSizePx={imageSizePx}
                    {...overlayCanvasProps(overlay)}
                    threshold={threshold}
                    maxHeightPx={GRID_CELL_MAX_HEIGHT_PX}
                    onImageClick={() => setFocusedImageId(image.id)}
                    label={`${image.name} — ${column.label}`}
                  />
                ) : (
                  <div className="cell-placeholder" style={{ aspectRatio: `${Math.max(1, image.widthPx)} / ${Math.max(1, image.heightPx)}`, maxHeight: GRID_CELL_MAX_HEIGHT_PX }} />
                )}
                <CellCaption column={column} cell={cell} />
              </figure>
            );
          })}
        </div>
      )}
    </div>
  );
});

/**
 * Images as rows, selected models (and imported predictions) as columns; tracks rows on screen for the
 * export. The rows are virtualised (@tanstack/react-virtual, on the page's own scroll): a thousand images
 * mount only the rows near the screen.
 */
export function GalleryGrid() {
  const images = useAppStore((s) => s.images);
  const columns = useColumns();
  const hasGroundTruth = useAppStore((s) => s.groundTruth !== null);
  const setVisibleImageIds = useAppStore((s) => s.setVisibleImageIds);
  const containerRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const [scrollMarginPx, setScrollMarginPx] = useState(0);
  const [widthPx, setWidthPx] = useState(0);

  const hasImages = images.length > 0;
  // The side-by-side view's keys depend on how a control got the focus, possibly before the view opened.
  useEffect(() => trackFocusModality(), []);
  // Where the rows start on the page moves with what is above them (progress bar, notices, tabs): measured
  // again whenever the main area changes size.
  useLayoutEffect(() => {
    const list = listRef.current;
    const area = containerRef.current?.parentElement;
    if (!list || !area) return;
    const measure = () => {
      const topPx = Math.round(list.getBoundingClientRect().top + window.scrollY);
      setScrollMarginPx((previous) => (previous === topPx ? previous : topPx));
      // The rows' width decides how many cells share a line (a narrower window wraps them).
      const width = Math.floor(list.clientWidth);
      setWidthPx((previous) => (previous === width ? previous : width));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(area);
    return () => observer.disconnect();
  }, [hasImages]);

  const virtualizer = useWindowVirtualizer({
    count: images.length,
    estimateSize: () => ROW_ESTIMATE_PX + ROW_GAP_PX,
    overscan: OVERSCAN_ROWS,
    scrollMargin: scrollMarginPx,
    getItemKey: (index) => images[index]?.id ?? index,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const perLine = cellsPerLine(widthPx, columns.length);
  const mountedKey = virtualRows.map((row) => row.key).join(',');

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const visible = new Set<string>();
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const id = (entry.target as HTMLElement).dataset.imageId;
        if (!id) continue;
        if (entry.isIntersecting) visible.add(id);
        else visible.delete(id);
      }
      const order = images.map((im) => im.id);
      setVisibleImageIds(order.filter((id) => visible.has(id)));
    });
    for (const row of container.querySelectorAll('.gallery-row')) observer.observe(row);
    return () => observer.disconnect();
    // The mounted rows change as the page scrolls: observe the ones there are now.
  }, [images, setVisibleImageIds, mountedKey]);

  if (images.length === 0) {
    return (
      <div className="empty">
        <p>Add images to compare models on them: drop files or folders here, use “Add images…”, paste, or “Try sample images”.</p>
      </div>
    );
  }
  return (
    <div className="gallery" ref={containerRef} role="grid" aria-label="Images by model" aria-rowcount={images.length}>
      <div className="gallery-header" role="row">
        {columns.map((column) => (
          <span key={column.id} role="columnheader">
            <span className="swatch" style={{ background: column.colour }} aria-hidden="true" />
            {column.label}
          </span>
        ))}
        {hasGroundTruth && (
          <span className="gt-legend">
            <span className="gt-swatch" aria-hidden="true" /> ground truth (lines: prediction → truth)
          </span>
        )}
      </div>
      <div ref={listRef} className="gallery-rows" style={{ height: virtualizer.getTotalSize() }}>
        {virtualRows.map((row) => {
          const image = images[row.index];
          if (!image) return null;
          return (
            <div
              key={row.key}
              data-index={row.index}
              ref={virtualizer.measureElement}
              className="gallery-slot"
              aria-rowindex={row.index + 1}
              style={{ transform: `translateY(${row.start - virtualizer.options.scrollMargin}px)`, paddingBottom: ROW_GAP_PX }}
            >
              <GalleryRow image={image} columns={columns} perLine={perLine} />
            </div>
          );
        })}
      </div>
    </div>
  );
}
