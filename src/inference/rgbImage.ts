/**
 * What every model adapter receives: upright pixels (EXIF already applied), whatever runtime runs the model.
 * Pure TypeScript (no DOM, no node, no tfjs), so the browser worker, the CLI and any runtime share it.
 *
 * A crop is a *view* of its parent (the decoded image and a region of it): runtimes that can cut it from a
 * copy of the parent they already hold (tfjs slices the parent's tensor) never copy its pixels; others read
 * `data`, which copies the region once, on first use.
 */

/** An integer pixel rectangle inside an image. */
export interface RegionPx {
  xPx: number;
  yPx: number;
  widthPx: number;
  heightPx: number;
}

export interface RgbImage {
  readonly widthPx: number;
  readonly heightPx: number;
  /**
   * Row-major pixels, `bytesPerPixel` bytes each: R, G, B, and for 4 an ignored fourth byte (RGBX, as browsers
   * decode, so a decoded frame is used without repacking). A view's `data` is its own region, copied from the
   * parent on first read.
   */
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly bytesPerPixel: 3 | 4;
  /** Set on a crop view: the whole decoded image it is a view of (never itself a view) and where in it. */
  readonly view?: { readonly parent: RgbImage; readonly regionPx: RegionPx };
}

/** An image over `data` (no copy); checks that the buffer holds width × height pixels. */
export function rgbImage(data: Uint8Array | Uint8ClampedArray, widthPx: number, heightPx: number, bytesPerPixel: 3 | 4 = 3): RgbImage {
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx <= 0 || heightPx <= 0) {
    throw new Error(`image size must be whole positive pixels, got ${widthPx}×${heightPx}`);
  }
  if (data.length < widthPx * heightPx * bytesPerPixel) {
    throw new Error(`image pixels: ${data.length} bytes is less than ${widthPx}×${heightPx}×${bytesPerPixel}`);
  }
  return { data, widthPx, heightPx, bytesPerPixel };
}

/** A blank (black) image, e.g. for a warm-up run. */
export function blankRgbImage(widthPx: number, heightPx: number): RgbImage {
  return rgbImage(new Uint8Array(widthPx * heightPx * 3), widthPx, heightPx, 3);
}

/** The decoded image `image` belongs to and where `image` lies in it (the whole of it unless `image` is a view). */
export function rootOf(image: RgbImage): { root: RgbImage; regionPx: RegionPx } {
  return image.view
    ? { root: image.view.parent, regionPx: image.view.regionPx }
    : { root: image, regionPx: { xPx: 0, yPx: 0, widthPx: image.widthPx, heightPx: image.heightPx } };
}

/**
 * A view of `regionPx` of `image` (coordinates in `image`'s pixels; whole pixels inside it). A view of a view is
 * a view of the same parent. Nothing is copied until someone reads its `data`.
 */
export function cropView(image: RgbImage, regionPx: RegionPx): RgbImage {
  const { xPx, yPx, widthPx, heightPx } = regionPx;
  const whole = [xPx, yPx, widthPx, heightPx].every(Number.isInteger);
  if (!whole || xPx < 0 || yPx < 0 || widthPx <= 0 || heightPx <= 0 || xPx + widthPx > image.widthPx || yPx + heightPx > image.heightPx) {
    throw new Error(`crop ${widthPx}×${heightPx} at (${xPx}, ${yPx}) is not inside the ${image.widthPx}×${image.heightPx} image`);
  }
  const { root, regionPx: at } = rootOf(image);
  const inRoot = { xPx: at.xPx + xPx, yPx: at.yPx + yPx, widthPx, heightPx };
  if (inRoot.xPx === 0 && inRoot.yPx === 0 && widthPx === root.widthPx && heightPx === root.heightPx) return root;
  let copied: Uint8Array | null = null;
  return {
    widthPx,
    heightPx,
    bytesPerPixel: root.bytesPerPixel,
    view: { parent: root, regionPx: inRoot },
    get data() {
      copied ??= copyRegion(root, inRoot);
      return copied;
    },
  };
}

function copyRegion(root: RgbImage, region: RegionPx): Uint8Array {
  const bpp = root.bytesPerPixel;
  const rowBytes = region.widthPx * bpp;
  const out = new Uint8Array(rowBytes * region.heightPx);
  for (let y = 0; y < region.heightPx; y++) {
    const start = ((region.yPx + y) * root.widthPx + region.xPx) * bpp;
    out.set(root.data.subarray(start, start + rowBytes), y * rowBytes);
  }
  return out;
}

/** The image's pixels as packed RGB, 3 bytes per pixel (a copy unless they already are), for runtimes that take only that. */
export function packedRgb(image: RgbImage): Uint8Array {
  const data = image.data;
  const pixelCount = image.widthPx * image.heightPx;
  if (image.bytesPerPixel === 3) return data instanceof Uint8Array ? data.subarray(0, pixelCount * 3) : new Uint8Array(data.buffer, data.byteOffset, pixelCount * 3);
  const out = new Uint8Array(pixelCount * 3);
  for (let p = 0, i = 0, o = 0; p < pixelCount; p++, i += 4, o += 3) {
    out[o] = data[i]!;
    out[o + 1] = data[i + 1]!;
    out[o + 2] = data[i + 2]!;
  }
  return out;
}

// ── Per-image resources ─────────────────────────────────────────────────────────────────────────
// A runtime may keep its own copy of a decoded image (tfjs: one tensor per image, crops sliced from it) while
// several models run on it; the pipeline releases them all once every model is done with the image.

const releasers = new WeakMap<RgbImage, (() => void)[]>();

function addReleaser(image: RgbImage, release: () => void): void {
  const list = releasers.get(image);
  if (list) list.push(release);
  else releasers.set(image, [release]);
}

/**
 * Registers `release` (run once) for when `image` is released: for a view, when the view or its decoded image is
 * released; for a decoded image, when it is.
 */
export function onImageRelease(image: RgbImage, release: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    release();
  };
  addReleaser(rootOf(image).root, once);
  if (image.view) addReleaser(image, once);
}

/**
 * Frees what runtimes hold for `image`: for a decoded image, everything (its own copies and those of every view of
 * it); for a view, only the view's. Either may be used again afterwards (the copies are made anew).
 */
export function releaseImage(image: RgbImage): void {
  const list = releasers.get(image);
  releasers.delete(image);
  for (const release of list ?? []) release();
}
