import { useState, type KeyboardEvent } from 'react';
import { useAppStore } from '../../store/appStore';
import { useSessionPersistence } from '../../store/sessionContext';
import type { SessionState } from '../../store/sessionSlice';

type Pending = { kind: 'rename'; name: string } | { kind: 'clear' } | { kind: 'delete' } | null;

function statusText(session: SessionState): string {
  switch (session.status) {
    case 'loading':
      return 'Opening the saved session…';
    case 'saving':
      return 'Saving…';
    case 'saved':
      return session.savedAtMs ? `Saved in this browser at ${new Date(session.savedAtMs).toLocaleTimeString()}` : 'Saved in this browser';
    case 'unsaved':
      return 'Not everything is saved (see below)';
    case 'unavailable':
      return session.message ?? 'Not saved: this browser gives the page no storage';
  }
}

/**
 * The open session and the saved ones: images, ground truth, predictions, settings and results are kept
 * in this browser and come back after a reload or a restart. Named sessions can be switched, renamed,
 * cleared and deleted; nothing leaves the browser.
 */
export function SessionPanel() {
  const persistence = useSessionPersistence();
  const session = useAppStore((s) => s.session);
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const disabled = !persistence || busy || session.status === 'unavailable';

  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setPending(null);
    void action().finally(() => setBusy(false));
  };
  const onRenameKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' && pending?.kind === 'rename') run(() => persistence!.renameCurrent(pending.name));
    if (event.key === 'Escape') setPending(null);
  };

  return (
    <section className="panel session-panel" aria-label="Session" data-testid="session-panel" data-save-status={session.status} data-session-id={session.id ?? ''}>
      <h2>Session</h2>
      <label>
        Open session{' '}
        <select
          aria-label="Open session"
          value={session.id ?? ''}
          disabled={disabled || session.list.length === 0}
          onChange={(event) => run(() => persistence!.switchTo(event.target.value))}
        >
          {session.list.map((entry) => (
            <option key={entry.id} value={entry.id}>
              {entry.name}
            </option>
          ))}
        </select>
      </label>
      {pending?.kind === 'rename' ? (
        <div className="row">
          <input aria-label="Session name" value={pending.name} autoFocus maxLength={120} onChange={(e) => setPending({ kind: 'rename', name: e.target.value })} onKeyDown={onRenameKey} />
          <button type="button" disabled={!pending.name.trim()} onClick={() => run(() => persistence!.renameCurrent(pending.name))}>
            Save name
          </button>
          <button type="button" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      ) : pending?.kind === 'clear' || pending?.kind === 'delete' ? (
        <div className="row" role="group" aria-label="Confirm">
          <span>
            {pending.kind === 'clear'
              ? `Remove every image, the ground truth, imported predictions and results from “${session.name}”?`
              : `Delete “${session.name}” and everything in it?`}
          </span>
          <button type="button" className="danger" onClick={() => run(() => (pending.kind === 'clear' ? persistence!.clearCurrent() : persistence!.delete(session.id!)))}>
            {pending.kind === 'clear' ? 'Clear session' : 'Delete session'}
          </button>
          <button type="button" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="row">
          <button type="button" disabled={disabled} onClick={() => run(() => persistence!.newSession(''))}>
            New session
          </button>
          <button type="button" disabled={disabled} onClick={() => setPending({ kind: 'rename', name: session.name })}>
            Rename…
          </button>
          <button type="button" disabled={disabled} onClick={() => setPending({ kind: 'clear' })}>
            Clear session…
          </button>
          <button type="button" disabled={disabled} onClick={() => setPending({ kind: 'delete' })}>
            Delete…
          </button>
        </div>
      )}
      <p className="hint" data-testid="session-status" aria-live="polite">
        {statusText(session)}
      </p>
    </section>
  );
}
