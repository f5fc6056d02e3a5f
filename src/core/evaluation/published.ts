/**
 * Published accuracy figures (models/manifest.json `published`) as the reports show them: beside the measured AP,
 * always with a note that they were measured elsewhere, under other conditions.
 */

import type { ModelInfo, PublishedFigure } from '../types';

/** The short note every report prints next to published figures; short enough for the narrowest screenshot. */
export const PUBLISHED_NOTE = 'Published: the authors’ figure, from other images, crops and builds; not comparable one-to-one.';

/** Published figures by column id; model columns are named by their model id. */
export function publishedByColumn(models: readonly ModelInfo[]): Record<string, PublishedFigure> {
  const out: Record<string, PublishedFigure> = {};
  for (const model of models) if (model.published) out[model.id] = model.published;
  return out;
}

/** "0.720 mAP", three decimals like the measured stats. */
export function formatPublished(figure: PublishedFigure): string {
  return `${figure.value.toFixed(3)} ${figure.metric}`;
}

/** Everything that qualifies the figure, in one sentence (tooltips, exports). */
export function publishedConditionsText(figure: PublishedFigure): string {
  return `${formatPublished(figure)} (${figure.conditionsShort}) on ${figure.dataset}. ${figure.conditions}. Build: ${figure.modelVersion}. Source: ${figure.source.title}, ${figure.source.url}`;
}
