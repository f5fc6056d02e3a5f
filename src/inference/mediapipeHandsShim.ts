/**
 * Stand-in for `@mediapipe/hands`, which hand-pose-detection imports for its 'mediapipe' runtime. Keypoint Bench
 * runs MediaPipe Hands on the tfjs runtime only: the mediapipe runtime loads its solution files (wasm, packed
 * assets) from a CDN, which this app must never do. The real package is installed (npm installs peers) but never
 * bundled: vite.config.ts and vitest.config.ts alias it here.
 */
export class Hands {
  constructor() {
    throw new Error('The MediaPipe runtime is not available in Keypoint Bench; MediaPipe Hands runs on the tfjs runtime.');
  }
}
