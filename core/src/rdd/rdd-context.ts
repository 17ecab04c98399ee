/**
 * What every RDD of one StreamingContext shares: how many tasks may run at once, how often a
 * failing task is retried, the default number of partitions for shuffles, and RDD ids.
 */
export interface RDDContext {
  /** Tasks (partitions) of one job that may be in flight at once. */
  readonly parallelism: number;
  /** Attempts per task before the job fails (Spark's spark.task.maxFailures, default 4). */
  readonly maxTaskFailures: number;
  /** Partitions of a shuffle when the caller names none. */
  readonly defaultNumPartitions: number;
  /** A fresh RDD id (unique within the context). */
  nextRddId(): number;
}

export interface RDDContextOptions {
  parallelism?: number;
  maxTaskFailures?: number;
  defaultNumPartitions?: number;
}

/** Creates the shared RDD context (the StreamingContext makes one; tests may make their own). */
export function createRDDContext(opts: RDDContextOptions = {}): RDDContext {
  let id = 0;
  const parallelism = opts.parallelism ?? 2;
  return {
    parallelism,
    maxTaskFailures: opts.maxTaskFailures ?? 4,
    defaultNumPartitions: opts.defaultNumPartitions ?? parallelism,
    nextRddId: () => ++id,
  };
}
