import type { BackendChoice } from '../../core/types';
import { useAppStore } from '../../store/appStore';

const CHOICES: { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: 'Auto (fastest here)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'wasm', label: 'WASM' },
  { value: 'cpu', label: 'CPU (JavaScript)' },
];

export function BackendPicker() {
  const backend = useAppStore((s) => s.backend);
  const setBackendChoice = useAppStore((s) => s.setBackendChoice);
  // The pool size read back from the WASM module, not the request (tfjs can make fewer threads than asked).
  const wasmThreads = backend.active === 'wasm' ? backend.decision?.wasmThreadsActual : undefined;
  const statusText =
    backend.status === 'initialising'
      ? backend.choice === 'auto'
        ? 'Measuring backends…'
        : `Starting ${backend.choice}…`
      : backend.status === 'error'
        ? (backend.error ?? 'No backend could start')
        : `In use: ${backend.active ?? '—'}${wasmThreads !== undefined ? ` (${wasmThreads} thread${wasmThreads === 1 ? '' : 's'})` : ''}`;
  return (
    <section className="panel" aria-labelledby="backend-heading">
      <h2 id="backend-heading">Backend</h2>
      <label className="field">
        <span>Backend</span>
        <select
          value={backend.choice}
          onChange={(event) => setBackendChoice(event.target.value as BackendChoice)}
          data-testid="backend-select"
        >
          {CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <p
        className={`status ${backend.status}`}
        data-testid="backend-status"
        data-backend={backend.active ?? ''}
        data-wasm-threads={wasmThreads ?? ''}
        aria-live="polite"
      >
        {statusText}
      </p>
      {backend.decision && backend.status === 'ready' && (
        <details className="why">
          <summary>Why {backend.active}?</summary>
          <p data-testid="backend-reason">{backend.decision.reason}</p>
          <ul>
            {backend.decision.probes.map((p) => (
              <li key={p.backend}>
                <strong>{p.backend}</strong>: {p.available ? p.detail : `unavailable (${p.skippedBecause ?? p.detail})`}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
