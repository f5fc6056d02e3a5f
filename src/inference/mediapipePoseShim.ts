/**
 * Stand-in for `@mediapipe/pose`, which pose-detection imports for its 'mediapipe' runtime.
 * Keypoint Bench runs BlazePose on the tfjs runtime only: the mediapipe runtime fetches its
 * solution files from a CDN, which this app must never do.
 */
export class Pose {
  constructor() {
    throw new Error('The MediaPipe runtime is not available in Keypoint Bench; BlazePose runs on the tfjs runtime.');
  }
}
