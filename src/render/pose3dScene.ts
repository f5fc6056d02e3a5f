import {
  BufferAttribute,
  BufferGeometry,
  Color,
  DirectionalLight,
  DoubleSide,
  DynamicDrawUsage,
  GridHelper,
  HemisphereLight,
  IcosahedronGeometry,
  InstancedMesh,
  LineBasicMaterial,
  LineSegments,
  Matrix4,
  Mesh,
  MeshStandardMaterial,
  PerspectiveCamera,
  Scene,
  Vector2,
  WebGLRenderer,
} from 'three';
import { CAMERA_FOV_DEG, orbitPosition, type Orbit, type Pose3DGeometry } from '../core/pose3d';

/**
 * three.js drawing of a core/pose3d geometry: spheres on the points and lines on the bones (bodies, hands), a
 * shaded surface from the triangles (face meshes), a floor grid under the unit box for orientation.
 *
 * One WebGL context serves every 3D view of the page (screen, webcam, export): it renders into its own offscreen
 * canvas and each view copies the picture onto its 2D canvas. Chromium keeps about 16 WebGL contexts per page; with
 * one shared, opening and closing views, or seven models side by side, never runs out. The context is created by the
 * first view and released (lost on purpose, so the GPU memory goes at once) when the last one lets go.
 *
 * A scene's buffers grow to the largest geometry given and are written in place after that: a live view updates them
 * per frame without allocating.
 */

let shared: { renderer: WebGLRenderer; canvas: OffscreenCanvas | HTMLCanvasElement; users: number; releaseTimer: ReturnType<typeof setTimeout> | null } | null = null;

/**
 * How long the context outlives its last view: stepping to the next image remounts every panel, and a new context
 * per step would be wasted work (and Chromium throttles context creation).
 */
export const RENDERER_LINGER_MS = 1000;

function makeCanvas(): OffscreenCanvas | HTMLCanvasElement {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(1, 1);
  return document.createElement('canvas');
}

/** Takes the shared renderer (creating it on first use); give it back with releaseRenderer. */
export function acquireRenderer(): WebGLRenderer {
  if (!shared) {
    const canvas = makeCanvas();
    // preserveDrawingBuffer: views copy the picture out after render(), and the export reads it back.
    const renderer = new WebGLRenderer({ canvas, antialias: true, alpha: false, preserveDrawingBuffer: true, powerPreference: 'low-power' });
    shared = { renderer, canvas, users: 0, releaseTimer: null };
  }
  if (shared.releaseTimer !== null) clearTimeout(shared.releaseTimer);
  shared.releaseTimer = null;
  shared.users++;
  return shared.renderer;
}

/** Gives the renderer back; the last user's release frees the context (GPU memory included) after RENDERER_LINGER_MS. */
export function releaseRenderer(): void {
  if (!shared) return;
  shared.users--;
  if (shared.users > 0) return;
  const held = shared;
  held.releaseTimer = setTimeout(() => {
    if (shared !== held || held.users > 0) return;
    held.renderer.dispose();
    held.renderer.forceContextLoss();
    shared = null;
  }, RENDERER_LINGER_MS);
}

/** How many WebGL contexts the 3D views hold now (0 or 1), for tests. */
export function rendererCount(): number {
  return shared ? 1 : 0;
}

export interface Pose3DStyle {
  colour: string;
  backgroundColour: string;
  gridColour: string;
}

const POINT_RADIUS_BOX = 0.012;
const IDENTITY = new Matrix4();

export class Pose3DScene {
  readonly scene = new Scene();
  readonly camera = new PerspectiveCamera(CAMERA_FOV_DEG, 1, 0.05, 50);
  private readonly sphere = new IcosahedronGeometry(POINT_RADIUS_BOX, 1);
  private readonly pointMaterial: MeshStandardMaterial;
  private points: InstancedMesh | null = null;
  private readonly lineGeometry = new BufferGeometry();
  private readonly lineMaterial: LineBasicMaterial;
  private readonly lines: LineSegments;
  private readonly surfaceGeometry = new BufferGeometry();
  private readonly surfaceMaterial: MeshStandardMaterial;
  private readonly surface: Mesh;
  private readonly grid: GridHelper;
  private readonly matrix = new Matrix4();
  private readonly size = new Vector2();
  /** Allocations made so far (buffers grown), for tests: a steady live view makes none. */
  allocations = 0;

  constructor(style: Pose3DStyle) {
    this.scene.background = new Color(style.backgroundColour);
    this.scene.add(new HemisphereLight(0xffffff, 0x303040, 1.6));
    const key = new DirectionalLight(0xffffff, 1.8);
    key.position.set(-1, 2, 3);
    this.scene.add(key);
    this.pointMaterial = new MeshStandardMaterial({ color: style.colour, roughness: 0.5 });
    this.lineMaterial = new LineBasicMaterial({ color: style.colour });
    this.lines = new LineSegments(this.lineGeometry, this.lineMaterial);
    this.lines.frustumCulled = false;
    this.scene.add(this.lines);
    this.surfaceMaterial = new MeshStandardMaterial({ color: new Color(style.colour).lerp(new Color('#d8c0a8'), 0.55), roughness: 0.75, metalness: 0, side: DoubleSide });
    this.surface = new Mesh(this.surfaceGeometry, this.surfaceMaterial);
    this.surface.frustumCulled = false;
    this.scene.add(this.surface);
    this.grid = new GridHelper(1.2, 6, style.gridColour, style.gridColour);
    this.grid.position.y = -0.52;
    this.scene.add(this.grid);
  }

  /** Shows `geometry` (null: nothing), writing into the existing buffers where they are large enough. */
  setGeometry(geometry: Pose3DGeometry | null): void {
    const n = geometry?.pointCount ?? 0;
    const positions = geometry?.positions ?? new Float32Array(0);
    const showSurface = (geometry?.triangles.length ?? 0) > 0;
    // Dense meshes: the surface says it all; dots on 468 points would hide it.
    const showPoints = !showSurface;

    // Points: an instanced sphere, capacity = the most points seen.
    if (showPoints && n > 0) {
      if (!this.points || this.points.instanceMatrix.count < n) {
        if (this.points) {
          this.scene.remove(this.points);
          this.points.dispose();
        }
        this.points = new InstancedMesh(this.sphere, this.pointMaterial, n);
        this.points.instanceMatrix.setUsage(DynamicDrawUsage);
        this.points.frustumCulled = false;
        this.scene.add(this.points);
        this.allocations++;
      }
      for (let i = 0; i < n; i++) {
        this.matrix.makeTranslation(positions[i * 3] ?? 0, positions[i * 3 + 1] ?? 0, positions[i * 3 + 2] ?? 0);
        this.points.setMatrixAt(i, this.matrix);
      }
      this.points.count = n;
      this.points.instanceMatrix.needsUpdate = true;
      this.points.visible = true;
    } else if (this.points) {
      this.points.setMatrixAt(0, IDENTITY);
      this.points.visible = false;
    }

    // Bones: two vertices per segment.
    const segments = geometry?.segments ?? new Uint32Array(0);
    const lineVertices = showSurface ? 0 : segments.length;
    const linePositions = this.ensureAttribute(this.lineGeometry, 'position', lineVertices * 3);
    for (let s = 0; s < lineVertices; s++) {
      const p = segments[s] ?? 0;
      linePositions.array[s * 3] = positions[p * 3] ?? 0;
      linePositions.array[s * 3 + 1] = positions[p * 3 + 1] ?? 0;
      linePositions.array[s * 3 + 2] = positions[p * 3 + 2] ?? 0;
    }
    linePositions.needsUpdate = true;
    this.lineGeometry.setDrawRange(0, lineVertices);
    this.lines.visible = lineVertices > 0;

    // Surface: the points as vertices, the triangles as the index, normals recomputed in place.
    const triangles = geometry?.triangles ?? new Uint32Array(0);
    if (showSurface) {
      const surfacePositions = this.ensureAttribute(this.surfaceGeometry, 'position', n * 3);
      surfacePositions.array.set(positions.subarray(0, n * 3));
      surfacePositions.needsUpdate = true;
      let index = this.surfaceGeometry.getIndex();
      if (!index || index.array.length < triangles.length) {
        index = new BufferAttribute(new Uint32Array(triangles.length), 1);
        index.setUsage(DynamicDrawUsage);
        this.surfaceGeometry.setIndex(index);
        this.allocations++;
      }
      (index.array as Uint32Array).fill(0);
      (index.array as Uint32Array).set(triangles);
      index.needsUpdate = true;
      this.surfaceGeometry.setDrawRange(0, triangles.length);
      this.surfaceGeometry.computeVertexNormals();
    }
    this.surface.visible = showSurface;
  }

  /** A position (or other) attribute of at least `length` floats, grown when too small. */
  private ensureAttribute(geometry: BufferGeometry, name: string, length: number): BufferAttribute {
    const existing = geometry.getAttribute(name) as BufferAttribute | undefined;
    if (existing && existing.array.length >= length) return existing;
    const attribute = new BufferAttribute(new Float32Array(Math.max(3, length)), 3);
    attribute.setUsage(DynamicDrawUsage);
    geometry.setAttribute(name, attribute);
    if (name === 'position' && geometry === this.surfaceGeometry) geometry.deleteAttribute('normal');
    this.allocations++;
    return attribute;
  }

  setOrbit(orbit: Orbit, aspect: number): void {
    const [x, y, z] = orbitPosition(orbit);
    this.camera.position.set(x, y, z);
    this.camera.up.set(0, 1, 0);
    this.camera.lookAt(0, 0, 0);
    this.camera.aspect = aspect;
    this.camera.updateProjectionMatrix();
  }

  /**
   * Draws the scene from `orbit` onto `target` (its whole canvas, `widthPx` × `heightPx` device pixels) through the
   * shared renderer, which the caller holds (acquireRenderer).
   */
  renderTo(renderer: WebGLRenderer, target: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D, orbit: Orbit, widthPx: number, heightPx: number): void {
    const w = Math.max(1, Math.round(widthPx));
    const h = Math.max(1, Math.round(heightPx));
    if (renderer.getPixelRatio() !== 1) renderer.setPixelRatio(1);
    const size = renderer.getSize(this.size);
    if (size.x !== w || size.y !== h) renderer.setSize(w, h, false);
    this.setOrbit(orbit, w / h);
    renderer.render(this.scene, this.camera);
    target.drawImage(renderer.domElement, 0, 0, w, h, 0, 0, target.canvas.width, target.canvas.height);
  }

  dispose(): void {
    this.sphere.dispose();
    this.points?.dispose();
    this.pointMaterial.dispose();
    this.lineGeometry.dispose();
    this.lineMaterial.dispose();
    this.surfaceGeometry.dispose();
    this.surfaceMaterial.dispose();
    this.grid.geometry.dispose();
    (Array.isArray(this.grid.material) ? this.grid.material : [this.grid.material]).forEach((m) => m.dispose());
    this.scene.clear();
  }
}

/**
 * Pictures of several geometries from one fixed `orbit` (the screenshot export), each `widthPx` × `heightPx`, through
 * the shared renderer; null where there is no geometry. The caller closes the bitmaps.
 */
export function renderPose3DPictures(
  items: readonly ({ geometry: Pose3DGeometry; colour: string } | null)[],
  orbit: Orbit,
  sizePx: { width: number; height: number },
  style: Omit<Pose3DStyle, 'colour'>,
): (ImageBitmap | null)[] {
  if (items.every((item) => item === null)) return items.map(() => null);
  const renderer = acquireRenderer();
  try {
    return items.map((item) => {
      if (!item) return null;
      const scene = new Pose3DScene({ ...style, colour: item.colour });
      try {
        scene.setGeometry(item.geometry);
        const canvas = new OffscreenCanvas(sizePx.width, sizePx.height);
        const ctx = canvas.getContext('2d');
        if (!ctx) throw new Error('cannot create a 2D canvas for the 3D picture');
        scene.renderTo(renderer, ctx, orbit, sizePx.width, sizePx.height);
        return canvas.transferToImageBitmap();
      } finally {
        scene.dispose();
      }
    });
  } finally {
    releaseRenderer();
  }
}
