/** Terminal output of the CLI: progress (one updating line on a TTY, plain lines otherwise), warnings, tables. */

import { formatFixed3LikePython } from '../core/metrics/numpyCompat';
import { withoutPoseText, type ModelMetrics } from '../core/evaluation/evaluateColumn';
import { PUBLISHED_NOTE, formatPublished } from '../core/evaluation/published';
import type { PublishedFigure } from '../core/types';
import type { VerdictRow } from '../core/evaluation/verdict';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal: progress then redraws one line instead of printing one per step. */
  stderrIsTty: boolean;
  /** Terminal width in columns, for cutting the progress line. */
  columns?: number;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY === true,
    columns: process.stderr.columns,
  };
}

/** Progress and warnings on stderr. On a TTY the progress line is redrawn in place and warnings go above it. */
export class Progress {
  private shown = '';

  constructor(private readonly io: CliIo) {}

  update(line: string): void {
    if (!this.io.stderrIsTty) {
      this.io.stderr(line + '\n');
      return;
    }
    // Some pseudo-terminals report 0 columns.
    const columns = this.io.columns && this.io.columns > 0 ? this.io.columns : 100;
    const width = Math.max(20, columns - 1);
    this.shown = line.length > width ? line.slice(0, width - 1) + '…' : line;
    this.io.stderr(`\r\x1b[2K${this.shown}`);
  }

  /** A line that stays (warnings, notes). */
  log(line: string): void {
    if (this.io.stderrIsTty && this.shown) {
      this.io.stderr(`\r\x1b[2K${line}\n${this.shown}`);
      return;
    }
    this.io.stderr(line + '\n');
  }

  warn(line: string): void {
    this.log(`warning: ${line}`);
  }

  /** Ends the updating line (on a TTY, clears it). */
  finish(): void {
    if (this.io.stderrIsTty && this.shown) this.io.stderr('\r\x1b[2K');
    this.shown = '';
  }
}

/** A stat for a table: 3 decimals as pycocotools prints them; -1 (no GT person in the range) as "n/a". */
export function formatStat(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  return value < 0 ? 'n/a' : formatFixed3LikePython(value);
}

export function formatMs(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(1);
}

/** Left-aligned first column, right-aligned numbers. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/**
 * The metrics table of `eval`: AP, the published figure beside it (marked *, see `publishedFootnotes`), AP50, AP75,
 * AR, PCK@α, median model time per image and per inference (one whole image or one person crop) per model.
 */
export function metricsTable(metrics: readonly ModelMetrics[], published: Readonly<Record<string, PublishedFigure>> = {}): string {
  const alpha = metrics[0]?.pck.alpha ?? 0.2;
  const normalizer = metrics[0]?.pck.normalizer ?? 'bbox';
  const header = ['Model', 'AP', 'published*', 'AP50', 'AP75', 'AR', `PCK@${alpha} (${normalizer})`, 'ms/image', 'ms/inference', 'images', 'detections', 'no pose'];
  const rows = metrics.map((m) => [
    `${m.displayName} [${m.columnId}]`,
    formatStat(m.stats.AP),
    published[m.columnId] ? formatStat(published[m.columnId]!.value) : '—',
    formatStat(m.stats.AP50),
    formatStat(m.stats.AP75),
    formatStat(m.stats.AR),
    formatStat(m.pck.value),
    formatMs(m.medianImageLatencyMs),
    formatMs(m.medianInferenceLatencyMs),
    String(m.imagesEvaluated),
    String(m.detections),
    withoutPoseText(m.withoutPose),
  ]);
  return formatTable(header, rows);
}

/** What the * of the table's published column means: the note, then each figure with where it was measured. */
export function publishedFootnotes(metrics: readonly ModelMetrics[], published: Readonly<Record<string, PublishedFigure>>): string {
  const lines = metrics.flatMap((m) => {
    const figure = published[m.columnId];
    return figure ? [`  ${m.columnId}: ${formatPublished(figure)}, ${figure.conditionsShort} (${figure.source.url})`] : [];
  });
  if (lines.length === 0) return '';
  return `* ${PUBLISHED_NOTE} Conditions in full: metrics.json "published".\n${lines.join('\n')}\n`;
}

export function verdictLines(rows: readonly VerdictRow[]): string {
  const nameWidth = Math.max(0, ...rows.map((r) => r.displayName.length));
  return rows
    .map((row) => {
      const word = row.pass === true ? 'PASS' : row.pass === false ? 'FAIL' : 'n/a ';
      const checks = row.checks
        .map((c) => `${c.target} ${c.measured} (${c.required}) ${c.pass === true ? 'ok' : c.pass === false ? 'fails' : 'not measured'}`)
        .join(' · ');
      return `  ${row.displayName.padEnd(nameWidth)}  ${word}  ${checks}`;
    })
    .join('\n') + '\n';
}
