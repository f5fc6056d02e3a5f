/** Messages between the page and the image worker (imageInfoWorker.ts). */

export interface ImageInfoRequest {
  id: number;
  /** The file itself: a Blob is passed by reference, its bytes are not copied. */
  file: Blob;
  name: string;
  thumbnailMaxSidePx: number;
}

export type ImageInfoReply =
  | { id: number; ok: true; widthPx: number; heightPx: number; thumbnail: Blob }
  /** `message` is the text to show in the image's place (it starts with the file name). */
  | { id: number; ok: false; message: string };
