import type { CocoImage, CocoKeypointAnnotation, CocoKeypointResult, ParseProblem } from '../core/coco/cocoTypes';
import { EVALUATION_PROTOCOLS } from '../core/evaluation/protocol';
import type { BackendChoice, ModelId, Pose } from '../core/types';
import { resolveModelSettings } from '../core/modelSettings';
import { isModelId, modelInfo } from '../inference/modelCatalogue';
import { decodeImageInfo } from '../media/imageFiles';
import { thumbnailCache } from '../media/thumbnailCache';
import {
  clearSession,
  createSession,
  currentSessionId,
  deleteSession,
  listSessions,
  loadSession,
  openSessionDb,
  renameSession,
  setCurrentSession,
  writeSession,
  type SessionDb,
  type SessionMeta,
  type SessionWrite,
  type StoredImage,
  type StoredSession,
} from '../storage/sessionDb';
import { useAppStore, type AppState } from './appStore';
import type { BenchmarkReport } from './benchmarkRunner';
import { startHistory } from '../core/labelling/labelHistory';
import type { LabelDocument, LabelImage } from '../core/labelling/labelTypes';
import type { ExternalColumn, GroundTruthState, MainView, PckNormalizer, PendingPredictions, VerdictTargetsState } from './evaluationSlice';
import type { SessionListEntry } from './sessionSlice';
import { savedTeamTargets } from './teamTargets';
import { parseCellKey, type CellResult, type ImageItem } from './types';

/**
 * Keeps the session (images, ground truth, imported predictions, settings, every finished result, the
 * benchmark report) in IndexedDB and restores it on the next visit, so a reload or a browser restart
 * loses nothing and recomputes nothing finished; work not finished simply runs again (the controller
 * runs every cell without a result).
 *
 * Writes are batched: a store change schedules one write a moment later, holding everything that
 * changed since the last one, in one transaction. Only finished results are kept ('done'): a cell in
 * flight, or one that failed (a model that did not load, a crashed worker), is tried again after a reload.
 */

/** Bumped when the meaning of a saved record changes; a session of another format is not read. */
const SESSION_FORMAT = 1;
/** How long store changes gather before one write. */
const FLUSH_DELAY_MS = 300;
const DEFAULT_SESSION_NAME = 'Session 1';
/** Web Lock held while a tab has a session open: one tab per session, so two tabs never write over each other. */
const lockName = (sessionId: string) => `keypoint-bench-session:${sessionId}`;
/** This tab's session (sessionStorage survives a reload of the tab, not a new tab or a browser restart). */
const TAB_SESSION_KEY = 'keypoint-bench-session';
/** Names listed in a "not kept" message before "and N more". */
const NAMES_LISTED = 3;

const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
const MAIN_VIEWS: readonly MainView[] = ['gallery', 'metrics', 'failures', 'benchmark', 'label'];
const PCK_NORMALIZERS: readonly PckNormalizer[] = ['bbox', 'torso'];

const GT_IMAGES = 'gt:images';
const GT_ANNOTATIONS = 'gt:annotations';
const columnOwner = (id: string) => `column:${id}`;
const columnValue = (id: string) => `column:${id}`;

interface SavedSettings {
  selectedModelIds: ModelId[];
  modelSettings: AppState['modelSettings'];
  runtimeAuto: boolean;
  backendChoice: BackendChoice;
  evaluationProtocol: AppState['evaluationProtocol'];
  confidenceThreshold: number;
  pckAlpha: number;
  pckNormalizer: PckNormalizer;
  verdictTargets: VerdictTargetsState;
  showGroundTruth: boolean;
  mainView: MainView;
}

interface ImageMeta {
  name: string;
  source: ImageItem['source'];
  status: ImageItem['status'];
  widthPx: number;
  heightPx: number;
  error: string | null;
}

interface GroundTruthMeta {
  fileName: string;
  sha256: string | null;
  problems: readonly ParseProblem[];
  categories: GroundTruthState['dataset']['categories'];
}

interface ColumnMeta {
  id: string;
  name: string;
  fileName: string;
  problems: readonly ParseProblem[];
}

type SavedCell = Omit<CellResult, 'requestId'>;

/** What the database holds, as the store objects it was written from: a changed object is a changed record. */
interface Saved {
  images: Map<string, ImageItem>;
  files: Set<string>;
  order: Map<string, number>;
  results: Map<string, CellResult>;
  settingsJson: string;
  groundTruth: GroundTruthState | null;
  columnIdsJson: string;
  columns: Map<string, ExternalColumn>;
  pending: PendingPredictions[];
  benchmark: BenchmarkReport | null;
  /** The label document whose skeleton, passthrough and counters are in 'label:meta' (images are saved one by one). */
  labelDoc: LabelDocument | null;
  labelImages: Map<string, LabelImage>;
}

const emptySaved = (): Saved => ({
  images: new Map(),
  files: new Set(),
  order: new Map(),
  results: new Map(),
  settingsJson: '',
  groundTruth: null,
  columnIdsJson: '[]',
  columns: new Map(),
  pending: [],
  benchmark: null,
  labelDoc: null,
  labelImages: new Map(),
});

function settingsOf(s: AppState): SavedSettings {
  return {
    selectedModelIds: s.selectedModelIds,
    modelSettings: s.modelSettings,
    runtimeAuto: s.runtimeAuto,
    backendChoice: s.backend.choice,
    evaluationProtocol: s.evaluationProtocol,
    confidenceThreshold: s.confidenceThreshold,
    pckAlpha: s.pckAlpha,
    pckNormalizer: s.pckNormalizer,
    verdictTargets: s.verdictTargets,
    showGroundTruth: s.showGroundTruth,
    mainView: s.mainView,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finiteOr = <T>(v: unknown, fallback: T): number | T => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const oneOf = <T extends string>(v: unknown, allowed: readonly T[], fallback: T): T => (allowed.includes(v as T) ? (v as T) : fallback);

/** The saved settings, each field checked; anything unknown keeps the default. */
function readSettings(value: unknown, defaults: SavedSettings): SavedSettings {
  if (!isRecord(value)) return defaults;
  const targets = isRecord(value.verdictTargets) ? value.verdictTargets : {};
  const target = (name: keyof VerdictTargetsState) => (targets[name] === null ? null : finiteOr(targets[name], defaults.verdictTargets[name]));
  const models = Array.isArray(value.selectedModelIds) ? value.selectedModelIds.filter((id): id is ModelId => typeof id === 'string' && isModelId(id)) : defaults.selectedModelIds;
  const modelSettings: AppState['modelSettings'] = {};
  if (isRecord(value.modelSettings)) {
    for (const [id, given] of Object.entries(value.modelSettings)) if (isModelId(id)) modelSettings[id] = resolveModelSettings(modelInfo(id).settings, given);
  }
  return {
    selectedModelIds: models,
    modelSettings,
    runtimeAuto: typeof value.runtimeAuto === 'boolean' ? value.runtimeAuto : defaults.runtimeAuto,
    backendChoice: oneOf(value.backendChoice, BACKEND_CHOICES, defaults.backendChoice),
    evaluationProtocol: oneOf(value.evaluationProtocol, EVALUATION_PROTOCOLS, defaults.evaluationProtocol),
    confidenceThreshold: finiteOr(value.confidenceThreshold, defaults.confidenceThreshold),
    pckAlpha: finiteOr(value.pckAlpha, defaults.pckAlpha),
    pckNormalizer: oneOf(value.pckNormalizer, PCK_NORMALIZERS, defaults.pckNormalizer),
    verdictTargets: { apMin: target('apMin'), pckMin: target('pckMin'), latencyMaxMs: target('latencyMaxMs') },
    showGroundTruth: typeof value.showGroundTruth === 'boolean' ? value.showGroundTruth : defaults.showGroundTruth,
    mainView: oneOf(value.mainView, MAIN_VIEWS, defaults.mainView),
  };
}

/** `restored`, except each setting that differs in `current` from the page's `initial` value. */
function keepChangedSettings(restored: SavedSettings, current: SavedSettings, initial: SavedSettings): SavedSettings {
  const merged: Record<string, unknown> = { ...restored };
  for (const key of Object.keys(current) as (keyof SavedSettings)[]) {
    if (JSON.stringify(current[key]) !== JSON.stringify(initial[key])) merged[key] = current[key];
  }
  return merged as unknown as SavedSettings;
}

const LABEL_META = 'label:meta';
const LABEL_IMAGE_PREFIX = 'label:image:';

/** The label document minus its images: what changes with the skeleton, an import, or a fresh id. */
type LabelMeta = Omit<LabelDocument, 'images'>;

/** The labels a session holds, or null; every image record found is put in `saved` as written. */
function readLabels(stored: StoredSession, saved: Saved): LabelDocument | null {
  const meta = stored.values.get(LABEL_META);
  if (!isRecord(meta)) return null;
  const images: Record<string, LabelImage> = {};
  for (const [name, value] of stored.values) {
    if (!name.startsWith(LABEL_IMAGE_PREFIX) || !isRecord(value)) continue;
    const image = value as unknown as LabelImage;
    images[image.fileName] = image;
    saved.labelImages.set(image.fileName, image);
  }
  const doc = { ...(meta as unknown as LabelMeta), images };
  saved.labelDoc = doc;
  return doc;
}

/** Each label edit writes what it changed: the one image record it touched (and the meta when that changed). */
function writeLabels(doc: LabelDocument | null, saved: Saved, write: SessionWrite, after: (() => void)[]): void {
  if (doc === saved.labelDoc) return;
  const before = saved.labelDoc;
  if (!doc) {
    write.deleteValues!.push(LABEL_META, ...[...saved.labelImages.keys()].map((name) => LABEL_IMAGE_PREFIX + name));
    after.push(() => {
      saved.labelDoc = null;
      saved.labelImages.clear();
    });
    return;
  }
  const metaChanged =
    !before ||
    before.skeleton !== doc.skeleton ||
    before.passthrough !== doc.passthrough ||
    before.mappingTables !== doc.mappingTables ||
    before.nextAnnotationId !== doc.nextAnnotationId ||
    before.nextImageId !== doc.nextImageId ||
    before.nextPersonKey !== doc.nextPersonKey;
  if (metaChanged) {
    const { images: _images, ...meta } = doc;
    write.putValues!.push({ name: LABEL_META, value: meta satisfies LabelMeta });
  }
  const putImages: LabelImage[] = [];
  for (const image of Object.values(doc.images)) {
    if (saved.labelImages.get(image.fileName) === image) continue;
    write.putValues!.push({ name: LABEL_IMAGE_PREFIX + image.fileName, value: image });
    putImages.push(image);
  }
  const gone = [...saved.labelImages.keys()].filter((name) => !Object.hasOwn(doc.images, name));
  write.deleteValues!.push(...gone.map((name) => LABEL_IMAGE_PREFIX + name));
  after.push(() => {
    saved.labelDoc = doc;
    for (const image of putImages) saved.labelImages.set(image.fileName, image);
    for (const name of gone) saved.labelImages.delete(name);
  });
}

function readImage(stored: StoredImage, file: Blob | undefined): ImageItem | null {
  const meta = stored.meta;
  if (!file || !isRecord(meta) || typeof meta.name !== 'string') return null;
  const widthPx = finiteOr(meta.widthPx, 0);
  const heightPx = finiteOr(meta.heightPx, 0);
  const status = oneOf(meta.status, ['decoding', 'ready', 'error'] as const, 'decoding');
  return {
    id: stored.id,
    name: meta.name,
    file,
    source: oneOf(meta.source, ['user', 'sample'] as const, 'user'),
    // A ready image without its size cannot be drawn or cropped: decode it again.
    status: status === 'ready' && (widthPx <= 0 || heightPx <= 0) ? 'decoding' : status,
    widthPx,
    heightPx,
    // Saved as the JPEG file the page keeps; one saved while the image was still decoding is made again.
    thumbnail: status === 'ready' && widthPx > 0 && heightPx > 0 && stored.thumbnail instanceof Blob ? stored.thumbnail : null,
    error: typeof meta.error === 'string' ? meta.error : null,
  };
}

function readCell(value: unknown): CellResult | null {
  if (!isRecord(value) || value.status !== 'done' || !Array.isArray(value.poses) || typeof value.backend !== 'string') return null;
  return {
    status: 'done',
    poses: value.poses as Pose[],
    imageLatencyMs: finiteOr(value.imageLatencyMs, null),
    inferences: finiteOr(value.inferences, null),
    backend: value.backend as CellResult['backend'],
    ...(typeof value.runtime === 'string' ? { runtime: value.runtime } : {}),
    ...(typeof value.networkMs === 'number' && Number.isFinite(value.networkMs) ? { networkMs: value.networkMs } : {}),
    requestId: null,
    error: null,
  };
}

function readGroundTruth(stored: StoredSession): GroundTruthState | null {
  const meta = stored.values.get('groundTruth');
  if (!isRecord(meta) || typeof meta.fileName !== 'string' || !Array.isArray(meta.categories)) return null;
  const images = stored.chunks.get(GT_IMAGES);
  const annotations = stored.chunks.get(GT_ANNOTATIONS);
  if (!images || !annotations) return null;
  const gt = meta as unknown as GroundTruthMeta;
  return {
    fileName: gt.fileName,
    sha256: typeof gt.sha256 === 'string' ? gt.sha256 : null,
    problems: Array.isArray(gt.problems) ? gt.problems : [],
    dataset: { images: images as CocoImage[], annotations: annotations as CocoKeypointAnnotation[], categories: gt.categories },
  };
}

function readColumns(stored: StoredSession): ExternalColumn[] {
  const ids = stored.values.get('columns');
  if (!Array.isArray(ids)) return [];
  const columns: ExternalColumn[] = [];
  for (const id of ids) {
    if (typeof id !== 'string') continue;
    const meta = stored.values.get(columnValue(id));
    const results = stored.chunks.get(columnOwner(id));
    if (!isRecord(meta) || typeof meta.name !== 'string' || typeof meta.fileName !== 'string' || !results) continue;
    columns.push({ id, name: meta.name, fileName: meta.fileName, results: results as CocoKeypointResult[], problems: Array.isArray(meta.problems) ? (meta.problems as ParseProblem[]) : [] });
  }
  return columns;
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_LISTED).join(', ');
  return names.length > NAMES_LISTED ? `${shown} and ${names.length - NAMES_LISTED} more` : shown;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "3 images (a.jpg, b.jpg, c.jpg), 12 results and the ground truth": what a failed write would have kept. */
export function describeWrite(write: SessionWrite, imageNames: ReadonlyMap<string, string>): string {
  const parts: string[] = [];
  const newFiles = write.putFiles ?? [];
  if (newFiles.length > 0) parts.push(`${plural(newFiles.length, 'image')} (${listed(newFiles.map((f) => imageNames.get(f.id) ?? f.id))})`);
  const results = write.putResults?.length ?? 0;
  if (results > 0) parts.push(plural(results, 'result'));
  const chunkOwners = (write.putChunks ?? []).map((c) => c.owner);
  if (chunkOwners.includes(GT_ANNOTATIONS)) parts.push('the ground truth');
  const columns = chunkOwners.filter((o) => o.startsWith('column:')).length;
  if (columns > 0) parts.push(plural(columns, 'imported predictions file'));
  if ((write.putValues ?? []).some((v) => v.name === 'settings')) parts.push('the settings');
  if ((write.putValues ?? []).some((v) => v.name === 'benchmark')) parts.push('the benchmark report');
  if (parts.length === 0) return 'the latest changes';
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

const isQuotaError = (error: unknown) => error instanceof DOMException && error.name === 'QuotaExceededError';

/** The state a session starts from: the store's initial values (selection, protocol, thresholds…). */
function freshSessionState(): Partial<AppState> {
  const initial = useAppStore.getInitialState();
  const current = useAppStore.getState();
  return {
    images: [],
    results: {},
    groundTruth: null,
    externalColumns: [],
    pendingPredictions: [],
    benchmarkReport: null,
    labelHistory: null,
    focusedImageId: null,
    visibleImageIds: [],
    selectedModelIds: initial.selectedModelIds,
    modelSettings: initial.modelSettings,
    runtimeAuto: initial.runtimeAuto,
    backend: { ...current.backend, choice: initial.backend.choice },
    evaluationProtocol: initial.evaluationProtocol,
    confidenceThreshold: initial.confidenceThreshold,
    pckAlpha: initial.pckAlpha,
    pckNormalizer: initial.pckNormalizer,
    // A team's targets saved meanwhile apply to the new session.
    verdictTargets: savedTeamTargets() ?? initial.verdictTargets,
    showGroundTruth: initial.showGroundTruth,
    mainView: initial.mainView,
  };
}

const toListEntry = (m: SessionMeta): SessionListEntry => ({ id: m.id, name: m.name, updatedAtMs: m.updatedAtMs });

/** The image work persistence needs, replaceable where there is no canvas (unit tests in Node). */
export interface PersistenceMedia {
  decodeImageInfo: typeof decodeImageInfo;
}

export interface SessionPersistenceOptions {
  /** Another database name (tests). */
  dbName?: string;
  flushDelayMs?: number;
  media?: PersistenceMedia;
}

export class SessionPersistence {
  private db: SessionDb | null = null;
  private sessionId: string | null = null;
  private saved = emptySaved();
  private nextOrder = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  private dirty = false;
  private stopped = false;
  private unsubscribe: (() => void) | null = null;
  private readonly flushDelayMs: number;
  private readonly media: PersistenceMedia;
  /** The lock on the open session; released when another is opened or the page goes. */
  private lock: { sessionId: string; release: () => void } | null = null;
  private readonly onPageHide = () => void this.flush();

  constructor(private readonly options: SessionPersistenceOptions = {}) {
    this.flushDelayMs = options.flushDelayMs ?? FLUSH_DELAY_MS;
    this.media = options.media ?? { decodeImageInfo };
  }

  /**
   * Opens the saved session (the last one used, or a new one) and puts it in the store, then keeps
   * saving. Images added before it finishes are kept beside the restored ones.
   */
  async start(): Promise<void> {
    const store = useAppStore.getState();
    try {
      this.db = await openSessionDb(this.options.dbName);
    } catch (error) {
      store.patchSession({ status: 'unavailable', message: `This browser gives the page no storage (${error instanceof Error ? error.message : String(error)}): nothing will be kept after a reload.` });
      return;
    }
    if (this.stopped) return;
    const db = this.db;
    try {
      // A reloaded tab reopens its own session; a new tab or a restarted browser, the one used last.
      const wanted = globalThis.sessionStorage?.getItem(TAB_SESSION_KEY) ?? (await currentSessionId(db));
      const stored = wanted ? await loadSession(db, wanted) : null;
      if (this.stopped) return;
      await this.open(stored, { merge: true });
    } catch (error) {
      // The page still works; only keeping it does not.
      const reason = isQuotaError(error) ? 'the browser’s storage for this page is full' : error instanceof Error ? error.message : String(error);
      const message = `The saved session could not be opened (${reason}): nothing done on this page will be kept after a reload.`;
      this.db = null;
      store.patchSession({ status: 'unavailable', message });
      store.pushNotice('session', message);
      return;
    }
    if (this.stopped) return;
    this.unsubscribe = useAppStore.subscribe((state, previous) => {
      if (this.changed(state, previous)) this.schedule();
    });
    await this.flush();
    // Best effort: the write a page closes on may not finish, and then the last committed one stands.
    globalThis.addEventListener?.('pagehide', this.onPageHide);
  }

  stop(): void {
    this.stopped = true;
    this.lock?.release();
    this.lock = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    globalThis.removeEventListener?.('pagehide', this.onPageHide);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Writes whatever changed now (and waits for a write in progress). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.flushing) await this.flushing;
    if (!this.db || !this.sessionId) return;
    this.dirty = false;
    this.flushing = this.write(this.db, this.sessionId).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
    if (this.dirty) this.schedule();
  }

  async newSession(name: string): Promise<void> {
    const db = this.db;
    if (!db) return;
    await this.flush();
    const meta = await createSession(db, name.trim() || this.defaultName(useAppStore.getState().session.list.length + 1));
    await this.claim(meta.id);
    this.replaceState(meta, null);
    await this.refreshList();
  }

  async switchTo(sessionId: string): Promise<void> {
    const db = this.db;
    if (!db || sessionId === this.sessionId) return;
    await this.flush();
    if (!(await this.claim(sessionId))) {
      const name = useAppStore.getState().session.list.find((e) => e.id === sessionId)?.name ?? 'That session';
      useAppStore.getState().pushNotice('session', `“${name}” is open in another tab: close it there to open it here.`);
      return;
    }
    const stored = await loadSession(db, sessionId);
    if (!stored) {
      useAppStore.getState().pushNotice('session', 'That session no longer exists (deleted in another tab?).');
      await this.refreshList();
      return;
    }
    await setCurrentSession(db, sessionId);
    await this.open(stored, { merge: false });
  }

  async renameCurrent(name: string): Promise<void> {
    const db = this.db;
    const trimmed = name.trim();
    if (!db || !this.sessionId || !trimmed) return;
    await renameSession(db, this.sessionId, trimmed);
    useAppStore.getState().patchSession({ name: trimmed });
    await this.refreshList();
  }

  /** Empties the open session, in the page and in storage: images, ground truth, predictions, results, settings. */
  async clearCurrent(): Promise<void> {
    const db = this.db;
    if (!db || !this.sessionId) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.flushing) await this.flushing;
    await clearSession(db, this.sessionId);
    const meta = (await listSessions(db)).find((m) => m.id === this.sessionId);
    if (meta) this.replaceState(meta, null);
    this.dirty = false;
    await this.refreshList();
  }

  /** Deletes a session; deleting the open one opens the most recent other one (or a new, empty one). */
  async delete(sessionId: string): Promise<void> {
    const db = this.db;
    if (!db) return;
    const wasOpen = sessionId === this.sessionId;
    if (!wasOpen && !(await this.isFree(sessionId))) {
      useAppStore.getState().pushNotice('session', 'That session is open in another tab: close it there to delete it.');
      return;
    }
    if (wasOpen) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      while (this.flushing) await this.flushing;
    }
    await deleteSession(db, sessionId);
    if (wasOpen) {
      this.sessionId = null;
      const others = (await listSessions(db)).sort((a, b) => b.updatedAtMs - a.updatedAtMs);
      const next = others[0] ? await loadSession(db, others[0].id) : null;
      if (next) {
        await setCurrentSession(db, next.meta.id);
        await this.open(next, { merge: false });
      } else await this.open(null, { merge: false });
    }
    await this.refreshList();
  }

  /**
   * Takes the session's lock (and lets go of the previous one); false when another tab holds it. Without
   * Web Locks (Node, old browsers) every claim succeeds.
   */
  private async claim(sessionId: string): Promise<boolean> {
    if (this.lock?.sessionId === sessionId) return true;
    const locks = globalThis.navigator?.locks;
    let release: (() => void) | null = () => undefined;
    if (locks) {
      release = await new Promise<(() => void) | null>((resolve) => {
        void locks.request(lockName(sessionId), { ifAvailable: true }, (lock) => {
          if (!lock) {
            resolve(null);
            return undefined;
          }
          // Held until released: the callback's promise settles when this tab lets go.
          return new Promise<void>((done) => resolve(done));
        });
      });
    }
    if (!release) return false;
    this.lock?.release();
    this.lock = { sessionId, release };
    globalThis.sessionStorage?.setItem(TAB_SESSION_KEY, sessionId);
    if (this.db) await setCurrentSession(this.db, sessionId);
    return true;
  }

  /** Whether no tab has the session open (checked by taking its lock for a moment). */
  private async isFree(sessionId: string): Promise<boolean> {
    const locks = globalThis.navigator?.locks;
    if (!locks) return true;
    return locks.request(lockName(sessionId), { ifAvailable: true }, (lock) => lock !== null);
  }

  private defaultName(n: number): string {
    return n <= 1 ? DEFAULT_SESSION_NAME : `Session ${n}`;
  }

  private async refreshList(): Promise<void> {
    if (!this.db) return;
    const list = (await listSessions(this.db)).map(toListEntry);
    useAppStore.getState().patchSession({ list });
  }

  /** Makes `stored` (or a new session when null) the open one. */
  private async open(stored: StoredSession | null, { merge }: { merge: boolean }): Promise<void> {
    const db = this.db;
    if (!db) return;
    if (!stored) {
      const list = await listSessions(db);
      const meta = await createSession(db, this.defaultName(list.length + 1));
      await this.claim(meta.id);
      this.replaceState(meta, null, merge);
      await this.refreshList();
      return;
    }
    if (!(await this.claim(stored.meta.id))) {
      useAppStore.getState().pushNotice('session', `“${stored.meta.name}” is open in another tab, so this tab has a new session (both are listed under Session).`);
      await this.open(null, { merge });
      return;
    }
    if (stored.values.size > 0 && stored.values.get('format') !== SESSION_FORMAT) {
      // Written by another version: left untouched, and the page opens a new session beside it.
      useAppStore.getState().pushNotice('session', `"${stored.meta.name}" was saved by another version of Keypoint Bench and cannot be read here; it is kept as it was, and a new session is open.`);
      await this.open(null, { merge });
      return;
    }
    this.replaceState(stored.meta, stored, merge);
    await this.refreshList();
    // In the background: the gallery and the controller need not wait for images that lost their thumbnail.
    void this.restoreThumbnails();
  }

  /**
   * Puts a session into the store in one update (so the controller sees images, ground truth and
   * results arrive together and runs only what is missing). With `merge`, what the user added while
   * the session was being read stays.
   */
  private replaceState(meta: SessionMeta, stored: StoredSession | null, merge = false): void {
    const current = useAppStore.getState();
    const fresh = freshSessionState();
    const defaults = settingsOf({ ...current, ...fresh } as AppState);
    const saved = emptySaved();
    const images: ImageItem[] = [];
    const results: Record<string, CellResult> = {};
    let groundTruth: GroundTruthState | null = null;
    let columns: ExternalColumn[] = [];
    let pending: PendingPredictions[] = [];
    let benchmark: BenchmarkReport | null = null;
    let labelDoc: LabelDocument | null = null;
    let settings = defaults;
    let nextOrder = 0;
    if (stored) {
      for (const record of stored.images) {
        const image = readImage(record, stored.files.get(record.id));
        if (!image) continue;
        images.push(image);
        saved.images.set(image.id, image);
        saved.files.add(image.id);
        saved.order.set(image.id, record.order);
        nextOrder = Math.max(nextOrder, record.order + 1);
      }
      const imageIds = new Set(images.map((im) => im.id));
      for (const [key, value] of stored.results) {
        const cell = readCell(value);
        // A result of an image that was not kept (an interrupted write) has nothing to belong to.
        if (!cell || !imageIds.has(parseCellKey(key).imageId)) continue;
        results[key] = cell;
        saved.results.set(key, cell);
      }
      settings = readSettings(stored.values.get('settings'), defaults);
      groundTruth = readGroundTruth(stored);
      columns = readColumns(stored);
      const storedPending = stored.values.get('pending');
      pending = Array.isArray(storedPending) ? (storedPending as PendingPredictions[]) : [];
      const storedBenchmark = stored.values.get('benchmark');
      benchmark = isRecord(storedBenchmark) ? (storedBenchmark as unknown as BenchmarkReport) : null;
      labelDoc = readLabels(stored, saved);
    }
    // What the user changed while the session was being read (a model ticked on a slow first load) wins.
    if (merge) settings = keepChangedSettings(settings, settingsOf(current), defaults);
    saved.groundTruth = groundTruth;
    saved.columns = new Map(columns.map((c) => [c.id, c]));
    saved.columnIdsJson = JSON.stringify(columns.map((c) => c.id));
    saved.pending = pending;
    saved.benchmark = benchmark;
    saved.settingsJson = stored?.values.has('format') ? JSON.stringify(settings) : '';
    this.saved = saved;
    this.nextOrder = nextOrder;
    this.sessionId = meta.id;
    const extraImages = merge ? current.images.filter((im) => !saved.images.has(im.id)) : [];
    const extraResults = merge ? current.results : {};
    useAppStore.setState({
      ...fresh,
      images: [...images, ...extraImages],
      results: { ...results, ...extraResults },
      groundTruth: merge && current.groundTruth ? current.groundTruth : groundTruth,
      externalColumns: [...columns, ...(merge ? current.externalColumns : [])],
      pendingPredictions: [...pending, ...(merge ? current.pendingPredictions : [])],
      benchmarkReport: benchmark,
      labelHistory: labelDoc ? startHistory(labelDoc) : merge ? current.labelHistory : null,
      selectedModelIds: settings.selectedModelIds,
      modelSettings: settings.modelSettings,
      runtimeAuto: settings.runtimeAuto,
      backend: { ...current.backend, choice: settings.backendChoice },
      evaluationProtocol: settings.evaluationProtocol,
      confidenceThreshold: settings.confidenceThreshold,
      pckAlpha: settings.pckAlpha,
      pckNormalizer: settings.pckNormalizer,
      verdictTargets: settings.verdictTargets,
      showGroundTruth: settings.showGroundTruth,
      mainView: settings.mainView,
      session: { ...current.session, id: meta.id, name: meta.name, status: 'saved', savedAtMs: meta.updatedAtMs, message: null },
    });
    // The last session's decoded thumbnails will not be shown again.
    if (!merge) thumbnailCache.clearUnpinned();
    // A new session is written at once (its format and settings); images added while reading are saved too.
    this.schedule();
  }

  /** Images saved without a thumbnail, or still decoding when the page closed: decoded again from their file. */
  private async restoreThumbnails(): Promise<void> {
    const sessionId = this.sessionId;
    for (const image of useAppStore.getState().images) {
      if (image.thumbnail || (image.status === 'error' && this.saved.images.has(image.id))) continue;
      if (!this.saved.images.has(image.id)) continue;
      try {
        const info = await this.media.decodeImageInfo(image.file, image.name);
        if (sessionId !== this.sessionId) return;
        useAppStore.getState().updateImage(image.id, { status: 'ready', widthPx: info.widthPx, heightPx: info.heightPx, thumbnail: info.thumbnail, error: null });
      } catch (error) {
        useAppStore.getState().updateImage(image.id, { status: 'error', error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  private changed(state: AppState, previous: AppState): boolean {
    return (
      state.images !== previous.images ||
      state.results !== previous.results ||
      state.groundTruth !== previous.groundTruth ||
      state.externalColumns !== previous.externalColumns ||
      state.pendingPredictions !== previous.pendingPredictions ||
      state.benchmarkReport !== previous.benchmarkReport ||
      state.labelHistory !== previous.labelHistory ||
      state.selectedModelIds !== previous.selectedModelIds ||
      state.modelSettings !== previous.modelSettings ||
      state.runtimeAuto !== previous.runtimeAuto ||
      state.backend.choice !== previous.backend.choice ||
      state.evaluationProtocol !== previous.evaluationProtocol ||
      state.confidenceThreshold !== previous.confidenceThreshold ||
      state.pckAlpha !== previous.pckAlpha ||
      state.pckNormalizer !== previous.pckNormalizer ||
      state.verdictTargets !== previous.verdictTargets ||
      state.showGroundTruth !== previous.showGroundTruth ||
      state.mainView !== previous.mainView
    );
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.flushing) {
      this.dirty = true;
      return;
    }
    const session = useAppStore.getState().session;
    if (session.status !== 'saving' && session.status !== 'unsaved') useAppStore.getState().patchSession({ status: 'saving' });
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.flushDelayMs);
  }

  /** Everything that differs from what the database holds, as one write; the saved map is updated once it committed. */
  private async write(db: SessionDb, sessionId: string): Promise<void> {
    const state = useAppStore.getState();
    const saved = this.saved;
    const write: SessionWrite = { putImages: [], putFiles: [], deleteImageIds: [], putResults: [], deleteResultKeys: [], putValues: [], deleteValues: [], putChunks: [], deleteChunkOwners: [] };
    const after: (() => void)[] = [];

    if (saved.settingsJson === '') write.putValues!.push({ name: 'format', value: SESSION_FORMAT });
    const currentIds = new Set<string>();
    for (const image of state.images) {
      currentIds.add(image.id);
      if (saved.images.get(image.id) === image) continue;
      const order = saved.order.get(image.id) ?? this.nextOrder++;
      const meta: ImageMeta = { name: image.name, source: image.source, status: image.status, widthPx: image.widthPx, heightPx: image.heightPx, error: image.error };
      // The thumbnail is a JPEG file already (the image worker made it): saved as it is.
      write.putImages!.push({ id: image.id, order, meta, thumbnail: image.thumbnail });
      if (!saved.files.has(image.id)) write.putFiles!.push({ id: image.id, file: image.file });
      after.push(() => {
        saved.images.set(image.id, image);
        saved.files.add(image.id);
        saved.order.set(image.id, order);
      });
    }
    for (const id of saved.images.keys()) {
      if (currentIds.has(id)) continue;
      write.deleteImageIds!.push(id);
      after.push(() => {
        saved.images.delete(id);
        saved.files.delete(id);
        saved.order.delete(id);
        for (const key of saved.results.keys()) if (parseCellKey(key).imageId === id) saved.results.delete(key);
      });
    }

    for (const [key, cell] of Object.entries(state.results)) {
      if (saved.results.get(key) === cell) continue;
      if (cell.status === 'done' && currentIds.has(parseCellKey(key).imageId)) {
        const { requestId: _requestId, ...value } = cell;
        write.putResults!.push({ key, value: value satisfies SavedCell });
        after.push(() => saved.results.set(key, cell));
      } else if (saved.results.has(key)) {
        write.deleteResultKeys!.push(key);
        after.push(() => saved.results.delete(key));
      }
    }
    for (const key of saved.results.keys()) {
      if (!(key in state.results)) {
        write.deleteResultKeys!.push(key);
        after.push(() => saved.results.delete(key));
      }
    }

    const settingsJson = JSON.stringify(settingsOf(state));
    if (settingsJson !== saved.settingsJson) {
      write.putValues!.push({ name: 'settings', value: settingsOf(state) });
      after.push(() => {
        saved.settingsJson = settingsJson;
      });
    }

    const gt = state.groundTruth;
    if (gt !== saved.groundTruth) {
      if (gt) {
        const meta: GroundTruthMeta = { fileName: gt.fileName, sha256: gt.sha256, problems: gt.problems, categories: gt.dataset.categories };
        write.putValues!.push({ name: 'groundTruth', value: meta });
        write.putChunks!.push({ owner: GT_IMAGES, items: gt.dataset.images }, { owner: GT_ANNOTATIONS, items: gt.dataset.annotations });
      } else {
        write.deleteValues!.push('groundTruth');
        write.deleteChunkOwners!.push(GT_IMAGES, GT_ANNOTATIONS);
      }
      after.push(() => {
        saved.groundTruth = gt;
      });
    }

    const columnIdsJson = JSON.stringify(state.externalColumns.map((c) => c.id));
    if (columnIdsJson !== saved.columnIdsJson) {
      write.putValues!.push({ name: 'columns', value: state.externalColumns.map((c) => c.id) });
      after.push(() => {
        saved.columnIdsJson = columnIdsJson;
      });
    }
    const currentColumns = new Set<string>();
    for (const column of state.externalColumns) {
      currentColumns.add(column.id);
      const before = saved.columns.get(column.id);
      if (before === column) continue;
      const meta: ColumnMeta = { id: column.id, name: column.name, fileName: column.fileName, problems: column.problems };
      write.putValues!.push({ name: columnValue(column.id), value: meta });
      // A rename keeps the results: only new results are written again.
      if (!before || before.results !== column.results) write.putChunks!.push({ owner: columnOwner(column.id), items: column.results });
      after.push(() => saved.columns.set(column.id, column));
    }
    for (const id of saved.columns.keys()) {
      if (currentColumns.has(id)) continue;
      write.deleteValues!.push(columnValue(id));
      write.deleteChunkOwners!.push(columnOwner(id));
      after.push(() => saved.columns.delete(id));
    }

    if (state.pendingPredictions !== saved.pending) {
      write.putValues!.push({ name: 'pending', value: state.pendingPredictions });
      const pending = state.pendingPredictions;
      after.push(() => {
        saved.pending = pending;
      });
    }
    if (state.benchmarkReport !== saved.benchmark) {
      const report = state.benchmarkReport;
      if (report) write.putValues!.push({ name: 'benchmark', value: report });
      else write.deleteValues!.push('benchmark');
      after.push(() => {
        saved.benchmark = report;
      });
    }

    writeLabels(state.labelHistory?.present ?? null, saved, write, after);

    if (after.length === 0 && write.putValues!.length === 0) {
      this.markSaved();
      return;
    }
    try {
      await writeSession(db, sessionId, write);
      // A session switched away meanwhile has its own saved map now.
      if (this.saved === saved) for (const apply of after) apply();
      this.markSaved();
    } catch (error) {
      const names = new Map(state.images.map((im) => [im.id, im.name]));
      const what = describeWrite(write, names);
      const reason = isQuotaError(error)
        ? 'the browser’s storage for this page is full. Free disk space or delete an old session'
        : `the browser refused to store it (${error instanceof Error ? error.message : String(error)})`;
      const message = `Not kept after a reload: ${what}; ${reason}. Everything stays on this page until it is closed.`;
      useAppStore.getState().patchSession({ status: 'unsaved', message });
      useAppStore.getState().pushNotice('session', message);
    }
  }

  private markSaved(): void {
    if (this.dirty) return;
    useAppStore.getState().patchSession({ status: 'saved', savedAtMs: Date.now(), message: null });
  }
}
