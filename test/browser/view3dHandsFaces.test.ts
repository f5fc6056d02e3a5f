/**
 * The 3D view for hands and faces (issue 12.8), as a user meets it: the photo of a man holding a frame with both
 * hands, MediaPipe Hands (world landmarks in metres) and Face Mesh (z relative to the image, drawn as a shaded surface)
 * side by side, the "3D" toggle. Each panel is shown with its units and draws a real share of its canvas; the face's
 * surface covers far more of it than the hand's dots and bones.
 */
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS, REPO_ROOT, openApp, selectModels, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const PHOTO = '000000256353.jpg';
const PHOTO_PATH = join(REPO_ROOT, 'test', 'fixtures', 'hands-faces', PHOTO);
const HAND = MODELS.find((m) => m.kind === 'hand' && m.runtime === 'tfjs' && /full/i.test(m.name))!;
const FACE = MODELS.find((m) => m.kind === 'face' && m.runtime === 'tfjs' && !/attention/i.test(m.name))!;
/** The 3D canvases' background (ui/Pose3DView POSE3D_STYLE). */
const BACKGROUND = [0x0b, 0x0c, 0x0f];

let app: AppSession;

beforeAll(async () => {
  app = await openApp({ viewport: { width: 1400, height: 1000 } });
  await waitForBackend(app.page);
  await selectModels(app.page, [HAND.name, FACE.name]);
  await app.page.getByLabel('Add images', { exact: true }).setInputFiles([PHOTO_PATH]);
  await waitForCellsDone(app.page, [PHOTO], [HAND.id, FACE.id], 240_000);
  await app.page.locator(`.gallery-row[data-image-name="${PHOTO}"] .row-title button.link`).click();
  await app.page.locator('section.compare').waitFor();
}, 300_000);

afterAll(async () => {
  await app?.close();
});

const panel = (modelId: string) => app.page.locator(`.compare-3d-slot[data-model-id="${modelId}"] .pose3d-panel`);

/** Pixels of the panel's 3D canvas that differ from the background: what the scene drew. */
async function drawnShare(modelId: string): Promise<number> {
  const dataUrl = await panel(modelId).locator('canvas.pose3d-canvas').evaluate((c) => (c as HTMLCanvasElement).toDataURL('image/png'));
  const png = PNG.sync.read(Buffer.from(dataUrl.split(',')[1] ?? '', 'base64'));
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (Math.abs(png.data[i]! - BACKGROUND[0]!) + Math.abs(png.data[i + 1]! - BACKGROUND[1]!) + Math.abs(png.data[i + 2]! - BACKGROUND[2]!) > 30) n++;
  }
  return n / (png.width * png.height);
}

describe('The 3D view for hands and faces', () => {
  it('shows both hands in metres and the face as a surface, each drawing its share of the canvas', async () => {
    await app.page.getByRole('button', { name: '3D', exact: true }).click();
    for (const model of [HAND, FACE]) await expect.poll(() => panel(model.id).getAttribute('data-status'), { timeout: 20_000 }).toBe('shown');
    expect(await panel(HAND.id).getAttribute('data-depth-source')).toBe('world');
    expect(await panel(HAND.id).locator('figcaption').textContent()).toContain('metres');
    // Face Mesh has no metric landmarks: its z is relative, and the caption says so rather than claim metres.
    expect(await panel(FACE.id).getAttribute('data-depth-source')).toBe('relative');
    expect(await panel(FACE.id).locator('figcaption').textContent()).not.toContain('metres');
    // Rendering is asynchronous: wait until both canvases drew something.
    await expect.poll(() => drawnShare(HAND.id), { timeout: 20_000 }).toBeGreaterThan(0.002);
    await expect.poll(() => drawnShare(FACE.id), { timeout: 20_000 }).toBeGreaterThan(0.002);
    const hand = await drawnShare(HAND.id), face = await drawnShare(FACE.id);
    console.log(`3D: ${HAND.name} draws ${(hand * 100).toFixed(1)}% of its canvas, ${FACE.name} ${(face * 100).toFixed(1)}%`);
    // A shaded surface of 852 triangles fills an area; 2 × 21 dots and bones are lines (measured: 21% against 4.4%).
    expect(face).toBeGreaterThan(hand);
  });
});
