/** Test helpers for Sluice pipelines: a manual clock and Spark-style batch-by-batch runs. */
export { ManualClock } from '../util/clock.js';
export { runBatches, type RunBatchesOptions } from './run-batches.js';
export { TestInputDStream } from './test-input-dstream.js';
