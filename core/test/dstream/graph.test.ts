/**
 * The DStream graph: slice (BasicOperationsSuite "slice"), how long generated RDDs are remembered
 * (BasicOperationsSuite "rdd cleanup"), laziness and per-batch memoisation.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, runBatches, TestInputDStream } from '@sluice/core/testing';
import { Seconds, SluiceError, StreamingContext, type DStream } from '@sluice/core';

describe('slice', () => {
  test('slice returns the RDDs of the batches in [from, to], computing them on demand', async () => {
    const clock = new ManualClock(0);
    const ssc = new StreamingContext({ batchInterval: Seconds(1), clock });
    const stream = new TestInputDStream<number>(ssc, [[1], [2], [3], [4]], 2);
    stream.foreachRDD(() => {});
    await ssc.start();
    try {
      const fromSlice = async (from: number, to: number): Promise<number[]> => {
        const parts = await Promise.all(stream.slice(from, to).map((rdd) => rdd.collect()));
        return [...new Set(parts.flat())].sort((a, b) => a - b);
      };
      assert.deepStrictEqual(await fromSlice(0, 1000), [1]);
      assert.deepStrictEqual(await fromSlice(0, 2000), [1, 2]);
      assert.deepStrictEqual(await fromSlice(1000, 2000), [1, 2]);
      assert.deepStrictEqual(await fromSlice(2000, 4000), [2, 3, 4]);
      // Times between batches are aligned down to batch times.
      assert.deepStrictEqual(await fromSlice(1500, 3999), [1, 2, 3]);
    } finally {
      await ssc.stop();
    }
  });

  test('slice before the context started rejects with INVALID_STATE', async () => {
    const ssc = new StreamingContext({ batchInterval: Seconds(1), clock: new ManualClock(0) });
    const stream = new TestInputDStream<number>(ssc, [[1], [2], [3], [4]], 2);
    assert.throws(
      () => stream.slice(0, 1000),
      (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE' && /started/.test(e.message),
    );
    await ssc.stop();
  });
});

const cleanupInput = Array.from({ length: 10 }, (_, x) => [x, x + 1]);

describe('rdd cleanup', () => {
  test('map and window: each stream remembers what its windows read, then forgets', async () => {
    let mapped: DStream<[number, number]> | undefined;
    let window1: DStream<[number, number]> | undefined;
    let window2: DStream<[number, number]> | undefined;
    const out = await runBatches({ input: cleanupInput }, (s, ssc) => {
      ssc.remember(Seconds(3));
      mapped = s.map((x): [number, number] => [x % 10, 1]);
      window1 = mapped.window(Seconds(2), Seconds(1));
      window2 = window1.window(Seconds(4), Seconds(2));
      return window2;
    });
    assert.equal(out.length, cleanupInput.length / 2);
    // Remember durations: the outer window 3 s, the inner one 3 s + 4 s, the mapped stream + 2 s more.
    assert.equal(window2!.rememberDuration, Seconds(3));
    assert.equal(window1!.rememberDuration, Seconds(3) + Seconds(4));
    assert.equal(mapped!.rememberDuration, Seconds(3) + Seconds(4) + Seconds(2));
    // window2 remembers back to 7 s: 10, 8; window1 back to 4 s; the mapped stream back to 2 s.
    const times = (s: DStream<unknown>): number[] => s.generatedTimes();
    assert.ok(times(window2!).includes(10000) && times(window2!).includes(8000) && !times(window2!).includes(6000), String(times(window2!)));
    assert.ok(times(window1!).includes(10000) && times(window1!).includes(4000) && !times(window1!).includes(3000), String(times(window1!)));
    assert.ok(times(mapped!).includes(10000) && times(mapped!).includes(2000) && !times(mapped!).includes(1000), String(times(mapped!)));
  });

  test('updateStateByKey keeps only recent state RDDs (their lineage is cut)', async () => {
    let state: DStream<[number, number]> | undefined;
    await runBatches({ input: cleanupInput }, (s) => {
      state = s.map((x): [number, number] => [x, 1]).updateStateByKey<number, number, number>((vs, st) => vs.length + (st ?? 0)).checkpoint(Seconds(3));
      return state;
    });
    const times = state!.generatedTimes();
    assert.ok(times.includes(10000) && !times.includes(4000), String(times));
  });
});

describe('laziness and memoisation', () => {
  test('nothing is computed unless an output operation reaches it', async () => {
    let unreached = 0;
    let reached = 0;
    await runBatches({ input: [[1, 2], [3]] }, (s) => {
      s.map((x) => (unreached++, x));
      return s.map((x) => (reached++, x));
    });
    assert.equal(unreached, 0);
    assert.equal(reached, 3);
  });

  test('a stream read by two outputs computes each batch once', async () => {
    let calls = 0;
    const seen: number[][] = [];
    const out = await runBatches({ input: [[1, 2], [3]] }, (s) => {
      const shared = s.map((x) => (calls++, x * 10));
      shared.foreachRDD(async (rdd) => void seen.push(await rdd.collect()));
      return shared;
    });
    assert.deepStrictEqual(out, [[10, 20], [30]]);
    assert.deepStrictEqual(seen, out);
    assert.equal(calls, 3);
  });

  test('windows over a cached stream compute each batch once', async () => {
    let calls = 0;
    await runBatches({ input: [[1], [2], [3], [4]] }, (s) => s.map((x) => (calls++, x)).cache().window(Seconds(3), Seconds(1)));
    assert.equal(calls, 4);
  });

  test('a windowed stream only has RDDs at multiples of its slide', async () => {
    const times: number[] = [];
    await runBatches({ input: [[1], [2], [3], [4], [5], [6]] }, (s) => {
      const w = s.window(Seconds(3), Seconds(3));
      w.foreachRDD((_rdd, time) => void times.push(time));
      return w;
    });
    assert.deepStrictEqual(times, [3000, 6000]);
  });
});
