/**
 * Stand-in for `@mediapipe/face_detection`, which face-detection (used by face-landmarks-detection) imports for
 * its 'mediapipe' runtime. Keypoint Bench runs the face detector on the tfjs runtime only: the mediapipe runtime
 * loads its solution files from a CDN, which this app must never do. Aliased here by vite.config.ts and
 * vitest.config.ts, so never bundled.
 */
export class FaceDetection {
  constructor() {
    throw new Error('The MediaPipe runtime is not available in Keypoint Bench; the face detector runs on the tfjs runtime.');
  }
}
