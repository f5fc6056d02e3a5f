import { instanceCountText, type KeypointLayout } from '../../core/layouts';
import { formatImageLatency } from '../../core/latencyText';
import type { Column } from '../../store/columns';
import type { CellResult } from '../../store/types';

/** One piece of a caption and the separator before it ('' for the first). */
interface Piece {
  before: string;
  text: string;
}

/**
 * What happened in a cell, as pieces that each stay on one line when they fit ("45.7 ms/image",
 * "(3 crops × 46.5 ms)", "1 pose"), with the separators the caption's text has always had.
 */
function captionPieces(cell: CellResult | undefined, isExternal: boolean, layout: KeypointLayout): Piece[] {
  const one = (text: string): Piece[] => [{ before: '', text }];
  if (!cell) return one(isExternal ? 'no predictions for this image' : 'waiting');
  switch (cell.status) {
    case 'pending':
    case 'running':
      return one('running…');
    case 'error':
      return one(`error: ${cell.error ?? 'unknown'}`);
    case 'skipped':
      return one(cell.error ?? 'skipped');
    case 'done': {
      const people = { before: ' · ', text: instanceCountText(layout, cell.poses.length) };
      if (cell.imageLatencyMs === null) return [{ before: '', text: isExternal ? 'imported' : '—' }, people];
      // latencyText formats latency everywhere; its per-image figure leads, and what follows (the crops) is a
      // piece of its own so that a narrow cell breaks the line between them rather than inside "ms/image".
      const perImage = formatImageLatency(cell.imageLatencyMs, null);
      const crops = formatImageLatency(cell.imageLatencyMs, cell.inferences).slice(perImage.length).trim();
      return [{ before: '', text: perImage }, ...(crops ? [{ before: ' ', text: crops }] : []), people];
    }
  }
}

/**
 * The caption under a gallery or side-by-side cell: model colour and name on the first line, then latency and
 * pose count. Nothing is cut short: in a narrow cell (seven models in a 1024 px window) the name and the
 * figures wrap instead, so the text content stays the one line "name: figures" that the title also shows.
 */
export function CellCaption({ column, cell }: { column: Column; cell: CellResult | undefined }) {
  const pieces = captionPieces(cell, column.kind === 'external', column.layout);
  const text = `${column.label}: ${pieces.map((piece) => piece.before + piece.text).join('')}`;
  return (
    <figcaption className={cell?.status === 'error' ? 'error' : ''} title={text}>
      <span className="caption-model">
        <span className="swatch" style={{ background: column.colour }} aria-hidden="true" />
        {column.label}:{' '}
      </span>
      <span className="caption-result">
        {pieces.map((piece, i) => (
          <span key={i}>
            {piece.before}
            <span className="caption-part">{piece.text}</span>
          </span>
        ))}
      </span>
    </figcaption>
  );
}
