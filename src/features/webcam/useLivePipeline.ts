import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { fitImage } from '../../core/geometry';
import { layoutById } from '../../core/layouts';
import type { ModelInfo, Pose } from '../../core/types';
import { MODEL_IDS } from '../../inference/modelCatalogue';
import type { FromWorker } from '../../inference/worker/protocol';
import { drawImage, drawPoseLayer, pointRadiusFor } from '../../render/drawPoses';
import { modelColour } from '../../render/palette';
import { useAppStore } from '../../store/appStore';
import { useController } from '../../store/controllerContext';
import { frameTimestampMs, isMirrored, type LiveSource } from './liveSource';

/** FPS and latency are averaged over this window. */
const STATS_WINDOW_MS = 2000;

export interface LiveStats {
  fps: number;
  /** Keypoints at or above the threshold in the last drawn frame, over all models. */
  keypointsDrawn: number;
  latencyMsByModel: Record<string, number>;
  dropped: number;
  /** Frames the models answered since the panel first went live, and the worker's tensors after the last one: a long run shows whether anything grows. */
  framesDone: number;
  workerTensors: number | null;
  workerTensorBytes: number | null;
}

const NO_STATS: LiveStats = { fps: 0, keypointsDrawn: 0, latencyMsByModel: {}, dropped: 0, framesDone: 0, workerTensors: null, workerTensorBytes: null };

/**
 * Live mode for any source playing in `videoRef`: one frame in flight at a time (newer frames are
 * dropped, never queued), each result drawn on the very frame it was computed from, mirrored for the
 * camera. While a source is set the batch waits (the controller's live mode); without one it goes on.
 *
 * The canvas may be remounted (the view moves between the sidebar and the main area): `attachCanvas`
 * redraws the last answered frame into the new one, so a paused video does not go blank.
 */
export function useLivePipeline(source: LiveSource | null, videoRef: RefObject<HTMLVideoElement | null>, models: readonly ModelInfo[]) {
  const controller = useController();
  const threshold = useAppStore((s) => s.confidenceThreshold);
  const backendReady = useAppStore((s) => s.backend.status === 'ready');
  const [stats, setStats] = useState<LiveStats>(NO_STATS);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const live = useRef({
    inFlightRequestId: null as number | null,
    frameCounter: 0,
    /** The frame in flight, kept for drawing its answer on. */
    pendingFrame: null as ImageBitmap | null,
    /** The frame on screen, kept for redrawing (new canvas, new threshold) until the next one replaces it. */
    shownFrame: null as ImageBitmap | null,
    lastTimestampMs: -Infinity,
    posesByModel: new Map<string, Pose[]>(),
    latencyMsByModel: new Map<string, number[]>(),
    drawnAtMs: [] as number[],
    dropped: 0,
    keypointsDrawn: 0,
    framesDone: 0,
    workerTensors: null as number | null,
    workerTensorBytes: null as number | null,
  });
  const settings = useRef({ models, threshold, mirrored: source ? isMirrored(source) : false });
  /** Told of every answered frame's poses (the live 3D views), without re-rendering the panel. */
  const frameListeners = useRef(new Set<(posesByModel: ReadonlyMap<string, Pose[]>) => void>());
  const subscribeFrames = useCallback((listener: (posesByModel: ReadonlyMap<string, Pose[]>) => void) => {
    frameListeners.current.add(listener);
    listener(live.current.posesByModel);
    return () => {
      frameListeners.current.delete(listener);
    };
  }, []);

  const drawResult = useCallback((frame: ImageBitmap) => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    if (canvas.width !== frame.width || canvas.height !== frame.height) {
      canvas.width = frame.width;
      canvas.height = frame.height;
    }
    const size = { width: frame.width, height: frame.height };
    // The image and the keypoints go through one transform (mirrored for a selfie view), so they stay together.
    const fit = fitImage(size, size);
    const transform = settings.current.mirrored ? { ...fit, mirrorWidthPx: frame.width } : fit;
    drawImage(ctx, frame, size, size, transform);
    const radius = pointRadiusFor(frame.width, frame.height);
    let keypointsDrawn = 0;
    for (const model of settings.current.models) {
      const poses = live.current.posesByModel.get(model.id);
      if (!poses) continue;
      for (const pose of poses) keypointsDrawn += pose.keypoints.filter((k) => k.score >= settings.current.threshold).length;
      drawPoseLayer(ctx, { poses, skeleton: layoutById(model.keypointLayout), colour: modelColour(model.id, MODEL_IDS) }, { transform, minScore: settings.current.threshold, pointRadiusPx: radius });
    }
    live.current.keypointsDrawn = keypointsDrawn;
  }, []);

  useEffect(() => {
    settings.current = { models, threshold, mirrored: source ? isMirrored(source) : false };
    // A paused video shows the new threshold or model choice at once, not at the next frame.
    if (live.current.shownFrame) drawResult(live.current.shownFrame);
  }, [models, threshold, source, drawResult]);

  const attachCanvas = useCallback(
    (canvas: HTMLCanvasElement | null) => {
      canvasRef.current = canvas;
      if (canvas && live.current.shownFrame) drawResult(live.current.shownFrame);
    },
    [drawResult],
  );

  const onFrameMessage = useCallback(
    (message: FromWorker) => {
      const state = live.current;
      if (message.type === 'workerRestarted' || message.type === 'workerFailed') {
        // The frame in flight died with the worker: send the next one once the backend is back.
        state.inFlightRequestId = null;
        state.pendingFrame?.close();
        state.pendingFrame = null;
        return;
      }
      if (!('requestId' in message) || message.requestId !== state.inFlightRequestId) return;
      if (message.type === 'poses') {
        state.posesByModel.set(message.modelId, message.poses);
        const list = state.latencyMsByModel.get(message.modelId) ?? [];
        list.push(message.imageLatencyMs);
        state.latencyMsByModel.set(message.modelId, list.slice(-30));
      } else if (message.type === 'estimateError' && message.modelId) {
        state.posesByModel.delete(message.modelId);
      } else if (message.type === 'estimateDone') {
        state.inFlightRequestId = null;
        state.framesDone++;
        state.workerTensors = message.numTensors;
        state.workerTensorBytes = message.tensorBytes;
        const frame = state.pendingFrame;
        state.pendingFrame = null;
        if (frame) {
          drawResult(frame);
          state.shownFrame?.close();
          state.shownFrame = frame;
          const now = performance.now();
          state.drawnAtMs = [...state.drawnAtMs.filter((t) => now - t < STATS_WINDOW_MS), now];
        }
        for (const listener of frameListeners.current) listener(state.posesByModel);
      }
    },
    [drawResult],
  );

  useEffect(() => {
    const video = videoRef.current;
    if (!source || !video) return;
    controller.setLiveMode(onFrameMessage);
    const state = live.current;
    state.lastTimestampMs = -Infinity;
    let running = true;
    const tick = async (metadata?: VideoFrameCallbackMetadata) => {
      if (!running) return;
      // A paused or finished file presents no new frame: nothing is sent until it plays again.
      if (video.readyState >= 2 && video.videoWidth > 0 && !video.paused && !video.ended) {
        const timestampMs = frameTimestampMs(source, video, metadata);
        if (state.inFlightRequestId !== null) {
          state.dropped++;
        } else if (backendReady && settings.current.models.length > 0 && timestampMs > state.lastTimestampMs) {
          // The model's copy is made from the displayed one, so both are the same frame for certain.
          const forDisplay = await createImageBitmap(video);
          const forModel = await createImageBitmap(forDisplay);
          if (!running) {
            forModel.close();
            forDisplay.close();
            return;
          }
          state.lastTimestampMs = timestampMs;
          state.pendingFrame = forDisplay;
          state.inFlightRequestId = controller.estimateFrame({
            // The controller hands replies to 'webcam:' keys to the live listener, whatever the source.
            imageKey: `webcam:${source.kind}:${++state.frameCounter}`,
            input: { kind: 'bitmap', bitmap: forModel, scaleToImagePx: 1 },
            modelIds: settings.current.models.map((m) => m.id),
            mode: 'video',
            timestampMs,
          });
        }
      }
      if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback((_, meta) => void tick(meta));
      else requestAnimationFrame(() => void tick());
    };
    void tick();
    const statsTimer = window.setInterval(() => {
      const now = performance.now();
      const drawn = state.drawnAtMs.filter((t) => now - t < STATS_WINDOW_MS);
      const latencyMsByModel: Record<string, number> = {};
      for (const [id, list] of state.latencyMsByModel) latencyMsByModel[id] = list.reduce((a, b) => a + b, 0) / Math.max(1, list.length);
      setStats({
        fps: (drawn.length * 1000) / STATS_WINDOW_MS,
        keypointsDrawn: state.keypointsDrawn,
        latencyMsByModel,
        dropped: state.dropped,
        framesDone: state.framesDone,
        workerTensors: state.workerTensors,
        workerTensorBytes: state.workerTensorBytes,
      });
    }, 500);
    return () => {
      running = false;
      window.clearInterval(statsTimer);
      // The batch goes on in the gallery.
      controller.setLiveMode(null);
      state.inFlightRequestId = null;
      state.pendingFrame?.close();
      state.pendingFrame = null;
      state.shownFrame?.close();
      state.shownFrame = null;
      state.posesByModel.clear();
    };
  }, [source, videoRef, controller, onFrameMessage, backendReady]);

  return { stats, attachCanvas, subscribeFrames };
}
