import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

const mediapipeShim = {
  '@mediapipe/pose': join(import.meta.dirname, 'src/inference/mediapipePoseShim.ts'),
  '@mediapipe/hands': join(import.meta.dirname, 'src/inference/mediapipeHandsShim.ts'),
  '@mediapipe/face_mesh': join(import.meta.dirname, 'src/inference/mediapipeFaceMeshShim.ts'),
  '@mediapipe/face_detection': join(import.meta.dirname, 'src/inference/mediapipeFaceDetectionShim.ts'),
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: mediapipeShim },
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        resolve: { alias: mediapipeShim },
        test: {
          name: 'models',
          include: ['test/models/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // One process: the WASM backend already uses every core.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
