/**
 * The skeleton being labelled: from a built-in layout or a COCO category, as a layout the rest of the app draws and
 * scores with, edited without breaking the document (every person's keypoints follow each change), checked, and
 * its OKS sigmas estimated from persons labelled twice.
 */
import type { CocoKeypointCategory, ParseProblem } from '../coco/cocoTypes';
import { describeValue, isRecord } from '../coco/jsonInput';
import { LEFT_RIGHT_PAIRS_KEY, leftRightPairsProblem } from '../coco/parseGroundTruth';
import { BUILTIN_LAYOUTS, DEFAULT_COCO_LAYOUT, UNIFORM_SIGMA, layoutOfCategory, mirrorPairsByName, type KeypointLayout, type SigmaSource } from '../layouts';
import { boxIou, personAreaPx2 } from './labelGeometry';
import type { LabelDocument, LabelKeypoint, LabelPerson, LabelSkeleton } from './labelTypes';

const sameNumbers = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
const sameNames = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** COCO's person names: a skeleton with exactly these gets COCO's published sigmas. */
const COCO_NAMES = DEFAULT_COCO_LAYOUT.keypointNames;

/** A mirror array from left/right pairs by name (every other keypoint its own counterpart). */
function mirrorFromNames(names: readonly string[]): number[] {
  return mirrorFromPairs(names, mirrorPairsByName(names));
}

/** The skeleton's left/right pairs by name, each once (left first as listed). */
function pairsOf(skeleton: Pick<LabelSkeleton, 'keypointNames' | 'mirror'>): [string, string][] {
  return skeleton.mirror.flatMap((m, i) => (m > i ? [[skeleton.keypointNames[i]!, skeleton.keypointNames[m]!] as [string, string]] : []));
}

function mirrorFromPairs(names: readonly string[], pairs: readonly (readonly [string, string])[]): number[] {
  const mirror = names.map((_, i) => i);
  for (const [left, right] of pairs) {
    const l = names.indexOf(left);
    const r = names.indexOf(right);
    mirror[l] = r;
    mirror[r] = l;
  }
  return mirror;
}

/** The skeleton of a built-in layout, written as the COCO category `category`: its names, bones, mirror and sigmas. */
export function skeletonFromLayout(layout: KeypointLayout, category: { id: number; name: string; supercategory: string }): LabelSkeleton {
  return {
    categoryId: category.id,
    name: category.name,
    supercategory: category.supercategory,
    keypointNames: [...layout.keypointNames],
    edges: layout.edges.map(([a, b]) => [a, b] as const),
    mirror: [...layout.mirror],
    sigmas: [...layout.oksSigmas],
    sigmaSource: layout.sigmaSource,
    extra: {},
  };
}

/** Keys of a category that the skeleton holds itself; every other key goes to `extra` and back out verbatim. */
const CATEGORY_KEYS = new Set(['id', 'name', 'supercategory', 'keypoints', 'skeleton', 'sigmas', LEFT_RIGHT_PAIRS_KEY]);

/**
 * The skeleton a COCO category describes: `keypoints` (names), its 1-based `skeleton`, left/right pairs by name,
 * and sigmas: the category's own `sigmas` (one positive number per keypoint), else COCO's published ones when the
 * names are COCO's 17 (likewise another built-in layout's, as layoutOfCategory does), else UNIFORM_SIGMA for every keypoint (sigmaSource 'uniform', which the UI must flag).
 * Null, with the reasons, when the category cannot be labelled (no numeric id, no name, unusable keypoint names).
 */
export function skeletonFromCategory(raw: unknown, where = 'category'): { skeleton: LabelSkeleton | null; problems: ParseProblem[] } {
  const problems: ParseProblem[] = [];
  const problem = (message: string) => problems.push({ where, message: `${where}: ${message}` });
  if (!isRecord(raw)) {
    problem(`expected an object, got ${describeValue(raw)}`);
    return { skeleton: null, problems };
  }
  const id = raw['id'];
  const name = raw['name'];
  if (typeof id !== 'number' || !Number.isFinite(id)) problem(`id must be a number, got ${describeValue(id)}`);
  if (typeof name !== 'string') problem(`name must be a string, got ${describeValue(name)}`);
  let names: readonly string[] = COCO_NAMES;
  const keypoints = raw['keypoints'];
  if (keypoints === undefined) {
    problem(`no "keypoints" list; the ${COCO_NAMES.length} COCO person keypoints are assumed (and written to the export)`);
  } else if (!Array.isArray(keypoints) || keypoints.length === 0 || !keypoints.every((k) => typeof k === 'string' && k.length > 0)) {
    problem(`keypoints must be a non-empty list of keypoint names, got ${describeValue(keypoints)}`);
    return { skeleton: null, problems };
  } else if (new Set(keypoints).size !== keypoints.length) {
    problem(`keypoint names must be unique: ${keypoints.filter((k, i) => keypoints.indexOf(k) !== i).join(', ')} appear twice`);
    return { skeleton: null, problems };
  } else {
    names = keypoints as string[];
  }
  if (typeof id !== 'number' || !Number.isFinite(id) || typeof name !== 'string') return { skeleton: null, problems };

  const edges: (readonly [number, number])[] = [];
  const skeleton = raw['skeleton'];
  if (Array.isArray(skeleton)) {
    skeleton.forEach((pair: unknown, i) => {
      const ok = Array.isArray(pair) && pair.length === 2 && pair.every((v) => Number.isInteger(v) && v >= 1 && v <= names.length) && pair[0] !== pair[1];
      if (ok) edges.push([(pair as number[])[0]! - 1, (pair as number[])[1]! - 1]);
      else problem(`skeleton[${i}] is ${describeValue(pair)}, not a pair of two keypoint numbers 1…${names.length}; left out`);
    });
  } else if (skeleton !== undefined) {
    problem(`skeleton must be a list of [a, b] pairs, got ${describeValue(skeleton)}; no bones`);
  }

  // As layoutOfCategory scores it: a built-in layout with the same names brings its sigmas (COCO-17's: COCO's).
  const builtin = BUILTIN_LAYOUTS.find((l) => sameNames(l.keypointNames, names));
  const given = raw['sigmas'];
  let sigmas: readonly number[];
  let sigmaSource: SigmaSource;
  const givenOk = Array.isArray(given) && given.length === names.length && given.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0);
  if (given !== undefined && !givenOk) problem(`sigmas must be ${names.length} positive numbers, one per keypoint; ignored`);
  if (givenOk) {
    sigmas = given as number[];
    sigmaSource = { kind: 'given', reference: `the "${name}" category's sigmas` };
  } else if (builtin) {
    sigmas = builtin.oksSigmas;
    sigmaSource = builtin.sigmaSource;
  } else {
    sigmas = names.map(() => UNIFORM_SIGMA);
    sigmaSource = uniformSource(UNIFORM_SIGMA);
  }
  let mirror = mirrorFromNames(names);
  const pairs = raw[LEFT_RIGHT_PAIRS_KEY];
  if (pairs !== undefined) {
    const pairsProblem = leftRightPairsProblem(pairs, names);
    if (pairsProblem === null) mirror = mirrorFromPairs(names, pairs as [string, string][]);
    else problem(`${LEFT_RIGHT_PAIRS_KEY}: ${pairsProblem}; pairs by left_/right_ names instead`);
  }
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) if (!CATEGORY_KEYS.has(key)) extra[key] = value;
  const supercategory = raw['supercategory'];
  return {
    skeleton: {
      categoryId: id,
      name,
      supercategory: typeof supercategory === 'string' ? supercategory : '',
      keypointNames: [...names],
      edges,
      mirror,
      sigmas: [...sigmas],
      sigmaSource,
      extra,
    },
    problems,
  };
}

function uniformSource(sigma: number): SigmaSource {
  return { kind: 'uniform', reference: `no sigmas known for these keypoints: ${sigma} for every one (OKS and AP depend on them; estimate them from images labelled twice)` };
}

/**
 * Whether the export writes `sigmas` on the category: only when a reader could not get them back otherwise. COCO's
 * published sigmas are not written (COCO's own file has no such key; pycocotools and this app use them for COCO's
 * names anyway; likewise another built-in's published sigmas, which this app finds by the names), nor the uniform default (a placeholder: written, it would come back as 'given' on import and lose
 * its warning). Sigmas from a file, the user or an estimate are written, as the key some datasets use and this
 * app's parser reads; pycocotools ignores it.
 */
export function exportsSigmas(skeleton: LabelSkeleton): boolean {
  if (skeleton.sigmaSource.kind === 'given') return true;
  if (skeleton.sigmaSource.kind === 'uniform') return !skeleton.sigmas.every((s) => s === UNIFORM_SIGMA);
  // Published: not written when a built-in layout with these names has them (this app finds it by name on import).
  return !BUILTIN_LAYOUTS.some((l) => sameNames(l.keypointNames, skeleton.keypointNames) && sameNumbers(l.oksSigmas, skeleton.sigmas));
}

/** Whether the export writes `left_right_pairs`: when the pairs differ from those the names give (left_/right_). */
export function exportsLeftRightPairs(skeleton: LabelSkeleton): boolean {
  const byNames = mirrorFromNames(skeleton.keypointNames);
  return skeleton.mirror.some((m, i) => m !== byNames[i]);
}

/** The skeleton as the COCO category the export writes: its extra keys, then the known ones (1-based `skeleton`). */
export function skeletonCategory(skeleton: LabelSkeleton): Record<string, unknown> {
  return {
    ...skeleton.extra,
    ...(skeleton.supercategory !== '' ? { supercategory: skeleton.supercategory } : {}),
    id: skeleton.categoryId,
    name: skeleton.name,
    keypoints: [...skeleton.keypointNames],
    skeleton: skeleton.edges.map(([a, b]) => [a + 1, b + 1]),
    ...(exportsSigmas(skeleton) ? { sigmas: [...skeleton.sigmas] } : {}),
    // Written only where the names do not tell the pairs (left_/right_), so COCO-style files stay as COCO writes them.
    ...(exportsLeftRightPairs(skeleton) ? { [LEFT_RIGHT_PAIRS_KEY]: pairsOf(skeleton) } : {}),
  };
}

/**
 * The skeleton as a keypoint layout, so the app draws, maps and scores labels with its existing code. Its id is the
 * one the app gives the exported category when it is loaded as ground truth (layoutOfCategory), so mappings and
 * caches keyed by layout id agree; bones, mirror and sigmas are the skeleton's own (a COCO-named skeleton whose
 * bones were edited draws the edited ones). Throws on a skeleton validateSkeleton rejects.
 */
export function skeletonLayout(skeleton: LabelSkeleton): KeypointLayout {
  // The category as the parser reads the export back (its left_right_pairs key as leftRightPairs).
  const category: CocoKeypointCategory = { ...(skeletonCategory(skeleton) as unknown as CocoKeypointCategory), ...(exportsLeftRightPairs(skeleton) ? { leftRightPairs: pairsOf(skeleton) } : {}) };
  const base = layoutOfCategory(category);
  return { ...base, edges: skeleton.edges, mirror: skeleton.mirror, oksSigmas: skeleton.sigmas, sigmaSource: skeleton.sigmaSource };
}

/** What is wrong with a skeleton, one readable sentence each; empty when it can be labelled and exported. */
export function validateSkeleton(skeleton: LabelSkeleton): string[] {
  const problems: string[] = [];
  const names = skeleton.keypointNames;
  const n = names.length;
  if (n === 0) problems.push('The skeleton has no keypoints.');
  names.forEach((name, i) => {
    const problem = keypointNameProblem(skeleton, name, i);
    if (problem) problems.push(`Keypoint ${i + 1}: ${problem}`);
  });
  if (!Number.isFinite(skeleton.categoryId)) problems.push('The category id must be a number.');
  if (skeleton.name.trim() === '') problems.push('The category needs a name.');
  const inRange = (i: number) => Number.isInteger(i) && i >= 0 && i < n;
  const seen = new Set<string>();
  for (const [a, b] of skeleton.edges) {
    if (!inRange(a) || !inRange(b)) problems.push(`The bone ${a + 1}–${b + 1} names a keypoint that does not exist.`);
    else if (a === b) problems.push(`The bone ${names[a]}–${names[b]} joins a keypoint to itself.`);
    const key = `${Math.min(a, b)}-${Math.max(a, b)}`;
    if (seen.has(key)) problems.push(`The bone ${names[a] ?? a + 1}–${names[b] ?? b + 1} is listed twice.`);
    seen.add(key);
  }
  if (skeleton.mirror.length !== n) problems.push(`The left/right list has ${skeleton.mirror.length} entries for ${n} keypoints.`);
  skeleton.mirror.forEach((m, i) => {
    if (!inRange(m)) problems.push(`Keypoint ${names[i] ?? i + 1}'s left/right counterpart does not exist.`);
    else if (skeleton.mirror[m] !== i) problems.push(`${names[i]} and ${names[m]} are not each other's left/right counterparts.`);
  });
  if (skeleton.sigmas.length !== n) problems.push(`There are ${skeleton.sigmas.length} OKS sigmas for ${n} keypoints.`);
  skeleton.sigmas.forEach((s, i) => {
    if (!(Number.isFinite(s) && s > 0)) problems.push(`The OKS sigma of ${names[i] ?? i + 1} is ${s}; it must be a positive number.`);
  });
  return problems;
}

/** What a labeller should know about a valid skeleton: today, that its sigmas are a uniform guess. */
export function skeletonWarnings(skeleton: LabelSkeleton): string[] {
  if (skeleton.sigmaSource.kind !== 'uniform') return [];
  return [
    `OKS sigmas are not known for this skeleton: ${skeleton.sigmaSource.reference}. OKS, AP and the corrections' OKS use them; a uniform value can flatter or punish a model.`,
  ];
}

/** Why `name` cannot be keypoint `index`'s name (null when it can): names are non-empty and unique. */
export function keypointNameProblem(skeleton: LabelSkeleton, name: string, index?: number): string | null {
  if (name.trim() === '') return 'a keypoint needs a name';
  if (name !== name.trim()) return 'a name cannot start or end with a space';
  const other = skeleton.keypointNames.findIndex((existing, i) => existing === name && i !== index);
  if (other >= 0) return `"${name}" is already keypoint ${other + 1}'s name`;
  return null;
}

/** Every person of the document (kept and deleted pre-labels, and pre-labels' initial keypoints) through `change`. */
function withPersons(doc: LabelDocument, skeleton: LabelSkeleton, change: <T>(perKeypoint: readonly T[], absent: T) => T[]): LabelDocument {
  const absent: LabelKeypoint = { x: 0, y: 0, v: 0 };
  const person = (p: LabelPerson): LabelPerson => ({
    ...p,
    keypoints: change(p.keypoints, absent),
    reviewed: change(p.reviewed, false),
    origin: p.origin.kind === 'prelabel' ? { ...p.origin, initial: change(p.origin.initial, absent) } : p.origin,
  });
  const images: Record<string, LabelDocument['images'][string]> = {};
  for (const [name, image] of Object.entries(doc.images)) images[name] = { ...image, persons: image.persons.map(person), deletedPrelabels: image.deletedPrelabels.map(person) };
  return { ...doc, skeleton, images };
}

/**
 * Adds a keypoint (absent on every person) at `atIndex` (default: the end, which keeps existing indices). Its sigma
 * is UNIFORM_SIGMA unless given, and the skeleton's sigmas are then flagged as not all known. Same document when the
 * name is not allowed (keypointNameProblem says why).
 */
export function addKeypoint(doc: LabelDocument, name: string, options: { atIndex?: number; sigma?: number } = {}): LabelDocument {
  const s = doc.skeleton;
  if (keypointNameProblem(s, name) !== null) return doc;
  const at = Math.min(Math.max(0, Math.round(options.atIndex ?? s.keypointNames.length)), s.keypointNames.length);
  const shift = (i: number) => (i >= at ? i + 1 : i);
  const insert = <T>(list: readonly T[], value: T): T[] => [...list.slice(0, at), value, ...list.slice(at)];
  const given = options.sigma !== undefined && Number.isFinite(options.sigma) && options.sigma > 0;
  const sigma = given ? options.sigma! : UNIFORM_SIGMA;
  const sigmaSource: SigmaSource = given
    ? withUserSigma(s.sigmaSource, name)
    : { kind: 'uniform', reference: `${name} has no known sigma (${UNIFORM_SIGMA}, the uniform default); the others: ${s.sigmaSource.reference}` };
  const skeleton: LabelSkeleton = {
    ...s,
    keypointNames: insert(s.keypointNames, name),
    edges: s.edges.map(([a, b]) => [shift(a), shift(b)] as const),
    mirror: insert(s.mirror.map(shift), at),
    sigmas: insert(s.sigmas, sigma),
    sigmaSource,
  };
  return withPersons(doc, skeleton, (list, absent) => insert(list, absent));
}

/**
 * The mapping tables with each label keypoint's entry passed through `rename` (null drops it), so a choice made for a
 * keypoint follows it when it is renamed and goes with it when it is removed.
 */
function withTableKeys(doc: LabelDocument, rename: (labelName: string) => string | null): Pick<LabelDocument, 'mappingTables'> {
  if (!doc.mappingTables) return {};
  const tables: Record<string, Record<string, string | null>> = {};
  for (const [layoutId, table] of Object.entries(doc.mappingTables)) {
    const next: Record<string, string | null> = {};
    for (const [labelName, modelName] of Object.entries(table)) {
      const renamed = rename(labelName);
      if (renamed !== null) next[renamed] = modelName;
    }
    tables[layoutId] = next;
  }
  return { mappingTables: tables };
}

/** Renames a keypoint; persons keep their points, mapping-table entries follow it. Same document when the name is not allowed or unchanged. */
export function renameKeypoint(doc: LabelDocument, index: number, name: string): LabelDocument {
  const s = doc.skeleton;
  const old = s.keypointNames[index];
  if (old === undefined || old === name || keypointNameProblem(s, name, index) !== null) return doc;
  return {
    ...doc,
    ...withTableKeys(doc, (labelName) => (labelName === old ? name : labelName)),
    skeleton: { ...s, keypointNames: s.keypointNames.map((n, i) => (i === index ? name : n)) },
  };
}

/**
 * The COCO category's name and supercategory (what the export writes). Same document when the name is empty or
 * padded with spaces (validateSkeleton would reject it), or nothing changes.
 */
export function setCategory(doc: LabelDocument, category: { name?: string; supercategory?: string }): LabelDocument {
  const s = doc.skeleton;
  const name = category.name ?? s.name;
  const supercategory = category.supercategory ?? s.supercategory;
  if (name.trim() === '' || name !== name.trim() || supercategory !== supercategory.trim()) return doc;
  if (name === s.name && supercategory === s.supercategory) return doc;
  return { ...doc, skeleton: { ...s, name, supercategory } };
}

/** Removes a keypoint from the skeleton and every person (its bones go, its counterpart becomes its own). Not the last one. */
export function removeKeypoint(doc: LabelDocument, index: number): LabelDocument {
  const s = doc.skeleton;
  if (s.keypointNames[index] === undefined || s.keypointNames.length <= 1) return doc;
  const shift = (i: number) => (i > index ? i - 1 : i);
  const drop = <T>(list: readonly T[]): T[] => list.filter((_, i) => i !== index);
  const skeleton: LabelSkeleton = {
    ...s,
    keypointNames: drop(s.keypointNames),
    edges: s.edges.filter(([a, b]) => a !== index && b !== index).map(([a, b]) => [shift(a), shift(b)] as const),
    mirror: drop(s.mirror.map((m, i) => (m === index ? i : m))).map(shift),
    sigmas: drop(s.sigmas),
  };
  const removed = s.keypointNames[index];
  return { ...withPersons(doc, skeleton, (list) => drop(list)), ...withTableKeys(doc, (labelName) => (labelName === removed ? null : labelName)) };
}

const edgeIndex = (s: LabelSkeleton, a: number, b: number) => s.edges.findIndex(([x, y]) => (x === a && y === b) || (x === b && y === a));

/** Adds the bone a–b; same document if it exists (either way round), joins a keypoint to itself, or names none. */
export function addEdge(doc: LabelDocument, a: number, b: number): LabelDocument {
  const s = doc.skeleton;
  const n = s.keypointNames.length;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || a >= n || b >= n || a === b || edgeIndex(s, a, b) >= 0) return doc;
  return { ...doc, skeleton: { ...s, edges: [...s.edges, [a, b] as const] } };
}

export function removeEdge(doc: LabelDocument, a: number, b: number): LabelDocument {
  const s = doc.skeleton;
  const at = edgeIndex(s, a, b);
  if (at < 0) return doc;
  return { ...doc, skeleton: { ...s, edges: s.edges.filter((_, i) => i !== at) } };
}

/** Makes a and b each other's left/right counterpart; their previous counterparts become their own. a = b clears. */
export function setMirrorPair(doc: LabelDocument, a: number, b: number): LabelDocument {
  const s = doc.skeleton;
  const n = s.keypointNames.length;
  if (a < 0 || b < 0 || a >= n || b >= n) return doc;
  if (s.mirror[a] === b && s.mirror[b] === a) return doc;
  const mirror = [...s.mirror];
  for (const i of [a, b]) {
    const old = mirror[i]!;
    mirror[old] = old;
    mirror[i] = i;
  }
  mirror[a] = b;
  mirror[b] = a;
  return { ...doc, skeleton: { ...s, mirror } };
}

/** Keypoint `index` (and its counterpart) back on the midline: its own mirror. */
export function clearMirrorPair(doc: LabelDocument, index: number): LabelDocument {
  return setMirrorPair(doc, index, index);
}

/**
 * The source after the user sets one keypoint's sigma: given, except that sigmas which were a uniform guess stay
 * flagged (the other keypoints still have the guess).
 */
function withUserSigma(source: SigmaSource, name: string): SigmaSource {
  const reference = `${source.reference}; ${name}'s set by the user`;
  return source.kind === 'uniform' ? { kind: 'uniform', reference } : { kind: 'given', reference };
}

/** One keypoint's sigma, set by the user. */
export function setSigma(doc: LabelDocument, index: number, sigma: number): LabelDocument {
  const s = doc.skeleton;
  const name = s.keypointNames[index];
  if (name === undefined || !(Number.isFinite(sigma) && sigma > 0) || s.sigmas[index] === sigma) return doc;
  const sigmas = s.sigmas.map((v, i) => (i === index ? sigma : v));
  return { ...doc, skeleton: { ...s, sigmas, sigmaSource: withUserSigma(s.sigmaSource, name) } };
}

/** Every keypoint the same sigma (default UNIFORM_SIGMA): still a uniform guess, so flagged as one. */
export function setUniformSigmas(doc: LabelDocument, sigma: number = UNIFORM_SIGMA): LabelDocument {
  const s = doc.skeleton;
  if (!(Number.isFinite(sigma) && sigma > 0)) return doc;
  if (s.sigmaSource.kind === 'uniform' && s.sigmas.every((v) => v === sigma)) return doc;
  return { ...doc, skeleton: { ...s, sigmas: s.sigmas.map(() => sigma), sigmaSource: uniformSource(sigma) } };
}

/**
 * All sigmas at once (an estimate, a file): null entries keep the current value. `reference` says where they come
 * from, e.g. "estimated from 40 persons labelled twice". Same document when a value is not a positive number.
 */
export function setSigmas(doc: LabelDocument, sigmas: readonly (number | null)[], reference: string): LabelDocument {
  const s = doc.skeleton;
  if (sigmas.length !== s.sigmas.length || !sigmas.every((v) => v === null || (Number.isFinite(v) && v > 0))) return doc;
  const next = s.sigmas.map((v, i) => sigmas[i] ?? v);
  const kept = sigmas.filter((v) => v === null).length;
  const sigmaSource: SigmaSource =
    kept > 0 && s.sigmaSource.kind === 'uniform'
      ? { kind: 'uniform', reference: `${reference}; ${kept} keypoint${kept === 1 ? '' : 's'} still ${s.sigmaSource.reference}` }
      : { kind: 'given', reference: kept > 0 ? `${reference}; ${kept} kept from ${s.sigmaSource.reference}` : reference };
  return { ...doc, skeleton: { ...s, sigmas: next, sigmaSource } };
}

/** One person labelled twice: both labellings' keypoints (skeleton order) and the object's area (s²), px². */
export interface TwiceLabelledPair {
  first: readonly LabelKeypoint[];
  second: readonly LabelKeypoint[];
  areaPx2: number;
}

export interface SigmaEstimate {
  /** Per keypoint, σ_i; null where fewer than `minPairs` pairs labelled it in both, or all agreed exactly (σ = 0 is no OKS sigma). */
  sigmas: (number | null)[];
  /** Per keypoint, how many pairs labelled it in both labellings. */
  pairCounts: number[];
}

/**
 * OKS sigmas the way COCO derived its own (cocodataset.org, keypoint evaluation: 5000 images annotated twice; "for
 * each keypoint type i we measured the per-keypoint standard deviation σ_i with respect to object scale s", σ_i² =
 * E[d_i² / s²], s² the object's area). Implemented exactly so:
 *
 *   σ_i = sqrt( (1 / n_i) · Σ_pairs d_i² / s² )
 *
 * over the n_i pairs where both labellings placed keypoint i (v > 0), d_i the distance between the two placements in
 * pixels, s² the pair's area (`areaPx2`, pairTwiceLabelled takes the mean of both persons' areas). The distance is
 * taken between the two labellings, not to an unknown true point, because that is what two labellings measure and
 * what COCO's definition reads; the sigmas are then on COCO's scale (pycocotools uses κ_i = 2σ_i, vars = (2σ_i)²),
 * so an estimated sigma means the same as a published one. The mean is over squared errors (E[d²]), not of d.
 */
export function estimateSigmas(pairs: readonly TwiceLabelledPair[], keypointCount: number, options: { minPairs?: number } = {}): SigmaEstimate {
  const minPairs = Math.max(1, options.minPairs ?? 1);
  const sums = new Array<number>(keypointCount).fill(0);
  const counts = new Array<number>(keypointCount).fill(0);
  for (const pair of pairs) {
    if (!(pair.areaPx2 > 0)) continue;
    for (let i = 0; i < keypointCount; i++) {
      const a = pair.first[i];
      const b = pair.second[i];
      if (!a || !b || a.v === 0 || b.v === 0) continue;
      const d2 = (a.x - b.x) ** 2 + (a.y - b.y) ** 2;
      sums[i]! += d2 / pair.areaPx2;
      counts[i]! += 1;
    }
  }
  return {
    sigmas: sums.map((sum, i) => (counts[i]! >= minPairs && sum > 0 ? Math.sqrt(sum / counts[i]!) : null)),
    pairCounts: counts,
  };
}

/**
 * The persons two labellings of the same images share: per image (by file name), persons matched greedily by box
 * IoU (highest first, at least `minIou`, default 0.5, COCO's loosest match). Crowd regions are left out.
 */
export function pairTwiceLabelled(first: LabelDocument, second: LabelDocument, options: { minIou?: number } = {}): TwiceLabelledPair[] {
  const minIou = options.minIou ?? 0.5;
  const pairs: TwiceLabelledPair[] = [];
  const usable = (p: LabelPerson) => p.importedFields?.['iscrowd'] !== 1 && p.keypoints.some((k) => k.v > 0);
  for (const [fileName, imageA] of Object.entries(first.images)) {
    const imageB = second.images[fileName];
    if (!imageB) continue;
    const a = imageA.persons.filter(usable);
    const b = imageB.persons.filter(usable);
    const candidates: { i: number; j: number; iou: number }[] = [];
    a.forEach((pa, i) => b.forEach((pb, j) => candidates.push({ i, j, iou: boxIou(pa.box, pb.box) })));
    candidates.sort((x, y) => y.iou - x.iou);
    const usedA = new Set<number>();
    const usedB = new Set<number>();
    for (const { i, j, iou } of candidates) {
      if (iou < minIou) break;
      if (usedA.has(i) || usedB.has(j)) continue;
      usedA.add(i);
      usedB.add(j);
      const pa = a[i]!;
      const pb = b[j]!;
      pairs.push({ first: pa.keypoints, second: pb.keypoints, areaPx2: (personAreaPx2(pa) + personAreaPx2(pb)) / 2 });
    }
  }
  return pairs;
}
