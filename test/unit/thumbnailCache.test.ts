import { describe, expect, it } from 'vitest';
import { ThumbnailCache } from '../../src/media/thumbnailCache';

/** Stand-in bitmaps that record whether they were closed; decodes resolve when the test says so. */
function fakeDecoder() {
  const bitmaps = new Map<Blob, { closed: boolean; width: number; close(): void }>();
  const pending: (() => void)[] = [];
  const decode = (file: Blob) =>
    new Promise<ImageBitmap>((resolve) => {
      pending.push(() => {
        const bitmap = { closed: false, width: file.size, close() { this.closed = true; } };
        bitmaps.set(file, bitmap);
        resolve(bitmap as unknown as ImageBitmap);
      });
    });
  const settle = async () => {
    while (pending.length > 0) pending.shift()!();
    await Promise.resolve();
    await Promise.resolve();
  };
  return { decode, bitmaps, settle };
}

const files = (n: number) => Array.from({ length: n }, (_, i) => new Blob([new Uint8Array(i + 1)]));

describe('ThumbnailCache', () => {
  it('holds at most `capacity` unpinned bitmaps, closing the least recently used', async () => {
    const { decode, bitmaps, settle } = fakeDecoder();
    const cache = new ThumbnailCache(3, decode);
    const f = files(5);
    for (const file of f) {
      void cache.acquire(file);
      await settle();
      cache.release(file);
    }
    expect(cache.size).toBe(3);
    expect(f.map((file) => bitmaps.get(file)!.closed)).toEqual([true, true, false, false, false]);
    // Used again, f[2] outlives f[3] when f[0] comes back.
    expect(cache.peek(f[2]!)).toBe(bitmaps.get(f[2]!));
    void cache.acquire(f[0]!);
    await settle();
    expect(bitmaps.get(f[3]!)!.closed).toBe(true);
    expect(bitmaps.get(f[2]!)!.closed).toBe(false);
    expect(cache.peek(f[3]!)).toBeNull();
  });

  it('never closes a pinned bitmap, even past the bound, and releases it to the bound afterwards', async () => {
    const { decode, bitmaps, settle } = fakeDecoder();
    const cache = new ThumbnailCache(2, decode);
    const f = files(4);
    const shown = await (async () => {
      const all = f.map((file) => cache.acquire(file));
      await settle();
      return Promise.all(all);
    })();
    expect(cache.size).toBe(4);
    expect(shown.every((bitmap) => !(bitmap as unknown as { closed: boolean }).closed)).toBe(true);
    for (const file of f) cache.release(file);
    expect(cache.size).toBe(2);
    expect(f.map((file) => bitmaps.get(file)!.closed)).toEqual([true, true, false, false]);
  });

  it('closes a bitmap whose decode ends after it was evicted, and gives null for it', async () => {
    const { decode, bitmaps, settle } = fakeDecoder();
    const cache = new ThumbnailCache(1, decode);
    const [a, b] = files(2) as [Blob, Blob];
    const first = cache.acquire(a);
    cache.release(a);
    void cache.acquire(b); // evicts a while it is still decoding
    await settle();
    expect(await first).toBeNull();
    expect(bitmaps.get(a)!.closed).toBe(true);
    expect(cache.peek(b)).toBe(bitmaps.get(b));
  });

  it('gives null for a file that cannot be decoded', async () => {
    const cache = new ThumbnailCache(2, () => Promise.reject(new Error('not an image')));
    expect(await cache.acquire(new Blob(['x']))).toBeNull();
  });
});
