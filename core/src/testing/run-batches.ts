/**
 * runBatches: unit-test a pipeline the way Spark's TestSuiteBase.testOperation does. A manual
 * clock starting at 0 drives batch k (from 1) at time k x batchInterval with `input[k-1]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamingContext } from '../context.js';
import type { StreamingContextOptions } from '../context-options.js';
import type { DStream } from '../dstream/dstream.js';
import { ManualClock } from '../util/clock.js';
import { TestInputDStream } from './test-input-dstream.js';
import { SluiceError } from '../errors.js';

export interface RunBatchesOptions<T, U = never> {
  /** Input per batch; `null` = the input stream yields no RDD for that batch. */
  input: ReadonlyArray<readonly T[] | null>;
  /** A second input stream, for two-stream operations (join, cogroup, transformWith). */
  input2?: ReadonlyArray<readonly U[] | null>;
  /** Batches to run (default: input.length). */
  numBatches?: number;
  /** Partitions of each input batch, split by position (default 2). */
  numPartitions?: number;
  /** Batch interval in ms (default 1000). */
  batchInterval?: number;
  /** Checkpoint directory (default: a fresh temporary directory, removed afterwards). */
  checkpointDir?: string;
  /** Further context options (parallelism, logger, ...). */
  contextOptions?: Omit<StreamingContextOptions, 'batchInterval' | 'clock' | 'checkpointDir'>;
}

type Build<T, U, O> = ((input: DStream<T>, ssc: StreamingContext) => DStream<O>) | ((input: DStream<T>, input2: DStream<U>, ssc: StreamingContext) => DStream<O>);

/**
 * Builds the pipeline with `build(input, [input2,] ssc)`, runs `numBatches` batches on a manual
 * clock, and resolves with the collected output of every batch at which the built stream produced
 * an RDD, in time order. Rejects with the error of a failing job.
 *
 * @example
 * ```ts
 * const out = await runBatches({ input: [['a', 'b'], ['a']] }, (s) => s.map((w) => [w, 1] as [string, number]).reduceByKey((a, b) => a + b));
 * // out: [[['a', 1], ['b', 1]], [['a', 1]]]
 * ```
 */
export function runBatches<T, O>(
  opts: RunBatchesOptions<T> & { input2?: undefined },
  build: (input: DStream<T>, ssc: StreamingContext) => DStream<O>,
): Promise<O[][]>;
/** The two-stream form: `build(input, input2, ssc)` (join, cogroup, transformWith). */
export function runBatches<T, U, O>(
  opts: RunBatchesOptions<T, U> & { input2: ReadonlyArray<readonly U[] | null> },
  build: (input: DStream<T>, input2: DStream<U>, ssc: StreamingContext) => DStream<O>,
): Promise<O[][]>;
// One signature per form (rather than a union of both callbacks) so `(s) => ...` gets its parameter types.
export async function runBatches<T, O, U = never>(opts: RunBatchesOptions<T, U>, build: Build<T, U, O>): Promise<O[][]> {
  const batchInterval = opts.batchInterval ?? 1000;
  const numBatches = opts.numBatches ?? opts.input.length;
  const numPartitions = opts.numPartitions ?? 2;
  const ownDir = opts.checkpointDir === undefined ? await mkdtemp(join(tmpdir(), 'sluice-test-')) : undefined;
  const clock = new ManualClock(0);
  const ssc = new StreamingContext({ ...opts.contextOptions, batchInterval, clock, checkpointDir: opts.checkpointDir ?? ownDir! });
  try {
    const input = new TestInputDStream<T>(ssc, opts.input, numPartitions);
    const output =
      opts.input2 === undefined
        ? (build as (i: DStream<T>, s: StreamingContext) => DStream<O>)(input, ssc)
        : (build as (i: DStream<T>, i2: DStream<U>, s: StreamingContext) => DStream<O>)(input, new TestInputDStream<U>(ssc, opts.input2, numPartitions), ssc);
    if (!output || typeof output.foreachRDD !== 'function') throw new SluiceError('INVALID_OPTION', 'runBatches: build must return a DStream');
    const results: Array<[number, O[]]> = [];
    output.foreachRDD(async (rdd, time) => {
      results.push([time, await rdd.collect()]);
    }, 'runBatches.collect');
    await ssc.start();
    const failed = ssc.awaitTermination();
    failed.catch(() => {});
    for (let k = 1; k <= numBatches; k++) {
      clock.setTime(k * batchInterval);
      await Promise.race([ssc.jobScheduler!.awaitBatch(k * batchInterval), failed.then(() => {
        throw new SluiceError('STOPPED', `The context stopped before batch ${k} completed`);
      })]).catch(async (e: unknown) => {
        // A context stopped by an error rejects waiters with STOPPED first: report the error itself.
        await failed;
        throw e;
      });
    }
    await ssc.stop();
    await failed;
    return results.sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  } finally {
    await ssc.stop();
    if (ownDir) await rm(ownDir, { recursive: true, force: true });
  }
}
