import type { JsonParseStage } from '../../media/jsonParseProtocol';
import { useJsonImportProgress } from '../../store/jsonImport';

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
/** 245000 → "245,000" (toLocaleString costs ~0.1 ms a call in Chromium, too much for a line redrawn per chunk). */
const count = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ',');

/** What a stage of reading a JSON file shows: words, and the bar's value and maximum (null: no measure). */
export function stageText(stage: JsonParseStage): { text: string; value: number | null; max: number } {
  switch (stage.phase) {
    case 'reading':
      return { text: `reading ${mb(stage.bytesRead)} of ${mb(stage.totalBytes)} MB`, value: stage.bytesRead, max: Math.max(1, stage.totalBytes) };
    case 'parsing':
      return { text: `parsing ${mb(stage.totalBytes)} MB of JSON…`, value: null, max: 1 };
    case 'validating':
      return { text: `checking entries: ${count(stage.done)} of ${count(stage.total)}`, value: stage.done, max: Math.max(1, stage.total) };
    case 'receiving':
      return { text: `loading entries: ${count(stage.done)} of ${count(stage.total)}`, value: stage.done, max: Math.max(1, stage.total) };
  }
}

/** Progress of the JSON files being read (in the JSON worker): where files are added, one line each. */
export function JsonImportProgress() {
  const active = useJsonImportProgress((s) => s.active);
  if (active.length === 0) return null;
  return (
    <ul className="json-progress" data-testid="json-import-progress" aria-live="polite">
      {active.map((entry) => {
        const { text, value, max } = stageText(entry.stage);
        return (
          <li key={entry.id} data-phase={entry.stage.phase}>
            <span>
              {entry.fileName}: {text}
            </span>
            {value === null ? <progress aria-label={`${entry.fileName}: ${text}`} /> : <progress aria-label={`${entry.fileName}: ${text}`} value={value} max={max} />}
          </li>
        );
      })}
    </ul>
  );
}
