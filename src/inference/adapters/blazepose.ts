import * as poseDetection from '@tensorflow-models/pose-detection';
import { blazePoseRoiFromBox, type NormalizedRect } from '../../core/modelRegions';
import { BLAZEPOSE33 } from '../../core/skeletons';
import { createProgressTracker, graphModelHandler } from '../graphModelHandler';
import type { AdapterFactory } from '../modelAdapter';
import { innerGraphModels, toPlainPoses } from './poseDetectionResult';

const BLAZEPOSE_MODEL_TYPES: Partial<Record<string, 'lite' | 'full' | 'heavy'>> = {
  'blazepose-lite': 'lite',
  'blazepose-full': 'full',
  'blazepose-heavy': 'heavy',
  'blazepose-lite-box': 'lite',
  'blazepose-full-box': 'full',
  'blazepose-heavy-box': 'heavy',
};

/**
 * pose-detection's BlazePose keeps the region its landmark network looks at between frames (MediaPipe's
 * tracking: once the person is known, the detector is skipped). Setting it before a still gives the
 * landmark stage a known person region; checked at run time so a renamed field fails loudly.
 */
function setRegionOfInterest(detector: poseDetection.PoseDetector, roi: NormalizedRect): void {
  const fields = detector as unknown as Record<string, unknown>;
  if (!('regionOfInterest' in fields)) throw new Error('pose-detection BlazePose has no regionOfInterest to set');
  fields.regionOfInterest = roi;
}

/**
 * BlazePose (pose detector + lite/full/heavy landmark model) on pose-detection's tfjs runtime.
 *
 * Full pipeline (`personInput` absent): the detector finds the person on the whole input (letterboxed to
 * 224², as MediaPipe does), its alignment points give a rotated square region, and the landmark network
 * runs on that. "Landmarks given the box" (`personInput: 'box'`): the detector is skipped and the landmark
 * network runs on the region MediaPipe would derive from the person's box (core/modelRegions), on the
 * full image. The app gives them boxes only under person crops; without one (the warm-up) the box is the whole frame.
 */
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
  const givenBox = info.personInput === 'box';
  return {
    info,
    async estimate(image, options) {
      // Without a reset the landmark model would look where the person stood in the previous image.
      if (options.mode === 'still') detector.reset();
      if (givenBox && options.mode === 'still') {
        const imageSize = { width: image.shape[1], height: image.shape[0] };
        setRegionOfInterest(detector, blazePoseRoiFromBox(options.personBoxPx ?? [0, 0, imageSize.width, imageSize.height], imageSize));
      }
      const poses = await detector.estimatePoses(
        image,
        { maxPoses: 1, flipHorizontal: false },
        options.mode === 'video' ? options.timestampMs : undefined,
      );
      return toPlainPoses(poses, BLAZEPOSE33.keypointNames);
    },
    // The box variant never runs the detector on stills; it is still loaded (pose-detection needs it) and
    // used on video, so the benchmark times what a still runs: the landmark network alone.
    graphModels: () => innerGraphModels(detector, givenBox ? ['landmarkModel'] : ['detectorModel', 'landmarkModel']),
    dispose: () => detector.dispose(),
  };
};
