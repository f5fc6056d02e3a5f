import type { ModelId } from '../core/types';

/**
 * One colour per model, chosen to stay distinct from each other and from the ground-truth style
 * (white with black outline) on photos; order follows the manifest.
 */
const MODEL_COLOURS = ['#ff3b30', '#ffcc00', '#34c759', '#00c7ff', '#5e5ce6', '#ff2d92', '#ff9500', '#a2845e', '#bf5af2', '#c7f000', '#1a8cff', '#ff7ab8'];

export function modelColour(modelId: ModelId, modelOrder: readonly ModelId[]): string {
  const index = modelOrder.indexOf(modelId);
  return MODEL_COLOURS[(index < 0 ? 0 : index) % MODEL_COLOURS.length] ?? '#ffffff';
}
