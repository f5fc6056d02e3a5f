import type { KeypointLayout, LayoutKind } from './layouts';
import type { Pose } from './types';

/**
 * What a 3D view draws of one model's poses on one image: points, bone segments and (face meshes) triangles, in a
 * right-handed view space (x right, y up, z towards the viewer) centred on the origin and scaled so the largest
 * side is 1 (everything lies in [-0.5, 0.5]³). Pure data, so the screen, the webcam and the export draw the same.
 *
 * Sources, best first: the model's world keypoints (metres; BlazePose: origin between the hips, MediaPipe Hands:
 * the hand's centre), else keypoints with a depth `z` (pixel scale of x, smaller nearer the camera: face meshes and
 * hands). Both come with y down and z away from the camera, so both are flipped: (x, −y, −z). Several world poses
 * each have their own origin, so they are placed side by side along x (a gap of a quarter of the widest between
 * them); relative-depth poses keep their places in the image.
 */

export type Depth3DSource = 'world' | 'relative';

/** The units line a 3D panel carries. */
export const DEPTH_SOURCE_TEXT: Readonly<Record<Depth3DSource, string>> = {
  world: 'world landmarks, metres',
  relative: 'relative depth (pixel scale)',
};

export interface Pose3DGeometry {
  source: Depth3DSource;
  layoutKind: LayoutKind;
  /** xyz per point, in the unit box. */
  positions: Float32Array;
  pointCount: number;
  /** Pairs of point indices: the layout's edges whose ends are both drawn. */
  segments: Uint32Array;
  /** Triples of point indices: the layout's triangles whose corners are all drawn (face meshes), else empty. */
  triangles: Uint32Array;
  /** How many metres (world) or image pixels (relative) one unit of the box is: the scale the picture was drawn at. */
  unitsPerBox: number;
}

/** Which 3D data a model's poses carry, or null when they have none (2D models). */
export function depthSourceOf(poses: readonly Pose[]): Depth3DSource | null {
  if (poses.some((p) => p.world && p.world.keypoints.length > 0)) return 'world';
  if (poses.some((p) => p.keypoints.some((k) => typeof k.z === 'number' && Number.isFinite(k.z)))) return 'relative';
  return null;
}

/** Gap between world poses placed side by side, as a fraction of the widest pose. */
const WORLD_GAP_FRACTION = 0.25;

/**
 * The 3D geometry of `poses` in `layout`, or null when they carry no 3D data or no point reaches `minScore`.
 * Points under `minScore` are left out, with the segments and triangles that touch them.
 */
export function pose3dGeometry(poses: readonly Pose[], layout: Pick<KeypointLayout, 'kind' | 'edges' | 'triangles'>, minScore = 0): Pose3DGeometry | null {
  const source = depthSourceOf(poses);
  if (!source) return null;
  const xyz: number[] = [];
  const segments: number[] = [];
  const triangles: number[] = [];
  let nextWorldOffsetX = 0;
  let widestWorld = 0;
  const placedWorld: { first: number; count: number; minX: number; maxX: number }[] = [];

  for (const pose of poses) {
    const points =
      source === 'world'
        ? (pose.world?.keypoints ?? [])
        : pose.keypoints.map((k) => ({ x: k.x, y: k.y, z: typeof k.z === 'number' && Number.isFinite(k.z) ? k.z : Number.NaN, score: k.score }));
    if (points.length === 0) continue;
    // Index in the output of each keypoint of this pose, or -1 when left out.
    const indexOf = new Int32Array(points.length).fill(-1);
    const first = xyz.length / 3;
    let minX = Infinity;
    let maxX = -Infinity;
    points.forEach((p, i) => {
      if (!(p.score >= minScore) || !Number.isFinite(p.x) || !Number.isFinite(p.y) || !Number.isFinite(p.z)) return;
      indexOf[i] = xyz.length / 3;
      const x = p.x;
      xyz.push(x, -p.y, -p.z);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
    });
    const count = xyz.length / 3 - first;
    if (count === 0) continue;
    for (const [a, b] of layout.edges) {
      const ia = indexOf[a] ?? -1;
      const ib = indexOf[b] ?? -1;
      if (ia >= 0 && ib >= 0) segments.push(ia, ib);
    }
    for (const [a, b, c] of layout.triangles ?? []) {
      const ia = indexOf[a] ?? -1;
      const ib = indexOf[b] ?? -1;
      const ic = indexOf[c] ?? -1;
      if (ia >= 0 && ib >= 0 && ic >= 0) triangles.push(ia, ib, ic);
    }
    if (source === 'world') {
      placedWorld.push({ first, count, minX, maxX });
      widestWorld = Math.max(widestWorld, maxX - minX);
    }
  }
  const pointCount = xyz.length / 3;
  if (pointCount === 0) return null;

  // World poses side by side: each starts a gap after the previous one ends.
  if (placedWorld.length > 1) {
    const gap = WORLD_GAP_FRACTION * widestWorld;
    for (const placed of placedWorld) {
      const shift = nextWorldOffsetX - placed.minX;
      for (let i = placed.first; i < placed.first + placed.count; i++) xyz[i * 3] = (xyz[i * 3] ?? 0) + shift;
      nextWorldOffsetX += placed.maxX - placed.minX + gap;
    }
  }

  const { centre, size } = bounds(xyz);
  const positions = new Float32Array(pointCount * 3);
  const scale = size > 0 ? 1 / size : 1;
  for (let i = 0; i < pointCount * 3; i++) positions[i] = ((xyz[i] ?? 0) - (centre[i % 3] ?? 0)) * scale;
  return {
    source,
    layoutKind: layout.kind,
    positions,
    pointCount,
    segments: Uint32Array.from(segments),
    triangles: Uint32Array.from(triangles),
    unitsPerBox: size > 0 ? size : 1,
  };
}

/** The centre of the bounding box of flat xyz triples and its largest side. */
function bounds(xyz: readonly number[]): { centre: [number, number, number]; size: number } {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < xyz.length; i++) {
    const axis = i % 3;
    const v = xyz[i] ?? 0;
    if (v < min[axis]!) min[axis] = v;
    if (v > max[axis]!) max[axis] = v;
  }
  const centre: [number, number, number] = [0, 1, 2].map((a) => (min[a]! + max[a]!) / 2) as [number, number, number];
  const size = Math.max(max[0]! - min[0]!, max[1]! - min[1]!, max[2]! - min[2]!);
  return { centre, size };
}

/**
 * A camera orbiting the origin: azimuth 0 looks from the front (the camera where the photo's camera was, +z), positive
 * azimuth moves it to the viewer's right; elevation is the angle above the horizontal; distance in box units.
 */
export interface Orbit {
  azimuthDeg: number;
  elevationDeg: number;
  distance: number;
}

/** The export's fixed camera, and the default (Home) of every view on screen: front-left 30°, 15° above. */
export const EXPORT_ORBIT: Orbit = { azimuthDeg: -30, elevationDeg: 15, distance: 2.2 };
/** The caption an export's 3D panels carry: the angle above, in words. */
export const EXPORT_ORBIT_TEXT = '3D: camera front-left 30°, elevation 15° (fixed for export)';
/** The vertical field of view of every 3D camera. */
export const CAMERA_FOV_DEG = 35;

export const ORBIT_LIMITS = { elevationMaxDeg: 85, distanceMin: 0.8, distanceMax: 8 } as const;

/** The camera position (x, y, z) for an orbit. */
export function orbitPosition(orbit: Orbit): [number, number, number] {
  const az = (orbit.azimuthDeg * Math.PI) / 180;
  const el = (orbit.elevationDeg * Math.PI) / 180;
  return [orbit.distance * Math.cos(el) * Math.sin(az), orbit.distance * Math.sin(el), orbit.distance * Math.cos(el) * Math.cos(az)];
}

/** Keeps an orbit in range: elevation within ±85°, distance within its limits, azimuth in (−180, 180]. */
export function clampOrbit(orbit: Orbit): Orbit {
  let az = orbit.azimuthDeg % 360;
  if (az > 180) az -= 360;
  if (az <= -180) az += 360;
  return {
    azimuthDeg: az,
    elevationDeg: Math.max(-ORBIT_LIMITS.elevationMaxDeg, Math.min(ORBIT_LIMITS.elevationMaxDeg, orbit.elevationDeg)),
    distance: Math.max(ORBIT_LIMITS.distanceMin, Math.min(ORBIT_LIMITS.distanceMax, orbit.distance)),
  };
}

/** Degrees per key press, and the zoom factor per press or wheel notch. */
export const ORBIT_STEP = { keyDeg: 10, dragDegPerPx: 0.5, zoomFactor: 1.15 } as const;

/** A drag of (dx, dy) CSS pixels: right turns the subject right (the camera left), down tilts the camera up. */
export function orbitDrag(orbit: Orbit, dxPx: number, dyPx: number): Orbit {
  return clampOrbit({ ...orbit, azimuthDeg: orbit.azimuthDeg - dxPx * ORBIT_STEP.dragDegPerPx, elevationDeg: orbit.elevationDeg + dyPx * ORBIT_STEP.dragDegPerPx });
}

/** A wheel of `deltaY` (positive: away from the user, zoom out) in notches of 100. */
export function orbitWheel(orbit: Orbit, deltaY: number): Orbit {
  return clampOrbit({ ...orbit, distance: orbit.distance * Math.pow(ORBIT_STEP.zoomFactor, deltaY / 100) });
}

/** The keys a focused 3D view takes, and what each does; null for a key it leaves alone (Esc, Tab, …). */
export function orbitKey(orbit: Orbit, key: string): Orbit | null {
  switch (key) {
    case 'ArrowLeft':
      return clampOrbit({ ...orbit, azimuthDeg: orbit.azimuthDeg + ORBIT_STEP.keyDeg });
    case 'ArrowRight':
      return clampOrbit({ ...orbit, azimuthDeg: orbit.azimuthDeg - ORBIT_STEP.keyDeg });
    case 'ArrowUp':
      return clampOrbit({ ...orbit, elevationDeg: orbit.elevationDeg + ORBIT_STEP.keyDeg });
    case 'ArrowDown':
      return clampOrbit({ ...orbit, elevationDeg: orbit.elevationDeg - ORBIT_STEP.keyDeg });
    case '+':
    case '=':
      return clampOrbit({ ...orbit, distance: orbit.distance / ORBIT_STEP.zoomFactor });
    case '-':
    case '_':
      return clampOrbit({ ...orbit, distance: orbit.distance * ORBIT_STEP.zoomFactor });
    case 'Home':
      return { ...EXPORT_ORBIT };
    default:
      return null;
  }
}

/** The hint shown under the 3D panels. */
export const ORBIT_HINT = 'Drag to rotate, wheel to zoom; with a 3D view focused: ←/→/↑/↓ rotate, +/− zoom, Home resets (Tab out, then ←/→ step images; Esc leaves)';
