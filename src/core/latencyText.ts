/**
 * Latency in the unit it claims. A model's time for an image covers every inference the image needed
 * (one for a whole image, one per person crop), so both figures are shown wherever latency appears.
 */

/** Milliseconds to 3 significant figures (at least one decimal under 100 ms). */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

/**
 * One image's model time: "45.7 ms/image" for a single inference; "512 ms/image (11 crops × 46.5 ms)"
 * when the image needed several.
 */
export function formatImageLatency(imageLatencyMs: number | null, inferences: number | null): string {
  if (imageLatencyMs === null) return '—';
  const perImage = `${formatMs(imageLatencyMs)}/image`;
  if (inferences === null || inferences <= 1) return perImage;
  return `${perImage} (${inferences} crops × ${formatMs(imageLatencyMs / inferences)})`;
}
