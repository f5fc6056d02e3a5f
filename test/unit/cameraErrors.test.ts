/** The webcam panel's words for getUserMedia's failures (src/features/webcam/cameraErrors.ts). */
import { describe, expect, it } from 'vitest';
import { cameraStartErrorText } from '../../src/features/webcam/cameraErrors';

const domError = (name: string, message: string) => new DOMException(message, name);

describe('cameraStartErrorText', () => {
  it('says what happened and what to do, keeping the browser\'s own words', () => {
    expect(cameraStartErrorText(domError('NotAllowedError', 'Permission denied'))).toMatch(/^Camera access was denied\. Allow the camera .* \(the browser said: NotAllowedError: Permission denied\)\.$/);
    expect(cameraStartErrorText(domError('NotFoundError', 'Requested device not found'))).toMatch(/^No camera was found\. Connect a camera/);
    expect(cameraStartErrorText(domError('NotReadableError', 'Could not start video source'))).toMatch(/another app may be using it/);
    expect(cameraStartErrorText(domError('OverconstrainedError', ''))).toMatch(/^The chosen camera is no longer available/);
    expect(cameraStartErrorText(domError('SecurityError', 'insecure'))).toMatch(/https or localhost/);
  });

  it('falls back to a general sentence for anything else', () => {
    expect(cameraStartErrorText(new TypeError('boom'))).toBe('The camera could not start (the browser said: TypeError: boom). Check that a camera is connected and that this page may use it.');
    expect(cameraStartErrorText('odd')).toMatch(/^The camera could not start \(the browser said: odd\)/);
  });
});
