/**
 * Shuffles: every parent partition is computed once, its pairs combined map-side into per-target
 * buckets by key, then each output partition reads its bucket. One process holds all buckets, so
 * the map-side combine and the reduce-side merge are one step.
 */
import type { RDD } from './rdd.js';
import type { RDDPlan } from './plan.js';
import type { Partitioner } from './partitioner.js';
import { KeyMap } from './keys.js';

/** Spark's Aggregator: how values of one key become one combined value. */
export interface Aggregator<V, C> {
  createCombiner(v: V): C;
  mergeValue(c: C, v: V): C;
  mergeCombiners(a: C, b: C): C;
}

/** Computes every partition of `rdd`, in order, through the RDD's task runner. */
export type ComputeAll = <T>(rdd: RDD<T>) => Promise<T[][]>;

const same = <C>(c: C): C => c;

/** A memo of an async result that forgets a failure so the next call recomputes. */
export function memoAsync<R>(make: () => Promise<R>): { get(): Promise<R>; reset(): void } {
  let memo: Promise<R> | undefined;
  return {
    get() {
      if (!memo) {
        const p = make();
        memo = p;
        p.catch(() => {
          if (memo === p) memo = undefined;
        });
      }
      return memo;
    },
    reset() {
      memo = undefined;
    },
  };
}

export function shuffledPlan<K, V, C>(kind: string, parent: RDD<[K, V]>, partitioner: Partitioner, aggregator: Aggregator<V, C>): RDDPlan<[K, C]> {
  const n = partitioner.numPartitions;
  const { createCombiner, mergeValue, mergeCombiners } = aggregator;
  // Map side: each parent partition streams its pairs (a fused narrow chain produces them one by
  // one, never as an array) into buckets of its own, one per output partition, combining as it goes.
  const mapSide = memoAsync(() =>
    parent.runStreamingJob(() => {
      const local = Array.from({ length: n }, () => new KeyMap<K, C>());
      return {
        emit: (pair: [K, V]) => local[n === 1 ? 0 : partitioner.getPartition(pair[0])]!.combine(pair[0], pair[1], createCombiner, mergeValue),
        done: () => local,
      };
    }),
  );
  // Reduce side, one output partition per task: merge that bucket of every map-side partition, in
  // partition order (deterministic output order). Merging folds later combiners into the first
  // one (a groupByKey array grows in place), so each output partition is merged once and kept.
  let reduced: Array<Promise<Array<[K, C]>> | undefined> = new Array(n);
  const reduce = async (p: number): Promise<Array<[K, C]>> => {
    const perPartition = await mapSide.get();
    const out: Array<[K, C]> = [];
    if (perPartition.length === 1) {
      perPartition[0]![p]!.appendEntriesTo(out);
      return out;
    }
    const merged = new KeyMap<K, C>();
    for (const local of perPartition) for (const [k, c] of local[p]!) merged.combine(k, c, same, mergeCombiners);
    merged.appendEntriesTo(out);
    return out;
  };
  return {
    kind,
    numPartitions: n,
    parents: [parent as RDD<unknown>],
    partitioner,
    compute: (p) => (reduced[p] ??= reduce(p)),
    reset: () => {
      mapSide.reset();
      reduced = new Array(n);
    },
  };
}

/** cogroup: for each key, the array of its values in each parent, in parent order. */
export function cogroupPlan<K>(
  parents: ReadonlyArray<RDD<[K, unknown]>>,
  partitioner: Partitioner,
  computeAll: ComputeAll,
): RDDPlan<[K, unknown[][]]> {
  const n = partitioner.numPartitions;
  const width = parents.length;
  const buckets = memoAsync(async () => {
    const all = await Promise.all(parents.map((p) => computeAll(p)));
    const out = Array.from({ length: n }, () => new KeyMap<K, unknown[][]>());
    all.forEach((parts, j) => {
      for (const part of parts) {
        for (const [k, v] of part) {
          const bucket = out[partitioner.getPartition(k)]!;
          let groups = bucket.get(k);
          if (groups === undefined) {
            groups = Array.from({ length: width }, () => []);
            bucket.set(k, groups);
          }
          groups[j]!.push(v);
        }
      }
    });
    return out;
  });
  return {
    kind: 'cogroup',
    numPartitions: n,
    parents: parents as ReadonlyArray<RDD<unknown>>,
    partitioner,
    async compute(p) {
      const out: Array<[K, unknown[][]]> = [];
      (await buckets.get())[p]!.appendEntriesTo(out);
      return out;
    },
    reset: buckets.reset,
  };
}

/**
 * A shuffle without keys: element i of parent partition j goes to output (j + i) mod n, which
 * spreads data evenly and deterministically (repartition).
 */
export function roundRobinPlan<T>(parent: RDD<T>, n: number, computeAll: ComputeAll): RDDPlan<T> {
  const buckets = memoAsync(async () => {
    const parts = await computeAll(parent);
    const out = Array.from({ length: n }, () => [] as T[]);
    parts.forEach((part, j) => {
      for (let i = 0; i < part.length; i++) out[(j + i) % n]!.push(part[i]!);
    });
    return out;
  });
  return {
    kind: 'repartition',
    numPartitions: n,
    parents: [parent as RDD<unknown>],
    async compute(p) {
      return (await buckets.get())[p]!;
    },
    reset: buckets.reset,
  };
}

/** Sorts all elements by `keyOf`, then cuts them into `n` contiguous ranges (sortBy/sortByKey). */
export function sortedPlan<T>(
  parent: RDD<T>,
  compare: (a: T, b: T) => number,
  n: number,
  computeAll: ComputeAll,
): RDDPlan<T> {
  const ranges = memoAsync(async () => {
    const all = (await computeAll(parent)).flat();
    all.sort(compare);
    return Array.from({ length: n }, (_, p) => all.slice(Math.floor((p * all.length) / n), Math.floor(((p + 1) * all.length) / n)));
  });
  return {
    kind: 'sortBy',
    numPartitions: n,
    parents: [parent as RDD<unknown>],
    async compute(p) {
      return (await ranges.get())[p]!;
    },
    reset: ranges.reset,
  };
}
