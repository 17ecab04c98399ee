/** RDD construction and narrow/wide transformations (not pair operations). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RDD, SluiceError } from '@sluice/core';
import { par, partitions, rddContext } from './helpers.js';

const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('parallelize', () => {
  test('splits by position like Spark: slice i holds [floor(i*n/k), floor((i+1)*n/k))', async () => {
    assert.deepStrictEqual(await partitions(par(range(10), 3)), [[1, 2, 3], [4, 5, 6], [7, 8, 9, 10]]);
    assert.deepStrictEqual(await partitions(par(range(4), 2)), [[1, 2], [3, 4]]);
    assert.deepStrictEqual(await partitions(par(range(5), 2)), [[1, 2], [3, 4, 5]]);
    assert.deepStrictEqual(await partitions(par(range(7), 4)), [[1], [2, 3], [4, 5], [6, 7]]);
  });

  test('more slices than items gives empty slices in Spark’s positions', async () => {
    assert.deepStrictEqual(await partitions(par([1, 2], 4)), [[], [1], [], [2]]);
    assert.deepStrictEqual(await partitions(par([], 3)), [[], [], []]);
  });

  test('defaults to the context’s default number of partitions', () => {
    const ctx = rddContext({ parallelism: 3 });
    assert.equal(RDD.parallelize(ctx, range(9)).numPartitions, 3);
  });

  test('accepts any iterable', async () => {
    assert.deepStrictEqual(await par(new Set(['a', 'b', 'c']), 2).collect(), ['a', 'b', 'c']);
  });

  test('rejects a number of slices that is not a whole number >= 1', () => {
    for (const bad of [0, -1, 1.5]) {
      assert.throws(() => par(range(3), bad), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && /numPartitions/.test(e.message));
    }
  });

  test('fromPartitions, fromSource and empty', async () => {
    const ctx = rddContext();
    assert.deepStrictEqual(await partitions(RDD.fromPartitions(ctx, [[1], [], [2, 3]])), [[1], [], [2, 3]]);
    assert.deepStrictEqual(await RDD.fromSource(ctx, 3, async (p) => [p * 10]).collect(), [0, 10, 20]);
    const empty = RDD.empty<number>(ctx);
    assert.equal(empty.numPartitions, 0);
    assert.deepStrictEqual(await empty.collect(), []);
  });
});

describe('narrow transformations', () => {
  test('map, filter, flatMap keep partitioning and order', async () => {
    const rdd = par(range(6), 2);
    assert.deepStrictEqual(await partitions(rdd.map((x) => x * 2)), [[2, 4, 6], [8, 10, 12]]);
    assert.deepStrictEqual(await partitions(rdd.filter((x) => x % 2 === 1)), [[1, 3], [5]]);
    assert.deepStrictEqual(await partitions(rdd.flatMap((x) => (x < 3 ? [x, x] : []))), [[1, 1, 2, 2], []]);
    assert.deepStrictEqual(await rdd.flatMap((x) => new Set([x])).collect(), range(6));
  });

  test('keyBy', async () => {
    assert.deepStrictEqual(await par(['a', 'bb'], 1).keyBy((s) => s.length).collect(), [[1, 'a'], [2, 'bb']]);
  });

  test('mapPartitions and mapPartitionsWithIndex see whole partitions', async () => {
    const rdd = par(range(6), 3);
    assert.deepStrictEqual(await rdd.mapPartitions((xs) => [xs.length]).collect(), [2, 2, 2]);
    assert.deepStrictEqual(await rdd.mapPartitionsWithIndex((i, xs) => xs.map((x) => `${i}:${x}`)).collect(), ['0:1', '0:2', '1:3', '1:4', '2:5', '2:6']);
    // A generator works too.
    assert.deepStrictEqual(
      await rdd
        .mapPartitions(function* (xs) {
          for (const x of xs) yield -x;
        })
        .collect(),
      range(6).map((x) => -x),
    );
  });

  test('mapPartitions keeps the partitioner only when asked to', () => {
    const byKey = par<[string, number]>([['a', 1]], 1).reduceByKey((a, b) => a + b, 2);
    assert.equal(byKey.mapPartitions((xs) => xs).partitioner, undefined);
    assert.ok(byKey.mapPartitions((xs) => xs, true).partitioner?.equals(byKey.partitioner));
  });

  test('glom gives one array per partition', async () => {
    assert.deepStrictEqual(await par(range(5), 2).glom().collect(), [[1, 2], [3, 4, 5]]);
  });

  test('union concatenates partitions in order', async () => {
    const u = par([1, 2], 2).union(par([3], 1), par([4, 5], 1));
    assert.equal(u.numPartitions, 4);
    assert.deepStrictEqual(await partitions(u), [[1], [2], [3], [4, 5]]);
    assert.equal(u.dependencies.length, 3);
  });

  test('coalesce merges adjacent partitions without a shuffle and never grows', async () => {
    const rdd = par(range(8), 4);
    assert.deepStrictEqual(await partitions(rdd.coalesce(2)), [[1, 2, 3, 4], [5, 6, 7, 8]]);
    assert.deepStrictEqual(await partitions(rdd.coalesce(1)), [range(8)]);
    assert.equal(rdd.coalesce(10).numPartitions, 4);
    assert.equal(RDD.empty(rddContext()).coalesce(3).numPartitions, 0);
    const grown = rdd.coalesce(6, true);
    assert.equal(grown.numPartitions, 6);
    assert.deepStrictEqual((await grown.collect()).sort((a, b) => a - b), range(8));
  });

  test('repartition spreads elements evenly over exactly n partitions', async () => {
    const parts = await partitions(par(range(100), 2).repartition(5));
    assert.equal(parts.length, 5);
    assert.deepStrictEqual(parts.map((p) => p.length), [20, 20, 20, 20, 20]);
    assert.deepStrictEqual(parts.flat().sort((a, b) => a - b), range(100));
    assert.deepStrictEqual((await partitions(par(range(3), 3).repartition(1))).map((p) => p.length), [3]);
  });

  test('distinct compares elements by value, arrays included', async () => {
    assert.deepStrictEqual((await par([3, 1, 3, 2, 1], 2).distinct().collect()).sort(), [1, 2, 3]);
    const arrays = await par([[1, 2], [1, 2], [2, 1], [1, 2]], 3).distinct(1).collect();
    assert.deepStrictEqual(arrays.sort(), [[1, 2], [2, 1]]);
  });

  test('sortBy sorts across partitions, ascending or descending', async () => {
    const rdd = par([5, 3, 9, 1, 7, 2], 3);
    assert.deepStrictEqual(await rdd.sortBy((x) => x).collect(), [1, 2, 3, 5, 7, 9]);
    assert.deepStrictEqual(await rdd.sortBy((x) => x, false).collect(), [9, 7, 5, 3, 2, 1]);
    const ranged = await partitions(rdd.sortBy((x) => x, true, 2));
    assert.deepStrictEqual(ranged, [[1, 2, 3], [5, 7, 9]]);
    assert.deepStrictEqual(await par(['bb', 'a', 'ccc'], 2).sortBy((s) => s.length).collect(), ['a', 'bb', 'ccc']);
    assert.deepStrictEqual(await par([[2, 'a'], [1, 'b'], [1, 'a']] as Array<[number, string]>, 2).sortBy((x) => x).collect(), [[1, 'a'], [1, 'b'], [2, 'a']]);
  });

  test('sortBy of an empty RDD is empty', async () => {
    assert.deepStrictEqual(await RDD.empty<number>(rddContext()).sortBy((x) => x).collect(), []);
  });

  test('cache keeps computed partitions; unpersist forgets them', async () => {
    let calls = 0;
    const rdd = par(range(4), 2).map((x) => (calls++, x)).cache();
    assert.equal(rdd.isCached, true);
    assert.equal(rdd.persist(), rdd);
    await rdd.collect();
    await rdd.count();
    await rdd.map((x) => x + 1).collect();
    assert.equal(calls, 4);
    rdd.unpersist();
    assert.equal(rdd.isCached, false);
    await rdd.collect();
    assert.equal(calls, 8);
  });

  test('localCheckpoint: once every partition is computed, the lineage is cut and the data kept', async () => {
    let calls = 0;
    const base = par(range(3), 2);
    const cut = base.map((x) => (calls++, x * 2)).localCheckpoint();
    assert.equal(cut.isCached, true);
    assert.equal(cut.dependencies.length, 1);
    assert.deepStrictEqual(await cut.collect(), [2, 4, 6]);
    assert.deepStrictEqual(cut.dependencies, []);
    assert.match(cut.kind, /checkpointed/);
    assert.deepStrictEqual(await cut.map((x) => x + 1).collect(), [3, 5, 7]);
    cut.unpersist();
    assert.deepStrictEqual(await cut.collect(), [2, 4, 6]);
    assert.equal(calls, 3);
  });

  test('lineage: kind, dependencies, toDebugString', () => {
    const ctx = rddContext();
    const base = RDD.parallelize(ctx, range(4), 2);
    const mapped = base.map((x) => [x % 2, x] as [number, number]);
    const reduced = mapped.reduceByKey((a, b) => a + b, 3).cache();
    assert.equal(reduced.kind, 'reduceByKey');
    assert.equal(reduced.numPartitions, 3);
    assert.deepStrictEqual(reduced.dependencies, [mapped]);
    assert.deepStrictEqual(mapped.dependencies, [base]);
    assert.notEqual(base.id, mapped.id);
    assert.equal(reduced.toDebugString(), `(3) reduceByKey [${reduced.id}] cached\n  (2) map [${mapped.id}]\n    (2) parallelize [${base.id}]`);
  });
});
