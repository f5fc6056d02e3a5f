import { withoutPoseText } from '../../core/evaluation/evaluateColumn';
import type { Provenance } from '../../core/evaluation/provenance';
import { provenanceLines } from '../../core/evaluation/provenance';
import { PROTOCOL_DESCRIPTIONS } from '../../core/evaluation/protocol';
import { PUBLISHED_NOTE, formatPublished } from '../../core/evaluation/published';
import type { PublishedFigure } from '../../core/types';
import type { MetricsReportSpec } from '../../render/metricsReport';
import { verdictText, type EvaluationSnapshot } from '../../store/evaluationResults';
import { intervalVerdictRows } from '../../store/intervals';
import { intervalBasisText, intervalBrackets, intervalVerdictText } from '../../core/evaluation/intervalText';
import type { BootstrapMetricName, BootstrapReport } from '../../core/metrics/bootstrap';
import type { VerdictTargets } from '../../core/evaluation/verdict';
import type { PckNormalizer } from '../../store/evaluationSlice';

/** A stat for the table: 3 decimals, -1 (no person in the range) as n/a, missing as —. */
export const fmtStat = (value: number | null | undefined, digits = 3) =>
  value === null || value === undefined || !Number.isFinite(value) ? '—' : value < 0 ? 'n/a' : value.toFixed(digits);
export const fmtMs = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)} ms`);

export interface MetricsReportInput {
  snapshot: EvaluationSnapshot;
  provenance: Provenance;
  published: Readonly<Record<string, PublishedFigure>>;
  pckAlpha: number;
  pckNormalizer: PckNormalizer;
  charts: MetricsReportSpec['charts'];
  /** The bootstrap report of this snapshot, when computed. */
  intervals: BootstrapReport | null;
  targets: VerdictTargets;
}

/** The lines under the table: the note, then each published figure's short conditions and source. */
function publishedNotes(snapshot: EvaluationSnapshot, published: Readonly<Record<string, PublishedFigure>>): string[] {
  const lines = snapshot.columns.flatMap(({ column }) => {
    const figure = published[column.id];
    return figure ? [`${column.label}: published ${formatPublished(figure)}, ${figure.conditionsShort}; source: ${figure.source.title}`] : [];
  });
  return lines.length > 0 ? [`* ${PUBLISHED_NOTE}`, ...lines] : [];
}

/** What "Export metrics PNG" paints: the table with published figures beside AP, the verdict, charts and provenance. */
export function buildMetricsReportSpec(input: MetricsReportInput): MetricsReportSpec {
  const { snapshot, provenance, published, pckAlpha, pckNormalizer, intervals } = input;
  const columnIntervals = (columnId: string) => intervals?.columns.find((c) => c.columnId === columnId)?.intervals ?? null;
  // "0.343 [0.291, 0.402]": the interval right beside its number, so no reader sees one without the other.
  const withCi = (text: string, columnId: string, metric: BootstrapMetricName) => {
    const interval = columnIntervals(columnId)?.[metric];
    return interval && interval.lower !== null && interval.upper !== null ? `${text} ${intervalBrackets(interval, metric)}` : text;
  };
  const verdictRows = intervalVerdictRows(intervals, input.targets);
  return {
    title: 'Keypoint Bench — is it good enough?',
    facts: [
      `Protocol: ${PROTOCOL_DESCRIPTIONS[snapshot.protocol]}`,
      `Ground truth: ${provenance.groundTruth?.fileName ?? '—'} · ${provenance.imagesScored} images scored · ${provenance.peopleScored} labelled people`,
      `Backend: ${provenance.backend ?? '—'} · PCK α ${pckAlpha} of ${pckNormalizer === 'bbox' ? 'bounding-box size' : 'torso diameter'} · ${provenance.dateIso.slice(0, 19).replace('T', ' ')} UTC`,
    ],
    table: {
      header: ['Model', 'AP', 'Published*', 'AP50', 'AP75', 'AR', `PCK@${pckAlpha}`, 'ms/image', 'ms/inference', 'Images', 'No pose'],
      rows: snapshot.columns.map((c) => {
        const figure = published[c.column.id];
        const m = c.metrics;
        return {
          colour: c.column.colour,
          cells: [
            c.column.label,
            withCi(fmtStat(m.stats.AP), c.column.id, 'AP'),
            figure ? formatPublished(figure) : '—',
            withCi(fmtStat(m.stats.AP50), c.column.id, 'AP50'),
            withCi(fmtStat(m.stats.AP75), c.column.id, 'AP75'),
            withCi(fmtStat(m.stats.AR), c.column.id, 'AR'),
            withCi(fmtStat(m.pck.value), c.column.id, 'PCK'),
            withCi(fmtMs(m.medianImageLatencyMs), c.column.id, 'medianImageLatencyMs'),
            fmtMs(m.medianInferenceLatencyMs),
            `${m.imagesEvaluated}/${m.imagesTotal}`,
            withoutPoseText(m.withoutPose),
          ],
        };
      }),
    },
    notes: publishedNotes(snapshot, published),
    verdictHeading: `Verdict — ${intervals ? intervalBasisText(intervals) : 'whole dataset, point estimates (intervals not computed)'}`,
    verdictLines: verdictRows
      ? verdictRows.map((row, i) => ({ text: intervalVerdictText(row, `PCK@${pckAlpha}`), pass: row.outcome === 'pass' ? true : row.outcome === 'fail' ? false : null, colour: snapshot.columns[i]?.column.colour ?? '#fff' }))
      : snapshot.verdict.map((row, i) => ({ text: `${verdictText(row)} (point estimate)`, pass: row.pass, colour: snapshot.columns[i]?.column.colour ?? '#fff' })),
    charts: input.charts,
    provenance: provenanceLines(provenance, { compactWeights: true }),
  };
}
