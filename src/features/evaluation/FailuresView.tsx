import { openInLabelMode } from '../../store/labelGroundTruth';
import { useId, useMemo, useState } from 'react';
import { CLASS_LABELS } from '../../core/evaluation/errorSummary';
import {
  ERROR_TYPES,
  countErrorLetters,
  falsePositivesText,
  hasError,
  personOksText,
  worstFirstImages,
  type ErrorType,
  type ImageErrorLabels,
  type WorstFirstImage,
} from '../../core/evaluation/worstFirst';
import { pairPosesWithAnnotations } from '../../core/gtMatching';
import { groundTruthLayout, layoutMapping, mapPose } from '../../core/layouts';
import { useAppStore } from '../../store/appStore';
import { cellOf } from '../../store/columns';
import { useEvaluationSnapshot } from '../../store/evaluationResults';
import { groundTruthIndex } from '../../store/groundTruthIndex';
import { useCurrentErrors, useIntervalsDemand, useIntervals } from '../../store/intervals';
import type { ImageItem } from '../../store/types';
import { cellOverlay, overlayCanvasProps, useOverlayState } from '../../ui/overlays';
import { ThumbnailPoseCanvas } from '../../ui/ThumbnailPoseCanvas';
import { PerImageTable, type PerImageColumn, type PerImageRow } from './PerImageTable';

const PAGE_SIZE = 24;
const ALL_KEYPOINTS = 'all';
/** The error-type filter: off, one coco-analyze class, or any of the four. */
type ErrorFilter = 'off' | ErrorType | 'any';
const NO_LABELS: ImageErrorLabels['detections'] = [];

interface FailureEntry {
  image: ImageItem;
  gtImageId: number;
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
  const [errorFilter, setErrorFilter] = useState<ErrorFilter>('off');
  const [shown, setShown] = useState(PAGE_SIZE);
  const ids = { column: useId(), keypoint: useId(), errorType: useId() };
  // The error-type filter needs the taxonomy, which comes with the intervals.
  useIntervalsDemand();
  const errors = useCurrentErrors();
  const analysisStatus = useIntervals((s) => s.status);
  const analysisError = useIntervals((s) => s.error);
  const evaluation = snapshot?.columns.find((c) => c.column.id === columnId) ?? snapshot?.columns[0];
  const state = useAppStore.getState();

  const entries = useMemo((): FailureEntry[] => {
    const index = groundTruthIndex(groundTruth, images);
    if (!evaluation || !index) return [];
    const gtLayout = groundTruthLayout(index.dataset).layout;
    const mapping = layoutMapping(evaluation.column.layout, gtLayout);
    const keypointIndex = gtLayout.keypointNames.indexOf(keypoint);
    const list: FailureEntry[] = [];
    for (const imageResult of evaluation.metrics.perImage) {
      const appImageId = index.appImageIdByGtImageId.get(imageResult.imageId);
      const image = images.find((im) => im.id === appImageId);
      if (!image || imageResult.meanOks === null) continue;
      const missed = imageResult.persons.filter((p) => p.oks === null).length;
      const people = `${imageResult.persons.length} ${imageResult.persons.length === 1 ? 'person' : 'people'}${missed ? `, ${missed} missed` : ''}`;
      if (keypointIndex < 0) {
        list.push({ image, gtImageId: imageResult.imageId, score: imageResult.meanOks, caption: `mean OKS ${imageResult.meanOks.toFixed(3)} · ${people}` });
        continue;
      }
      // One keypoint: the worst error of that keypoint over the image's people, relative to person size.
      const annotations = (index.annotationsByGtImageId.get(imageResult.imageId) ?? []).filter((a) => !a.iscrowd && a.num_keypoints > 0);
      const cell = cellOf(useAppStore.getState(), image.id, evaluation.column);
      const poses = mapping && cell?.status === 'done' ? cell.poses.map((p) => mapPose(p, mapping, gtLayout.keypointNames)) : [];
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
      list.push({ image, gtImageId: imageResult.imageId, score: -(worstError as number), caption: `${keypoint.replace('_', ' ')} error ${errorText} · ${people}` });
    }
    return list.sort((a, b) => a.score - b.score);
  }, [evaluation, groundTruth, images, keypoint]);

  const index = useMemo(() => groundTruthIndex(groundTruth, images), [groundTruth, images]);
  const keypointNames = index ? groundTruthLayout(index.dataset).layout.keypointNames : [];
  const keypointIndex = keypoint === ALL_KEYPOINTS ? null : keypointNames.indexOf(keypoint);

  // The analysis covers the images every column scored (the bootstrap's paired images); an image among them
  // without an entry had no detection to label.
  const analysedImageIds = useMemo((): ReadonlySet<number> => {
    const columns = snapshot?.columns ?? [];
    const counts = new Map<number, number>();
    for (const c of columns) for (const id of new Set(c.imagesScored.map((im) => im.gtImageId))) counts.set(id, (counts.get(id) ?? 0) + 1);
    return new Set([...counts].filter(([, n]) => n === columns.length).map(([id]) => id));
  }, [snapshot]);

  /** Per column: its worst-first rows (best OKS per person, detections, error counts) by ground-truth image id. */
  const rowsByColumn = useMemo((): Map<string, Map<number, WorstFirstImage>> => {
    const out = new Map<string, Map<number, WorstFirstImage>>();
    if (!snapshot || !index) return out;
    for (const c of snapshot.columns) {
      const analysis = errors?.find((e) => e.summary.columnId === c.column.id);
      const labels = analysis ? { images: analysis.images, analysedImageIds: analysis.summary.unavailable === null ? analysedImageIds : new Set<number>() } : null;
      out.set(c.column.id, new Map(worstFirstImages(index.dataset, c.metrics, c.results, labels).map((r) => [r.imageId, r])));
    }
    return out;
  }, [snapshot, index, errors, analysedImageIds]);

  const columnAnalysis = evaluation ? errors?.find((e) => e.summary.columnId === evaluation.column.id) : undefined;
  const labelsByImage = useMemo(() => new Map(columnAnalysis?.images.map((im) => [im.gtImageId, im]) ?? []), [columnAnalysis]);
  /** Whether the error filter can be applied to an image: the analysis is in, ran for this column, and covered the image. */
  const errorsReady = errors !== null && !!columnAnalysis && columnAnalysis.summary.unavailable === null;
  const passesErrorFilter = (gtImageId: number): boolean => {
    if (errorFilter === 'off') return true;
    if (!errorsReady || !analysedImageIds.has(gtImageId)) return false;
    const labels = labelsByImage.get(gtImageId);
    return !!labels && hasError(labels, errorFilter, keypointIndex);
  };

  if (!snapshot || !evaluation || !index) {
    return <div className="empty"><p>Worst-first failures need ground truth and at least one processed image.</p></div>;
  }
  const open = (gtImageId: number) => {
    const appImageId = index.appImageIdByGtImageId.get(gtImageId);
    if (!appImageId) return;
    setFocusedImageId(appImageId);
    setMainView('gallery');
  };
  const selectedById = rowsByColumn.get(evaluation.column.id) ?? new Map<number, WorstFirstImage>();
  const imageById = new Map(images.map((im) => [im.id, im]));
  const shownEntries = entries.filter((e) => passesErrorFilter(e.gtImageId));
  const where = keypointIndex === null ? 'any keypoint' : keypoint.replace('_', ' ');
  const filterName = errorFilter === 'any' ? 'any error' : errorFilter === 'off' ? '' : CLASS_LABELS[errorFilter].toLowerCase();
  const filterStatus = errorFilterStatus();

  function errorFilterStatus(): string | null {
    if (errorFilter === 'off') return null;
    if (errors === null) {
      if (analysisStatus === 'error') return `The error analysis failed${analysisError ? `: ${analysisError}` : ''}; nothing to filter on.`;
      // Idle: the runner found no image every column has scored, so there is nothing to analyse yet.
      if (analysisStatus === 'idle') return 'Error types are computed once every column has scored an image.';
      // Running, or done for earlier inputs: the runner recomputes on every change of the evaluation.
      return 'Error types are being computed (coco-analyze, in the analysis worker); the filtered list fills in when they are ready.';
    }
    if (!columnAnalysis) return `No error analysis for ${evaluation!.column.label}.`;
    if (columnAnalysis.summary.unavailable !== null) return `Error types unavailable for ${evaluation!.column.label}: ${columnAnalysis.summary.unavailable}`;
    const scored = entries.length;
    const notAnalysed = entries.filter((e) => !analysedImageIds.has(e.gtImageId)).length;
    return (
      `${shownEntries.length} of ${scored} images with ${filterName} at ${where}` +
      (notAnalysed > 0 ? ` · ${notAnalysed} not analysed (the analysis covers the images every column has scored)` : '')
    );
  }

  // Images the ground truth lists with no labelled person: what each column returned there is all false positives.
  const personFree = [...index.gtImageByAppImageId]
    .filter(([, gtImage]) => !(index.annotationsByGtImageId.get(gtImage.id) ?? []).some((a) => a.iscrowd === 0 && a.num_keypoints > 0))
    .map(([appImageId, gtImage]) => ({ appImageId, gtImage, name: imageById.get(appImageId)?.name ?? gtImage.file_name ?? String(gtImage.id) }));

  const tableColumns: PerImageColumn[] = [
    ...snapshot.columns.flatMap((c): PerImageColumn[] => [
      { key: `meanOks:${c.column.id}`, label: `Mean OKS · ${c.column.label}`, title: `${c.column.label}: mean OKS of the matched detections, a missed person counting 0`, digits: 3 },
      { key: `bestOks:${c.column.id}`, label: `Best OKS · ${c.column.label}`, title: `${c.column.label}: mean over persons of the best OKS any detection reached, matched or not`, digits: 3 },
    ]),
    { key: 'people', label: 'People', digits: 0 },
    { key: 'matched', label: 'Matched', title: 'People matched at OKS 0.5', digits: 0 },
    { key: 'missed', label: 'Missed', title: 'People unmatched at OKS 0.5', digits: 0 },
    { key: 'detections', label: 'Detections', digits: 0 },
    { key: 'falsePositives', label: 'False positives', title: 'Detections matched to no person at OKS 0.5 (of the 20 best)', digits: 0 },
    { key: 'backgroundFalsePositives', label: 'Background FPs', title: 'coco-analyze: matched to no person at any threshold .50:.95', digits: 0 },
    ...ERROR_TYPES.map((t): PerImageColumn => ({ key: t, label: CLASS_LABELS[t], title: `coco-analyze ${CLASS_LABELS[t].toLowerCase()} keypoints at ${where}`, digits: 0 })),
  ];
  const tableRows: PerImageRow[] = [...selectedById.values()]
    .filter((r) => passesErrorFilter(r.imageId))
    .map((r) => {
      const values: PerImageRow['values'] = {};
      for (const c of snapshot.columns) {
        const other = rowsByColumn.get(c.column.id)?.get(r.imageId);
        values[`meanOks:${c.column.id}`] = other?.meanOks ?? null;
        values[`bestOks:${c.column.id}`] = other?.meanBestOks ?? null;
      }
      const analysed = errorsReady && analysedImageIds.has(r.imageId);
      const counts = analysed ? countErrorLetters(labelsByImage.get(r.imageId)?.detections ?? NO_LABELS, keypointIndex) : null;
      Object.assign(values, {
        people: r.persons.length,
        matched: r.matched,
        missed: r.missed,
        detections: r.detections,
        falsePositives: r.falsePositives,
        backgroundFalsePositives: r.backgroundFalsePositives,
        ...Object.fromEntries(ERROR_TYPES.map((t) => [t, counts ? counts[t] : null])),
      });
      return { id: r.imageId, name: imageById.get(index.appImageIdByGtImageId.get(r.imageId) ?? '')?.name ?? r.fileName, values, onOpen: () => open(r.imageId) };
    });

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
          {keypointNames.map((name) => (
            <option key={name} value={name}>
              {name.replace('_', ' ')}
            </option>
          ))}
        </select>
        <label htmlFor={ids.errorType}>Error type</label>
        <select id={ids.errorType} value={errorFilter} onChange={(e) => setErrorFilter(e.target.value as ErrorFilter)}>
          <option value="off">Any image (no error filter)</option>
          {ERROR_TYPES.map((t) => (
            <option key={t} value={t}>
              {CLASS_LABELS[t]}
            </option>
          ))}
          <option value="any">Any error</option>
        </select>
        <span className="hint">
          {shownEntries.length} images, worst first · white diamonds: ground truth · lines: prediction → truth
        </span>
      </div>
      {filterStatus !== null && (
        <p className="hint" data-testid="error-filter-status" role="status">
          {filterStatus}
        </p>
      )}
      <div className="failure-grid" data-testid="failures">
        {shownEntries.slice(0, shown).map((entry, rank) => {
          const cell = cellOf(state, entry.image.id, evaluation.column);
          const overlay = cellOverlay(overlayState, entry.image, evaluation.column, cell);
          const row = selectedById.get(entry.gtImageId);
          return (
            <figure key={entry.image.id} className="cell" data-image-name={entry.image.name}>
              <ThumbnailPoseCanvas
                thumbnail={entry.image.thumbnail}
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
              <button type="button" className="link-button" onClick={() => void openInLabelMode(entry.image.name)}>
                Fix its ground truth
              </button>
              {row && row.persons.length > 0 && (
                <ol className="worst-first-people" aria-label={`People of ${entry.image.name}`}>
                  {row.persons.map((p) => (
                    <li key={p.annotationId} data-annotation-id={p.annotationId}>
                      {personOksText(p)}
                    </li>
                  ))}
                </ol>
              )}
            </figure>
          );
        })}
      </div>
      {shownEntries.length > shown && (
        <button type="button" onClick={() => setShown((n) => n + PAGE_SIZE)}>
          Show {Math.min(PAGE_SIZE, shownEntries.length - shown)} more
        </button>
      )}
      {personFree.length > 0 && (
        <section className="person-free" data-testid="person-free" aria-label="Images without labelled people">
          <h3>Images without labelled people ({personFree.length}): every detection there is a false positive</h3>
          <ul>
            {personFree.map(({ appImageId, gtImage, name }) => (
              <li key={appImageId} data-image-name={name}>
                <button type="button" className="link-button" onClick={() => open(gtImage.id)}>
                  {name}
                </button>
                <ul>
                  {snapshot.columns.map((c) => {
                    const r = rowsByColumn.get(c.column.id)?.get(gtImage.id);
                    const text = r
                      ? falsePositivesText(r)
                      : snapshot.protocol === 'crops' && c.column.kind === 'model'
                        ? 'not run: person crops need a labelled person (whole image shows its false positives)'
                        : 'not processed yet';
                    return (
                      <li key={c.column.id} data-column-id={c.column.id}>
                        {c.column.label}: {text}
                      </li>
                    );
                  })}
                </ul>
              </li>
            ))}
          </ul>
        </section>
      )}
      <PerImageTable columns={tableColumns} rows={tableRows} initialSortKey={`meanOks:${evaluation.column.id}`} />
    </section>
  );
}
