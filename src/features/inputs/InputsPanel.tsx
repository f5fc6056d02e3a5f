import { useEffect, useRef, useState } from 'react';
import { splitDuplicatesOffThread } from '../../media/duplicates';
import { IMAGE_PICKER_ACCEPT, READABLE_FORMATS_TEXT, filesFromDataTransfer, partitionImageFiles } from '../../media/imageFiles';
import { useAppStore } from '../../store/appStore';
import { useController } from '../../store/controllerContext';
import { importJsonFile, warnIfNoImageMatches } from '../../store/jsonImport';
import { pushNoticeOnce } from '../../store/noticeOnce';
import { JsonImportProgress } from './JsonImportProgress';
import { fetchSampleAnnotations, fetchSampleFile, loadSampleCatalogue, type SampleCatalogue } from './samples';

/** Input panel: "Add images" picker, folder/file drop anywhere on the page, paste, and the samples. */
export function InputsPanel() {
  const controller = useController();
  const pushNotice = useAppStore((s) => s.pushNotice);
  const clearImages = useAppStore((s) => s.clearImages);
  const imageCount = useAppStore((s) => s.images.length);
  const fileInput = useRef<HTMLInputElement>(null);
  const jsonInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [samples, setSamples] = useState<SampleCatalogue | null>(null);
  const [loadingSamples, setLoadingSamples] = useState(false);

  // Adds are checked for repeats one after another, so a second drop is checked against the first one's images
  // (they are in the store as soon as the first is checked; their decoding is not waited for).
  const addQueue = useRef<Promise<void>>(Promise.resolve());
  /**
   * `checkRepeats` false for pasted images: they get a new dated name each time, which no ground truth lists, so a
   * second paste of the same picture cannot be matched twice; pasting is asked for, each time.
   */
  const addImages = (images: { file: Blob; name: string }[], source: 'user' | 'sample' = 'user', checkRepeats = true): Promise<void> => {
    let decoded: Promise<void> = Promise.resolve();
    const checked = addQueue.current.then(async () => {
      const { unique, duplicates } = checkRepeats ? await splitDuplicatesOffThread(images, useAppStore.getState().images) : { unique: images, duplicates: [] };
      for (const { name, sameAs } of duplicates) {
        pushNoticeOnce('inputs', name === sameAs ? `${name}: already added (the same file); kept once, so ground truth matches it once` : `${name}: the same file as ${sameAs}, already added; kept once, so ground truth matches it once`);
      }
      if (unique.length === 0) return;
      decoded = controller.addFiles(unique, source);
      // The rows exist now (decoding goes on): ground truth that matches none of them is said at once.
      warnIfNoImageMatches();
    });
    addQueue.current = checked.catch(() => undefined);
    return checked.then(() => decoded);
  };

  const addFiles = (files: File[], checkRepeats = true) => {
    const { files: images, jsonFiles, skipped } = partitionImageFiles(files);
    for (const entry of skipped) pushNoticeOnce('inputs', `${entry.name}: ${entry.reason}`);
    for (const file of jsonFiles) void importJsonFile(file, file.name);
    if (images.length > 0) void addImages(images.map((file) => ({ file, name: file.name })), 'user', checkRepeats);
  };
  const addFilesRef = useRef(addFiles);
  useEffect(() => {
    addFilesRef.current = addFiles;
  });

  useEffect(() => {
    const abort = new AbortController();
    const { signal } = abort;
    let depth = 0;
    window.addEventListener('dragenter', (event) => {
      if (!event.dataTransfer?.types.includes('Files')) return;
      depth++;
      setDragging(true);
    }, { signal });
    window.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    }, { signal });
    window.addEventListener('dragover', (event) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    }, { signal });
    window.addEventListener('drop', (event) => {
      if (!event.dataTransfer) return;
      event.preventDefault();
      depth = 0;
      setDragging(false);
      void filesFromDataTransfer(event.dataTransfer).then((files) => addFilesRef.current(files));
    }, { signal });
    window.addEventListener('paste', (event) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
      const pasted = [...(event.clipboardData?.files ?? [])];
      // Clipboard images are all called "image.png"; give each a distinct, dated name.
      const unnamed = (file: File) => !file.name || file.name === 'image.png';
      const named = pasted.filter((file) => !unnamed(file));
      const renamed = pasted.filter(unnamed).map((file, index) => new File([file], `pasted-${new Date().toISOString().replace(/[:.]/g, '-')}-${index + 1}.png`, { type: file.type }));
      // Files pasted with their own name are checked for repeats like any other; renamed clipboard images are not
      // (see addImages).
      if (named.length > 0) addFilesRef.current(named);
      if (renamed.length > 0) addFilesRef.current(renamed, false);
    }, { signal });
    return () => abort.abort();
  }, []);

  const trySamples = async () => {
    setLoadingSamples(true);
    try {
      const catalogue = await loadSampleCatalogue();
      setSamples(catalogue);
      const files = await Promise.all(catalogue.images.map(async (sample) => ({ file: await fetchSampleFile(sample), name: sample.file })));
      // The samples' COCO annotations come too, unless the user already brought ground truth.
      if (!useAppStore.getState().groundTruth) await importJsonFile(await fetchSampleAnnotations(), 'samples/annotations.json');
      await addImages(files, 'sample');
    } catch (error) {
      pushNotice('inputs', `Samples could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setLoadingSamples(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="inputs-heading">
      <h2 id="inputs-heading">Images</h2>
      <input
        ref={fileInput}
        id="add-images-input"
        type="file"
        multiple
        accept={IMAGE_PICKER_ACCEPT}
        aria-label="Add images"
        className="visually-hidden"
        onChange={(event) => {
          addFiles([...(event.target.files ?? [])]);
          event.target.value = '';
        }}
      />
      <input
        ref={jsonInput}
        type="file"
        multiple
        accept=".json,application/json"
        aria-label="Add annotations or predictions"
        className="visually-hidden"
        onChange={(event) => {
          addFiles([...(event.target.files ?? [])]);
          event.target.value = '';
        }}
      />
      <div className="row-buttons">
        <button type="button" className="primary" onClick={() => fileInput.current?.click()}>
          Add images…
        </button>
        <button type="button" onClick={() => jsonInput.current?.click()} title="COCO keypoints annotations.json, or a COCO results file from another model">
          Add annotations / predictions…
        </button>
        <button type="button" onClick={() => void trySamples()} disabled={loadingSamples}>
          {loadingSamples ? 'Loading samples…' : 'Try sample images'}
        </button>
        {imageCount > 0 && (
          <button type="button" onClick={clearImages}>
            Clear
          </button>
        )}
      </div>
      <p className="hint">Drop images or whole folders anywhere, or paste (Ctrl+V). {READABLE_FORMATS_TEXT.replace(' or ', ', ')}; COCO keypoints annotations.json and results .json files can come along. Nothing leaves this browser.</p>
      <JsonImportProgress />
      {samples && (
        <p className="attribution" data-testid="sample-attribution">
          {samples.attribution}{' '}
          {samples.images.map((s, i) => (
            <span key={s.file}>
              {i > 0 ? '; ' : ''}
              <a href={s.sourceUrl} target="_blank" rel="noreferrer noopener">
                {s.file}
              </a>{' '}
              (<a href={s.licenceUrl} target="_blank" rel="noreferrer noopener">{s.licence}</a>)
            </span>
          ))}
        </p>
      )}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop images or folders to add them
        </div>
      )}
    </section>
  );
}
