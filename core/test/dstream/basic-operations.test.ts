/**
 * Stateless DStream operations, ported from Spark's BasicOperationsSuite (inputs and expected
 * outputs are Spark's; batches are compared in order, or as sets where Spark uses `useSet`).
 * updateStateByKey, slice and cleanup cases are in state-operations / graph tests.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runBatches } from '@sluice/core/testing';
import { SluiceError, type RDD } from '@sluice/core';
import { assertBatchesUnordered, ones, range, sorted, sortGroups, quietLogger } from './helpers.js';

const input3 = [range(1, 4), range(5, 8), range(9, 12)];

describe('BasicOperationsSuite: element-wise operations', () => {
  test('map', async () => {
    const out = await runBatches({ input: input3 }, (s) => s.map((x) => String(x)));
    assert.deepStrictEqual(out, input3.map((b) => b.map(String)));
  });

  test('flatMap', async () => {
    const out = await runBatches({ input: input3 }, (s) => s.flatMap((x) => [x, x * 2]));
    assert.deepStrictEqual(out, input3.map((b) => b.flatMap((x) => [x, x * 2])));
  });

  test('filter', async () => {
    const out = await runBatches({ input: input3 }, (s) => s.filter((x) => x % 2 === 0));
    assert.deepStrictEqual(out, input3.map((b) => b.filter((x) => x % 2 === 0)));
  });

  test('glom (2 input partitions, split by position)', async () => {
    const out = await runBatches({ input: input3, numPartitions: 2 }, (s) => s.glom());
    assert.deepStrictEqual(out, [
      [[1, 2], [3, 4]],
      [[5, 6], [7, 8]],
      [[9, 10], [11, 12]],
    ]);
  });

  test('mapPartitions', async () => {
    const out = await runBatches({ input: input3, numPartitions: 2 }, (s) => s.mapPartitions((xs) => [xs.reduce((a, b) => a + b, 0)]));
    assertBatchesUnordered(out, [[3, 7], [11, 15], [19, 23]]);
  });

  for (const [name, from, to] of [['more partitions', 2, 5], ['fewer partitions', 5, 2]] as const) {
    test(`repartition (${name})`, async () => {
      const input = [range(1, 100), range(101, 200), range(201, 300)];
      const out = await runBatches({ input, numPartitions: from }, (s) => s.repartition(to).glom());
      assert.equal(out.length, 3);
      out.forEach((partitions, i) => {
        assert.equal(partitions.length, to, `batch ${i} has ${to} partitions`);
        assert.deepStrictEqual(partitions.flat().sort((a, b) => a - b), input[i]);
        // Rebalanced evenly: no partition holds more than its share plus one element per source partition.
        for (const p of partitions) assert.ok(p.length <= Math.ceil(100 / to) + from, `partition sizes ${partitions.map((q) => q.length).join(',')}`);
      });
    });
  }
});

describe('BasicOperationsSuite: per-batch pair operations', () => {
  const words = [['a', 'a', 'b'], ['', ''], []];

  test('groupByKey', async () => {
    const out = await runBatches({ input: words }, (s) => s.map(ones).groupByKey());
    assertBatchesUnordered(out.map(sortGroups), [[['a', [1, 1]], ['b', [1]]], [['', [1, 1]]], []]);
  });

  test('reduceByKey', async () => {
    const out = await runBatches({ input: words }, (s) => s.map(ones).reduceByKey((a, b) => a + b));
    assertBatchesUnordered(out, [[['a', 2], ['b', 1]], [['', 2]], []]);
  });

  test('reduce', async () => {
    const out = await runBatches({ input: input3 }, (s) => s.reduce((a, b) => a + b));
    assert.deepStrictEqual(out, [[10], [26], [42]]);
  });

  test('reduce of an empty batch has no element', async () => {
    const out = await runBatches({ input: [[], [1]] }, (s) => s.reduce((a, b) => a + b));
    assert.deepStrictEqual(out, [[], [1]]);
  });

  test('count (0 for an empty batch)', async () => {
    const out = await runBatches({ input: [[], range(1, 1), range(1, 2), range(1, 3), range(1, 4)] }, (s) => s.count());
    assert.deepStrictEqual(out, [[0], [1], [2], [3], [4]]);
  });

  test('countByValue', async () => {
    const out = await runBatches({ input: [range(1, 1), [1, 1, 1], range(1, 2), [1, 1, 2, 2]] }, (s) => s.countByValue());
    assertBatchesUnordered(out, [[[1, 1]], [[1, 3]], [[1, 1], [2, 1]], [[2, 2], [1, 2]]]);
  });

  test('mapValues', async () => {
    const out = await runBatches({ input: words }, (s) =>
      s
        .map(ones)
        .reduceByKey((a, b) => a + b)
        .mapValues((x) => x + 10),
    );
    assertBatchesUnordered(out, [[['a', 12], ['b', 11]], [['', 12]], []]);
  });

  test('flatMapValues', async () => {
    const out = await runBatches({ input: words }, (s) =>
      s
        .map(ones)
        .reduceByKey((a, b) => a + b)
        .flatMapValues((x) => [x, x + 10]),
    );
    assertBatchesUnordered(out, [[['a', 2], ['a', 12], ['b', 1], ['b', 11]], [['', 2], ['', 12]], []]);
  });

  test('combineByKey', async () => {
    const out = await runBatches({ input: [['a', 'a', 'b'], ['', ''], []] }, (s) =>
      s.map(ones).combineByKey<string, number, string>(
        (v) => `<${v}`,
        (c, v) => `${c}+${v}`,
        (a, b) => `${a}|${b}`,
      ),
    );
    // Two partitions per batch, split by position: 'a' | 'a','b' and '' | ''. Like Spark, each
    // partition combines map-side, then combiners merge across partitions.
    assertBatchesUnordered(out, [[['a', '<1|<1'], ['b', '<1']], [['', '<1|<1']], []]);
  });
});

describe('BasicOperationsSuite: union and transform', () => {
  test('union', async () => {
    const out = await runBatches({ input: [range(1, 4), range(101, 104), range(201, 204)] }, (s) => s.union(s.map((x) => x + 4)));
    assert.deepStrictEqual(out, [range(1, 8), range(101, 108), range(201, 208)]);
  });

  test('StreamingContext.union of three streams', async () => {
    const out = await runBatches({ input: [range(1, 4), range(101, 104), range(201, 204)] }, (s, ssc) =>
      ssc.union(s, s.map((x) => x + 4), s.map((x) => x + 8)),
    );
    assert.deepStrictEqual(out, [range(1, 12), range(101, 112), range(201, 212)]);
  });

  test('transform', async () => {
    const out = await runBatches({ input: input3 }, (s) => s.transform((rdd) => rdd.map((x) => String(x))));
    assert.deepStrictEqual(out, input3.map((b) => b.map(String)));
  });

  test('transform passes the batch time', async () => {
    const out = await runBatches({ input: [[1], [2]] }, (s) => s.transform((rdd, time) => rdd.map((x) => [x, time] as const)));
    assert.deepStrictEqual(out, [[[1, 1000]], [[2, 2000]]]);
  });

  test('transform returning null fails the batch with a clear error (Spark: SparkException)', async () => {
    await assert.rejects(
      runBatches({ input: [range(1, 4)], contextOptions: { logger: quietLogger() } }, (s) => s.transform(() => null as unknown as RDD<number>)),
      (e: unknown) => {
        assert.ok(e instanceof SluiceError);
        const cause = (e as Error).cause as SluiceError | undefined;
        assert.match(`${(e as Error).message} ${cause?.message ?? ''}`, /must return an RDD/);
        return true;
      },
    );
  });

  test('transformWith', async () => {
    const out = await runBatches(
      { input: [['a', 'b'], ['a', ''], [''], []], input2: [['a', 'b'], ['b', ''], [], ['']] },
      (s1, s2) =>
        s1.map(ones).transformWith(
          s2.map((x): [string, string] => [x, 'x']),
          (r1, r2) => r1.join(r2),
        ),
    );
    assertBatchesUnordered(out, [[['a', [1, 'x']], ['b', [1, 'x']]], [['', [1, 'x']]], [], []]);
  });

  test('StreamingContext.transform over three streams', async () => {
    const out = await runBatches({ input: [range(1, 4), range(101, 104), range(201, 204)] }, (s, ssc) =>
      ssc.transform<number>([s, s.map((x) => x + 4), s.map((x) => x + 8)], (rdds) => {
        const [first, ...rest] = rdds as RDD<number>[];
        return first!.union(...rest);
      }),
    );
    assert.deepStrictEqual(out, [range(1, 12), range(101, 112), range(201, 212)]);
  });

  // Spark's "... with input stream return None" cases throw a SparkException. Sluice's contract
  // differs on purpose: an input that yields no RDD for a batch means "no data", so a single-parent
  // stream has no RDD for that batch either, and a multi-parent one sees an empty RDD.
  test('a batch without an input RDD: single-parent streams skip it', async () => {
    const out = await runBatches({ input: [range(1, 4), range(5, 8), null] }, (s) => s.transform((rdd) => rdd.map(String)));
    assert.deepStrictEqual(out, [range(1, 4).map(String), range(5, 8).map(String)]);
  });

  test('a batch without an input RDD: union, transformWith and ssc.transform see it as empty', async () => {
    const input = [range(1, 4), range(101, 104), range(201, 204), null];
    const union = await runBatches({ input }, (s) => s.union(s.map((x) => x + 4)));
    assert.deepStrictEqual(union, [range(1, 8), range(101, 108), range(201, 208), []]);
    const multi = await runBatches({ input }, (s, ssc) =>
      ssc.transform<number>([s, s.map((x) => x + 4), s.map((x) => x + 8)], (rdds) => (rdds as RDD<number>[])[0]!.union(...(rdds.slice(1) as RDD<number>[]))),
    );
    assert.deepStrictEqual(multi, [range(1, 12), range(101, 112), range(201, 212), []]);
    const withOther = await runBatches(
      { input: [['a', 'b'], ['a', ''], [''], null], input2: [['a', 'b'], ['b', ''], [], null] },
      (s1, s2) => s1.transformWith(s2, (r1, r2) => r1.union(r2)),
    );
    assertBatchesUnordered(withOther, [['a', 'b', 'a', 'b'], ['a', '', 'b', ''], [''], []]);
  });
});

describe('BasicOperationsSuite: two-stream pair operations', () => {
  const input1 = [['a', 'b'], ['a', ''], [''], []];
  const input2 = [['a', 'b'], ['b', ''], [], ['']];

  test('cogroup', async () => {
    const out = await runBatches({ input: [['a', 'a', 'b'], ['a', ''], [''], []], input2: [['a', 'a', 'b'], ['b', ''], [], []] }, (s1, s2) =>
      s1.map(ones).cogroup(s2.map((x): [string, string] => [x, 'x'])),
    );
    assertBatchesUnordered(out.map((b) => b.map(([k, [vs, ws]]) => [k, [sorted(vs), sorted(ws)]])), [
      [['a', [[1, 1], ['x', 'x']]], ['b', [[1], ['x']]]],
      [['a', [[1], []]], ['b', [[], ['x']]], ['', [[1], ['x']]]],
      [['', [[1], []]]],
      [],
    ]);
  });

  test('join', async () => {
    const out = await runBatches({ input: input1, input2 }, (s1, s2) => s1.map(ones).join(s2.map((x): [string, string] => [x, 'x'])));
    assertBatchesUnordered(out, [[['a', [1, 'x']], ['b', [1, 'x']]], [['', [1, 'x']]], [], []]);
  });

  test('leftOuterJoin (undefined for a missing right side)', async () => {
    const out = await runBatches({ input: input1, input2 }, (s1, s2) => s1.map(ones).leftOuterJoin(s2.map((x): [string, string] => [x, 'x'])));
    assertBatchesUnordered(out, [
      [['a', [1, 'x']], ['b', [1, 'x']]],
      [['', [1, 'x']], ['a', [1, undefined]]],
      [['', [1, undefined]]],
      [],
    ]);
  });

  test('rightOuterJoin (undefined for a missing left side)', async () => {
    const out = await runBatches({ input: input1, input2 }, (s1, s2) => s1.map(ones).rightOuterJoin(s2.map((x): [string, string] => [x, 'x'])));
    assertBatchesUnordered(out, [
      [['a', [1, 'x']], ['b', [1, 'x']]],
      [['', [1, 'x']], ['b', [undefined, 'x']]],
      [],
      [['', [undefined, 'x']]],
    ]);
  });

  test('fullOuterJoin (undefined for whichever side is missing)', async () => {
    const out = await runBatches({ input: input1, input2 }, (s1, s2) => s1.map(ones).fullOuterJoin(s2.map((x): [string, string] => [x, 'x'])));
    assertBatchesUnordered(out, [
      [['a', [1, 'x']], ['b', [1, 'x']]],
      [['', [1, 'x']], ['a', [1, undefined]], ['b', [undefined, 'x']]],
      [['', [1, undefined]]],
      [['', [undefined, 'x']]],
    ]);
  });

  test('two-stream operations reject streams with different slides, naming both', async () => {
    await runBatches({ input: [[1]] }, (s) => {
      const a = s.map(ones);
      const b = s.window(2000, 2000).map(ones);
      assert.throws(
        () => a.join(b),
        (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_DURATION' && /1000 ms/.test(e.message) && /2000 ms/.test(e.message),
      );
      return s;
    });
  });
});
