/**
 * Mappings between layouts, as data: which source keypoint fills each target keypoint. A model is scored
 * against ground truth of another layout only through one; without one it is shown but not scored.
 */

import type { Pose } from '../types';
import type { KeypointLayout } from './keypointLayout';

export interface LayoutMapping {
  fromId: string;
  toId: string;
  /** For each target keypoint, the source keypoint index that fills it. */
  sourceIndex: readonly number[];
  /** How it was found, for reports: "same layout", "by keypoint name", or a table's description. */
  how: string;
}

/**
 * Mappings that names alone do not give: target keypoint name → source keypoint name. Empty today: every
 * built-in pair that is well defined (BlazePose-33 → COCO-17, face 478 → face 468, a category with
 * COCO's names) matches by name. An entry here is how a dataset with other names (e.g. `l_wrist`) is mapped.
 */
export const MAPPING_TABLES: readonly { fromId: string; toId: string; description: string; targetFromSource: Readonly<Record<string, string>> }[] = [];

/**
 * The mapping from `from` to `to`, or null when none is well defined (some target keypoint has no source).
 * Order: the same layout; a table; every target name present in the source.
 */
export function layoutMapping(from: KeypointLayout, to: KeypointLayout): LayoutMapping | null {
  if (from.id === to.id) return { fromId: from.id, toId: to.id, sourceIndex: to.keypointNames.map((_, i) => i), how: 'same layout' };
  const table = MAPPING_TABLES.find((t) => t.fromId === from.id && t.toId === to.id);
  const sourceName = (target: string) => (table ? table.targetFromSource[target] : target);
  const sourceIndex: number[] = [];
  for (const target of to.keypointNames) {
    const name = sourceName(target);
    const index = name === undefined ? -1 : from.keypointNames.indexOf(name);
    if (index < 0) return null;
    sourceIndex.push(index);
  }
  return { fromId: from.id, toId: to.id, sourceIndex, how: table ? table.description : 'by keypoint name' };
}

/** Why `from` cannot be scored against `to`, for the column that is shown but not scored. */
export function noMappingReason(from: KeypointLayout, to: KeypointLayout): string {
  const missing = to.keypointNames.filter((name) => !from.keypointNames.includes(name));
  const listed = missing.slice(0, 3).join(', ') + (missing.length > 3 ? `, … (${missing.length} in all)` : '');
  return `${from.displayName} has no keypoint for the ground truth's ${listed}, and no mapping table says which to use`;
}

/** A pose in the target layout of `mapping` (keypoints renamed; world keypoints, in the source's order, left out). */
export function mapPose(pose: Pose, mapping: LayoutMapping, targetNames: readonly string[]): Pose {
  if (mapping.how === 'same layout') return pose;
  return {
    score: pose.score,
    ...(pose.cropIndex !== undefined ? { cropIndex: pose.cropIndex } : {}),
    ...(pose.labels ? { labels: pose.labels } : {}),
    keypoints: mapping.sourceIndex.map((sourceIndex, i) => {
      const source = pose.keypoints[sourceIndex];
      if (!source) throw new Error(`a ${mapping.fromId} pose has no keypoint ${sourceIndex}`);
      return { ...source, name: targetNames[i] ?? source.name };
    }),
  };
}
