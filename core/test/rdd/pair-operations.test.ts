/** Pair operations: methods that exist on RDDs of [key, value] tuples. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HashPartitioner } from '@sluice/core';
import { byJson, par, partitions } from './helpers.js';

type KV = [string, number];
const pairs: KV[] = [['a', 1], ['b', 2], ['a', 3], ['c', 4], ['b', 5], ['a', 6]];
const sortedOut = async <T>(p: Promise<T[]>): Promise<T[]> => (await p).sort(byJson);

describe('per-key aggregation', () => {
  test('keys and values', async () => {
    const rdd = par(pairs, 2);
    assert.deepStrictEqual(await rdd.keys().collect(), ['a', 'b', 'a', 'c', 'b', 'a']);
    assert.deepStrictEqual(await rdd.values().collect(), [1, 2, 3, 4, 5, 6]);
  });

  test('mapValues and flatMapValues keep keys and the partitioner', async () => {
    const reduced = par(pairs, 2).reduceByKey((a, b) => a + b, 3);
    const mapped = reduced.mapValues((v) => v * 10);
    const flat = reduced.flatMapValues((v) => [v, -v]);
    assert.ok(mapped.partitioner?.equals(reduced.partitioner));
    assert.ok(flat.partitioner?.equals(reduced.partitioner));
    assert.deepStrictEqual(await sortedOut(mapped.collect()), [['a', 100], ['b', 70], ['c', 40]]);
    assert.deepStrictEqual(await sortedOut(flat.collect()), [['a', -10], ['a', 10], ['b', -7], ['b', 7], ['c', -4], ['c', 4]]);
    assert.equal(par(pairs, 2).map((kv) => kv).partitioner, undefined);
  });

  test('reduceByKey hash-partitions keys and reduces their values', async () => {
    const out = par(pairs, 2).reduceByKey((a, b) => a + b, 2);
    assert.equal(out.numPartitions, 2);
    assert.deepStrictEqual(await sortedOut(out.collect()), [['a', 10], ['b', 7], ['c', 4]]);
    const p = new HashPartitioner(2);
    for (const [i, part] of (await partitions(out)).entries()) for (const [k] of part) assert.equal(p.getPartition(k), i);
  });

  test('reduceByKey defaults to the context default number of partitions and accepts a Partitioner', async () => {
    assert.equal(par(pairs, 3).reduceByKey((a, b) => a + b).numPartitions, 2);
    const out = par(pairs, 3).reduceByKey((a, b) => a + b, new HashPartitioner(4));
    assert.equal(out.numPartitions, 4);
    assert.deepStrictEqual(await sortedOut(out.collect()), [['a', 10], ['b', 7], ['c', 4]]);
  });

  test('groupByKey keeps values in input order', async () => {
    assert.deepStrictEqual(await sortedOut(par(pairs, 3).groupByKey().collect()), [['a', [1, 3, 6]], ['b', [2, 5]], ['c', [4]]]);
  });

  test('combineByKey, aggregateByKey, foldByKey', async () => {
    const rdd = par(pairs, 2);
    const avg = rdd.combineByKey(
      (v): [number, number] => [v, 1],
      ([s, n], v): [number, number] => [s + v, n + 1],
      ([s1, n1], [s2, n2]): [number, number] => [s1 + s2, n1 + n2],
    );
    assert.deepStrictEqual(await sortedOut(avg.collect()), [['a', [10, 3]], ['b', [7, 2]], ['c', [4, 1]]]);
    const maxes = rdd.aggregateByKey(() => -Infinity, (m, v) => Math.max(m, v), (a, b) => Math.max(a, b));
    assert.deepStrictEqual(await sortedOut(maxes.collect()), [['a', 6], ['b', 5], ['c', 4]]);
    assert.deepStrictEqual(await sortedOut(rdd.foldByKey(0, (a, b) => a + b).collect()), [['a', 10], ['b', 7], ['c', 4]]);
  });

  test('partitionBy places every pair by its key and keeps duplicates', async () => {
    const placed = par(pairs, 1).partitionBy(3);
    assert.equal(placed.numPartitions, 3);
    const p = new HashPartitioner(3);
    const parts = await partitions(placed);
    for (const [i, part] of parts.entries()) for (const [k] of part) assert.equal(p.getPartition(k), i);
    assert.deepStrictEqual(parts.flat().sort(byJson), [...pairs].sort(byJson));
    // Already placed the same way: no new RDD.
    assert.equal(placed.partitionBy(new HashPartitioner(3)), placed);
  });

  test('countByKey and collectAsMap (last value wins)', async () => {
    assert.deepStrictEqual([...(await par(pairs, 2).countByKey())].sort(byJson), [['a', 3], ['b', 2], ['c', 1]]);
    const m = await par(pairs, 2).collectAsMap();
    assert.deepStrictEqual([...m].sort(byJson), [['a', 6], ['b', 5], ['c', 4]]);
  });

  test('sortByKey', async () => {
    assert.deepStrictEqual(await par(pairs, 3).sortByKey().keys().collect(), ['a', 'a', 'a', 'b', 'b', 'c']);
    assert.deepStrictEqual(await par(pairs, 3).sortByKey(false).keys().collect(), ['c', 'b', 'b', 'a', 'a', 'a']);
    assert.deepStrictEqual(await par<[number, string]>([[10, 'x'], [9, 'y'], [100, 'z']], 2).sortByKey().keys().collect(), [9, 10, 100]);
  });
});

describe('joins', () => {
  const left = (): ReturnType<typeof par<[string, number]>> => par<[string, number]>([['a', 1], ['b', 2], ['a', 3], ['d', 9]], 2);
  const right = (): ReturnType<typeof par<[string, string]>> => par<[string, string]>([['a', 'x'], ['c', 'y'], ['a', 'z']], 2);

  test('cogroup of two and of three RDDs', async () => {
    const two = await sortedOut(left().cogroup(right()).collect());
    assert.deepStrictEqual(two, [['a', [[1, 3], ['x', 'z']]], ['b', [[2], []]], ['c', [[], ['y']]], ['d', [[9], []]]]);
    const third = par<[string, boolean]>([['b', true]], 1);
    const three = await sortedOut(left().cogroup(right(), third, 3).collect());
    assert.deepStrictEqual(three, [
      ['a', [[1, 3], ['x', 'z'], []]],
      ['b', [[2], [], [true]]],
      ['c', [[], ['y'], []]],
      ['d', [[9], [], []]],
    ]);
    assert.equal(left().cogroup(right(), 5).numPartitions, 5);
  });

  test('cogroupAll groups any number of RDDs, placed by the given partitioner', async () => {
    const others = [right(), par<[string, number]>([['d', 0]], 1), par<[string, number]>([], 2)];
    const grouped = left().cogroupAll(others, new HashPartitioner(2));
    assert.equal(grouped.numPartitions, 2);
    assert.ok(grouped.partitioner?.equals(new HashPartitioner(2)));
    assert.deepStrictEqual(await sortedOut(grouped.collect()), [
      ['a', [[1, 3], ['x', 'z'], [], []]],
      ['b', [[2], [], [], []]],
      ['c', [[], ['y'], [], []]],
      ['d', [[9], [], [0], []]],
    ]);
  });

  test('join: every pair of matching values', async () => {
    assert.deepStrictEqual(await sortedOut(left().join(right()).collect()), [['a', [1, 'x']], ['a', [1, 'z']], ['a', [3, 'x']], ['a', [3, 'z']]]);
  });

  test('leftOuterJoin: undefined when the right side has no value', async () => {
    assert.deepStrictEqual(await sortedOut(left().leftOuterJoin(right()).collect()), [
      ['a', [1, 'x']], ['a', [1, 'z']], ['a', [3, 'x']], ['a', [3, 'z']], ['b', [2, undefined]], ['d', [9, undefined]],
    ].sort(byJson));
  });

  test('rightOuterJoin: undefined when the left side has no value', async () => {
    assert.deepStrictEqual(await sortedOut(left().rightOuterJoin(right()).collect()), [
      ['a', [1, 'x']], ['a', [1, 'z']], ['a', [3, 'x']], ['a', [3, 'z']], ['c', [undefined, 'y']],
    ].sort(byJson));
  });

  test('fullOuterJoin: undefined for whichever side is missing', async () => {
    assert.deepStrictEqual(await sortedOut(left().fullOuterJoin(right()).collect()), [
      ['a', [1, 'x']], ['a', [1, 'z']], ['a', [3, 'x']], ['a', [3, 'z']], ['b', [2, undefined]], ['c', [undefined, 'y']], ['d', [9, undefined]],
    ].sort(byJson));
  });

  test('subtractByKey', async () => {
    assert.deepStrictEqual(await sortedOut(left().subtractByKey(right()).collect()), [['b', 2], ['d', 9]]);
  });

  test('joins with an empty side', async () => {
    const none = par<[string, string]>([], 2);
    assert.deepStrictEqual(await left().join(none).collect(), []);
    assert.deepStrictEqual((await left().leftOuterJoin(none).collect()).length, 4);
    assert.deepStrictEqual(await sortedOut(none.fullOuterJoin(par<[string, number]>([['q', 1]], 1)).collect()), [['q', [undefined, 1]]]);
  });
});
