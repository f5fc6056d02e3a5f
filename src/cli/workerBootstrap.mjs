// Worker-thread entry for `keypoint-bench eval --threads N`: module loader hooks registered in the main thread do
// not reach worker threads, so each worker registers tsx itself before loading the TypeScript worker module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entryUrl);
