import type { CellResult } from '../../store/types';

export function cellCaption(cell: CellResult | undefined, isExternal = false): string {
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
      return `${cell.latencyMs === null ? (isExternal ? 'imported' : '—') : `${cell.latencyMs.toFixed(1)} ms`} · ${people}`;
    }
  }
}
