import { useMemo, useState } from 'react';

/** One sortable column of the table: its header, and each row's value (null: not available, always sorted last). */
export interface PerImageColumn {
  key: string;
  label: string;
  /** Longer header text for screen readers and the tooltip. */
  title?: string;
  digits: number;
}

export interface PerImageRow {
  /** Ground-truth image id (React key). */
  id: number;
  name: string;
  values: Record<string, number | null>;
  onOpen: () => void;
}

type Direction = 'ascending' | 'descending';

const PAGE_ROWS = 100;

/**
 * The per-image table of the worst-first view: one row per image, sortable by any column (header buttons, so the
 * keyboard sorts too; `aria-sort` says how), a row opening its image in the gallery.
 */
export function PerImageTable({ columns, rows, initialSortKey }: { columns: readonly PerImageColumn[]; rows: readonly PerImageRow[]; initialSortKey: string }) {
  const [sort, setSort] = useState<{ key: string; direction: Direction }>({ key: initialSortKey, direction: 'ascending' });
  const [shownRows, setShownRows] = useState(PAGE_ROWS);
  const sorted = useMemo(() => {
    if (sort.key === 'image') {
      const byName = [...rows].sort((a, b) => a.name.localeCompare(b.name));
      return sort.direction === 'ascending' ? byName : byName.reverse();
    }
    const sign = sort.direction === 'ascending' ? 1 : -1;
    return [...rows].sort((a, b) => {
      const av = a.values[sort.key] ?? null;
      const bv = b.values[sort.key] ?? null;
      // Missing values go last either way: "no person to score" is neither the best nor the worst.
      if (av === null || bv === null) return av === bv ? a.id - b.id : av === null ? 1 : -1;
      return av !== bv ? sign * (av - bv) : a.id - b.id;
    });
  }, [rows, sort]);

  const header = (key: string, label: string, title?: string) => {
    const active = sort.key === key;
    return (
      <th key={key} scope="col" data-key={key} aria-sort={active ? sort.direction : 'none'} title={title}>
        <button
          type="button"
          className="sort-button"
          onClick={() => setSort({ key, direction: active && sort.direction === 'ascending' ? 'descending' : 'ascending' })}
        >
          {label}
          <span aria-hidden="true">{active ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
        </button>
      </th>
    );
  };

  return (
    <div className="per-image-table-wrap">
      <table className="metrics-table per-image-table" data-testid="per-image-table">
        <caption className="hint">Per image · click a header to sort (again to reverse) · click a row to open the image</caption>
        <thead>
          <tr>
            {header('image', 'Image')}
            {columns.map((c) => header(c.key, c.label, c.title))}
          </tr>
        </thead>
        <tbody>
          {sorted.slice(0, shownRows).map((row) => (
            <tr key={row.id} data-image-name={row.name} onClick={row.onOpen} className="clickable-row">
              <th scope="row">
                <button
                  type="button"
                  className="link-button"
                  onClick={(e) => {
                    // The row's own click handler would open it a second time.
                    e.stopPropagation();
                    row.onOpen();
                  }}
                >
                  {row.name}
                </button>
              </th>
              {columns.map((c) => {
                const value = row.values[c.key] ?? null;
                return (
                  <td key={c.key} data-key={c.key}>
                    {value === null ? '—' : value.toFixed(c.digits)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {sorted.length > shownRows && (
        <button type="button" onClick={() => setShownRows((n) => n + PAGE_ROWS)}>
          Show {Math.min(PAGE_ROWS, sorted.length - shownRows)} more rows
        </button>
      )}
    </div>
  );
}
