/**
 * What to tell a person when a chosen video file does not play, from the <video> element's MediaError
 * (https://html.spec.whatwg.org/multipage/media.html#mediaerror). The file name is shown as text (React),
 * never as HTML; the browser's own words are kept in brackets for a bug report.
 */
export function videoErrorText(name: string, type: string, error: MediaError | null): string {
  const said = error?.message ? ` (the browser said: ${error.message})` : '';
  const what = type && !type.startsWith('video/') ? ` (${type})` : '';
  switch (error?.code) {
    case MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED:
      return `This browser cannot play “${name}”${what}: it is not a video, or its format or codec is not one this browser decodes. Convert it to WebM (VP8/VP9) or MP4 (H.264), then choose it again${said}.`;
    case MediaError.MEDIA_ERR_DECODE:
      return `“${name}” stopped playing: part of it could not be decoded (the file may be damaged or cut short). Try another copy, or convert it to WebM or MP4${said}.`;
    case MediaError.MEDIA_ERR_ABORTED:
      return `Reading “${name}” was stopped before it could play. Choose it again${said}.`;
    default:
      return `“${name}” could not be played${said}. Choose it again, or convert it to WebM or MP4.`;
  }
}
