/**
 * Decoded thumbnails for what is on screen, a bounded number at a time. The store keeps each thumbnail as a
 * JPEG file (~60 KB); decoded it is width × height × 4 bytes (~0.8 MB at 512 px), so a thousand images decoded
 * at once would hold ~0.8 GB. Views pin the bitmaps they draw (`acquire` … `release`); unpinned ones stay
 * for a quick scroll back until more than `capacity` are held, then the least recently used are closed.
 */

interface Entry {
  bitmap: ImageBitmap | null;
  decoding: Promise<ImageBitmap | null>;
  pins: number;
  /** Closed, or to be closed when its decode ends: it is no longer in the map. */
  evicted: boolean;
}

export type DecodeThumbnail = (file: Blob) => Promise<ImageBitmap>;

/** The thumbnail's pixels as they were encoded: no EXIF to apply, the pixels are already upright. */
const decodeUpright: DecodeThumbnail = (file) => createImageBitmap(file, { imageOrientation: 'none' });

export class ThumbnailCache {
  /** In use order: a Map iterates in insertion order, and a used entry is re-inserted at the end. */
  private readonly entries = new Map<Blob, Entry>();

  constructor(
    readonly capacity: number,
    private readonly decode: DecodeThumbnail = decodeUpright,
  ) {}

  /** The decoded bitmap if it is at hand (marks it used), else null; pins nothing. */
  peek(file: Blob): ImageBitmap | null {
    const entry = this.entries.get(file);
    if (!entry) return null;
    this.touch(file, entry);
    return entry.bitmap;
  }

  /**
   * Pins `file`'s bitmap until `release(file)`: it is not closed meanwhile. Resolves to null when the file
   * cannot be decoded (the view then draws the poses without the photo).
   */
  acquire(file: Blob): Promise<ImageBitmap | null> {
    let entry = this.entries.get(file);
    if (entry) {
      this.touch(file, entry);
    } else {
      const created: Entry = { bitmap: null, decoding: Promise.resolve(null), pins: 0, evicted: false };
      created.decoding = this.decode(file).then(
        (bitmap) => {
          if (created.evicted) {
            bitmap.close();
            return null;
          }
          created.bitmap = bitmap;
          return bitmap;
        },
        () => null,
      );
      entry = created;
      this.entries.set(file, entry);
    }
    entry.pins++;
    this.evictBeyondCapacity();
    return entry.decoding;
  }

  release(file: Blob): void {
    const entry = this.entries.get(file);
    if (!entry || entry.pins === 0) return;
    entry.pins--;
    this.evictBeyondCapacity();
  }

  /** Bitmaps held now (decoded or decoding), pinned or not: what the bound is about. */
  get size(): number {
    return this.entries.size;
  }

  /** Closes everything not pinned (a session switch: none of those thumbnails will be shown again). */
  clearUnpinned(): void {
    for (const [file, entry] of [...this.entries]) if (entry.pins === 0) this.evict(file, entry);
  }

  private touch(file: Blob, entry: Entry): void {
    this.entries.delete(file);
    this.entries.set(file, entry);
  }

  private evictBeyondCapacity(): void {
    if (this.entries.size <= this.capacity) return;
    for (const [file, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      // Pinned ones stay even past the bound: a view is drawing them.
      if (entry.pins === 0) this.evict(file, entry);
    }
  }

  private evict(file: Blob, entry: Entry): void {
    this.entries.delete(file);
    entry.evicted = true;
    entry.bitmap?.close();
    entry.bitmap = null;
  }
}

/**
 * The page's cache: the gallery mounts ~30 rows (the screen plus overscan), each drawing one thumbnail in every
 * model's cell; 96 leaves room for the failures and compare views and a scroll back, at ~75 MB at most.
 */
export const THUMBNAILS_DECODED_MAX = 96;
export const thumbnailCache = new ThumbnailCache(THUMBNAILS_DECODED_MAX);
