/**
 * updateStateByKey: the state of every key, carried from batch to batch. The previous state RDD
 * and the batch's values (grouped by key with the same partitioner) are zipped partition by
 * partition, so a batch costs one pass over the state plus one over the new values.
 */
import type { DStream } from './dstream.js';
import type { DStreamPlan } from './plan.js';
import { RDD } from '../rdd/rdd.js';
import type { Partitioner } from '../rdd/partitioner.js';
import { KeyMap } from '../rdd/keys.js';
import type { Time } from '../time.js';

/**
 * Called for every key that has state or new values in a batch (also when `values` is empty).
 * Return the new state, or undefined to remove the key.
 */
export type UpdateStateFunction<K, V, S> = (values: V[], state: S | undefined, key: K, time: Time) => S | undefined;

/** Zips two RDDs placed by the same partitioner, partition by partition. */
export function zipPartitions<A, B, C>(kind: string, a: RDD<A>, b: RDD<B>, f: (as: A[], bs: B[], p: number) => C[]): RDD<C> {
  return new RDD<C>(a.ctx, {
    kind,
    numPartitions: a.numPartitions,
    parents: [a as RDD<unknown>, b as RDD<unknown>],
    partitioner: a.partitioner,
    async compute(p, attempt) {
      const [as, bs] = await Promise.all([a.iterator(p, attempt), b.iterator(p, attempt)]);
      return f(as, bs, p);
    },
  });
}

export function statePlan<K, V, S>(
  parent: DStream<[K, V]>,
  update: UpdateStateFunction<K, V, S>,
  partitioner: Partitioner,
  initialState: RDD<[K, S]> | undefined,
): DStreamPlan<[K, S]> {
  const slide = parent.slideDuration;
  const initial = initialState && (initialState.partitioner?.equals(partitioner) ? initialState : initialState.partitionBy(partitioner));
  return {
    kind: 'updateStateByKey',
    parents: [parent as DStream<unknown>],
    slideDuration: slide,
    mustCheckpoint: true,
    materialize: true,
    partitioner,
    compute(time, self) {
      const prev = (self.getOrCompute(time - slide) as RDD<[K, S]> | undefined) ?? initial;
      const data = parent.getOrCompute(time);
      if (prev === undefined && data === undefined) return undefined;
      const grouped = data ? data.groupByKey(partitioner) : (self.ssc.emptyRDD() as RDD<[K, V[]]>).partitionBy(partitioner);
      const previous = prev ?? (self.ssc.emptyRDD() as RDD<[K, S]>).partitionBy(partitioner);
      return zipPartitions('updateStateByKey', previous, grouped, (states, groups, p) => {
        const fresh = new KeyMap<K, [values: V[], seen: boolean]>();
        for (const [k, vs] of groups) fresh.set(k, [vs, false]);
        const out: Array<[K, S]> = [];
        // What the state log records of this batch: keys with new values are logged even when the
        // function returned the same (mutated) object; keys without values only when it returned
        // another one, so state objects are to be replaced, not mutated, when no value came.
        const upserts: Array<[K, S]> = [];
        const removes: K[] = [];
        for (const entry of states) {
          const [k, s] = entry;
          const g = fresh.get(k);
          let values: V[] = [];
          if (g) {
            g[1] = true;
            values = g[0];
          }
          const next = update(values, s, k, time);
          if (next === undefined) {
            removes.push(k);
            continue;
          }
          // Most keys keep their state in a batch: their entry is reused, not copied.
          const kept: [K, S] = Object.is(next, s) ? entry : [k, next];
          out.push(kept);
          if (g || kept !== entry) upserts.push(kept);
        }
        for (const [k, g] of fresh) {
          if (g[1]) continue;
          const next = update(g[0], undefined, k, time);
          if (next === undefined) continue;
          const added: [K, S] = [k, next];
          out.push(added);
          upserts.push(added);
        }
        self.recordStateChange(time, p, { upserts, removes });
        return out;
      });
    },
  };
}
