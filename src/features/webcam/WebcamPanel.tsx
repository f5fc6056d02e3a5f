import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { fitImage } from '../../core/geometry';
import { SKELETONS } from '../../core/skeletons';
import type { Pose } from '../../core/types';
import { MODEL_IDS } from '../../inference/modelCatalogue';
import type { FromWorker } from '../../inference/worker/protocol';
import { drawImage, drawPoseLayer, pointRadiusFor } from '../../render/drawPoses';
import { modelColour } from '../../render/palette';
import { useAppStore } from '../../store/appStore';
import { useController } from '../../store/controllerContext';
import { useSelectedModels } from '../../store/selectors';

/** Capture size asked of the camera; models downscale further, so more only costs time. */
const CAPTURE_SIZE_PX = { width: 640, height: 480 };
/** FPS and latency are averaged over this window. */
const STATS_WINDOW_MS = 2000;

interface LiveStats {
  fps: number;
  /** Keypoints at or above the threshold in the last drawn frame, over all models. */
  keypointsDrawn: number;
  latencyMsByModel: Record<string, number>;
  dropped: number;
}

/**
 * Live webcam: one frame in flight at a time (newer frames are dropped, never queued), each result
 * drawn on the very frame it was computed from, mirrored like a selfie view.
 */
export function WebcamPanel() {
  const controller = useController();
  const selectedModels = useSelectedModels();
  // "Landmarks given the box" variants need a ground-truth box; a live frame has none.
  const models = useMemo(() => selectedModels.filter((m) => m.personInput !== 'box'), [selectedModels]);
  const threshold = useAppStore((s) => s.confidenceThreshold);
  const backendReady = useAppStore((s) => s.backend.status === 'ready');
  const pushNotice = useAppStore((s) => s.pushNotice);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [cameraId, setCameraId] = useState<string>('');
  const [stats, setStats] = useState<LiveStats>({ fps: 0, keypointsDrawn: 0, latencyMsByModel: {}, dropped: 0 });
  const [error, setError] = useState<string | null>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const live = useRef({
    inFlightRequestId: null as number | null,
    frameCounter: 0,
    pendingFrame: null as ImageBitmap | null,
    posesByModel: new Map<string, Pose[]>(),
    latencyMsByModel: new Map<string, number[]>(),
    drawnAtMs: [] as number[],
    dropped: 0,
    keypointsDrawn: 0,
  });
  const settings = useRef({ models, threshold });
  useEffect(() => {
    settings.current = { models, threshold };
  }, [models, threshold]);

  const drawResult = useCallback((frame: ImageBitmap) => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    if (canvas.width !== frame.width || canvas.height !== frame.height) {
      canvas.width = frame.width;
      canvas.height = frame.height;
    }
    const size = { width: frame.width, height: frame.height };
    // Selfie view: the image and the keypoints go through the same mirrored transform.
    const transform = { ...fitImage(size, size), mirrorWidthPx: frame.width };
    drawImage(ctx, frame, size, size, transform);
    const radius = pointRadiusFor(frame.width, frame.height);
    let keypointsDrawn = 0;
    for (const model of settings.current.models) {
      const poses = live.current.posesByModel.get(model.id);
      if (!poses) continue;
      for (const pose of poses) keypointsDrawn += pose.keypoints.filter((k) => k.score >= settings.current.threshold).length;
      drawPoseLayer(ctx, { poses, skeleton: SKELETONS[model.keypointLayout], colour: modelColour(model.id, MODEL_IDS) }, { transform, minScore: settings.current.threshold, pointRadiusPx: radius });
    }
    live.current.keypointsDrawn = keypointsDrawn;
  }, []);

  const onFrameMessage = useCallback(
    (message: FromWorker) => {
      const state = live.current;
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
        const frame = state.pendingFrame;
        state.pendingFrame = null;
        if (frame) {
          drawResult(frame);
          frame.close();
          const now = performance.now();
          state.drawnAtMs = [...state.drawnAtMs.filter((t) => now - t < STATS_WINDOW_MS), now];
        }
      }
    },
    [drawResult],
  );

  const refreshCameras = useCallback(async () => {
    const devices = await navigator.mediaDevices.enumerateDevices();
    setCameras(devices.filter((d) => d.kind === 'videoinput'));
  }, []);

  const start = async (deviceId?: string) => {
    setError(null);
    try {
      const media = await navigator.mediaDevices.getUserMedia({
        video: { ...CAPTURE_SIZE_PX, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) },
        audio: false,
      });
      setStream(media);
      setCameraId(media.getVideoTracks()[0]?.getSettings().deviceId ?? deviceId ?? '');
      await refreshCameras();
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      setError(`Camera could not start (${message}). Check that a camera is connected and that this page may use it.`);
      pushNotice('webcam', `Camera could not start: ${message}`);
    }
  };

  const stop = useCallback(() => {
    setStream((current) => {
      current?.getTracks().forEach((t) => t.stop());
      return null;
    });
  }, []);

  useEffect(() => {
    const video = videoRef.current;
    if (!stream || !video) return;
    video.srcObject = stream;
    void video.play();
    controller.setLiveMode(onFrameMessage);
    const state = live.current;
    let running = true;
    const tick = async () => {
      if (!running) return;
      if (video.readyState >= 2 && video.videoWidth > 0) {
        if (state.inFlightRequestId !== null) {
          state.dropped++;
        } else if (backendReady && settings.current.models.length > 0) {
          const [forModel, forDisplay] = await Promise.all([createImageBitmap(video), createImageBitmap(video)]);
          if (!running) {
            forModel.close();
            forDisplay.close();
            return;
          }
          state.pendingFrame = forDisplay;
          state.inFlightRequestId = controller.estimateFrame({
            imageKey: `webcam:${++state.frameCounter}`,
            input: { kind: 'bitmap', bitmap: forModel, scaleToImagePx: 1 },
            modelIds: settings.current.models.map((m) => m.id),
            mode: 'video',
            timestampMs: performance.now(),
          });
        }
      }
      if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => void tick());
      else requestAnimationFrame(() => void tick());
    };
    void tick();
    const statsTimer = window.setInterval(() => {
      const now = performance.now();
      const drawn = state.drawnAtMs.filter((t) => now - t < STATS_WINDOW_MS);
      const latencyMsByModel: Record<string, number> = {};
      for (const [id, list] of state.latencyMsByModel) latencyMsByModel[id] = list.reduce((a, b) => a + b, 0) / Math.max(1, list.length);
      setStats({ fps: (drawn.length * 1000) / STATS_WINDOW_MS, keypointsDrawn: state.keypointsDrawn, latencyMsByModel, dropped: state.dropped });
    }, 500);
    return () => {
      running = false;
      window.clearInterval(statsTimer);
      controller.setLiveMode(null);
      state.inFlightRequestId = null;
      state.pendingFrame?.close();
      state.pendingFrame = null;
      state.posesByModel.clear();
    };
  }, [stream, controller, onFrameMessage, backendReady]);

  useEffect(() => () => stop(), [stop]);

  const latencyText = useMemo(
    () =>
      models
        .map((m) => (stats.latencyMsByModel[m.id] !== undefined ? `${m.displayName} ${stats.latencyMsByModel[m.id]?.toFixed(1)} ms/frame` : null))
        .filter(Boolean)
        .join(' · '),
    [models, stats],
  );

  return (
    <section className="panel" aria-labelledby="webcam-heading">
      <h2 id="webcam-heading">Webcam</h2>
      <div className="row-buttons">
        {stream ? (
          <button type="button" onClick={stop}>
            Stop webcam
          </button>
        ) : (
          <button type="button" onClick={() => void start(cameraId || undefined)}>
            Start webcam
          </button>
        )}
        {cameras.length > 1 && (
          <label className="inline">
            Camera{' '}
            <select
              value={cameraId}
              onChange={(event) => {
                setCameraId(event.target.value);
                if (stream) {
                  stop();
                  void start(event.target.value);
                }
              }}
            >
              {cameras.map((c, i) => (
                <option key={c.deviceId} value={c.deviceId}>
                  {c.label || `Camera ${i + 1}`}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {stream && (
        <div className="webcam-view">
          <video ref={videoRef} muted playsInline className="visually-hidden" />
          <canvas ref={canvasRef} className="webcam-canvas" role="img" aria-label="Webcam with keypoints" />
          <p className="live-stats" data-testid="webcam-stats" data-fps={stats.fps.toFixed(1)} data-keypoints={stats.keypointsDrawn}>
            {stats.fps.toFixed(1)} FPS drawn · {latencyText || 'waiting for the first frame…'} · {stats.dropped} frames dropped while busy
          </p>
        </div>
      )}
    </section>
  );
}
