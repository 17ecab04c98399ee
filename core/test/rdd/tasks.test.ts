/**
 * How RDDs run: task retries from lineage, fused narrow stages (one loop per partition), and
 * shuffles that compute each parent partition once.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RDD, SluiceError } from '@sluice/core';
import { byJson, par, rddContext } from './helpers.js';

/** A source RDD that counts how often each partition is computed. */
function countingSource<T>(parts: T[][], opts: Parameters<typeof rddContext>[0] = {}): { rdd: RDD<T>; calls: number[] } {
  const calls = parts.map(() => 0);
  const rdd = RDD.fromSource(rddContext(opts), parts.length, (p) => {
    calls[p]!++;
    return [...parts[p]!];
  });
  return { rdd, calls };
}

describe('task retries', () => {
  test('a function that throws on its first attempt succeeds on retry, recomputed from lineage', async () => {
    const { rdd, calls } = countingSource([[1, 2], [3, 4]]);
    let thrown = false;
    const out = await rdd
      .map((x) => {
        if (x === 3 && !thrown) {
          thrown = true;
          throw new Error('flaky');
        }
        return x * 10;
      })
      .collect();
    assert.deepStrictEqual(out, [10, 20, 30, 40]);
    assert.deepStrictEqual(calls, [1, 2]); // partition 1 was recomputed from its source
  });

  test('a source that fails once is read again with the next attempt number', async () => {
    const attempts: number[] = [];
    const rdd = RDD.fromSource(rddContext(), 1, (_p, attempt) => {
      attempts.push(attempt);
      if (attempt === 0) throw new Error('connection reset');
      return ['ok'];
    });
    assert.deepStrictEqual(await rdd.collect(), ['ok']);
    assert.deepStrictEqual(attempts, [0, 1]);
  });

  test('a function that always throws rejects with TASK_FAILED after maxTaskFailures attempts', async () => {
    let attempts = 0;
    const boom = new Error('boom');
    const rdd = par([1], 1, rddContext({ maxTaskFailures: 3 })).map(() => {
      attempts++;
      throw boom;
    });
    await assert.rejects(rdd.collect(), (e: unknown) => {
      assert.ok(e instanceof SluiceError);
      assert.equal(e.code, 'TASK_FAILED');
      assert.equal(e.cause, boom);
      assert.match(e.message, /partition 0/);
      assert.match(e.message, /failed 3 time\(s\)/);
      assert.match(e.message, /boom/);
      return true;
    });
    assert.equal(attempts, 3);
  });

  test('with the default of 4 attempts, and no further tasks start after a task failed for good', async () => {
    const started: number[] = [];
    const rdd = RDD.fromSource(rddContext({ parallelism: 1 }), 3, (p) => {
      started.push(p);
      if (p === 0) throw new Error('always');
      return [p];
    });
    await assert.rejects(rdd.count(), (e: unknown) => e instanceof SluiceError && e.code === 'TASK_FAILED');
    assert.deepStrictEqual(started, [0, 0, 0, 0]);
  });

  test('a failed cached partition is not cached: the retry recomputes it', async () => {
    let thrown = false;
    let calls = 0;
    const cached = par([1, 2], 1)
      .map((x) => {
        calls++;
        if (!thrown) {
          thrown = true;
          throw new Error('once');
        }
        return x;
      })
      .cache();
    assert.deepStrictEqual(await cached.collect(), [1, 2]);
    assert.deepStrictEqual(await cached.collect(), [1, 2]);
    assert.equal(calls, 3); // 1 failed call, then 2 successful ones, then served from the cache
  });

  test('a shuffle whose parent fails once still produces the right result', async () => {
    let thrown = false;
    const out = await par<[string, number]>([['a', 1], ['b', 1], ['a', 1]], 2)
      .map((kv) => {
        if (kv[0] === 'b' && !thrown) {
          thrown = true;
          throw new Error('once');
        }
        return kv;
      })
      .reduceByKey((a, b) => a + b, 2)
      .collect();
    assert.deepStrictEqual(out.sort(byJson), [['a', 2], ['b', 1]]);
  });
});

describe('fusion of narrow stages', () => {
  test('map.filter.map computes the source partition once and runs one loop per partition', async () => {
    const { rdd, calls } = countingSource([[1, 2], [3]]);
    const trace: string[] = [];
    const out = rdd
      .map((x) => (trace.push(`m1:${x}`), x * 2))
      .filter((x) => (trace.push(`f:${x}`), x !== 4))
      .map((x) => (trace.push(`m2:${x}`), x + 1));
    assert.deepStrictEqual(await out.collect(), [3, 7]);
    assert.deepStrictEqual(calls, [1, 1]);
    // Element by element through the whole chain, not stage by stage.
    assert.deepStrictEqual(trace, ['m1:1', 'f:2', 'm2:2', 'm1:2', 'f:4', 'm1:3', 'f:6', 'm2:6']);
  });

  test('flatMap, keyBy, mapValues, keys and values fuse too', async () => {
    const { rdd, calls } = countingSource([['a b', 'c'], ['d']]);
    const out = await rdd
      .flatMap((line) => line.split(' '))
      .keyBy((w) => w.toUpperCase())
      .mapValues((w) => w.length)
      .keys()
      .collect();
    assert.deepStrictEqual(out, ['A', 'B', 'C', 'D']);
    assert.deepStrictEqual(calls, [1, 1]);
  });

  test('fusion stops at a cached RDD, which is computed once for all its children', async () => {
    const { rdd, calls } = countingSource([[1, 2], [3]]);
    let mapped = 0;
    const cached = rdd.map((x) => (mapped++, x * 2)).cache();
    const a = cached.map((x) => x + 1);
    const b = cached.filter((x) => x > 2);
    assert.deepStrictEqual(await a.collect(), [3, 5, 7]);
    assert.deepStrictEqual(await b.collect(), [4, 6]);
    assert.equal(mapped, 3);
    assert.deepStrictEqual(calls, [1, 1]);
  });
});

describe('shuffles', () => {
  const kvParts: Array<Array<[string, number]>> = [[['a', 1], ['b', 2]], [['a', 3]], [['c', 4], ['b', 5]]];

  for (const [name, op] of [
    ['reduceByKey', (r: RDD<[string, number]>) => r.reduceByKey((a, b) => a + b, 4)],
    ['groupByKey', (r: RDD<[string, number]>) => r.groupByKey(4)],
    ['combineByKey', (r: RDD<[string, number]>) => r.combineByKey((v) => [v], (c, v) => [...c, v], (x, y) => [...x, ...y], 4)],
    ['partitionBy', (r: RDD<[string, number]>) => r.partitionBy(4)],
    ['repartition', (r: RDD<[string, number]>) => r.repartition(4)],
    ['sortByKey', (r: RDD<[string, number]>) => r.sortByKey(true, 4)],
    ['distinct', (r: RDD<[string, number]>) => r.distinct(4)],
  ] as const) {
    test(`${name} computes each parent partition once for all its output partitions`, async () => {
      const { rdd, calls } = countingSource(kvParts);
      const shuffled = (op as (r: RDD<[string, number]>) => RDD<unknown>)(rdd);
      assert.equal(shuffled.numPartitions, 4);
      await shuffled.collect();
      assert.deepStrictEqual(calls, [1, 1, 1]);
      // A second action reuses the shuffle's output, as Spark reuses shuffle files.
      await shuffled.count();
      assert.deepStrictEqual(calls, [1, 1, 1]);
    });
  }

  test('join and cogroup compute each partition of both parents once', async () => {
    const left = countingSource(kvParts);
    const right = countingSource<[string, string]>([[['a', 'x']], [['b', 'y'], ['z', 'z']]]);
    const out = await left.rdd.join(right.rdd, 3).collect();
    assert.deepStrictEqual(out.sort(byJson), [['a', [1, 'x']], ['a', [3, 'x']], ['b', [2, 'y']], ['b', [5, 'y']]]);
    assert.deepStrictEqual(left.calls, [1, 1, 1]);
    assert.deepStrictEqual(right.calls, [1, 1]);
  });

  test('reduceByKey merges each value into its key once (n values of k keys: n - k calls)', async () => {
    let merges = 0;
    const out = await par<[string, number]>(Array.from({ length: 100 }, (_, i) => [i % 2 ? 'odd' : 'even', 1]), 4)
      .reduceByKey((a, b) => (merges++, a + b), 2)
      .collect();
    assert.deepStrictEqual(out.sort(byJson), [['even', 50], ['odd', 50]]);
    assert.equal(merges, 98);
  });
});
