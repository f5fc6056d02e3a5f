import { formatImageLatency } from '../../core/latencyText';
import type { Column } from '../../store/columns';
import type { CellResult } from '../../store/types';

function cellCaption(cell: CellResult | undefined, isExternal = false): string {
  if (!cell) return isExternal ? 'no predictions for this image' : 'waiting';
  switch (cell.status) {
    case 'pending':
    case 'running':
      return 'running…';
    case 'error':
      return `error: ${cell.error ?? 'unknown'}`;
    case 'skipped':
      return cell.error ?? 'skipped';
    case 'done': {
      const people = cell.poses.length === 1 ? '1 pose' : `${cell.poses.length} poses`;
      return `${cell.imageLatencyMs === null ? (isExternal ? 'imported' : '—') : formatImageLatency(cell.imageLatencyMs, cell.inferences)} · ${people}`;
    }
  }
}

/** The line under a gallery or side-by-side cell: model colour, name, and what happened. */
export function CellCaption({ column, cell }: { column: Column; cell: CellResult | undefined }) {
  const text = `${column.label}: ${cellCaption(cell, column.kind === 'external')}`;
  // A narrow cell cuts the line short; the whole of it is on hover.
  return (
    <figcaption className={cell?.status === 'error' ? 'error' : ''} title={text}>
      <span className="swatch" style={{ background: column.colour }} aria-hidden="true" />
      {text}
    </figcaption>
  );
}
