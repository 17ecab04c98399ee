/** RDD actions: they return Promises and run one task per partition. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RDD, SluiceError } from '@sluice/core';
import { par, rddContext } from './helpers.js';

const isEmptyCollection = (e: unknown): boolean => e instanceof SluiceError && e.code === 'EMPTY_COLLECTION';

describe('actions', () => {
  test('collect and count', async () => {
    const rdd = par([1, 2, 3, 4, 5], 3);
    assert.deepStrictEqual(await rdd.collect(), [1, 2, 3, 4, 5]);
    assert.equal(await rdd.count(), 5);
    assert.equal(await par([], 2).count(), 0);
  });

  test('take reads partitions in order and only as many as needed', async () => {
    const read: number[] = [];
    const rdd = RDD.fromSource(rddContext(), 4, (p) => {
      read.push(p);
      return [p * 10, p * 10 + 1];
    });
    assert.deepStrictEqual(await rdd.take(3), [0, 1, 10]);
    assert.deepStrictEqual(read, [0, 1]);
    assert.deepStrictEqual(await rdd.take(0), []);
    assert.deepStrictEqual(await rdd.take(100), [0, 1, 10, 11, 20, 21, 30, 31]);
    assert.deepStrictEqual(await par([], 3).take(2), []);
  });

  test('first', async () => {
    assert.equal(await par([7, 8], 2).first(), 7);
    assert.equal(await par([undefined, 1], 1).first(), undefined);
    await assert.rejects(par([], 2).first(), isEmptyCollection);
  });

  test('isEmpty', async () => {
    assert.equal(await par([], 3).isEmpty(), true);
    assert.equal(await RDD.empty(rddContext()).isEmpty(), true);
    assert.equal(await par([0], 3).isEmpty(), false);
  });

  test('reduce', async () => {
    assert.equal(await par([1, 2, 3, 4], 3).reduce((a, b) => a + b), 10);
    assert.equal(await par([5], 4).reduce((a, b) => a + b), 5);
    await assert.rejects(par<number>([], 2).reduce((a, b) => a + b), isEmptyCollection);
  });

  test('fold applies the zero value per partition and once more to merge, as Spark does', async () => {
    assert.equal(await par([1, 2, 3], 2).fold(0, (a, b) => a + b), 6);
    assert.equal(await par([1, 2, 3], 2).fold(1, (a, b) => a + b), 6 + 3);
    assert.equal(await par<number>([], 2).fold(0, (a, b) => a + b), 0);
  });

  test('aggregate', async () => {
    const [sum, n] = await par([1, 2, 3, 4], 3).aggregate(
      () => [0, 0] as [number, number],
      ([s, c], x) => [s + x, c + 1],
      ([s1, c1], [s2, c2]) => [s1 + s2, c1 + c2],
    );
    assert.deepStrictEqual([sum, n], [10, 4]);
  });

  test('foreach and foreachPartition', async () => {
    const seen: number[] = [];
    await par([1, 2, 3], 2).foreach((x) => void seen.push(x));
    assert.deepStrictEqual(seen.sort(), [1, 2, 3]);
    const parts: Array<[number, number[]]> = [];
    await par([1, 2, 3], 2).foreachPartition(async (items, p) => void parts.push([p, items]));
    assert.deepStrictEqual(parts.sort((a, b) => a[0] - b[0]), [[0, [1]], [1, [2, 3]]]);
  });

  test('countByValue counts by value, arrays included', async () => {
    assert.deepStrictEqual(new Map([...(await par(['a', 'b', 'a'], 2).countByValue())].sort()), new Map([['a', 2], ['b', 1]]));
    const arrays = await par([[1, 2], [1, 2], [3]], 2).countByValue();
    assert.deepStrictEqual([...arrays].sort(), [[[1, 2], 2], [[3], 1]]);
  });

  test('runJob bounds concurrency by the context parallelism and returns results in partition order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const rdd = RDD.fromSource(rddContext({ parallelism: 3 }), 10, async (p) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return [p];
    });
    assert.deepStrictEqual(await rdd.runJob((items, p) => `${p}:${items[0]}`), Array.from({ length: 10 }, (_, p) => `${p}:${p}`));
    assert.equal(maxInFlight, 3);
  });
});
