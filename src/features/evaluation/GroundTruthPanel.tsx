import { useId, useState } from 'react';
import { parseSigmas } from '../../core/layouts';
import { EVALUATION_PROTOCOLS, PROTOCOL_DESCRIPTIONS } from '../../core/evaluation/protocol';
import { useAppStore } from '../../store/appStore';
import type { EvaluationProtocol, PckNormalizer } from '../../store/evaluationSlice';
import { groundTruthIndex, gtImagesWithoutFiles } from '../../store/groundTruthIndex';
import { groundTruthLayoutOf } from '../../store/columns';

const PROTOCOL_LABELS: Record<EvaluationProtocol, string> = { whole: 'Whole image', crops: 'Person crops' };
/** Names listed before "and N more". */
const LIST_LIMIT = 8;

/**
 * Where OKS sigmas come from, and a field to give the dataset's own: AP is only as meaningful as its sigmas, and
 * a layout without published ones is scored with a stated uniform guess until the user gives better.
 */
function SigmasEditor() {
  const groundTruth = useAppStore((s) => s.groundTruth);
  const setSigmas = useAppStore((s) => s.setGroundTruthSigmas);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  if (!groundTruth) return null;
  const layout = groundTruthLayoutOf(groundTruth);
  const byUser = layout.sigmaSource.reference === 'given by the user';
  const apply = () => {
    const parsed = parseSigmas(text, layout.keypointNames.length);
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    setError(null);
    setSigmas(parsed.sigmas);
  };
  return (
    <details className="sigmas" data-testid="sigmas" open={layout.sigmaSource.kind === 'uniform'}>
      <summary className={layout.sigmaSource.kind === 'uniform' ? 'warning' : undefined}>
        OKS sigmas ({layout.displayName}, {layout.keypointNames.length} keypoints): {layout.sigmaSource.reference}
      </summary>
      <label htmlFor={id}>Your sigmas, one per keypoint in the category&apos;s order (numbers, or a JSON list)</label>
      <textarea id={id} rows={2} value={text} onChange={(e) => setText(e.target.value)} placeholder={layout.oksSigmas.join(', ')} />
      <div className="row">
        <button type="button" onClick={apply} disabled={text.trim() === ''}>
          Use these sigmas
        </button>
        {byUser && (
          <button type="button" onClick={() => setSigmas(null)}>
            Back to the dataset&apos;s
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </details>
  );
}

/** The first names of a list of `total` (default: all of `names`). */
function NameList({ names, total = names.length }: { names: readonly string[]; total?: number }) {
  const shown = names.slice(0, LIST_LIMIT);
  return (
    <>
      {shown.join(', ')}
      {total > shown.length ? ` and ${total - shown.length} more` : ''}
    </>
  );
}

/** Ground truth status, the evaluation protocol and PCK settings, and imported prediction columns. */
export function GroundTruthPanel() {
  const groundTruth = useAppStore((s) => s.groundTruth);
  const images = useAppStore((s) => s.images);
  const externalColumns = useAppStore((s) => s.externalColumns);
  const pending = useAppStore((s) => s.pendingPredictions);
  const protocol = useAppStore((s) => s.evaluationProtocol);
  const setProtocol = useAppStore((s) => s.setEvaluationProtocol);
  const pckAlpha = useAppStore((s) => s.pckAlpha);
  const pckNormalizer = useAppStore((s) => s.pckNormalizer);
  const setPck = useAppStore((s) => s.setPck);
  const showGroundTruth = useAppStore((s) => s.showGroundTruth);
  const setShowGroundTruth = useAppStore((s) => s.setShowGroundTruth);
  const renameExternalColumn = useAppStore((s) => s.renameExternalColumn);
  const removeExternalColumn = useAppStore((s) => s.removeExternalColumn);
  const setGroundTruth = useAppStore((s) => s.setGroundTruth);
  const index = groundTruthIndex(groundTruth, images);
  const ids = { protocol: useId(), alpha: useId(), normalizer: useId() };

  return (
    <section className="panel" aria-labelledby="evaluation-heading">
      <h2 id="evaluation-heading">Ground truth &amp; evaluation</h2>
      {!groundTruth || !index ? (
        <p className="hint" data-testid="gt-status">
          No ground truth yet. Drop a COCO keypoints <code>annotations.json</code> with (or before/after) the images; images match by <code>file_name</code>.
        </p>
      ) : (
        <div data-testid="gt-status">
          <p className="gt-summary">
            <strong>{groundTruth.fileName}</strong>: {index.counts.images} images · {index.counts.people} people ·{' '}
            {index.counts.labelledKeypoints} labelled keypoints · {index.counts.ignoredAnnotations} crowd/ignored
            <button type="button" className="icon" aria-label="Remove ground truth" onClick={() => setGroundTruth(null)}>
              ×
            </button>
          </p>
          <p className="hint">{index.gtImageByAppImageId.size} added images matched.</p>
          {index.appImagesWithoutAnnotations.length > 0 && (
            <p className="warning" data-testid="gt-images-without-annotations">
              Images without annotations ({index.appImagesWithoutAnnotations.length}): <NameList names={index.appImagesWithoutAnnotations} />
            </p>
          )}
          {index.gtImagesWithoutFilesCount > 0 && (
            <p className="warning" data-testid="gt-missing-images">
              Annotations whose image is missing ({index.gtImagesWithoutFilesCount}):{' '}
              <NameList names={gtImagesWithoutFiles(index, LIST_LIMIT).map((im) => im.file_name ?? `image id ${im.id}`)} total={index.gtImagesWithoutFilesCount} />
            </p>
          )}
          <SigmasEditor />
          {groundTruth.problems.length > 0 && (
            <details className="problems" open={groundTruth.problems.length <= 3}>
              <summary className="error">
                {groundTruth.problems.length} problem{groundTruth.problems.length === 1 ? '' : 's'} in {groundTruth.fileName} (those entries were skipped)
              </summary>
              <ul data-testid="gt-problems">
                {groundTruth.problems.slice(0, 200).map((p, i) => (
                  <li key={i}>{p.message}</li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
      {pending.length > 0 && (
        <p className="hint">
          Waiting for ground truth to read: <NameList names={pending.map((p) => p.fileName)} />
        </p>
      )}
      <div className="field">
        <label htmlFor={ids.protocol}>Evaluation protocol</label>
        <select id={ids.protocol} value={protocol} onChange={(e) => setProtocol(e.target.value as EvaluationProtocol)}>
          {EVALUATION_PROTOCOLS.map((p) => (
            <option key={p} value={p}>
              {PROTOCOL_LABELS[p]}
            </option>
          ))}
        </select>
        <span className="hint">
          {PROTOCOL_DESCRIPTIONS[protocol]}
          {protocol === 'crops' && !groundTruth ? ' Until ground truth is added, images run whole.' : ''}
        </span>
      </div>
      <div className="field-row">
        <label htmlFor={ids.alpha}>PCK α</label>
        <input
          id={ids.alpha}
          type="number"
          min={0}
          max={0.5}
          step={0.05}
          value={pckAlpha}
          onChange={(e) => {
            const value = Number(e.target.value);
            if (Number.isFinite(value)) setPck(value, pckNormalizer);
          }}
        />
        <label htmlFor={ids.normalizer}>of</label>
        <select id={ids.normalizer} value={pckNormalizer} onChange={(e) => setPck(pckAlpha, e.target.value as PckNormalizer)}>
          <option value="bbox">bounding-box size</option>
          <option value="torso">torso diameter</option>
        </select>
      </div>
      <label className="inline">
        <input type="checkbox" checked={showGroundTruth} onChange={(e) => setShowGroundTruth(e.target.checked)} /> Show ground truth on images
      </label>
      {externalColumns.length > 0 && (
        <div className="external">
          <h3>Imported predictions</h3>
          <ul>
            {externalColumns.map((column) => (
              <li key={column.id}>
                <input
                  aria-label={`Name of the predictions from ${column.fileName}`}
                  defaultValue={column.name}
                  onBlur={(e) => renameExternalColumn(column.id, e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
                  }}
                />
                <button type="button" className="icon" aria-label={`Remove ${column.name}`} onClick={() => removeExternalColumn(column.id)}>
                  ×
                </button>
                <span className="hint">
                  {column.fileName}: {column.results.length} detections
                  {column.problems.length > 0 ? `, ${column.problems.length} skipped (${column.problems[0]?.message ?? ''}${column.problems.length > 1 ? ' …' : ''})` : ''}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
