import * as poseDetection from '@tensorflow-models/pose-detection';
import { BLAZEPOSE33 } from '../../core/skeletons';
import { createProgressTracker, graphModelHandler } from '../graphModelHandler';
import type { AdapterFactory } from '../modelAdapter';
import { innerGraphModels, toPlainPoses } from './poseDetectionResult';

const BLAZEPOSE_MODEL_TYPES: Partial<Record<string, 'lite' | 'full' | 'heavy'>> = {
  'blazepose-lite': 'lite',
  'blazepose-full': 'full',
  'blazepose-heavy': 'heavy',
};

/** BlazePose (pose detector + lite/full/heavy landmark model) on pose-detection's tfjs runtime. */
export const loadBlazePose: AdapterFactory = async (info, context) => {
  const modelType = BLAZEPOSE_MODEL_TYPES[info.id];
  if (!modelType) throw new Error(`${info.id} is not a BlazePose model`);
  const detectorJson = info.files.find((f) => f.name === 'blazepose-detector.json');
  const landmarkJson = info.files.find((f) => f.name === `blazepose-${modelType}.json`);
  if (!detectorJson || !landmarkJson) throw new Error(`${info.id}: manifest lacks the detector or landmark model.json`);
  const progressFor = createProgressTracker(info, context);
  const detector = await poseDetection.createDetector(poseDetection.SupportedModels.BlazePose, {
    runtime: 'tfjs',
    modelType,
    enableSmoothing: true,
    enableSegmentation: false,
    detectorModelUrl: graphModelHandler(detectorJson.name, context, progressFor),
    landmarkModelUrl: graphModelHandler(landmarkJson.name, context, progressFor),
  });
  return {
    info,
    async estimate(image, options) {
      // Without a reset the landmark model would look where the person stood in the previous image.
      if (options.mode === 'still') detector.reset();
      const poses = await detector.estimatePoses(
        image,
        { maxPoses: 1, flipHorizontal: false },
        options.mode === 'video' ? options.timestampMs : undefined,
      );
      return toPlainPoses(poses, BLAZEPOSE33.keypointNames);
    },
    graphModels: () => innerGraphModels(detector, ['detectorModel', 'landmarkModel']),
    dispose: () => detector.dispose(),
  };
};
