import { resolveModelSettings } from '../../core/modelSettings';
import * as poseDetection from '@tensorflow-models/pose-detection';
import { blazePoseRoiFromBox, type NormalizedRect } from '../../core/modelRegions';
import { layoutById } from '../../core/layouts';
import type { ModelInfo } from '../../core/types';
import { createProgressTracker, graphModelHandler } from '../graphModelHandler';
import type { AdapterFamily, AdapterFactory } from '../modelAdapter';
import { configFile, configString, onlyConfigFields } from '../modelConfig';
import { NetworkClock, TFJS_RUNTIME, prepareTfjsImage, tfjsImageTensor } from '../runtimes/tfjs';
import { innerGraphModels, toPlainPoses } from './poseDetectionResult';

const BLAZEPOSE_MODEL_TYPES = ['lite', 'full', 'heavy'] as const;

/**
 * The manifest `config` of a BlazePose model:
 * - `modelType`: pose-detection's landmark model type, 'lite' | 'full' | 'heavy';
 * - `detectorFile`, `landmarkFile`: the model.json (one of the entry's `files`) of the person detector and of the
 *   landmark network.
 * BlazePose reports one person (pose-detection's BlazePose tracks a single person); `personInput: 'box'` (a
 * top-level manifest field, as the app's protocol reads it) makes the "landmarks given the box" variant.
 */
interface BlazePoseConfig {
  modelType: (typeof BLAZEPOSE_MODEL_TYPES)[number];
  detectorFile: string;
  landmarkFile: string;
}
const BLAZEPOSE_CONFIG_FIELDS = ['modelType', 'detectorFile', 'landmarkFile'];

function blazePoseConfig(info: ModelInfo): BlazePoseConfig {
  onlyConfigFields(info, BLAZEPOSE_CONFIG_FIELDS);
  if (info.multiPerson) throw new Error(`${info.id}: pose-detection's BlazePose finds one person (multiPerson must be false)`);
  return { modelType: configString(info, 'modelType', BLAZEPOSE_MODEL_TYPES), detectorFile: configFile(info, 'detectorFile'), landmarkFile: configFile(info, 'landmarkFile') };
}

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
  const config = blazePoseConfig(info);
  const keypointNames = layoutById(info.keypointLayout).keypointNames;
  const progressFor = createProgressTracker(info, context);
  const settings = resolveModelSettings(info.settings, context.settings);
  const detector = await poseDetection.createDetector(poseDetection.SupportedModels.BlazePose, {
    runtime: 'tfjs',
    modelType: config.modelType,
    // Smoothing acts only on video frames (a still passes no timestamp).
    enableSmoothing: settings.smoothing ?? true,
    enableSegmentation: false,
    detectorModelUrl: graphModelHandler(config.detectorFile, context, progressFor),
    landmarkModelUrl: graphModelHandler(config.landmarkFile, context, progressFor),
  });
  const givenBox = info.personInput === 'box';
  const clock = new NetworkClock(innerGraphModels(detector, ['detectorModel', 'landmarkModel']));
  return {
    info,
    runtime: TFJS_RUNTIME,
    prepare: prepareTfjsImage,
    async estimate(image, options) {
      // Without a reset the landmark model would look where the person stood in the previous image.
      if (options.mode === 'still') detector.reset();
      if (givenBox && options.mode === 'still') {
        const imageSize = { width: image.widthPx, height: image.heightPx };
        setRegionOfInterest(detector, blazePoseRoiFromBox(options.personBoxPx ?? [0, 0, imageSize.width, imageSize.height], imageSize));
      }
      const { value: poses, networkMs } = await clock.measure(() =>
        detector.estimatePoses(tfjsImageTensor(image), { maxPoses: 1, flipHorizontal: false }, options.mode === 'video' ? options.timestampMs : undefined),
      );
      const plain = toPlainPoses(poses, keypointNames);
      return networkMs === undefined ? { poses: plain } : { poses: plain, networkMs };
    },
    // The box variant never runs the detector on stills; it is still loaded (pose-detection needs it) and
    // used on video, so the benchmark times what a still runs: the landmark network alone.
    graphModels: () => innerGraphModels(detector, givenBox ? ['landmarkModel'] : ['detectorModel', 'landmarkModel']),
    dispose: () => {
      clock.dispose();
      detector.dispose();
    },
  };
};

export const BLAZEPOSE_FAMILY: AdapterFamily = { runtime: TFJS_RUNTIME, load: loadBlazePose, checkConfig: (info) => void blazePoseConfig(info) };
