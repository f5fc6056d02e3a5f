import { memo, useEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store/appStore';
import { cellOf, useColumns, type Column } from '../../store/columns';
import type { ImageItem } from '../../store/types';
import { cellOverlay, overlayCanvasProps, useOverlayState } from '../../ui/overlays';
import { PoseCanvas } from '../../ui/PoseCanvas';
import { useNearViewport } from '../../ui/useNearViewport';
import { CellCaption } from './CellCaption';

const GRID_CELL_MAX_HEIGHT_PX = 260;

const GalleryRow = memo(function GalleryRow({ image, columns }: { image: ImageItem; columns: Column[] }) {
  const rowRef = useRef<HTMLDivElement>(null);
  const nearViewport = useNearViewport(rowRef);
  // Subscribes to this row's cells only, so a result elsewhere does not redraw this row.
  const cells = useAppStore(useShallow((s) => columns.map((c) => cellOf(s, image.id, c))));
  const threshold = useAppStore((s) => s.confidenceThreshold);
  const overlayState = useOverlayState();
  const setFocusedImageId = useAppStore((s) => s.setFocusedImageId);
  const removeImage = useAppStore((s) => s.removeImage);
  const imageSizePx = useMemo(() => ({ width: image.widthPx, height: image.heightPx }), [image.widthPx, image.heightPx]);
  const sourceSizePx = useMemo(() => ({ width: image.thumbnail?.width ?? 1, height: image.thumbnail?.height ?? 1 }), [image.thumbnail]);
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
        <div className="cells" style={{ gridTemplateColumns: `repeat(${Math.max(1, columns.length)}, minmax(140px, 1fr))` }}>
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
                    image={image.thumbnail}
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

/** Images as rows, selected models (and imported predictions) as columns; tracks rows on screen for the export. */
export function GalleryGrid() {
  const images = useAppStore((s) => s.images);
  const columns = useColumns();
  const hasGroundTruth = useAppStore((s) => s.groundTruth !== null);
  const setVisibleImageIds = useAppStore((s) => s.setVisibleImageIds);
  const containerRef = useRef<HTMLDivElement>(null);

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
  }, [images, setVisibleImageIds]);

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
      {images.map((image) => (
        <GalleryRow key={image.id} image={image} columns={columns} />
      ))}
    </div>
  );
}
