import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useShallow } from 'zustand/react/shallow';
import { useSelectedModels } from '../../store/selectors';
import { CAMERA_ENDED_TEXT, NO_MEDIA_DEVICES_TEXT, cameraStartErrorText } from './cameraErrors';
import { attachSource, releaseSource, type LiveSource } from './liveSource';
import { useLiveViewStore } from './liveViewStore';
import { Live3D } from './Live3D';
import { useLivePipeline } from './useLivePipeline';
import { videoErrorText } from './videoErrors';

/** Capture size asked of the camera; models downscale further, so more only costs time. */
const CAPTURE_SIZE_PX = { width: 640, height: 480 };

/**
 * Live mode, from the camera or from a video file, through one pipeline (useLivePipeline). The panel
 * owns the source and the hidden <video> it plays in; the canvas with the keypoints and the stats sit in
 * the sidebar tile or, shown large, in the main area (LiveStage), and the frame loop does not restart
 * when they move.
 */
export function WebcamPanel() {
  const selectedModels = useSelectedModels();
  // "Landmarks given the box" variants need a ground-truth box; a live frame has none.
  const models = useMemo(() => selectedModels.filter((m) => m.personInput !== 'box'), [selectedModels]);
  const [source, setSource] = useState<LiveSource | null>(null);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [cameraId, setCameraId] = useState<string>('');
  const [paused, setPaused] = useState(false);
  const [show3d, setShow3d] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const fileInputRef = useRef<HTMLInputElement>(null);
  const { large, slot, setLarge, setActive } = useLiveViewStore(useShallow((s) => ({ large: s.large, slot: s.slot, setLarge: s.setLarge, setActive: s.setActive })));

  // Declared before the pipeline, so the video has its source when the frame loop first looks at it.
  useEffect(() => {
    const video = videoRef.current;
    if (!source || !video) return;
    const onPlaying = () => setPaused(video.paused);
    // A file that ends has been played through: live mode ends and the batch goes on in the gallery.
    const onEnded = () => setSource(null);
    const onError = () => {
      if (source.kind !== 'file') return;
      setError(videoErrorText(source.name, source.type, video.error));
      setSource(null);
    };
    // A track that ends by itself (camera unplugged, switched off, permission revoked) fires 'ended';
    // stopping it ourselves does not, so this never fires for the Stop button.
    const tracks = source.kind === 'camera' ? source.stream.getVideoTracks() : [];
    const onTrackEnded = () => {
      setError(CAMERA_ENDED_TEXT);
      setSource(null);
    };
    video.addEventListener('play', onPlaying);
    video.addEventListener('pause', onPlaying);
    video.addEventListener('ended', onEnded);
    video.addEventListener('error', onError);
    for (const track of tracks) track.addEventListener('ended', onTrackEnded);
    const detach = attachSource(video, source);
    setPaused(false);
    return () => {
      video.removeEventListener('play', onPlaying);
      video.removeEventListener('pause', onPlaying);
      video.removeEventListener('ended', onEnded);
      video.removeEventListener('error', onError);
      for (const track of tracks) track.removeEventListener('ended', onTrackEnded);
      detach();
      releaseSource(source);
    };
  }, [source]);

  const { stats, attachCanvas, subscribeFrames } = useLivePipeline(source, videoRef, models);

  useEffect(() => setActive(source !== null), [source, setActive]);

  const refreshCameras = useCallback(async () => {
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    setCameras(devices.filter((d) => d.kind === 'videoinput'));
  }, []);

  const startCamera = async (deviceId?: string) => {
    setError(null);
    setSource(null);
    // navigator.mediaDevices is undefined outside a secure context (typed as always present).
    if (!(navigator as Partial<Navigator>).mediaDevices) {
      setError(NO_MEDIA_DEVICES_TEXT);
      return;
    }
    try {
      const media = await navigator.mediaDevices.getUserMedia({
        video: { ...CAPTURE_SIZE_PX, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) },
        audio: false,
      });
      setSource({ kind: 'camera', stream: media });
      setCameraId(media.getVideoTracks()[0]?.getSettings().deviceId ?? deviceId ?? '');
      await refreshCameras();
    } catch (e) {
      // Shown once, in the panel (a notice as well would say the same thing twice, side by side).
      setError(cameraStartErrorText(e));
    }
  };

  const playFile = (file: File) => {
    setError(null);
    setSource({ kind: 'file', url: URL.createObjectURL(file), name: file.name, type: file.type });
    // A video is chosen to be watched: it opens large (Esc or "Show small" puts it in the tile).
    setLarge(true);
  };

  const stop = () => setSource(null);

  const togglePlay = () => {
    const video = videoRef.current;
    if (!video) return;
    if (video.paused) video.play().catch(() => undefined);
    else video.pause();
  };

  const latencyText = useMemo(
    () =>
      models
        .map((m) => (stats.latencyMsByModel[m.id] !== undefined ? `${m.displayName} ${stats.latencyMsByModel[m.id]?.toFixed(1)} ms/frame` : null))
        .filter(Boolean)
        .join(' · '),
    [models, stats],
  );

  const shownLarge = large && slot !== null;
  const view = source && (
    <div className={shownLarge ? 'live-view live-view-large' : 'live-view'}>
      <div className="row-buttons">
        {source.kind === 'file' && (
          <button type="button" onClick={togglePlay}>
            {paused ? 'Play' : 'Pause'}
          </button>
        )}
        <button type="button" onClick={() => setLarge(!shownLarge)} title={shownLarge ? 'Back to the sidebar (Esc)' : 'Show in the main area'}>
          {shownLarge ? 'Show small' : 'Show large'}
        </button>
        <button type="button" className="view3d-toggle" aria-pressed={show3d} onClick={() => setShow3d(!show3d)} title="Show the live models' 3D output">
          3D
        </button>
        {source.kind === 'file' && <span className="live-source-name">{source.name}</span>}
      </div>
      <canvas ref={attachCanvas} className="webcam-canvas" role="img" aria-label={source.kind === 'camera' ? 'Webcam with keypoints' : 'Video with keypoints'} />
      <p
        className="live-stats"
        data-testid="webcam-stats"
        data-source={source.kind}
        data-fps={stats.fps.toFixed(1)}
        data-keypoints={stats.keypointsDrawn}
        data-frames={stats.framesDone}
        data-tensors={stats.workerTensors ?? ''}
        data-tensor-bytes={stats.workerTensorBytes ?? ''}
      >
        {stats.fps.toFixed(1)} FPS drawn · {latencyText || 'waiting for the first frame…'} · {stats.dropped} frames dropped while busy
        {shownLarge && ' · Esc: back to the sidebar'}
      </p>
      {show3d && <Live3D models={models} subscribeFrames={subscribeFrames} large={shownLarge} />}
    </div>
  );

  return (
    <section className="panel" aria-labelledby="webcam-heading">
      <h2 id="webcam-heading">Webcam</h2>
      <div className="row-buttons">
        {source?.kind === 'camera' ? (
          <button type="button" onClick={stop}>
            Stop webcam
          </button>
        ) : (
          <button type="button" onClick={() => void startCamera(cameraId || undefined)}>
            Start webcam
          </button>
        )}
        {source?.kind === 'file' ? (
          <button type="button" onClick={stop}>
            Stop video
          </button>
        ) : (
          <button type="button" onClick={() => fileInputRef.current?.click()}>
            Play a video file…
          </button>
        )}
        <input
          ref={fileInputRef}
          type="file"
          accept="video/*"
          className="visually-hidden"
          tabIndex={-1}
          aria-label="Video file"
          onChange={(event) => {
            const file = event.target.files?.[0];
            // Cleared, so choosing the same file again plays it again.
            event.target.value = '';
            if (file) playFile(file);
          }}
        />
        {cameras.length > 1 && (
          <label className="inline">
            Camera{' '}
            <select
              value={cameraId}
              onChange={(event) => {
                setCameraId(event.target.value);
                if (source?.kind === 'camera') void startCamera(event.target.value);
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
      <div className="webcam-view">
        {/* Not mirrored here: the canvas mirrors what it draws for the camera, keypoints included. */}
        <video ref={videoRef} muted playsInline className="visually-hidden" />
        {shownLarge ? source && <p className="live-stats">Shown large in the main area.</p> : view}
      </div>
      {shownLarge && view && slot && createPortal(view, slot)}
    </section>
  );
}
