/**
 * What feeds live mode: the camera or a video file. Both play in one hidden <video> element and go
 * through the same frame loop (useLivePipeline); they differ only in the few points below, so the
 * loop, the drawing and the stats exist once.
 */
export type LiveSource =
  | { kind: 'camera'; stream: MediaStream }
  /** `url` is a blob: URL of the user's own file (the CSP allows media-src blob:); revoked when the source ends. */
  | { kind: 'file'; url: string; name: string; type: string };

/** A selfie view is mirrored so that moving right moves right on screen; a recorded video is shown as recorded. */
export function isMirrored(source: LiveSource): boolean {
  return source.kind === 'camera';
}

/** Puts the source into the video element and starts it; the returned function takes it out again. */
export function attachSource(video: HTMLVideoElement, source: LiveSource): () => void {
  if (source.kind === 'camera') video.srcObject = source.stream;
  else video.src = source.url;
  // play() rejects when the source ends or fails before it starts (camera unplugged at once, a file that
  // cannot be decoded): the 'ended' and 'error' handlers report those.
  video.play().catch(() => undefined);
  return () => {
    video.pause();
    if (source.kind === 'camera') video.srcObject = null;
    else {
      video.removeAttribute('src');
      video.load(); // drops the decoder and the buffered frames of the file
    }
  };
}

/** Releases what the source holds: the camera (its light goes off) or the file's blob: URL. */
export function releaseSource(source: LiveSource): void {
  if (source.kind === 'camera') source.stream.getTracks().forEach((t) => t.stop());
  else URL.revokeObjectURL(source.url);
}

/**
 * The timestamp a frame is sent with (`mode: 'video'`), in milliseconds. The camera's frames are live, so
 * the clock is now. A file's frames carry their own time in the video: trackers and smoothing then see
 * the spacing the video was recorded with, whatever speed it is decoded at here, and a pause is no gap.
 */
export function frameTimestampMs(source: LiveSource, video: HTMLVideoElement, metadata: VideoFrameCallbackMetadata | undefined): number {
  if (source.kind === 'camera') return performance.now();
  return (metadata?.mediaTime ?? video.currentTime) * 1000;
}
