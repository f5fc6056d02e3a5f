import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ZoomView } from '../../core/geometry';
import { BUILTIN_LAYOUTS, layoutById } from '../../core/layouts';
import {
  acceptImage,
  addPerson,
  correctionsSentence,
  deletePerson,
  emptyDocument,
  ensureImage,
  exportCoco,
  exportSummary,
  importCoco,
  labelMapping,
  moveKeypoint,
  prelabelCorrections,
  prelabelImage,
  setBox,
  setImageStatus,
  setVisibility,
  skeletonFromLayout,
  skeletonLayout,
  validateSkeleton,
} from '../../core/labelling';
import type { LabelDocument, LabelImage, LabelImageStatus, LabelPerson, Visibility } from '../../core/labelling/labelTypes';
import { useAppStore } from '../../store/appStore';
import { cellOf, useColumns } from '../../store/columns';
import { scoreAgainstLabels } from '../../store/labelGroundTruth';
import { canRedoLabels, canUndoLabels } from '../../store/labelSlice';
import { pushNoticeOnce } from '../../store/noticeOnce';
import type { ImageItem } from '../../store/types';
import { downloadBlob, timestampStem } from '../../ui/download';
import { useDecodedBitmap } from '../../ui/useDecodedBitmap';
import { useThumbnail } from '../../ui/useThumbnail';
import { LabelCanvas, MAX_ZOOM_FACTOR, inView, type LabelCanvasView } from './LabelCanvas';
import { LABEL_SHORTCUTS, labelKeyAction, type LabelAction } from './labelKeys';
import { MappingTable } from './MappingTable';
import { SigmaWarning, SkeletonEditor } from './SkeletonEditor';

/** Longest side of the bitmap decoded for labelling: fine enough to place a keypoint on a 12 MP photo when zoomed. */
const LABEL_VIEW_MAX_SIDE_PX = 4096;
/** Zoomed in, the view recentres on the keypoint the keyboard moves to when it is nearer an edge than this. */
const FOLLOW_MARGIN_CSS_PX = 40;
const VISIBILITY_TEXT: Record<Visibility, string> = { 2: 'visible', 1: 'occluded', 0: 'absent' };
const STATUS_TEXT: Record<LabelImageStatus, string> = { todo: 'to do', done: 'done', skipped: 'skipped' };
/** Skeletons a labeller can start from; face meshes (468 / 478 points) are for models, not for hand labelling. */
const STARTING_LAYOUTS = BUILTIN_LAYOUTS.filter((l) => l.keypointNames.length <= 40);

const imageInfo = (image: ImageItem) => ({ fileName: image.name, widthPx: image.widthPx, heightPx: image.heightPx });

/** The first time an image is touched it enters the document. */
function onImage(doc: LabelDocument, image: ImageItem): LabelDocument {
  return ensureImage(doc, imageInfo(image));
}

function StartLabelling() {
  const images = useAppStore((s) => s.images);
  const startLabelling = useAppStore((s) => s.startLabelling);
  const pushNotice = useAppStore((s) => s.pushNotice);
  const [layoutId, setLayoutId] = useState(STARTING_LAYOUTS[0]!.id);
  const [categoryName, setCategoryName] = useState('person');
  const start = () => {
    const layout = layoutById(layoutId);
    startLabelling(emptyDocument(skeletonFromLayout(layout, { id: 1, name: categoryName.trim() || 'person', supercategory: layout.kind === 'body' ? 'person' : layout.kind })));
  };
  const importFile = async (file: File) => {
    try {
      const raw: unknown = JSON.parse(await file.text());
      const { doc, problems } = importCoco(raw, images.filter((im) => im.status === 'ready').map(imageInfo));
      if (!doc) {
        pushNotice('evaluation', `${file.name}: nothing to label in it (${problems.map((p) => p.message).join('; ') || 'no keypoint category'}).`);
        return;
      }
      startLabelling(doc);
      if (problems.length > 0) pushNotice('evaluation', `${file.name}: ${problems.length} entr${problems.length === 1 ? 'y' : 'ies'} could not be read (${problems.slice(0, 3).map((p) => p.message).join('; ')}${problems.length > 3 ? '; …' : ''}); the rest is loaded.`);
    } catch (error) {
      pushNotice('evaluation', `${file.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <section className="label-start" aria-label="Start labelling">
      <h2>Label your images</h2>
      <p className="hint">
        Place each person&apos;s keypoints (or let a model pre-label them and correct it), then export COCO keypoints ground truth. Every edit is saved in
        this browser at once.
      </p>
      <label className="field">
        <span>Skeleton</span>
        <select value={layoutId} onChange={(e) => setLayoutId(e.target.value)} aria-label="Skeleton">
          {STARTING_LAYOUTS.map((l) => (
            <option key={l.id} value={l.id}>
              {l.displayName} ({l.keypointNames.length} keypoints)
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Category name</span>
        <input value={categoryName} onChange={(e) => setCategoryName(e.target.value)} aria-label="Category name" />
      </label>
      <button type="button" onClick={start} disabled={images.length === 0}>
        {images.length === 0 ? 'Add images to label first' : 'Start labelling'}
      </button>
      <label className="field">
        <span>Or continue a COCO keypoints file</span>
        <input type="file" accept=".json,application/json" aria-label="Import COCO keypoints to label" onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0])} />
      </label>
    </section>
  );
}

/** What the canvas shows: the full picture once decoded (its neighbours decoded ahead), the thumbnail until then. */
function usePicture(image: ImageItem | undefined, neighbours: { previous?: ImageItem | undefined; next?: ImageItem | undefined }) {
  const bitmap = useDecodedBitmap(image, LABEL_VIEW_MAX_SIDE_PX, neighbours);
  const thumbnail = useThumbnail(bitmap ? null : (image?.thumbnail ?? null));
  return { picture: bitmap ?? thumbnail, kind: bitmap ? 'full' : thumbnail ? 'thumbnail' : 'none' } as const;
}

function PrelabelPanel({ doc, image }: { doc: LabelDocument; image: ImageItem }) {
  const columns = useColumns();
  const state = useAppStore();
  const source = state.prelabelSource ?? columns[0]?.id ?? null;
  const column = columns.find((c) => c.id === source) ?? null;
  // labelMapping reads the skeleton as a layout, which a skeleton mid-edit with a problem cannot be: no pre-labels then.
  const skeletonOk = validateSkeleton(doc.skeleton).length === 0;
  const mapping = column && skeletonOk ? labelMapping(column.layout, doc.skeleton, doc.mappingTables?.[column.layout.id]) : null;
  const ownLayout = column && skeletonOk && column.layout.id === skeletonLayout(doc.skeleton).id;
  const readyImages = state.images.filter((im) => im.status === 'ready');
  const cellFor = (im: ImageItem) => (column ? cellOf(state, im.id, column) : undefined);
  const todo = readyImages.filter((im) => (doc.images[im.name]?.status ?? 'todo') === 'todo');
  const waiting = todo.filter((im) => cellFor(im)?.status !== 'done').length;
  const run = (targets: ImageItem[]) => {
    if (!column || !mapping) return;
    state.editLabels((d) =>
      targets.reduce((acc, im) => {
        const cell = cellFor(im);
        if (cell?.status !== 'done') return acc;
        return prelabelImage(onImage(acc, im), im.name, cell.poses, mapping, { source: column.id, sourceName: column.label, scoreThreshold: state.prelabelThreshold });
      }, d),
    );
  };
  const corrections = prelabelCorrections(doc);
  return (
    <div className="label-prelabel" data-testid="label-prelabel">
      <h3>Pre-label</h3>
      {columns.length === 0 ? (
        <p className="hint">Choose a model in Models (or import predictions) to pre-label with.</p>
      ) : (
        <>
          <label className="field">
            <span>From</span>
            <select aria-label="Pre-label from" value={source ?? ''} onChange={(e) => state.setPrelabelSource(e.target.value)}>
              {columns.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Keypoints below score {state.prelabelThreshold.toFixed(2)} start absent</span>
            <input
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={state.prelabelThreshold}
              aria-label="Pre-label score threshold"
              onChange={(e) => state.setPrelabelThreshold(Number(e.target.value))}
            />
          </label>
          {mapping && mapping.unmapped.length > 0 && <p className="hint">{mapping.reason}</p>}
          {!skeletonOk && <p className="warning">The skeleton has a problem (see Skeleton): fix it to pre-label.</p>}
          {column && mapping && !ownLayout && <MappingTable doc={doc} modelLayout={column.layout} mapping={mapping} />}
          <div className="row-buttons">
            <button type="button" disabled={cellFor(image)?.status !== 'done'} onClick={() => run([image])}>
              {cellFor(image)?.status === 'done' ? 'Pre-label this image' : `Waiting for ${column?.label ?? 'the model'} on this image`}
            </button>
            <button type="button" disabled={todo.length === waiting} onClick={() => run(todo)}>
              Pre-label every to-do image ({todo.length - waiting}
              {waiting > 0 ? `; ${waiting} waiting for the model` : ''})
            </button>
          </div>
        </>
      )}
      {corrections.length > 0 && (
        <ul className="label-corrections" data-testid="label-corrections">
          {corrections.map((c) => (
            <li key={c.source} data-source={c.source}>
              {correctionsSentence(c)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Dropping the labels for a new skeleton or file: asked first, since no undo brings them back. */
function StartAgain({ doc }: { doc: LabelDocument }) {
  const restoreLabels = useAppStore((s) => s.restoreLabels);
  const [asking, setAsking] = useState(false);
  const persons = Object.values(doc.images).reduce((n, im) => n + im.persons.length, 0);
  if (!asking)
    return (
      <button type="button" className="link-button" onClick={() => setAsking(true)}>
        Start again with another skeleton or file…
      </button>
    );
  return (
    <p className="hint" role="alert">
      This drops the labels of {persons} person{persons === 1 ? '' : 's'} on {Object.keys(doc.images).length} image
      {Object.keys(doc.images).length === 1 ? '' : 's'}; nothing brings them back (export them first).{' '}
      <button type="button" onClick={() => restoreLabels(null)}>
        Drop them and start again
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Keep them
      </button>
    </p>
  );
}

/** The image's number, typed to jump to another (Enter or leaving the field); a number out of range is refused. */
function GoToImage({ index, count, onGo }: { index: number; count: number; onGo: (index: number) => void }) {
  const [draft, setDraft] = useState(String(index + 1));
  const wanted = Number(draft);
  const valid = Number.isInteger(wanted) && wanted >= 1 && wanted <= count;
  const go = () => (valid && wanted !== index + 1 ? onGo(wanted - 1) : setDraft(String(index + 1)));
  return (
    <label className="label-goto">
      Image{' '}
      <input
        type="number"
        min={1}
        max={count}
        value={draft}
        aria-label="Image number (type one to go to it)"
        aria-invalid={!valid}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') go();
          if (e.key === 'Escape') setDraft(String(index + 1));
        }}
        onBlur={go}
      />
    </label>
  );
}

/** Label mode: one image at a time, its persons' keypoints placed, dragged and marked by mouse and keyboard. */
export function LabelView() {
  const history = useAppStore((s) => s.labelHistory);
  if (!history) return <StartLabelling />;
  return <Labeller doc={history.present} />;
}

function Labeller({ doc }: { doc: LabelDocument }) {
  const images = useAppStore((s) => s.images);
  const cursor = useAppStore((s) => s.labelCursor);
  const setCursor = useAppStore((s) => s.setLabelCursor);
  const editLabels = useAppStore((s) => s.editLabels);
  const undoLabels = useAppStore((s) => s.undoLabels);
  const redoLabels = useAppStore((s) => s.redoLabels);
  const canUndo = useAppStore(canUndoLabels);
  const canRedo = useAppStore(canRedoLabels);
  const pushNotice = useAppStore((s) => s.pushNotice);
  const ready = useMemo(() => images.filter((im) => im.status === 'ready'), [images]);
  const imageIndex = Math.max(0, ready.findIndex((im) => im.name === cursor.fileName));
  const image = ready[imageIndex];
  const labelled: LabelImage | undefined = image ? doc.images[image.name] : undefined;
  const persons = labelled?.persons ?? [];
  const person = persons.find((p) => p.key === cursor.personKey) ?? persons[0] ?? null;
  const keypointIndex = Math.min(cursor.keypointIndex, doc.skeleton.keypointNames.length - 1);
  const [drawingBox, setDrawingBox] = useState(false);
  const [zoom, setZoom] = useState<ZoomView | null>(null);
  const { picture, kind: pictureKind } = usePicture(image, { previous: ready[imageIndex - 1], next: ready[imageIndex + 1] });
  const counts = useMemo(() => {
    const c: Record<LabelImageStatus, number> = { todo: 0, done: 0, skipped: 0 };
    for (const im of ready) c[doc.images[im.name]?.status ?? 'todo'] += 1;
    return c;
  }, [ready, doc]);

  const goToImage = (index: number) => {
    const next = ready[Math.min(ready.length - 1, Math.max(0, index))];
    if (!next) return;
    setCursor({ fileName: next.name, personKey: null, keypointIndex: 0 });
    setZoom(null);
    setDrawingBox(false);
  };
  const edit = (fn: (d: LabelDocument) => LabelDocument, mergeKey?: string) => {
    if (image) editLabels((d) => fn(onImage(d, image)), mergeKey);
  };
  /** The next image still to do after this one (wrapping round), or -1. */
  const nextTodoIndex = () => {
    for (let step = 1; step < ready.length; step++) {
      const i = (imageIndex + step) % ready.length;
      if ((doc.images[ready[i]!.name]?.status ?? 'todo') === 'todo') return i;
    }
    return -1;
  };
  // The canvas's image → screen transform (zoom included) as last drawn: a nudge is a step on screen, and a zoomed
  // view follows the keypoint the keyboard moves to.
  const viewRef = useRef<LabelCanvasView>({ transform: { scale: 1, offsetXPx: 0, offsetYPx: 0 }, widthCssPx: 0, heightCssPx: 0 });
  /** Zoomed in: brings `point` to the centre when it is off screen (or near an edge). */
  const follow = (point: { x: number; y: number } | null) => {
    if (zoom && point && !inView(viewRef.current, point, FOLLOW_MARGIN_CSS_PX)) setZoom({ factor: zoom.factor, centerImagePx: point });
  };
  const placedPoint = (p: LabelPerson | null, index: number) => {
    const k = p?.keypoints[index];
    return k && k.v > 0 ? { x: k.x, y: k.y } : null;
  };
  const setCurrentVisibility = (v: Visibility) => {
    if (image && person) edit((d) => setVisibility(d, image.name, person.key, keypointIndex, v));
  };
  const act = (action: LabelAction, stepCssPx?: { x: number; y: number }) => {
    const keypointCount = doc.skeleton.keypointNames.length;
    const personIndex = person ? persons.indexOf(person) : -1;
    switch (action) {
      case 'nextKeypoint':
      case 'previousKeypoint': {
        const next = (keypointIndex + (action === 'nextKeypoint' ? 1 : -1) + keypointCount) % keypointCount;
        follow(placedPoint(person, next));
        return setCursor({ personKey: person?.key ?? null, keypointIndex: next });
      }
      case 'nextPerson':
      case 'previousPerson': {
        if (persons.length === 0) return;
        const step = action === 'nextPerson' ? 1 : -1;
        const next = persons[(personIndex + step + persons.length) % persons.length]!;
        const [bx, by, bw, bh] = next.box;
        follow({ x: bx + bw / 2, y: by + bh / 2 });
        return setCursor({ personKey: next.key, keypointIndex: 0 });
      }
      case 'nextImage':
        return goToImage(imageIndex + 1);
      case 'previousImage':
        return goToImage(imageIndex - 1);
      case 'nextTodoImage': {
        const next = nextTodoIndex();
        return next >= 0 ? goToImage(next) : pushNoticeOnce('evaluation', 'Label mode: every other image is done or skipped.');
      }
      case 'nudge': {
        if (!image || !person || !stepCssPx || (person.keypoints[keypointIndex]?.v ?? 0) === 0) return;
        const { scale } = viewRef.current.transform;
        const dx = stepCssPx.x / scale, dy = stepCssPx.y / scale;
        // Read from the document the edit gets, not this render's: key repeat can outrun renders.
        return edit((d) => {
          const k = d.images[image.name]?.persons.find((p) => p.key === person.key)?.keypoints[keypointIndex];
          return k ? moveKeypoint(d, image.name, person.key, keypointIndex, { x: k.x + dx, y: k.y + dy }) : d;
        }, `nudge:${image.name}:${person.key}:${keypointIndex}`);
      }
      case 'visible':
        return setCurrentVisibility(2);
      case 'occluded':
        return setCurrentVisibility(1);
      case 'absent':
        return setCurrentVisibility(0);
      case 'acceptImage': {
        if (!image) return;
        const next = nextTodoIndex();
        edit((d) => acceptImage(d, image.name));
        if (next >= 0) goToImage(next);
        return;
      }
      case 'skipImage':
        return image && edit((d) => setImageStatus(d, image.name, 'skipped'));
      case 'drawBox':
        return setDrawingBox(true);
      case 'cancel':
        return setDrawingBox(false);
      case 'deletePerson':
        if (image && person) edit((d) => deletePerson(d, image.name, person.key));
        return setCursor({ personKey: null, keypointIndex: 0 });
      case 'undo':
        return undoLabels();
      case 'redo':
        return redoLabels();
      case 'zoomIn':
      case 'zoomOut': {
        const factor = Math.min(MAX_ZOOM_FACTOR, Math.max(1, (zoom?.factor ?? 1) * (action === 'zoomIn' ? 1.5 : 1 / 1.5)));
        // The first zoom centres on the current keypoint where it is placed (that is what one zooms in to place).
        const centre = zoom?.centerImagePx ?? placedPoint(person, keypointIndex) ?? { x: (image?.widthPx ?? 0) / 2, y: (image?.heightPx ?? 0) / 2 };
        return setZoom(factor === 1 ? null : { factor, centerImagePx: centre });
      }
      case 'fit':
        return setZoom(null);
    }
  };
  const actRef = useRef(act);
  useLayoutEffect(() => {
    actRef.current = act;
  });
  useEffect(() => {
    const abort = new AbortController();
    window.addEventListener(
      'keydown',
      (event) => {
        const press = labelKeyAction(event);
        if (press === null) return;
        event.preventDefault();
        actRef.current(press.action, press.stepCssPx);
      },
      { signal: abort.signal },
    );
    return () => abort.abort();
  }, []);

  const exportLabels = () => {
    const json = exportCoco(doc);
    const summary = exportSummary(doc);
    downloadBlob(new Blob([JSON.stringify(json)], { type: 'application/json' }), `labels-${timestampStem()}.json`);
    pushNotice('export', `Exported ${summary.text}`);
  };

  if (!image) return <p className="hint">Add images to label.</p>;
  const status = labelled?.status ?? 'todo';
  return (
    <section className="label-view" aria-label="Label">
      <div className="label-toolbar">
        <button type="button" onClick={() => goToImage(imageIndex - 1)} disabled={imageIndex === 0} aria-label="Previous image">
          ←
        </button>
        <GoToImage key={imageIndex} index={imageIndex} count={ready.length} onGo={goToImage} />
        <span data-testid="label-image" data-file-name={image.name} data-status={status}>
          of {ready.length}: {image.name} · {STATUS_TEXT[status]}
        </span>
        <button type="button" onClick={() => goToImage(imageIndex + 1)} disabled={imageIndex === ready.length - 1} aria-label="Next image">
          →
        </button>
        <span className="label-progress" data-testid="label-progress">
          {counts.done} done · {counts.skipped} skipped · {counts.todo} to do
        </span>
        <button type="button" onClick={() => act('acceptImage')}>
          Accept all (Enter)
        </button>
        <button type="button" onClick={() => act('skipImage')}>
          Skip (S)
        </button>
        <button type="button" disabled={status === 'todo'} onClick={() => edit((d) => setImageStatus(d, image.name, 'todo'))}>
          Back to to-do
        </button>
        <button type="button" onClick={() => undoLabels()} disabled={!canUndo}>
          Undo
        </button>
        <button type="button" onClick={() => redoLabels()} disabled={!canRedo}>
          Redo
        </button>
        <button type="button" aria-pressed={drawingBox} onClick={() => setDrawingBox((on) => !on)}>
          {drawingBox ? 'Drag the box… (Esc)' : 'Add person (B)'}
        </button>
        <button type="button" disabled={!person} onClick={() => act('deletePerson')}>
          Delete person
        </button>
      </div>
      <SigmaWarning doc={doc} />
      <div className="label-body">
        <LabelCanvas
          image={picture}
          sourceSizePx={{ width: picture?.width ?? 1, height: picture?.height ?? 1 }}
          imageSizePx={{ width: image.widthPx, height: image.heightPx }}
          persons={persons}
          edges={doc.skeleton.edges}
          keypointNames={doc.skeleton.keypointNames}
          currentPersonKey={person?.key ?? null}
          currentKeypointIndex={keypointIndex}
          drawingBox={drawingBox}
          zoom={zoom}
          onZoom={setZoom}
          heightCssPx={560}
          viewRef={viewRef}
          pictureKind={pictureKind}
          onSelect={(personKey, index) => setCursor({ fileName: image.name, personKey, keypointIndex: index ?? keypointIndex })}
          onMoveKeypoint={(personKey, index, point) => edit((d) => moveKeypoint(d, image.name, personKey, index, point))}
          onPlace={(point) => {
            if (!person || person.keypoints[keypointIndex]?.v !== 0) return;
            edit((d) => moveKeypoint(d, image.name, person.key, keypointIndex, point));
            // Placing walks the skeleton: the next keypoint still absent is the one to place next.
            const next = person.keypoints.findIndex((k, i) => i > keypointIndex && k.v === 0);
            setCursor({ fileName: image.name, personKey: person.key, keypointIndex: next >= 0 ? next : keypointIndex });
          }}
          onBox={(personKey, box) => {
            if (personKey) return edit((d) => setBox(d, image.name, personKey, box));
            setDrawingBox(false);
            let key: string | null = null;
            edit((d) => {
              const added = addPerson(d, image.name, box);
              key = added.key;
              return added.doc;
            });
            if (key) setCursor({ fileName: image.name, personKey: key, keypointIndex: 0 });
          }}
        />
        <aside className="label-side">
          <h3>Persons ({persons.length})</h3>
          <ul className="label-persons">
            {persons.map((p, i) => (
              <li key={p.key}>
                <button type="button" aria-pressed={p.key === person?.key} onClick={() => setCursor({ fileName: image.name, personKey: p.key, keypointIndex: 0 })}>
                  Person {i + 1}: {p.keypoints.filter((k) => k.v > 0).length} / {p.keypoints.length} keypoints
                  {p.origin.kind === 'prelabel' ? ` · from ${p.origin.sourceName}` : p.origin.kind === 'imported' ? ' · imported' : ' · drawn'}
                </button>
              </li>
            ))}
          </ul>
          {person && (
            <>
              <h3>Keypoints</h3>
              <ol className="label-keypoints" data-testid="label-keypoints">
                {doc.skeleton.keypointNames.map((name, i) => {
                  const k = person.keypoints[i]!;
                  return (
                    <li key={name} data-keypoint={name} data-v={k.v} data-reviewed={person.reviewed[i] ? 'yes' : 'no'} className={i === keypointIndex ? 'current' : ''}>
                      <button
                        type="button"
                        onClick={() => {
                          follow(placedPoint(person, i));
                          setCursor({ fileName: image.name, personKey: person.key, keypointIndex: i });
                        }}
                      >
                        {name}
                      </button>{' '}
                      {VISIBILITY_TEXT[k.v]}
                      {person.reviewed[i] ? '' : ' (not reviewed)'}
                    </li>
                  );
                })}
              </ol>
            </>
          )}
          <PrelabelPanel doc={doc} image={image} />
          <div className="row-buttons">
            <button type="button" onClick={exportLabels}>
              Export COCO keypoints
            </button>
            <button type="button" onClick={() => scoreAgainstLabels()}>
              Score the models against these labels
            </button>
          </div>
          <StartAgain doc={doc} />
          <details className="label-shortcuts" open>
            <summary>Keyboard</summary>
            <table>
              <tbody>
                {LABEL_SHORTCUTS.map((s) => (
                  <tr key={s.action}>
                    <th scope="row">{s.keys}</th>
                    <td>{s.does}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="hint">Drag a keypoint or a box corner to move it; click to place the current keypoint when it is absent; drag the image to pan when zoomed.</p>
          </details>
        </aside>
      </div>
      {/* Full width below the image: the editor's table needs more room than the side column has. */}
      <details className="label-skeleton" data-testid="label-skeleton">
        <summary>
          Skeleton: {doc.skeleton.name} ({doc.skeleton.keypointNames.length} keypoints): names, left/right, bones, OKS sigmas
        </summary>
        <SkeletonEditor doc={doc} />
      </details>
    </section>
  );
}
