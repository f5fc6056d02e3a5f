import { useId, useMemo, useState } from 'react';
import { pairPosesWithAnnotations } from '../../core/gtMatching';
import { toCoco17 } from '../../core/keypointMapping';
import { COCO17 } from '../../core/skeletons';
import { useAppStore } from '../../store/appStore';
import { cellOf } from '../../store/columns';
import { useEvaluationSnapshot } from '../../store/evaluationResults';
import { groundTruthIndex } from '../../store/groundTruthIndex';
import type { ImageItem } from '../../store/types';
import { cellOverlay, overlayCanvasProps, useOverlayState } from '../../ui/overlays';
import { PoseCanvas } from '../../ui/PoseCanvas';

const PAGE_SIZE = 24;
const ALL_KEYPOINTS = 'all';

interface FailureEntry {
  image: ImageItem;
  /** Lower is worse: mean OKS of the image, or 1 − the keypoint's normalised error under a keypoint filter. */
  score: number;
  caption: string;
}

/** Worst-first: the images where a model did worst against the ground truth, optionally for one keypoint. */
export function FailuresView() {
  const snapshot = useEvaluationSnapshot();
  const images = useAppStore((s) => s.images);
  const groundTruth = useAppStore((s) => s.groundTruth);
  const threshold = useAppStore((s) => s.confidenceThreshold);
  const setFocusedImageId = useAppStore((s) => s.setFocusedImageId);
  const setMainView = useAppStore((s) => s.setMainView);
  const overlayState = useOverlayState({ forceGroundTruth: true });
  const [columnId, setColumnId] = useState<string | null>(null);
  const [keypoint, setKeypoint] = useState<string>(ALL_KEYPOINTS);
  const [shown, setShown] = useState(PAGE_SIZE);
  const ids = { column: useId(), keypoint: useId() };
  const evaluation = snapshot?.columns.find((c) => c.column.id === columnId) ?? snapshot?.columns[0];
  const state = useAppStore.getState();

  const entries = useMemo((): FailureEntry[] => {
    const index = groundTruthIndex(groundTruth, images);
    if (!evaluation || !index) return [];
    const keypointIndex = COCO17.keypointNames.indexOf(keypoint);
    const list: FailureEntry[] = [];
    for (const imageResult of evaluation.metrics.perImage) {
      const appImageId = index.appImageIdByGtImageId.get(imageResult.imageId);
      const image = images.find((im) => im.id === appImageId);
      if (!image || imageResult.meanOks === null) continue;
      const missed = imageResult.persons.filter((p) => p.oks === null).length;
      const people = `${imageResult.persons.length} ${imageResult.persons.length === 1 ? 'person' : 'people'}${missed ? `, ${missed} missed` : ''}`;
      if (keypointIndex < 0) {
        list.push({ image, score: imageResult.meanOks, caption: `mean OKS ${imageResult.meanOks.toFixed(3)} · ${people}` });
        continue;
      }
      // One keypoint: the worst error of that keypoint over the image's people, relative to person size.
      const annotations = (index.annotationsByGtImageId.get(imageResult.imageId) ?? []).filter((a) => !a.iscrowd && a.num_keypoints > 0);
      const cell = cellOf(useAppStore.getState(), image.id, evaluation.column);
      const poses = (cell?.status === 'done' ? cell.poses : []).map((p) => toCoco17(p, evaluation.column.layout));
      const pairing = pairPosesWithAnnotations(poses, annotations);
      let worstError: number | null = null;
      annotations.forEach((a, i) => {
        if ((a.keypoints[keypointIndex * 3 + 2] ?? 0) <= 0) return;
        const predicted = poses[pairing[i] ?? -1]?.keypoints[keypointIndex];
        const sizePx = Math.sqrt(Math.max(1, a.area));
        const error = predicted
          ? Math.hypot(predicted.x - (a.keypoints[keypointIndex * 3] ?? 0), predicted.y - (a.keypoints[keypointIndex * 3 + 1] ?? 0)) / sizePx
          : Number.POSITIVE_INFINITY;
        worstError = Math.max(worstError ?? 0, error);
      });
      if (worstError === null) continue;
      const errorText = Number.isFinite(worstError) ? `${(worstError as number).toFixed(2)} × person size` : 'person missed';
      list.push({ image, score: -(worstError as number), caption: `${keypoint.replace('_', ' ')} error ${errorText} · ${people}` });
    }
    return list.sort((a, b) => a.score - b.score);
  }, [evaluation, groundTruth, images, keypoint]);

  if (!snapshot || !evaluation) {
    return <div className="empty"><p>Worst-first failures need ground truth and at least one processed image.</p></div>;
  }
  return (
    <section className="failures" aria-label="Worst-first failures">
      <div className="compare-bar">
        <label htmlFor={ids.column}>Model</label>
        <select id={ids.column} value={evaluation.column.id} onChange={(e) => setColumnId(e.target.value)}>
          {snapshot.columns.map((c) => (
            <option key={c.column.id} value={c.column.id}>
              {c.column.label}
            </option>
          ))}
        </select>
        <label htmlFor={ids.keypoint}>Keypoint</label>
        <select id={ids.keypoint} value={keypoint} onChange={(e) => setKeypoint(e.target.value)}>
          <option value={ALL_KEYPOINTS}>All keypoints (mean OKS)</option>
          {COCO17.keypointNames.map((name) => (
            <option key={name} value={name}>
              {name.replace('_', ' ')}
            </option>
          ))}
        </select>
        <span className="hint">
          {entries.length} images, worst first · white diamonds: ground truth · lines: prediction → truth
        </span>
      </div>
      <div className="failure-grid" data-testid="failures">
        {entries.slice(0, shown).map((entry, rank) => {
          const cell = cellOf(state, entry.image.id, evaluation.column);
          const overlay = cellOverlay(overlayState, entry.image, evaluation.column, cell);
          return (
            <figure key={entry.image.id} className="cell" data-image-name={entry.image.name}>
              <PoseCanvas
                image={entry.image.thumbnail}
                sourceSizePx={{ width: entry.image.thumbnail?.width ?? 1, height: entry.image.thumbnail?.height ?? 1 }}
                imageSizePx={{ width: entry.image.widthPx, height: entry.image.heightPx }}
                {...overlayCanvasProps(overlay)}
                threshold={threshold}
                maxHeightPx={240}
                onImageClick={() => {
                  setFocusedImageId(entry.image.id);
                  setMainView('gallery');
                }}
                label={`${entry.image.name} — ${evaluation.column.label}`}
              />
              <figcaption>
                #{rank + 1} {entry.image.name} · {entry.caption}
              </figcaption>
            </figure>
          );
        })}
      </div>
      {entries.length > shown && (
        <button type="button" onClick={() => setShown((n) => n + PAGE_SIZE)}>
          Show {Math.min(PAGE_SIZE, entries.length - shown)} more
        </button>
      )}
    </section>
  );
}
