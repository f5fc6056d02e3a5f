import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { UNIFORM_SIGMA } from '../../core/layouts';
import {
  addEdge,
  addKeypoint,
  clearMirrorPair,
  estimateSigmas,
  importCoco,
  isJudged,
  keypointNameProblem,
  pairTwiceLabelled,
  removeEdge,
  removeKeypoint,
  renameKeypoint,
  setCategory,
  setMirrorPair,
  setSigma,
  setSigmas,
  setUniformSigmas,
  skeletonWarnings,
  validateSkeleton,
  type TwiceLabelledPair,
} from '../../core/labelling';
import type { LabelDocument, LabelImage, LabelPerson } from '../../core/labelling/labelTypes';
import { useAppStore } from '../../store/appStore';

/** Fewer pairs than this give a sigma too noisy to replace the current one (the user may change it). */
const DEFAULT_MIN_PAIRS = 10;

/** A sigma as typed: COCO's are tenths of its published values (0.26 / 10 = 0.026000000000000002 in binary). */
const sigmaText = (sigma: number): string => String(Number(sigma.toPrecision(12)));

const parseSigma = (text: string): number | null => {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(value) && value > 0 ? value : null;
};

/**
 * A text field that commits on Enter or leaving it, not per key press: each commit is one undoable edit, and a name
 * half typed never reaches the document (where it could clash with another keypoint's).
 */
function DraftField({
  value,
  label,
  problem,
  onCommit,
  inputMode,
  testId,
}: {
  value: string;
  label: string;
  problem: (text: string) => string | null;
  onCommit: (text: string) => void;
  inputMode?: 'decimal';
  testId?: string;
}) {
  const [draft, setDraft] = useState(value);
  const [shown, setShown] = useState(value);
  const errorId = useId();
  // The document changed under the field (an undo, another edit): the draft starts again from it.
  if (shown !== value) {
    setShown(value);
    setDraft(value);
  }
  const error = draft === value ? null : problem(draft);
  const commit = () => {
    if (draft === value) return;
    if (problem(draft) === null) onCommit(draft);
    // Refused, or the same value written differently ("0.040"): the field shows the document's value again (an
    // accepted change replaces it with the new value on the next render).
    setDraft(value);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') commit();
    if (event.key === 'Escape') setDraft(value);
  };
  return (
    <>
      <input
        value={draft}
        aria-label={label}
        aria-invalid={error !== null}
        aria-describedby={error ? errorId : undefined}
        inputMode={inputMode}
        data-testid={testId}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={onKeyDown}
      />
      {error && (
        <span id={errorId} className="warning">
          {error}
        </span>
      )}
    </>
  );
}

/** Placed points (v > 0) of keypoint `index` over the document's persons: what removing it loses. */
function placedAt(doc: LabelDocument, index: number): number {
  let points = 0;
  for (const image of Object.values(doc.images)) for (const p of image.persons) if ((p.keypoints[index]?.v ?? 0) > 0) points++;
  return points;
}

/** The uniform-sigma warning, where it applies; shown in the editor and in the Label view's header alike. */
export function SigmaWarning({ doc }: { doc: LabelDocument }) {
  const warnings = skeletonWarnings(doc.skeleton);
  if (warnings.length === 0) return null;
  return (
    <p className="warning" role="status" data-testid="skeleton-sigma-warning">
      {warnings.join(' ')}
    </p>
  );
}

/** A document holding only the persons the labeller vouches for: untouched pre-labels are model output, not a labelling. */
function judgedOnly(doc: LabelDocument): LabelDocument {
  const images: Record<string, LabelImage> = {};
  for (const [name, image] of Object.entries(doc.images)) images[name] = { ...image, persons: image.persons.filter((p) => isJudged(p, image)) };
  return { ...doc, images };
}

/** The second labelling's persons with their keypoints in `names`' order (absent where its category lacks one). */
function inSkeletonOrder(second: LabelDocument, names: readonly string[]): LabelDocument {
  const from = names.map((name) => second.skeleton.keypointNames.indexOf(name));
  const reorder = (p: LabelPerson): LabelPerson => ({ ...p, keypoints: from.map((i) => (i >= 0 ? p.keypoints[i]! : { x: 0, y: 0, v: 0 as const })) });
  const images: Record<string, LabelImage> = {};
  for (const [name, image] of Object.entries(second.images)) images[name] = { ...image, persons: image.persons.map(reorder) };
  return { ...second, images };
}

interface SecondLabelling {
  fileName: string;
  /** The skeleton's names when the file was paired: a later skeleton edit makes the pairs stale. */
  names: readonly string[];
  pairs: TwiceLabelledPair[];
  missing: string[];
}

function SigmaEstimator({ doc }: { doc: LabelDocument }) {
  const images = useAppStore((s) => s.images);
  const editLabels = useAppStore((s) => s.editLabels);
  const [second, setSecond] = useState<SecondLabelling | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [minPairs, setMinPairs] = useState(DEFAULT_MIN_PAIRS);
  const names = doc.skeleton.keypointNames;
  const stale = second !== null && (second.names.length !== names.length || second.names.some((n, i) => n !== names[i]));
  const estimate = useMemo(() => (second ? estimateSigmas(second.pairs, second.names.length, { minPairs }) : null), [second, minPairs]);

  const read = async (file: File) => {
    setError(null);
    setSecond(null);
    try {
      const appImages = images.filter((im) => im.status === 'ready').map((im) => ({ fileName: im.name, widthPx: im.widthPx, heightPx: im.heightPx }));
      // The same category as the labels here when the file has it, so a file with several categories pairs the right one.
      const raw: unknown = JSON.parse(await file.text());
      const categories = (raw as { categories?: unknown } | null)?.categories;
      const categoryIds = new Set(Array.isArray(categories) ? categories.map((c: unknown) => (c as { id?: unknown } | null)?.id) : []);
      const { doc: other, problems } = importCoco(raw, appImages, categoryIds.has(doc.skeleton.categoryId) ? { categoryId: doc.skeleton.categoryId } : {});
      if (!other) {
        setError(`${file.name}: ${problems.map((p) => p.message).join('; ') || 'nothing to read'}`);
        return;
      }
      const missing = names.filter((n) => !other.skeleton.keypointNames.includes(n));
      const pairs = pairTwiceLabelled(judgedOnly(doc), inSkeletonOrder(other, names));
      setSecond({ fileName: file.name, names: [...names], pairs, missing });
    } catch (e) {
      setError(`${file.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const usable = estimate ? estimate.sigmas.filter((s) => s !== null).length : 0;
  const apply = () => {
    if (!second || !estimate || stale || usable === 0) return;
    editLabels((d) => setSigmas(d, estimate.sigmas, `estimated from ${second.pairs.length} persons labelled twice (${second.fileName}), at least ${minPairs} pairs per keypoint`));
  };

  return (
    <div className="skeleton-estimate" data-testid="skeleton-estimate">
      <h4>Estimate sigmas from images labelled twice</h4>
      <p className="hint">
        Pick a second COCO keypoints file of the same images (another labeller&apos;s, or your own second pass). Persons are paired by box overlap; each
        keypoint&apos;s sigma is the spread of the two placements relative to the person&apos;s size, as COCO derived its own.
      </p>
      <label className="field">
        <span>Second labelling (COCO keypoints)</span>
        <input type="file" accept=".json,application/json" aria-label="Second labelling of the same images" onChange={(e) => e.target.files?.[0] && void read(e.target.files[0])} />
      </label>
      <label className="field">
        <span>Pairs needed per keypoint</span>
        <input type="number" min={1} step={1} value={minPairs} aria-label="Pairs needed per keypoint" onChange={(e) => setMinPairs(Math.max(1, Math.round(Number(e.target.value) || 1)))} />
      </label>
      {error && <p className="warning">{error}</p>}
      {second && estimate && (
        <>
          <p className="hint" data-testid="skeleton-estimate-summary">
            {second.fileName}: {second.pairs.length} person{second.pairs.length === 1 ? '' : 's'} labelled in both.
            {second.missing.length > 0 ? ` It has no ${second.missing.join(', ')}.` : ''}
          </p>
          {stale ? (
            <p className="warning">The skeleton changed since the file was read: pick it again.</p>
          ) : (
            <table className="skeleton-table">
              <thead>
                <tr>
                  <th scope="col">Keypoint</th>
                  <th scope="col">Now</th>
                  <th scope="col">Estimate</th>
                  <th scope="col">Pairs</th>
                </tr>
              </thead>
              <tbody>
                {names.map((name, i) => (
                  <tr key={name} data-keypoint={name}>
                    <th scope="row">{name}</th>
                    <td>{doc.skeleton.sigmas[i]!.toFixed(4)}</td>
                    <td>{estimate.sigmas[i] === null ? '—' : estimate.sigmas[i]!.toFixed(4)}</td>
                    <td>{estimate.pairCounts[i]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <button type="button" disabled={stale || usable === 0} onClick={apply}>
            {usable === 0
              ? `No keypoint has ${minPairs} pairs yet`
              : `Apply ${usable} estimated sigma${usable === 1 ? '' : 's'} (${names.length - usable} kept: fewer than ${minPairs} pairs)`}
          </button>
        </>
      )}
    </div>
  );
}

/**
 * The skeleton being labelled, edited in place: keypoint names, bones, left/right pairs, OKS sigmas and the COCO
 * category. Every change is one undoable edit of the document, so persons and the export follow it.
 */
export function SkeletonEditor({ doc }: { doc: LabelDocument }) {
  const editLabels = useAppStore((s) => s.editLabels);
  const s = doc.skeleton;
  const names = s.keypointNames;
  const [newName, setNewName] = useState('');
  const [newSigma, setNewSigma] = useState('');
  const [boneFrom, setBoneFrom] = useState(0);
  const [boneTo, setBoneTo] = useState(Math.min(1, names.length - 1));
  const [removing, setRemoving] = useState<string | null>(null);
  const problems = validateSkeleton(s);
  const newNameProblem = newName === '' ? null : keypointNameProblem(s, newName);
  const newSigmaValue = parseSigma(newSigma);
  const newSigmaProblem = newSigma.trim() !== '' && newSigmaValue === null ? 'a sigma is a positive number' : null;
  const from = Math.min(boneFrom, names.length - 1);
  const to = Math.min(boneTo, names.length - 1);
  const boneExists = s.edges.some(([a, b]) => (a === from && b === to) || (a === to && b === from));

  const add = () => {
    if (newName === '' || newNameProblem || newSigmaProblem) return;
    editLabels((d) => addKeypoint(d, newName, newSigmaValue === null ? {} : { sigma: newSigmaValue }));
    setNewName('');
    setNewSigma('');
  };
  const remove = (index: number) => {
    const name = names[index]!;
    if (placedAt(doc, index) > 0 && removing !== name) return setRemoving(name);
    setRemoving(null);
    editLabels((d) => removeKeypoint(d, index));
  };
  const removingIndex = removing === null ? -1 : names.indexOf(removing);

  return (
    // Label mode's single-key shortcuts (Enter accepts the image, Delete deletes the person) must not fire while
    // the labeller works here with the keyboard.
    <div className="skeleton-editor" data-testid="skeleton-editor" onKeyDown={(e) => e.stopPropagation()}>
      <fieldset>
        <legend>COCO category</legend>
        <label className="field">
          <span>Category name</span>
          <DraftField
            value={s.name}
            label="Category name"
            testId="skeleton-category-name"
            problem={(t) => (t.trim() === '' ? 'the category needs a name' : t !== t.trim() ? 'a name cannot start or end with a space' : null)}
            onCommit={(name) => editLabels((d) => setCategory(d, { name }))}
          />
        </label>
        <label className="field">
          <span>Supercategory</span>
          <DraftField
            value={s.supercategory}
            label="Supercategory"
            problem={(t) => (t !== t.trim() ? 'a name cannot start or end with a space' : null)}
            onCommit={(supercategory) => editLabels((d) => setCategory(d, { supercategory }))}
          />
        </label>
      </fieldset>

      {problems.length > 0 && (
        <ul className="notice-list" data-testid="skeleton-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}

      <fieldset>
        <legend>Keypoints ({names.length})</legend>
        <table className="skeleton-table" data-testid="skeleton-keypoints">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Name</th>
              <th scope="col">Left/right</th>
              <th scope="col">OKS sigma</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {names.map((name, i) => (
              <tr key={i} data-keypoint={name}>
                <td>{i + 1}</td>
                <td>
                  <DraftField value={name} label={`Name of keypoint ${i + 1}`} problem={(t) => keypointNameProblem(s, t, i)} onCommit={(t) => editLabels((d) => renameKeypoint(d, i, t))} />
                </td>
                <td>
                  <select
                    aria-label={`Left/right counterpart of ${name}`}
                    value={s.mirror[i] ?? i}
                    onChange={(e) => {
                      const j = Number(e.target.value);
                      editLabels((d) => (j === i ? clearMirrorPair(d, i) : setMirrorPair(d, i, j)));
                    }}
                  >
                    <option value={i}>none (midline)</option>
                    {names.map((other, j) =>
                      j === i ? null : (
                        <option key={other} value={j}>
                          {other}
                        </option>
                      ),
                    )}
                  </select>
                </td>
                <td>
                  <DraftField
                    value={sigmaText(s.sigmas[i]!)}
                    label={`OKS sigma of ${name}`}
                    inputMode="decimal"
                    problem={(t) => (parseSigma(t) === null ? 'a sigma is a positive number' : null)}
                    onCommit={(t) => editLabels((d) => setSigma(d, i, parseSigma(t)!))}
                  />
                </td>
                <td>
                  <button type="button" aria-label={`Remove ${name}`} disabled={names.length <= 1} onClick={() => remove(i)}>
                    ✕
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {removingIndex >= 0 && (
          <div className="skeleton-confirm" role="alertdialog" aria-label={`Remove ${removing}?`} data-testid="skeleton-remove-confirm">
            <p>
              {placedAt(doc, removingIndex)} placed point{placedAt(doc, removingIndex) === 1 ? '' : 's'} of {removing} (one per person that has it) go with it. Undo
              brings them back.
            </p>
            <div className="row-buttons">
              <button type="button" onClick={() => remove(removingIndex)}>
                Remove {removing} and its {placedAt(doc, removingIndex)} placed point{placedAt(doc, removingIndex) === 1 ? '' : 's'}
              </button>
              <button type="button" onClick={() => setRemoving(null)}>
                Keep {removing}
              </button>
            </div>
          </div>
        )}
        <div className="skeleton-add">
          <label className="field">
            <span>New keypoint</span>
            <input
              value={newName}
              aria-label="New keypoint name"
              aria-invalid={newNameProblem !== null}
              onChange={(e) => setNewName(e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && add()}
            />
          </label>
          <label className="field">
            <span>Its OKS sigma (empty: {UNIFORM_SIGMA}, flagged as a guess)</span>
            <input value={newSigma} inputMode="decimal" aria-label="New keypoint's OKS sigma" aria-invalid={newSigmaProblem !== null} onChange={(e) => setNewSigma(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && add()} />
          </label>
          {(newNameProblem ?? newSigmaProblem) && <p className="warning">{newNameProblem ?? newSigmaProblem}</p>}
          <button type="button" disabled={newName === '' || newNameProblem !== null || newSigmaProblem !== null} onClick={add}>
            Add keypoint
          </button>
        </div>
      </fieldset>

      <fieldset>
        <legend>Bones ({s.edges.length})</legend>
        <ul className="skeleton-bones" data-testid="skeleton-bones">
          {s.edges.map(([a, b]) => (
            <li key={`${a}-${b}`} data-bone={`${names[a]}-${names[b]}`}>
              {names[a]} – {names[b]}{' '}
              <button type="button" aria-label={`Remove bone ${names[a]}–${names[b]}`} onClick={() => editLabels((d) => removeEdge(d, a, b))}>
                ✕
              </button>
            </li>
          ))}
        </ul>
        <div className="row-buttons">
          <select aria-label="Bone from" value={from} onChange={(e) => setBoneFrom(Number(e.target.value))}>
            {names.map((name, i) => (
              <option key={name} value={i}>
                {name}
              </option>
            ))}
          </select>
          <select aria-label="Bone to" value={to} onChange={(e) => setBoneTo(Number(e.target.value))}>
            {names.map((name, i) => (
              <option key={name} value={i}>
                {name}
              </option>
            ))}
          </select>
          <button type="button" disabled={from === to || boneExists} onClick={() => editLabels((d) => addEdge(d, from, to))}>
            {from === to ? 'Pick two keypoints' : boneExists ? 'That bone exists' : 'Add bone'}
          </button>
        </div>
      </fieldset>

      <fieldset>
        <legend>OKS sigmas</legend>
        <p className="hint" data-testid="skeleton-sigma-source" data-kind={s.sigmaSource.kind}>
          {s.sigmaSource.kind === 'published' ? 'Published' : s.sigmaSource.kind === 'given' ? 'Given' : 'A uniform guess'}: {s.sigmaSource.reference}
        </p>
        <SigmaWarning doc={doc} />
        <div className="row-buttons">
          {s.sigmaSource.kind === 'uniform' && (
            <button type="button" onClick={() => editLabels((d) => setSigmas(d, d.skeleton.sigmas, 'set by the user in the skeleton editor'))}>
              I set these sigmas: stop flagging them
            </button>
          )}
          <button type="button" onClick={() => editLabels((d) => setUniformSigmas(d))}>
            Every sigma {UNIFORM_SIGMA} (a uniform guess)
          </button>
        </div>
        <SigmaEstimator doc={doc} />
      </fieldset>
    </div>
  );
}
