import { useEffect, useState } from 'react';
import { ORBIT_HINT } from '../../core/pose3d';
import { layoutById } from '../../core/layouts';
import type { ModelInfo, Pose } from '../../core/types';
import { MODEL_IDS } from '../../inference/modelCatalogue';
import { modelColour } from '../../render/palette';
import { useAppStore } from '../../store/appStore';
import { Pose3DPanel } from '../../ui/Pose3DView';

type Subscribe = (listener: (posesByModel: ReadonlyMap<string, Pose[]>) => void) => () => void;

/**
 * The live models in 3D, one panel per model side by side, updated with every answered frame (the scenes write the
 * new points into their existing buffers). Models without 3D output say so in their slot.
 */
export function Live3D({ models, subscribeFrames, large }: { models: readonly ModelInfo[]; subscribeFrames: Subscribe; large: boolean }) {
  const threshold = useAppStore((s) => s.confidenceThreshold);
  const [posesByModel, setPosesByModel] = useState<ReadonlyMap<string, Pose[]>>(new Map());
  // The pipeline's map is updated in place: a copy per frame tells React which models' poses are new.
  useEffect(() => subscribeFrames((map) => setPosesByModel(new Map(map))), [subscribeFrames]);
  return (
    <section className="live-3d" aria-label="Live 3D views" data-testid="live-3d">
      <p className="hint pose3d-hint">{ORBIT_HINT.replace(' (Tab out, then ←/→ step images; Esc leaves)', '')}</p>
      <div className="compare-3d-grid" style={{ gridTemplateColumns: `repeat(${large ? Math.min(3, Math.max(1, models.length)) : 1}, 1fr)` }}>
        {models.map((model) => (
          <div key={model.id} data-model-id={model.id} className="compare-3d-slot">
            <Pose3DPanel
              title={model.displayName}
              colour={modelColour(model.id, MODEL_IDS)}
              poses={posesByModel.get(model.id) ?? null}
              layout={layoutById(model.keypointLayout)}
              threshold={threshold}
              pendingText="Waiting for the first frame…"
              heightCssPx={large ? 300 : 200}
              live
            />
          </div>
        ))}
      </div>
    </section>
  );
}
