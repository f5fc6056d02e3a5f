import { useId, useState } from 'react';
import { intervalBasisText, intervalVerdictText } from '../../core/evaluation/intervalText';
import { useAppStore } from '../../store/appStore';
import { DEFAULT_VERDICT_TARGETS, TARGET_DEFAULT_REASONS, type VerdictTargetsState } from '../../store/evaluationSlice';
import { verdictText, type EvaluationSnapshot } from '../../store/evaluationResults';
import { intervalVerdictRows, useCurrentReport, useIntervals } from '../../store/intervals';
import { clearTeamTargets, saveTeamTargets, savedTeamTargets } from '../../store/teamTargets';

function TargetInput({ label, value, onChange, step, unit, reason }: { label: string; value: number | null; onChange: (v: number | null) => void; step: number; unit?: string; reason: string }) {
  const id = useId();
  return (
    <span className="target" title={reason}>
      <label htmlFor={id}>{label}</label>
      <input id={id} type="number" step={step} min={0} value={value ?? ''} placeholder="off" onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))} />
      {unit}
    </span>
  );
}

const sameTargets = (a: VerdictTargetsState, b: VerdictTargetsState) => a.apMin === b.apMin && a.pckMin === b.pckMin && a.latencyMaxMs === b.latencyMaxMs;

/**
 * The verdict per column, judged on the bootstrap intervals: pass (the whole interval meets the target), fail (it
 * misses it), inconclusive (it straddles it, with about how many more labelled people would settle it). While the
 * intervals are computed the point estimates are shown, marked as such.
 */
export function VerdictPanel({ snapshot }: { snapshot: EvaluationSnapshot }) {
  const targets = useAppStore((s) => s.verdictTargets);
  const setTargets = useAppStore((s) => s.setVerdictTargets);
  const pckAlpha = useAppStore((s) => s.pckAlpha);
  const report = useCurrentReport();
  const status = useIntervals((s) => s.status);
  const rows = intervalVerdictRows(report, targets);
  const [teamTargets, setTeamTargets] = useState(savedTeamTargets);
  const [message, setMessage] = useState('');
  const defaults = teamTargets ?? DEFAULT_VERDICT_TARGETS;
  return (
    <div className="verdict" data-testid="verdict">
      <h3>Verdict — whole dataset</h3>
      <p className="hint" data-testid="verdict-basis">
        {report ? intervalBasisText(report) : status === 'running' ? 'Computing bootstrap intervals… the lines below are point estimates until they are in.' : 'Point estimates (no intervals: nothing to resample yet).'}
      </p>
      <div className="targets">
        <TargetInput label="AP ≥" value={targets.apMin} step={0.05} onChange={(v) => setTargets({ apMin: v })} reason={TARGET_DEFAULT_REASONS.apMin} />
        <TargetInput label={`PCK@${pckAlpha} ≥`} value={targets.pckMin} step={0.05} onChange={(v) => setTargets({ pckMin: v })} reason={TARGET_DEFAULT_REASONS.pckMin} />
        <TargetInput label="Median latency per image ≤" value={targets.latencyMaxMs} step={5} unit="ms" onChange={(v) => setTargets({ latencyMaxMs: v })} reason={TARGET_DEFAULT_REASONS.latencyMaxMs} />
        <button
          type="button"
          onClick={() => {
            if (saveTeamTargets(targets)) {
              setTeamTargets(targets);
              setMessage('Saved: new sessions in this browser start from these targets.');
            } else setMessage('This browser keeps nothing (storage is off): the targets were not saved.');
          }}
          disabled={teamTargets !== null && sameTargets(teamTargets, targets)}
        >
          Save as our targets
        </button>
        <button type="button" onClick={() => setTargets(defaults)} disabled={sameTargets(defaults, targets)}>
          {teamTargets ? 'Back to our targets' : 'Back to the defaults'}
        </button>
        {teamTargets && (
          <button
            type="button"
            onClick={() => {
              clearTeamTargets();
              setTeamTargets(null);
              setMessage('Our targets were forgotten: new sessions start from the built-in defaults.');
            }}
          >
            Forget our targets
          </button>
        )}
        <span className="hint" role="status">{message}</span>
      </div>
      <details className="hint" data-testid="target-reasons">
        <summary>{teamTargets ? 'Your team’s saved targets apply to new sessions; the built-in defaults and why' : 'Why these defaults'}</summary>
        <ul>
          {(Object.keys(TARGET_DEFAULT_REASONS) as (keyof VerdictTargetsState)[]).map((key) => (
            <li key={key}>{TARGET_DEFAULT_REASONS[key]}</li>
          ))}
        </ul>
      </details>
      <ul>
        {rows
          ? rows.map((row) => (
              <li key={row.columnId} className={row.outcome ?? 'undecided'} data-column-id={row.columnId} data-outcome={row.outcome ?? 'none'}>
                {intervalVerdictText(row, `PCK@${pckAlpha}`)}
              </li>
            ))
          : snapshot.verdict.map((row) => (
              <li key={row.columnId} className="undecided point-estimate" data-column-id={row.columnId} data-outcome="pending">
                {verdictText(row)} (point estimate)
              </li>
            ))}
      </ul>
    </div>
  );
}
