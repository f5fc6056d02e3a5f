// The label run (issue 13 at scale): N photos in Label mode, as a labeller works through them. Adds the photos with
// one model, waits for its cells, then times what a labeller waits for: opening the Label tab, "Pre-label every
// to-do image", one keyboard nudge (key press to the next painted frame), going to the next image, accepting one
// (Enter: done, and the next image to do opens), and saving one edit to IndexedDB (the session's flush). Medians
// and maxima over repeated presses; the page's long tasks are reported beside them.
/* global window, document, performance, requestAnimationFrame, KeyboardEvent, PerformanceObserver, MessageChannel */
import { waitForApp } from './app.mjs';

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) / 2)];
};
const summary = (values) => ({ n: values.length, medianMs: median(values), maxMs: values.length ? Math.max(...values) : null });

/**
 * In the page: dispatches one key press and resolves with the time until the frame that shows it is painted (the
 * next animation frame, then a message posted from it, which runs after that frame's paint). A frame interval
 * (16.7 ms at 60 Hz) bounds it from below whatever the work: the run reports the page's interval beside it.
 */
function pressAndPaint({ key, shiftKey = false, ctrlKey = false }) {
  return new Promise((resolve) => {
    const start = performance.now();
    window.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey, ctrlKey, bubbles: true, cancelable: true }));
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now() - start);
      channel.port2.postMessage(null);
    });
  });
}

/**
 * In the page: → to the next image, and the time until a frame shows its full picture (the decoded photo, not the
 * thumbnail: the canvas's data-picture says which), checked every frame.
 */
function nextImageUntilFull() {
  return new Promise((resolve) => {
    const label = () => document.querySelector('[data-testid=label-image]')?.getAttribute('data-file-name');
    const before = label();
    const start = performance.now();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, cancelable: true }));
    const check = () => {
      const canvas = document.querySelector('[data-testid=label-canvas]');
      if (label() !== before && canvas?.getAttribute('data-picture') === 'full') {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve(performance.now() - start);
        channel.port2.postMessage(null);
      } else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

/** In the page: the median interval between animation frames over `frames` idle frames. */
function frameIntervalMs(frames) {
  return new Promise((resolve) => {
    const times = [];
    const tick = (t) => {
      times.push(t);
      if (times.length > frames) {
        const gaps = times.slice(1).map((v, i) => v - times[i]).sort((a, b) => a - b);
        resolve(gaps[Math.floor(gaps.length / 2)]);
      } else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

const labelState = () => {
  const s = window.keypointBench.getState();
  const doc = s.labelHistory?.present ?? null;
  return { images: doc ? Object.keys(doc.images).length : 0, persons: doc ? Object.values(doc.images).reduce((n, im) => n + im.persons.length, 0) : 0, fileName: s.labelCursor.fileName };
};

export async function runLabelScale({ context, url, imagePaths, modelId, presses, timeoutS, log }) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__kbLongTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__kbLongTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url);
  await waitForApp(page);
  await page.evaluate((id) => window.keypointBench.getState().setSelectedModels([id]), modelId);
  const started = Date.now();
  await page.getByLabel('Add images', { exact: true }).setInputFiles(imagePaths);
  await page.waitForFunction(
    ({ count, id }) => {
      const s = window.keypointBench.getState();
      return s.images.length === count && s.images.every((im) => im.status === 'error' || s.results[`${im.id}|${id}`]?.status === 'done');
    },
    { count: imagePaths.length, id: modelId },
    { timeout: timeoutS * 1000, polling: 1000 },
  );
  const modelRunMs = Date.now() - started;
  log(`label run: ${imagePaths.length} images × ${modelId} done in ${(modelRunMs / 1000).toFixed(0)} s`);
  await page.evaluate(() => (window.__kbLongTasks.length = 0));

  let t = Date.now();
  await page.getByRole('tab', { name: 'Label' }).click();
  await page.getByRole('button', { name: 'Start labelling' }).click();
  await page.getByTestId('label-image').waitFor();
  const openMs = Date.now() - t;

  const displayName = await page.getByLabel('Pre-label from').evaluate((select) => select.selectedOptions[0]?.textContent ?? '');
  t = Date.now();
  await page.getByRole('button', { name: /^Pre-label every to-do image/ }).click();
  await page.waitForFunction((count) => {
    const doc = window.keypointBench.getState().labelHistory?.present;
    return doc && Object.keys(doc.images).length >= count;
  }, imagePaths.length, { timeout: timeoutS * 1000 });
  const prelabelAllMs = Date.now() - t;
  const afterPrelabel = await page.evaluate(labelState);
  log(`label run: pre-labelled ${afterPrelabel.images} images (${afterPrelabel.persons} persons) from ${displayName} in ${prelabelAllMs} ms`);

  // A visible keypoint to nudge: the first person's first labelled one on this image.
  await page.evaluate(() => {
    const s = window.keypointBench.getState();
    const doc = s.labelHistory.present;
    const name = s.labelCursor.fileName ?? s.images[0].name;
    const person = doc.images[name]?.persons[0];
    if (person) s.setLabelCursor({ fileName: name, personKey: person.key, keypointIndex: Math.max(0, person.keypoints.findIndex((k) => k.v > 0)) });
  });
  const frameMs = await page.evaluate(frameIntervalMs, 30);
  const nudges = [];
  for (let i = 0; i < presses; i++) nudges.push(await page.evaluate(pressAndPaint, { key: 'ArrowRight', shiftKey: true }));
  const saves = [];
  for (let i = 0; i < Math.min(presses, 20); i++) {
    await page.evaluate(pressAndPaint, { key: 'ArrowDown', shiftKey: true });
    saves.push(await page.evaluate(async () => {
      const start = performance.now();
      await window.keypointBench.flushSession();
      return performance.now() - start;
    }));
  }
  const nextImage = [];
  for (let i = 0; i < presses; i++) nextImage.push(await page.evaluate(pressAndPaint, { key: 'ArrowRight' }));
  // The full picture: stepping at a labeller's pace (a second on each image, while the next one decodes ahead).
  const nextImageFull = [];
  for (let i = 0; i < Math.min(presses, 10); i++) {
    await page.waitForTimeout(1000);
    nextImageFull.push(await page.evaluate(nextImageUntilFull));
  }
  const accepts = [];
  for (let i = 0; i < presses; i++) accepts.push(await page.evaluate(pressAndPaint, { key: 'Enter' }));
  const end = await page.evaluate(() => {
    const s = window.keypointBench.getState();
    const doc = s.labelHistory.present;
    return { done: Object.values(doc.images).filter((im) => im.status === 'done').length, longTasks: window.__kbLongTasks, heapBytes: performance.memory?.usedJSHeapSize ?? null };
  });
  await page.close();
  return {
    images: imagePaths.length,
    modelId,
    modelRunMs,
    frameIntervalMs: frameMs,
    openLabelTabMs: openMs,
    prelabelAllMs,
    prelabelled: afterPrelabel,
    nudgeToPaint: summary(nudges),
    saveOneEdit: summary(saves),
    nextImageToPaint: summary(nextImage),
    nextImageToFullPicture: summary(nextImageFull),
    acceptToPaint: summary(accepts),
    imagesDoneAtEnd: end.done,
    longTasks: { count: end.longTasks.length, maxMs: end.longTasks.length ? Math.max(...end.longTasks) : 0 },
    heapBytesAtEnd: end.heapBytes,
  };
}
