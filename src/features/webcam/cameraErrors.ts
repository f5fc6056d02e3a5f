/**
 * What to tell a person when the camera does not start, from getUserMedia's DOMException name
 * (https://w3c.github.io/mediacapture-main/#dom-mediadevices-getusermedia). The browser's own text
 * ("Permission denied", "Requested device not found") is kept in brackets for a bug report.
 */
export function cameraStartErrorText(error: unknown): string {
  // DOMException inherits from Error (WebIDL), in browsers and in Node.
  const name = error instanceof Error ? error.name : '';
  const detail = error instanceof Error ? error.message : String(error);
  const said = detail ? ` (the browser said: ${name ? `${name}: ` : ''}${detail})` : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return `Camera access was denied. Allow the camera for this page (the camera icon in the address bar, or the site settings), then press Start webcam again${said}.`;
    case 'NotFoundError':
    case 'DevicesNotFoundError':
      return `No camera was found. Connect a camera, then press Start webcam again${said}.`;
    case 'NotReadableError':
    case 'TrackStartError':
      return `The camera could not be read: another app may be using it, or it was just unplugged. Close the other app or reconnect the camera, then press Start webcam again${said}.`;
    case 'OverconstrainedError':
      return `The chosen camera is no longer available. Pick another camera, or reconnect it, then press Start webcam again${said}.`;
    case 'SecurityError':
      return `The browser does not allow the camera on this page: it needs https or localhost${said}.`;
    case 'AbortError':
      return `The camera stopped while starting. Press Start webcam to try again${said}.`;
    default:
      return `The camera could not start${said}. Check that a camera is connected and that this page may use it.`;
  }
}

/** A live camera whose track ended without the user pressing Stop: unplugged, taken by the system, or its permission revoked. */
export const CAMERA_ENDED_TEXT = 'The camera stopped sending video: it was unplugged, switched off, or its permission was taken back. Press Start webcam to try again.';

/** Without a secure context the browser hides navigator.mediaDevices altogether. */
export const NO_MEDIA_DEVICES_TEXT = 'This browser offers no camera access on this page: the camera needs https or localhost, and a browser that supports it.';
