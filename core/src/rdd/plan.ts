/**
 * How an RDD computes its partitions. The RDD class is one concrete class; each kind of RDD
 * (parallelized data, a fused chain of narrow transformations, a shuffle, a union, ...) is a plan.
 * Plans live in their own files and import the RDD class as a type only, which keeps the module
 * graph free of cycles.
 */
import type { RDD } from './rdd.js';
import type { Partitioner } from './partitioner.js';

/**
 * A push stage of a fused narrow pipeline: given where to emit outputs, returns what to call with
 * each input. map, filter and flatMap compose into one loop per partition this way.
 */
export type Stage<S, T> = (emit: (t: T) => void) => (s: S) => void;

export interface RDDPlan<T> {
  /** What the RDD is, for messages and debugging (e.g. "reduceByKey"). */
  readonly kind: string;
  readonly numPartitions: number;
  /** The RDDs this one is computed from (its lineage). */
  readonly parents: readonly RDD<unknown>[];
  /** Set when the RDD's pairs are placed by key (so joins and reduces can skip a shuffle). */
  readonly partitioner?: Partitioner | undefined;
  /** Set when this RDD is `stage` applied to `source`'s partitions (so further stages fuse). */
  readonly pipeline?: { readonly source: RDD<unknown>; readonly stage: Stage<unknown, T> } | undefined;
  /** Computes one partition. Called again (from lineage) when a task is retried. */
  compute(partition: number, attempt: number): T[] | Promise<T[]>;
  /**
   * Optional: pushes one partition's elements to `emit` without building the array (a source that
   * decodes its elements, e.g. a block of lines kept as bytes). Fused stages and shuffles use it.
   */
  stream?(partition: number, attempt: number, emit: (t: T) => void): Promise<void>;
  /** Forgets memoised intermediate results after a failure, so a retry recomputes them. */
  reset?(): void;
}
