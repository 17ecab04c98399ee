/**
 * reduceByKeyAndWindow with an inverse function, computed incrementally as Spark's
 * ReducedWindowedDStream: window(t) = window(t - slide) - leaving slices + entering slices, so the
 * cost of a batch follows the slide, not the window.
 */
import type { DStream } from './dstream.js';
import type { DStreamPlan } from './plan.js';
import type { RDD } from '../rdd/rdd.js';
import type { Partitioner } from '../rdd/partitioner.js';
import type { Duration } from '../time.js';
import { SluiceError } from '../errors.js';

export interface ReducedWindowOptions<K, V> {
  reduce: (a: V, b: V) => V;
  invReduce: (a: V, b: V) => V;
  windowDuration: Duration;
  slideDuration: Duration;
  partitioner: Partitioner;
  filter?: ((kv: [K, V]) => boolean) | undefined;
}

export function reducedWindowedPlan<K, V>(parent: DStream<[K, V]>, o: ReducedWindowOptions<K, V>): DStreamPlan<[K, V]> {
  // Each batch is reduced once, when it enters a window, and read from the cache when it leaves
  // (Spark persists this stream too): the receiver's blocks are read back one slide, not a window.
  const reduced = parent.reduceByKey(o.reduce, o.partitioner).cacheComputedWithin(o.slideDuration);
  const parentSlide = parent.slideDuration;
  const { reduce, invReduce, windowDuration, slideDuration, partitioner, filter } = o;
  return {
    kind: 'reduceByKeyAndWindow',
    parents: [reduced as DStream<unknown>],
    slideDuration,
    parentRememberExtra: windowDuration,
    mustCheckpoint: true,
    materialize: true,
    partitioner,
    readsBack: { stream: reduced as DStream<unknown>, keepFor: windowDuration + slideDuration },
    compute(time, self) {
      const curBegin = time - windowDuration + parentSlide;
      const prevBegin = curBegin - slideDuration;
      const prevEnd = time - slideDuration;
      // Leaving: in the previous window, not in this one; entering: in this one, not the previous.
      // (The min/max matter when the slide is longer than the window: batches between two windows
      // are in neither.)
      const oldRDDs = reduced.slice(prevBegin, Math.min(curBegin - parentSlide, prevEnd)) as RDD<[K, V]>[];
      const newRDDs = reduced.slice(Math.max(prevEnd + parentSlide, curBegin), time) as RDD<[K, V]>[];
      const prevRDD = (self.getOrCompute(prevEnd) ?? self.ssc.emptyRDD()) as RDD<[K, V]>;
      // The leaving and the entering batches are each merged into one RDD first (a slide of 1,000
      // small batches would otherwise give every key 2,001 groups), then joined with the previous
      // window: value = invReduce(previous, leaving) then reduce(.., entering).
      const merge = (rdds: RDD<[K, V]>[]): RDD<[K, V]> =>
        rdds.length === 0 ? (self.ssc.emptyRDD() as RDD<[K, V]>) : rdds.length === 1 ? rdds[0]! : rdds[0]!.union(...rdds.slice(1)).reduceByKey(reduce, partitioner);
      const cogrouped = prevRDD.cogroupAll([merge(oldRDDs), merge(newRDDs)] as RDD<[K, unknown]>[], partitioner);
      return cogrouped.mapPartitionsWithIndex((p, items) => {
        const out: Array<[K, V]> = [];
        // The state log records keys whose value changed (a leaving or entering value) and keys
        // that leave the window (the filter drops them).
        const upserts: Array<[K, V]> = [];
        const removes: K[] = [];
        for (const [k, groups] of items) {
          const [prev, olds, news] = groups as [V[], V[], V[]];
          const changed = olds.length > 0 || news.length > 0;
          let value: V;
          if (prev.length === 0) {
            if (news.length === 0) {
              throw new SluiceError(
                'INVALID_STATE',
                'reduceByKeyAndWindow: a key has neither a value in the previous window nor new values. Is invReduce the exact inverse of reduce, and is the filter consistent?',
              );
            }
            value = news[0] as V;
          } else {
            value = prev[0] as V;
            if (olds.length > 0) value = invReduce(value, olds[0] as V);
            if (news.length > 0) value = reduce(value, news[0] as V);
          }
          const kv: [K, V] = [k, value];
          if (filter && !filter(kv)) {
            if (prev.length > 0) removes.push(k);
            continue;
          }
          out.push(kv);
          if (changed) upserts.push(kv);
        }
        self.recordStateChange(time, p, { upserts, removes });
        return out;
      }, true);
    },
  };
}
