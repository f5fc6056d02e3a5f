import { useEffect, useMemo, useRef } from 'react';
import { MODEL_IDS } from '../../inference/modelCatalogue';
import { modelColour } from '../../render/palette';
import { useAppStore } from '../../store/appStore';
import { useSelectedModels } from '../../store/selectors';
import type { ImageItem } from '../../store/types';
import { PoseCanvas } from '../../ui/PoseCanvas';
import { cellCaption, cellFor, layerFor } from './layers';

const GRID_CELL_MAX_HEIGHT_PX = 260;

function GalleryRow({ image }: { image: ImageItem }) {
  const models = useSelectedModels();
  const results = useAppStore((s) => s.results);
  const threshold = useAppStore((s) => s.confidenceThreshold);
  const setFocusedImageId = useAppStore((s) => s.setFocusedImageId);
  const removeImage = useAppStore((s) => s.removeImage);
  const imageSizePx = useMemo(() => ({ width: image.widthPx, height: image.heightPx }), [image.widthPx, image.heightPx]);
  const sourceSizePx = useMemo(
    () => ({ width: image.thumbnail?.width ?? 1, height: image.thumbnail?.height ?? 1 }),
    [image.thumbnail],
  );
  return (
    <div className="gallery-row" role="row" data-image-id={image.id} data-image-name={image.name}>
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
        <div className="cells" style={{ gridTemplateColumns: `repeat(${Math.max(1, models.length)}, minmax(180px, 1fr))` }}>
          {models.map((model) => {
            const cell = cellFor(results, image.id, model.id);
            const layer = layerFor(model, cell);
            return (
              <figure
                key={model.id}
                className="cell"
                role="gridcell"
                data-model-id={model.id}
                data-status={cell?.status ?? 'waiting'}
                data-poses={cell?.status === 'done' ? cell.poses.length : ''}
              >
                <PoseCanvas
                  image={image.thumbnail}
                  sourceSizePx={sourceSizePx}
                  imageSizePx={imageSizePx}
                  layers={layer ? [layer] : []}
                  threshold={threshold}
                  maxHeightPx={GRID_CELL_MAX_HEIGHT_PX}
                  onImageClick={() => setFocusedImageId(image.id)}
                  label={`${image.name} — ${model.displayName}`}
                />
                <figcaption className={cell?.status === 'error' ? 'error' : ''}>
                  <span className="swatch" style={{ background: modelColour(model.id, MODEL_IDS) }} aria-hidden="true" />
                  {model.displayName}: {cellCaption(cell)}
                </figcaption>
              </figure>
            );
          })}
        </div>
      )}
    </div>
  );
}

/** Images as rows, selected models as columns; tracks which rows are on screen for the export. */
export function GalleryGrid() {
  const images = useAppStore((s) => s.images);
  const models = useSelectedModels();
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
        {models.map((model) => (
          <span key={model.id} role="columnheader">
            <span className="swatch" style={{ background: modelColour(model.id, MODEL_IDS) }} aria-hidden="true" />
            {model.displayName}
          </span>
        ))}
      </div>
      {images.map((image) => (
        <GalleryRow key={image.id} image={image} />
      ))}
    </div>
  );
}
