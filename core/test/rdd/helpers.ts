/** Helpers of the RDD unit tests: an RDD context from the public API, and partition inspection. */
import { RDD, StreamingContext, type RDDContext, type StreamingContextOptions } from '@sluice/core';
import type { SluiceError } from '@sluice/core';

/** The RDD context of a (never started) StreamingContext with the given options. */
export function rddContext(opts: Omit<StreamingContextOptions, 'batchInterval'> = {}): RDDContext {
  return new StreamingContext({ batchInterval: 1000, parallelism: 2, ...opts }).rddContext;
}

/** `items` in `numSlices` partitions, as ssc.parallelize does. */
export function par<T>(items: Iterable<T>, numSlices = 2, ctx: RDDContext = rddContext()): RDD<T> {
  return RDD.parallelize(ctx, items, numSlices);
}

/** Every partition's elements, in partition order. */
export async function partitions<T>(rdd: RDD<T>): Promise<T[][]> {
  return rdd.glom().collect();
}

/** The first error in `e`'s cause chain (itself included) with this code. */
export function causeWithCode(e: unknown, code: string): SluiceError | undefined {
  for (let c: unknown = e; c instanceof Error; c = c.cause) if ((c as SluiceError).code === code) return c as SluiceError;
  return undefined;
}

/** Compares two values for sorting tests' output (numbers numerically, everything else by JSON). */
export function byJson(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
