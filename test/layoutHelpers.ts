/** Test-side shorthands over src/core/layouts: the tests score everything against COCO-17 ground truth. */
import { layoutById, layoutMapping, mapPose } from '../src/core/layouts';
import { COCO17 } from '../src/core/layouts/builtinLayouts';
import type { Pose } from '../src/core/types';

/** A pose of the layout `layoutId` (a manifest's `keypointLayout`) as COCO-17, through the layout module's mapping. */
export function toCoco17(pose: Pose, layoutId: string): Pose {
  const mapping = layoutMapping(layoutById(layoutId), COCO17);
  if (!mapping) throw new Error(`no mapping from ${layoutId} to COCO-17`);
  return mapPose(pose, mapping, COCO17.keypointNames);
}
