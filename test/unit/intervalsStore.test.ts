/**
 * The store side of the intervals: what goes to the analysis worker (the images every column scored, in
 * ground-truth order, with each column's results and latencies on them), and the job itself run where there is no
 * worker (Node), as the page runs it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { computeAnalysis } from '../../src/analysis/analysisClient';
import { useAppStore } from '../../src/store/appStore';
import { evaluationSnapshot } from '../../src/store/evaluationResults';
import { bootstrapRequestOf } from '../../src/store/intervals';
import { cellKey, type CellResult, type ImageItem } from '../../src/store/types';
import { peopleGroundTruth, perfectBlazePose, perfectCocoPose, scorable } from './evaluation/peopleFixture';

const gt = peopleGroundTruth();
const initial = useAppStore.getInitialState();

const image = (name: string): ImageItem => ({ id: `app-${name}`, name, file: new Blob([]), source: 'user', status: 'ready', widthPx: 640, heightPx: 480, thumbnail: null, error: null });
const done = (poses: CellResult['poses'], latencyMs: number): CellResult => ({ status: 'done', poses, imageLatencyMs: latencyMs, inferences: 1, backend: 'wasm', requestId: null, error: null });

beforeEach(() => useAppStore.setState(initial, true));

describe('intervals in the store', () => {
  it('resamples the images every column scored, in ground-truth order, with latencies aligned to them', async () => {
    const annotated = gt.images.filter((im) => gt.annotations.some((a) => a.image_id === im.id && scorable(a)));
    expect(annotated.length).toBeGreaterThanOrEqual(4);
    const images = annotated.map((im) => image(im.file_name!));
    const results: Record<string, CellResult> = {};
    annotated.forEach((im, i) => {
      const people = gt.annotations.filter((a) => a.image_id === im.id && scorable(a));
      // Lightning scored every image; BlazePose lite all but the first, so the first is left out of the intervals.
      results[cellKey(images[i]!.id, 'movenet-lightning')] = done(people.map((a) => perfectCocoPose(a)), 10 + i);
      if (i > 0) results[cellKey(images[i]!.id, 'blazepose-lite')] = done(people.map((a) => perfectBlazePose(a)), 20 + i);
    });
    useAppStore.setState({
      images,
      results,
      groundTruth: { fileName: 'annotations.json', sha256: null, dataset: gt, problems: [] },
      selectedModelIds: ['movenet-lightning', 'blazepose-lite'],
      evaluationProtocol: 'whole',
    });
    const state = useAppStore.getState();
    const snapshot = evaluationSnapshot(state)!;
    const built = bootstrapRequestOf(state, snapshot, 1000, 3)!;
    const common = annotated.slice(1).map((im) => im.id);
    // Ground-truth file order, whatever order results arrived in.
    expect(built.request.imageIds).toEqual(gt.images.map((im) => im.id).filter((id) => common.includes(id)));
    expect(built.imagesScoredMax).toBe(annotated.length);
    expect(built.request.gt.images.map((im) => im.id).sort()).toEqual([...common].sort());
    const lightning = built.request.columns.find((c) => c.columnId === 'movenet-lightning')!;
    expect(lightning.results.every((r) => common.includes(r.image_id))).toBe(true);
    // Latency i belongs to image i of the request.
    expect(lightning.imageLatencyMs).toEqual(built.request.imageIds.map((id) => 10 + annotated.findIndex((im) => im.id === id)));
    expect([built.request.resamples, built.request.seed, built.request.errorAnalysis]).toEqual([1000, 3, true]);

    // The job, run here as the page runs it without a worker: perfect poses give AP 1 with a [1, 1] interval, and
    // every labelled keypoint of every matched person is Good.
    const phases = new Set<string>();
    const report = await computeAnalysis(built.request, (phase) => phases.add(phase), new AbortController().signal);
    expect([...phases]).toEqual(['preparing', 'resampling', 'errors']);
    for (const column of report.bootstrap.columns) expect([column.intervals.AP.point, column.intervals.AP.lower, column.intervals.AP.upper], column.columnId).toEqual([1, 1, 1]);
    for (const column of report.errors ?? []) {
      const a = column.summary.analysis!;
      expect(a.counts.good, column.summary.columnId).toBe(a.labelledKeypoints);
      expect(a.labelledKeypoints).toBeGreaterThan(0);
    }
  });
});
