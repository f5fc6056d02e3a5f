import { useEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store/appStore';
import { cellOf, useColumns } from '../../store/columns';
import { cellOverlay, overlayCanvasProps, useOverlayState } from '../../ui/overlays';
import { PoseCanvas, type Zoom } from '../../ui/PoseCanvas';
import { ORBIT_HINT } from '../../core/pose3d';
import { Pose3DPanel } from '../../ui/Pose3DView';
import { useDecodedBitmap } from '../../ui/useDecodedBitmap';
import { useThumbnail } from '../../ui/useThumbnail';
import { CellCaption } from './CellCaption';
import { compareKeyAction, trackFocusModality } from './compareKeys';

/** Longest side of the bitmap decoded for the large view. */
const LARGE_VIEW_MAX_SIDE_PX = 2048;
/** Click-to-zoom magnification relative to the fitted view. */
const ZOOM_FACTOR = 3;

/** One image, every selected model side by side, large; click to zoom (all panels together), ←/→ to step, Esc to close. */
export function CompareView({ imageId }: { imageId: string }) {
  const images = useAppStore((s) => s.images);
  const image = images.find((im) => im.id === imageId);
  const columns = useColumns();
  const cells = useAppStore(useShallow((s) => columns.map((c) => cellOf(s, imageId, c))));
  const overlayState = useOverlayState();
  const threshold = useAppStore((s) => s.confidenceThreshold);
  const setFocusedImageId = useAppStore((s) => s.setFocusedImageId);
  const bitmap = useDecodedBitmap(image, LARGE_VIEW_MAX_SIDE_PX);
  // In the store so the screenshot export shows what is on screen. "All models on one image" survives ←/→ (the view
  // is mounted afresh per image: App keys it by image); the zoom belongs to one image and goes with it.
  const zoom = useAppStore((s) => s.compareZoom);
  const setZoom = useAppStore((s) => s.setCompareZoom);
  const overlayAll = useAppStore((s) => s.compareOverlayAll);
  const setOverlayAll = useAppStore((s) => s.setCompareOverlayAll);
  const view3d = useAppStore((s) => s.compareView3d);
  const setView3d = useAppStore((s) => s.setCompareView3d);
  useEffect(() => () => setZoom(null), [imageId, setZoom]);


  useEffect(() => {
    trackFocusModality();
    const abort = new AbortController();
    // On the window, so the keys work wherever the focus was left; compareKeyAction leaves them to text fields
    // and to a slider or select reached with the keyboard.
    window.addEventListener('keydown', (event) => {
      const action = compareKeyAction(event);
      if (action === null) return;
      const index = images.findIndex((im) => im.id === imageId);
      if (action === 'close') setFocusedImageId(null);
      else if (action === 'next' && index < images.length - 1) setFocusedImageId(images[index + 1]?.id ?? null);
      else if (action === 'previous' && index > 0) setFocusedImageId(images[index - 1]?.id ?? null);
      // At either end the arrow still belongs to the view: a mouse-used slider or select must not move instead.
      event.preventDefault();
    }, { signal: abort.signal });
    return () => abort.abort();
  }, [images, imageId, setFocusedImageId]);

  const imageSizePx = useMemo(() => ({ width: image?.widthPx ?? 1, height: image?.heightPx ?? 1 }), [image?.widthPx, image?.heightPx]);
  // The thumbnail while the large view decodes.
  const thumbnail = useThumbnail(bitmap ? null : (image?.thumbnail ?? null));
  const source = bitmap ?? thumbnail;
  const sourceSizePx = useMemo(() => ({ width: source?.width ?? 1, height: source?.height ?? 1 }), [source]);
  const overlays = useMemo(
    () => (image ? columns.map((column, i) => cellOverlay(overlayState, image, column, cells[i])) : []),
    [columns, cells, overlayState, image],
  );
  if (!image) return null;
  const index = images.findIndex((im) => im.id === imageId);
  const layers = overlays.map((o) => o.layer);
  const toggleZoom = (point: { x: number; y: number }) => setZoom(zoom ? null : { factor: ZOOM_FACTOR, centerImagePx: point } satisfies Zoom);

  return (
    <section className="compare" aria-label={`Side-by-side view of ${image.name}`}>
      <header className="compare-bar">
        <button type="button" onClick={() => setFocusedImageId(null)}>
          ← Grid (Esc)
        </button>
        <button type="button" disabled={index <= 0} onClick={() => setFocusedImageId(images[index - 1]?.id ?? null)}>
          Previous
        </button>
        <button type="button" disabled={index >= images.length - 1} onClick={() => setFocusedImageId(images[index + 1]?.id ?? null)}>
          Next
        </button>
        <h2 className="compare-title">
          {image.name} <span className="dims">{image.widthPx}×{image.heightPx} · {index + 1} of {images.length}</span>
        </h2>
        <label className="inline">
          <input type="checkbox" checked={overlayAll} onChange={(e) => setOverlayAll(e.target.checked)} /> All models on one image
        </label>
        <button type="button" className="view3d-toggle" aria-pressed={view3d} onClick={() => setView3d(!view3d)} title="Show each model's 3D output beside the pictures">
          3D
        </button>
        <span className="hint">{zoom ? 'Click to zoom out' : 'Click an image to zoom'}</span>
      </header>
      {overlayAll ? (
        <PoseCanvas
          image={source}
          sourceSizePx={sourceSizePx}
          imageSizePx={imageSizePx}
          layers={layers.filter((l) => l !== null)}
          groundTruth={overlays[0]?.groundTruth ?? null}
          threshold={threshold}
          zoom={zoom}
          onImageClick={toggleZoom}
          maxHeightPx={760}
          label={`${image.name} — all selected models`}
        />
      ) : (
        <div className="compare-grid" style={{ gridTemplateColumns: `repeat(${Math.min(3, Math.max(1, columns.length))}, 1fr)` }}>
          {columns.map((column, i) => {
            const cell = cells[i];
            const overlay = overlays[i];
            return (
              <figure key={column.id} className="cell large" data-model-id={column.id} data-status={cell?.status ?? 'waiting'}>
                <PoseCanvas
                  image={source}
                  sourceSizePx={sourceSizePx}
                  imageSizePx={imageSizePx}
                  {...overlayCanvasProps(overlay)}
                  threshold={threshold}
                  zoom={zoom}
                  onImageClick={toggleZoom}
                  maxHeightPx={560}
                  label={`${image.name} — ${column.label}`}
                />
                <CellCaption column={column} cell={cell} />
              </figure>
            );
          })}
        </div>
      )}
      {view3d && (
        <section className="compare-3d" aria-label="3D views">
          <p className="hint pose3d-hint">{ORBIT_HINT}</p>
          <div className="compare-3d-grid" style={{ gridTemplateColumns: `repeat(${Math.min(3, Math.max(1, columns.length))}, 1fr)` }}>
            {columns.map((column, i) => {
              const cell = cells[i];
              const done = cell?.status === 'done';
              return (
                <div key={column.id} data-model-id={column.id} className="compare-3d-slot">
                  <Pose3DPanel
                    title={column.label}
                    colour={column.colour}
                    poses={done ? cell.poses : null}
                    layout={column.layout}
                    threshold={threshold}
                    pendingText={cell?.status === 'error' ? 'Failed: no result to show in 3D' : cell?.status === 'skipped' ? 'Skipped on this image' : 'Not run yet'}
                  />
                </div>
              );
            })}
          </div>
        </section>
      )}
    </section>
  );
}
