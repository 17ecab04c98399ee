/**
 * Runs one task per partition with bounded concurrency, retrying a failing task by recomputing it
 * from lineage, and yielding to the event loop between tasks so no job holds it for longer than
 * one partition's work.
 */
import { SluiceError, asError } from '../errors.js';

export interface TaskRunOptions {
  /** Tasks in flight at once (>= 1). */
  concurrency: number;
  /** Attempts per task (>= 1). */
  maxAttempts: number;
  /** Names the job in error messages, e.g. "RDD 12 (reduceByKey)". */
  what: string;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Calls `task(p, attempt)` for every partition in `partitions` and resolves with the results in
 * partition order. A task that throws is retried (`attempt` counts from 0); when it has failed
 * `maxAttempts` times the whole run rejects with a TASK_FAILED error carrying the last cause, and no
 * further tasks are started.
 */
export async function runTasks<R>(
  partitions: readonly number[],
  task: (partition: number, attempt: number) => Promise<R> | R,
  opts: TaskRunOptions,
): Promise<R[]> {
  const results = new Array<R>(partitions.length);
  let next = 0;
  let failed: Error | undefined;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < partitions.length) {
      const i = next++;
      const p = partitions[i]!;
      for (let attempt = 0; ; attempt++) {
        try {
          results[i] = await task(p, attempt);
          break;
        } catch (e) {
          if (failed !== undefined) return;
          if (attempt + 1 >= opts.maxAttempts) {
            const cause = asError(e);
            failed = new SluiceError(
              'TASK_FAILED',
              `Task for partition ${p} of ${opts.what} failed ${attempt + 1} time(s); last error: ${cause.message}`,
              { cause },
            );
            return;
          }
        }
      }
      await yieldToEventLoop();
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency, partitions.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (failed !== undefined) throw failed;
  return results;
}
