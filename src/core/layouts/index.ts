/**
 * The layout module: built-in layouts by id, the layout a ground-truth category brings, and mappings.
 * Every other module asks here; none names a layout.
 */

import type { CocoKeypointCategory } from '../coco/cocoTypes';
import { BUILTIN_LAYOUTS, COCO17 } from './builtinLayouts';
import { defineLayout, mirrorPairsByName, type KeypointLayout } from './keypointLayout';

export { BUILTIN_LAYOUTS, FACE_MESH_NOSE_TIP_INDEX } from './builtinLayouts';
export { UNIFORM_SIGMA, defineLayout, drawnEdges, instanceCountText, keypointIndex, mirrorPairsByName, type KeypointLayout, type LayoutKind, type SigmaSource } from './keypointLayout';
export { MAPPING_TABLES, layoutMapping, mapPose, noMappingReason, type LayoutMapping } from './layoutMappings';

export const BUILTIN_LAYOUT_IDS: readonly string[] = BUILTIN_LAYOUTS.map((l) => l.id);

export function isBuiltinLayoutId(id: string): boolean {
  return BUILTIN_LAYOUT_IDS.includes(id);
}

/** A built-in layout by id (the manifest's `keypointLayout`); throws on an unknown id. */
export function layoutById(id: string): KeypointLayout {
  const layout = BUILTIN_LAYOUTS.find((l) => l.id === id);
  if (!layout) throw new Error(`unknown keypoint layout '${id}' (known: ${BUILTIN_LAYOUT_IDS.join(', ')})`);
  return layout;
}

/**
 * The layout COCO files mean when a category lists no keypoints, and the one predictions are read in when
 * there is no ground truth to name another: COCO's person.
 */
export const DEFAULT_COCO_LAYOUT: KeypointLayout = COCO17;

const sameNames = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((name, i) => name === b[i]);

/** A short stable hash of the keypoint names (FNV-1a), so two categories with the same name but other keypoints get other ids. */
function namesHash(names: readonly string[]): string {
  let hash = 0x811c9dc5;
  for (const char of names.join('\u0000')) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The layout a ground-truth category brings: the built-in with the same keypoint names (so COCO's person gets
 * COCO's sigmas), otherwise one built from the category (its `skeleton`, left/right pairs by name, and its own
 * `sigmas` when given; a uniform default otherwise, which reports must name).
 * @param sigmas per-keypoint sigmas given by the user or a sidecar file, which win over all others
 */
export function layoutOfCategory(category: CocoKeypointCategory, sigmas?: readonly number[]): KeypointLayout {
  const byNames = mirrorPairsByName(category.keypoints);
  const pairs = category.leftRightPairs ?? byNames;
  const ownPairs = category.leftRightPairs !== undefined && !samePairs(category.leftRightPairs, byNames);
  // A built-in's names with pairs of their own (someone re-paired COCO's keypoints) are not that built-in.
  const builtin = ownPairs ? undefined : BUILTIN_LAYOUTS.find((l) => sameNames(l.keypointNames, category.keypoints));
  const fromUser = sigmas ?? (category.userSigmas?.length === category.keypoints.length ? category.userSigmas : undefined);
  const given = fromUser ?? categorySigmas(category);
  const sigmaSource = { kind: 'given' as const, reference: fromUser ? 'given by the user' : `the "${category.name}" category's sigmas` };
  if (builtin) {
    if (!given) return builtin;
    // Checked like any layout (one positive sigma per keypoint), then the built-in with these sigmas.
    const checked = defineLayout({ id: builtin.id, displayName: builtin.displayName, kind: builtin.kind, keypointNames: builtin.keypointNames, oksSigmas: given, sigmaSource });
    return { ...builtin, id: `${builtin.id}:sigmas:${namesHash(given.map(String))}`, oksSigmas: checked.oksSigmas, sigmaSource };
  }
  const names = category.keypoints;
  const edges = (category.skeleton ?? [])
    .map(([a, b]) => [a - 1, b - 1] as [number, number])
    .filter(([a, b]) => a >= 0 && b >= 0 && a < names.length && b < names.length && a !== b);
  return defineLayout({
    id: `category:${category.name}:${namesHash(ownPairs ? [...names, '|', ...pairs.flat()] : names)}`,
    displayName: category.name,
    kind: 'other',
    keypointNames: names,
    edges,
    mirrorPairs: pairs,
    ...(given ? { oksSigmas: given, sigmaSource } : {}),
  });
}

/** The same left/right pairs, whatever their order or the order within a pair. */
function samePairs(a: readonly (readonly [string, string])[], b: readonly (readonly [string, string])[]): boolean {
  const key = (pairs: readonly (readonly [string, string])[]) => pairs.map((p) => [...p].sort().join('\u0000')).sort().join('\u0001');
  return a.length === b.length && key(a) === key(b);
}

/** A category's own `sigmas` (an extra key some datasets add; the parser checked them), when it has one per keypoint. */
function categorySigmas(category: CocoKeypointCategory): readonly number[] | undefined {
  return category.sigmas && category.sigmas.length === category.keypoints.length ? category.sigmas : undefined;
}

const groundTruthLayouts = new WeakMap<object, { categoryId: number; layout: KeypointLayout }>();

/**
 * The category a ground truth's people are scored in, and its layout: the first category its annotations use
 * (the first listed when none is used yet). Models are mapped into this layout to be scored.
 */
export function groundTruthLayout(dataset: {
  readonly categories: readonly CocoKeypointCategory[];
  readonly annotations: readonly { readonly category_id: number }[];
}): { categoryId: number; layout: KeypointLayout } {
  const known = groundTruthLayouts.get(dataset);
  if (known) return known;
  const usedId = dataset.annotations[0]?.category_id;
  const category = dataset.categories.find((c) => c.id === usedId) ?? dataset.categories[0];
  const found = category ? { categoryId: category.id, layout: layoutOfCategory(category) } : { categoryId: 1, layout: DEFAULT_COCO_LAYOUT };
  groundTruthLayouts.set(dataset, found);
  return found;
}

/**
 * Reads OKS sigmas typed by a user or given in a sidecar file: a JSON array, `{"sigmas": [...]}`, or numbers
 * separated by commas or spaces; one positive number per keypoint of the layout.
 */
export function parseSigmas(input: string | unknown, keypointCount: number): { sigmas: number[] } | { error: string } {
  let value: unknown = input;
  if (typeof input === 'string') {
    const text = input.trim();
    try {
      value = text.startsWith('[') || text.startsWith('{') ? JSON.parse(text) : text.split(/[\s,;]+/).filter(Boolean).map(Number);
    } catch (error) {
      return { error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null && Array.isArray((value as { sigmas?: unknown }).sigmas) ? (value as { sigmas: unknown[] }).sigmas : null;
  if (!list) return { error: 'expected a list of numbers, or {"sigmas": [...]}' };
  if (list.length !== keypointCount) return { error: `${list.length} sigmas for ${keypointCount} keypoints: give one per keypoint, in the category's order` };
  const bad = list.findIndex((s) => typeof s !== 'number' || !Number.isFinite(s) || s <= 0);
  if (bad >= 0) return { error: `sigma ${bad + 1} is ${JSON.stringify(list[bad])}: every sigma must be a positive number` };
  return { sigmas: list as number[] };
}

/** The dataset with the user's sigmas on the category it is scored in (null removes them); the input is not changed. */
export function datasetWithUserSigmas<T extends { readonly categories: readonly CocoKeypointCategory[]; readonly annotations: readonly { readonly category_id: number }[] }>(
  dataset: T,
  sigmas: readonly number[] | null,
): T {
  const { categoryId } = groundTruthLayout(dataset);
  const categories = dataset.categories.map((c) => {
    if (c.id !== categoryId) return c;
    const { userSigmas: _previous, ...rest } = c;
    return sigmas ? { ...rest, userSigmas: [...sigmas] } : rest;
  });
  return { ...dataset, categories };
}
