/**
 * Runs a state log compaction on a worker thread, so the batches go on on the main thread while
 * the whole state is read, folded and written on another core.
 */
import { Worker } from 'node:worker_threads';
import type { StateLogRef } from './state-log.js';

/** Resolves with the compacted file; rejects when the worker fails or exits without one. */
export function compactInWorker(dir: string, operatorId: string, ref: StateLogRef, keepSlicesAfter: number): Promise<{ file: string; bytes: number }> {
  const workerData = { dir, operatorId, ref, keepSlicesAfter };
  // Run from TypeScript sources (tests, the repo's own scripts under tsx), the worker needs tsx's
  // loader, which a worker does not inherit; the built package runs the compiled worker as it is.
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './compact-worker.ts' : './compact-worker.js', import.meta.url);
  const worker = fromSource
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`, {
        eval: true,
        workerData,
      })
    : new Worker(entry, { workerData });
  worker.unref(); // a compaction never keeps the process alive: the log it would replace stays valid
  return new Promise((resolve, reject) => {
    worker.once('message', (file: { file: string; bytes: number }) => resolve(file));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the compaction worker exited (code ${code}) without a result`)));
  });
}
