/// <reference lib="webworker" />
/**
 * The image worker: checks and decodes added images (imageInspect.ts) off the page's thread and hands back the
 * size and the thumbnail (a JPEG Blob: the page keeps files and decodes only what is on screen). Every file's header is checked as soon as it
 * arrives (a few at a time), so a refused file (empty, not an image, over the pixel limit) gets its message at once; decodes run
 * two at a time: each holds the whole image's pixels (up to 400 MB at the pixel limit), and more in parallel
 * would only compete for the cores.
 */
import type { HeaderInfo } from './imageHeader';
import { checkImageFile, decodeCheckedImage } from './imageInspect';
import type { ImageInfoReply, ImageInfoRequest } from './imageInfoProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
/**
 * Two decodes at a time where there are cores to spare; one on a machine of two cores or fewer, where the
 * inference worker's WASM threads already take both and a second decode only starves the page (the scale run:
 * 1,000 photos of 12 MP on 2 cores).
 */
const MAX_PARALLEL_DECODES = (scope.navigator?.hardwareConcurrency ?? 4) <= 2 ? 1 : 2;
const queue: { request: ImageInfoRequest; info: HeaderInfo }[] = [];
let running = 0;

const refuse = (request: ImageInfoRequest, error: unknown) => {
  const reply: ImageInfoReply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  scope.postMessage(reply);
};

function pump(): void {
  while (running < MAX_PARALLEL_DECODES && queue.length > 0) {
    const { request, info } = queue.shift()!;
    running++;
    void decodeCheckedImage(request.file, request.name, info, request.thumbnailMaxSidePx)
      .then(
        ({ widthPx, heightPx, thumbnail }) => {
          const reply: ImageInfoReply = { id: request.id, ok: true, widthPx, heightPx, thumbnail };
          scope.postMessage(reply);
        },
        (error: unknown) => refuse(request, error),
      )
      .finally(() => {
        running--;
        pump();
      });
  }
}

/**
 * Header checks at most this many at a time: checking a JPEG for its end marker reads its compressed image data
 * (~1.5 MB for a 12 MP photo), and 1,000 files dropped at once, all checked together, held 1.4 GB at the start
 * (the scale run). A check takes a few milliseconds, so the queue still answers refused files within moments.
 */
const MAX_PARALLEL_CHECKS = 4;
const checks: ImageInfoRequest[] = [];
let checking = 0;

function pumpChecks(): void {
  while (checking < MAX_PARALLEL_CHECKS && checks.length > 0) {
    const request = checks.shift()!;
    checking++;
    void checkImageFile(request.file, request.name)
      .then(
        (info) => {
          queue.push({ request, info });
          pump();
        },
        (error: unknown) => refuse(request, error),
      )
      .finally(() => {
        checking--;
        pumpChecks();
      });
  }
}

scope.onmessage = (event: MessageEvent<ImageInfoRequest>) => {
  checks.push(event.data);
  pumpChecks();
};
