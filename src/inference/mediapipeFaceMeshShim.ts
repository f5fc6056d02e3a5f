/**
 * Stand-in for `@mediapipe/face_mesh`, which face-landmarks-detection imports for its 'mediapipe' runtime.
 * Keypoint Bench runs Face Mesh on the tfjs runtime only: the mediapipe runtime loads its solution files from a
 * CDN, which this app must never do. Aliased here by vite.config.ts and vitest.config.ts, so never bundled.
 */
export class FaceMesh {
  constructor() {
    throw new Error('The MediaPipe runtime is not available in Keypoint Bench; Face Mesh runs on the tfjs runtime.');
  }
}
