/**
 * A keypoint layout as data: what a model outputs or a ground-truth category labels. Everything that
 * draws, maps or scores keypoints reads it from here; no code outside core/layouts knows a layout by name.
 */

export type LayoutKind = 'body' | 'hand' | 'face' | 'other';

/** Where a layout's OKS sigmas come from: they decide how strict OKS (and so AP) is per keypoint. */
export type SigmaSource =
  /** Published per-keypoint values (COCO's person sigmas, COCO-WholeBody's hand sigmas). */
  | { kind: 'published'; reference: string }
  /** Given with the ground truth (the category's `sigmas`, a sidecar) or typed by the user. */
  | { kind: 'given'; reference: string }
  /** None known: one value for every keypoint. Reports must say so, since it can flatter a model. */
  | { kind: 'uniform'; reference: string };

export interface KeypointLayout {
  /** Stable id, e.g. 'coco17'; a ground-truth category's own layout gets `category:<name>:<names hash>`. */
  id: string;
  /** For people: "COCO-17 body", "MediaPipe hand (21)". */
  displayName: string;
  kind: LayoutKind;
  /** In model output / annotation order. */
  keypointNames: readonly string[];
  /** Bones as index pairs into `keypointNames`. */
  edges: readonly (readonly [number, number])[];
  /** For each keypoint, the index of its left/right counterpart (itself on the midline). */
  mirror: readonly number[];
  /** Per-keypoint OKS sigmas (pycocotools `kpt_oks_sigmas`), one per keypoint. */
  oksSigmas: readonly number[];
  sigmaSource: SigmaSource;
  /**
   * The sigmas coco-analyze's error taxonomy uses where they differ from `oksSigmas` in the last bit (its decimal
   * literals `.026` against pycocotools' `.26 / 10`); matching the tool exactly needs them. Absent: `oksSigmas`.
   */
  analysisSigmas?: readonly number[];
  /** A surface mesh (face meshes), as index triples: drawn thin in 2D, shaded in 3D. */
  triangles?: readonly (readonly [number, number, number])[];
  /** Outline edges (eyes, lips, face oval) drawn where the full mesh would be clutter. */
  contours?: readonly (readonly [number, number])[];
  /** So many keypoints that dots are hidden until zoomed in; the mesh is drawn instead. */
  dense: boolean;
  /** The two keypoints whose distance normalises NME (faces: the outer eye corners, "inter-ocular"); absent: no NME. */
  nmeReferencePair?: readonly [string, string];
}

/**
 * The sigma every keypoint gets where none is known: 0.025, COCO's eye sigma, the strictest of its person
 * keypoints, so an unknown keypoint is judged as strictly as the best-localised body part. Arbitrary, and
 * stated wherever it is used (uniform sigmas made faces look far better than they were: voxel51/fiftyone #5299).
 */
export const UNIFORM_SIGMA = 0.025;

export interface LayoutSpec {
  id: string;
  displayName: string;
  kind: LayoutKind;
  keypointNames: readonly string[];
  /** Bones by keypoint name, so a wrong index cannot slip in. */
  edgesByName?: readonly (readonly [string, string])[];
  /** Bones by index (large meshes, COCO `skeleton` lists converted to 0-based). */
  edges?: readonly (readonly [number, number])[];
  /** Left/right pairs by name; keypoints not listed are their own mirror. */
  mirrorPairs?: readonly (readonly [string, string])[];
  oksSigmas?: readonly number[];
  sigmaSource?: SigmaSource;
  analysisSigmas?: readonly number[];
  triangles?: readonly (readonly [number, number, number])[];
  contours?: readonly (readonly [number, number])[];
  nmeReferencePair?: readonly [string, string];
}

/** Keypoints above this count are drawn as a mesh, dots only when zoomed in. */
const DENSE_KEYPOINT_COUNT = 100;

/** Builds and checks a layout; throws naming the first inconsistency. */
export function defineLayout(spec: LayoutSpec): KeypointLayout {
  const names = spec.keypointNames;
  const fail = (what: string): never => {
    throw new Error(`keypoint layout ${spec.id}: ${what}`);
  };
  if (names.length === 0) fail('no keypoints');
  const indexOf = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    if (indexOf.has(name)) fail(`keypoint name '${name}' appears twice`);
    indexOf.set(name, i);
  }
  const index = (name: string): number => indexOf.get(name) ?? fail(`unknown keypoint '${name}'`);
  const inRange = (i: number) => Number.isInteger(i) && i >= 0 && i < names.length;
  const edges: [number, number][] = [...(spec.edges ?? []).map(([a, b]) => [a, b] as [number, number]), ...(spec.edgesByName ?? []).map(([a, b]) => [index(a), index(b)] as [number, number])];
  for (const [a, b] of edges) if (!inRange(a) || !inRange(b) || a === b) fail(`bad edge ${a}-${b}`);
  const mirror = names.map((_, i) => i);
  for (const [left, right] of spec.mirrorPairs ?? []) {
    const l = index(left);
    const r = index(right);
    if (mirror[l] !== l || mirror[r] !== r || l === r) fail(`keypoint in more than one left/right pair: ${left}, ${right}`);
    mirror[l] = r;
    mirror[r] = l;
  }
  const sigmas = spec.oksSigmas ?? names.map(() => UNIFORM_SIGMA);
  if (sigmas.length !== names.length) fail(`${sigmas.length} OKS sigmas for ${names.length} keypoints`);
  if (!sigmas.every((s) => Number.isFinite(s) && s > 0)) fail('OKS sigmas must be positive numbers');
  if (spec.analysisSigmas && spec.analysisSigmas.length !== names.length) fail(`${spec.analysisSigmas.length} analysis sigmas for ${names.length} keypoints`);
  for (const name of spec.nmeReferencePair ?? []) index(name);
  for (const t of spec.triangles ?? []) if (!t.every(inRange)) fail(`bad triangle ${t.join('-')}`);
  for (const [a, b] of spec.contours ?? []) if (!inRange(a) || !inRange(b)) fail(`bad contour edge ${a}-${b}`);
  const sigmaSource: SigmaSource =
    spec.sigmaSource ?? (spec.oksSigmas ? { kind: 'given', reference: 'given with the layout' } : { kind: 'uniform', reference: `no published sigmas: ${UNIFORM_SIGMA} for every keypoint` });
  return {
    id: spec.id,
    displayName: spec.displayName,
    kind: spec.kind,
    keypointNames: names,
    edges,
    mirror,
    oksSigmas: sigmas,
    sigmaSource,
    ...(spec.analysisSigmas ? { analysisSigmas: spec.analysisSigmas } : {}),
    ...(spec.triangles ? { triangles: spec.triangles } : {}),
    ...(spec.contours ? { contours: spec.contours } : {}),
    dense: names.length > DENSE_KEYPOINT_COUNT,
    ...(spec.nmeReferencePair ? { nmeReferencePair: spec.nmeReferencePair } : {}),
  };
}

/**
 * Left/right pairs by the `left_…`/`right_…` (or `…_left`/`…_right`) naming most keypoint datasets use:
 * written once per layout here instead of guessed wherever a mirror is needed.
 */
export function mirrorPairsByName(names: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  const known = new Set(names);
  for (const name of names) {
    const counterpart = name.startsWith('left_') ? 'right_' + name.slice(5) : name.endsWith('_left') ? name.slice(0, -5) + '_right' : null;
    if (counterpart && known.has(counterpart)) pairs.push([name, counterpart]);
  }
  return pairs;
}

/** The index of a keypoint by name, or -1. */
export function keypointIndex(layout: KeypointLayout, name: string): number {
  return layout.keypointNames.indexOf(name);
}

/** The layout's edges for drawing: the contours of a dense mesh (thin, readable), otherwise the bones. */
export function drawnEdges(layout: KeypointLayout, detailed: boolean): readonly (readonly [number, number])[] {
  if (!layout.dense || detailed) return layout.edges;
  return layout.contours ?? layout.edges;
}

/** What one instance of a layout is called in captions: a pose (bodies), a hand, a face. */
const INSTANCE_NOUNS: Record<LayoutKind, [string, string]> = { body: ['pose', 'poses'], hand: ['hand', 'hands'], face: ['face', 'faces'], other: ['instance', 'instances'] };

/** "1 pose", "2 hands", "0 faces". */
export function instanceCountText(layout: Pick<KeypointLayout, 'kind'>, count: number): string {
  const [one, many] = INSTANCE_NOUNS[layout.kind];
  return `${count} ${count === 1 ? one : many}`;
}
