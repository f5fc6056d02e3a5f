import { useAppStore } from '../../store/appStore';
import type { Notice } from '../../store/types';

/** Problems, shown in the area they came from, each dismissable; text is rendered as text, never HTML. */
export function Notices({ area }: { area: Notice['area'] }) {
  const notices = useAppStore((s) => s.notices);
  const dismiss = useAppStore((s) => s.dismissNotice);
  const mine = notices.filter((n) => n.area === area);
  if (mine.length === 0) return null;
  return (
    <ul className="notices" aria-live="polite">
      {mine.map((n) => (
        <li key={n.id} role="alert" className="notice">
          <span>{n.message}</span>
          <button type="button" className="icon" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
