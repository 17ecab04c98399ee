/**
 * Stateful DStream operations: updateStateByKey cases ported from Spark's BasicOperationsSuite and
 * mapWithState cases from Spark's MapWithStateSuite (inputs and expected outputs are Spark's).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runBatches } from '@sluice/core/testing';
import { SluiceError, State, StateSpec } from '@sluice/core';
import { assertBatchesUnordered, ones, sorted } from './helpers.js';

type KV = [string, number];
const words = [['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b'], ['a'], []];
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const runningCount = (values: number[], state: number | undefined): number => sum(values) + (state ?? 0);

describe('updateStateByKey (BasicOperationsSuite)', () => {
  test('updateStateByKey', async () => {
    const out = await runBatches({ input: words }, (s) => s.map(ones).updateStateByKey(runningCount));
    assertBatchesUnordered(out, [
      [['a', 1]],
      [['a', 2], ['b', 1]],
      [['a', 3], ['b', 2], ['c', 1]],
      [['a', 4], ['b', 3], ['c', 1]],
      [['a', 5], ['b', 3], ['c', 1]],
      [['a', 5], ['b', 3], ['c', 1]],
    ]);
  });

  const withInitial: KV[][] = [
    [['a', 2], ['c', 2]],
    [['a', 3], ['b', 1], ['c', 2]],
    [['a', 4], ['b', 2], ['c', 3]],
    [['a', 5], ['b', 3], ['c', 3]],
    [['a', 6], ['b', 3], ['c', 3]],
    [['a', 6], ['b', 3], ['c', 3]],
  ];

  test('simple with initial value RDD', async () => {
    const out = await runBatches({ input: words }, (s, ssc) =>
      s.map(ones).updateStateByKey(runningCount, { numPartitions: 2, initialState: ssc.parallelize<KV>([['a', 1], ['c', 2]]) }),
    );
    assertBatchesUnordered(out, withInitial);
  });

  test('with initial value given as an iterable of pairs', async () => {
    const out = await runBatches({ input: words }, (s) => s.map(ones).updateStateByKey(runningCount, { initialState: new Map([['a', 1], ['c', 2]]) }));
    assertBatchesUnordered(out, withInitial);
  });

  test('with an initial RDD already placed by the same partitioner', async () => {
    const out = await runBatches({ input: words }, (s, ssc) =>
      s.map(ones).updateStateByKey(runningCount, { numPartitions: 3, initialState: ssc.parallelize<KV>([['a', 1], ['c', 2]]).partitionBy(3) }),
    );
    assertBatchesUnordered(out, withInitial);
  });

  test('testing time stamps as input (the update function gets the key and the batch time)', async () => {
    // a -> 1000, 3000, 6000, 10000, 15000, 15000; b -> -, 2000, 5000, 9000, ...; c -> 0, 0, 3000, ...
    const out = await runBatches({ input: words }, (s, ssc) =>
      s.map(ones).updateStateByKey<string, number, number>((values, state, _key, time) => (values.length > 0 ? time + (state ?? 0) : (state ?? 0)), {
        numPartitions: 2,
        initialState: ssc.parallelize<KV>([['a', 0], ['c', 0]]),
      }),
    );
    assertBatchesUnordered(out, [
      [['a', 1000], ['c', 0]],
      [['a', 3000], ['b', 2000], ['c', 0]],
      [['a', 6000], ['b', 5000], ['c', 3000]],
      [['a', 10000], ['b', 9000], ['c', 3000]],
      [['a', 15000], ['b', 9000], ['c', 3000]],
      [['a', 15000], ['b', 9000], ['c', 3000]],
    ]);
  });

  test('object lifecycle: state objects, batches without input, key removal by returning undefined', async () => {
    class StateObject {
      counter = 0;
      expireCounter = 0;
    }
    // Clears a state seen twice in a row without new values.
    const update = (values: number[], state: StateObject | undefined): StateObject | undefined => {
      const obj = state ?? new StateObject();
      const n = sum(values);
      if (n === 0) obj.expireCounter += 1;
      else {
        obj.counter += n;
        obj.expireCounter = 0;
      }
      return obj.expireCounter === 2 ? undefined : obj;
    };
    const out = await runBatches({ input: [['a', 'b'], null, ['a', 'c', 'a'], ['c'], null, null] }, (s) =>
      s
        .map(ones)
        .updateStateByKey(update)
        .mapValues((o) => o.counter),
    );
    assertBatchesUnordered(out, [[['a', 1], ['b', 1]], [['a', 1], ['b', 1]], [['a', 3], ['c', 1]], [['a', 3], ['c', 2]], [['c', 2]], []]);
  });

  test('the update function is called every batch for every key with state, with [] when it has no new values', async () => {
    const calls: string[] = [];
    await runBatches({ input: [['a', 'b', 'a'], [], ['b']] }, (s) =>
      s.map(ones).updateStateByKey<string, number, number>((values, state, key, time) => {
        calls.push(`${time}:${key}:${JSON.stringify(values)}:${String(state)}`);
        return runningCount(values, state);
      }),
    );
    assert.deepStrictEqual(sorted(calls), [
      '1000:a:[1,1]:undefined',
      '1000:b:[1]:undefined',
      '2000:a:[]:2',
      '2000:b:[]:1',
      '3000:a:[]:2',
      '3000:b:[1]:1',
    ]);
  });

  test('composite keys are one key per value', async () => {
    const out = await runBatches({ input: [[[1, 'x'], [1, 'x']], [[1, 'x'], [2, 'y']]] as Array<Array<[number, string]>> }, (s) =>
      s.map((k) => [k, 1] as [[number, string], number]).updateStateByKey(runningCount),
    );
    assertBatchesUnordered(out, [[[[1, 'x'], 2]], [[[1, 'x'], 3], [[2, 'y'], 1]]]);
  });

  test('rejects unknown options naming them and a non-function', async () => {
    await runBatches({ input: [[1]] }, (s) => {
      const pairs = s.map(ones);
      assert.throws(
        () => pairs.updateStateByKey(runningCount, { partitions: 2 } as never),
        (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && /partitions/.test(e.message) && /numPartitions, initialState/.test(e.message),
      );
      assert.throws(() => pairs.updateStateByKey(undefined as never), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION');
      return s;
    });
  });
});

describe('State (MapWithStateSuite: state - get, exists, update, remove)', () => {
  const expectNoState = (state: State<number>): void => {
    assert.equal(state.exists(), false);
    assert.throws(() => state.get(), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE');
    assert.equal(state.getOption(), undefined);
  };
  const expectState = (state: State<number>, value: number): void => {
    assert.equal(state.exists(), true);
    assert.equal(state.get(), value);
    assert.equal(state.getOption(), value);
  };

  test('lifecycle of one handle', () => {
    let state = new State<number>();
    expectNoState(state);
    state.wrap(false, undefined, false);
    expectNoState(state);
    state.wrap(true, 1, false);
    expectState(state, 1);
    assert.equal(state.isTimingOut(), false);
    state.update(2);
    expectState(state, 2);
    assert.equal(state.wasUpdated, true);

    state = new State<number>();
    state.update(2);
    expectState(state, 2);
    state.remove();
    expectNoState(state);
    assert.equal(state.wasRemoved, true);
    assert.throws(() => state.remove(), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE');
    assert.throws(() => state.update(-1), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE');

    state.wrap(true, 3, true);
    expectState(state, 3);
    assert.equal(state.isTimingOut(), true);
    assert.throws(() => state.remove(), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE');
    assert.throws(() => state.update(-1), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE');
  });
});

/** Runs `input.map(x => [x, 1]).mapWithState(spec)` and collects both the mapped values and the state snapshots per batch. */
async function runMapWithState<S, E>(input: string[][], spec: StateSpec<string, number, S, E>, numBatches = input.length): Promise<{ mapped: E[][]; snapshots: Array<Array<[string, S]>> }> {
  const snapshots: Array<[number, Array<[string, S]>]> = [];
  const mapped = await runBatches({ input, numBatches }, (s) => {
    const stream = s.map(ones).mapWithState(spec);
    stream.stateSnapshots().foreachRDD(async (rdd, time) => {
      snapshots.push([time, await rdd.collect()]);
    });
    return stream;
  });
  return { mapped, snapshots: snapshots.sort((a, b) => a[0] - b[0]).map(([, x]) => x) };
}

describe('mapWithState (MapWithStateSuite)', () => {
  const input = [[], ['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b'], ['a'], []];
  const runningCounts: KV[][] = [
    [],
    [['a', 1]],
    [['a', 2], ['b', 1]],
    [['a', 3], ['b', 2], ['c', 1]],
    [['a', 4], ['b', 3], ['c', 1]],
    [['a', 5], ['b', 3], ['c', 1]],
    [['a', 5], ['b', 3], ['c', 1]],
  ];
  const count = (value: number | undefined, state: State<number>): number => {
    const n = (value ?? 0) + (state.getOption() ?? 0);
    state.update(n);
    return n;
  };

  test('basic operations with simple API (the running count is returned)', async () => {
    const { mapped, snapshots } = await runMapWithState(input, StateSpec.function<string, number, number, number>((_k, v, state) => count(v, state)));
    assertBatchesUnordered(mapped, [[], [1], [2, 1], [3, 2, 1], [4, 3], [5], []]);
    assertBatchesUnordered(snapshots, runningCounts);
  });

  test('basic operations with advanced API (key doubled, batch time available)', async () => {
    const times: number[] = [];
    const { mapped, snapshots } = await runMapWithState(
      input,
      StateSpec.function<string, number, number, string>((key, v, state, time) => {
        times.push(time);
        count(v, state);
        return key + key;
      }),
    );
    assertBatchesUnordered(mapped, [[], ['aa'], ['aa', 'bb'], ['aa', 'bb', 'cc'], ['aa', 'bb'], ['aa'], []]);
    assertBatchesUnordered(snapshots, runningCounts);
    assert.deepStrictEqual([...new Set(times)].sort((a, b) => a - b), [2000, 3000, 4000, 5000, 6000]);
  });

  test('states as mapped data', async () => {
    const { mapped, snapshots } = await runMapWithState(input, StateSpec.function<string, number, number, KV>((key, v, state) => [key, count(v, state)]));
    assertBatchesUnordered(mapped, [[], [['a', 1]], [['a', 2], ['b', 1]], [['a', 3], ['b', 2], ['c', 1]], [['a', 4], ['b', 3]], [['a', 5]], []]);
    assertBatchesUnordered(snapshots, runningCounts);
  });

  // Spark's advanced API returns Option[E] and drops None; Sluice emits whatever the function
  // returns, so "nothing returned" is `undefined`, filtered out downstream.
  test('initial states, with nothing returned from the mapping function', async () => {
    const snapshots: Array<[number, KV[]]> = [];
    const mapped = await runBatches({ input }, (s, ssc) => {
      const stream = s.map(ones).mapWithState(
        StateSpec.function<string, number, number, number | undefined>((_k, v, state) => {
          count(v, state);
          return undefined;
        }).initialState(ssc.parallelize<KV>([['a', 5], ['b', 10], ['c', -20], ['d', 0]])),
      );
      stream.stateSnapshots().foreachRDD(async (rdd, time) => void snapshots.push([time, await rdd.collect()]));
      return stream.filter((x) => x !== undefined);
    });
    assertBatchesUnordered(mapped, input.map(() => []));
    assertBatchesUnordered(
      snapshots.sort((a, b) => a[0] - b[0]).map(([, x]) => x),
      [
        [['a', 5], ['b', 10], ['c', -20], ['d', 0]],
        [['a', 6], ['b', 10], ['c', -20], ['d', 0]],
        [['a', 7], ['b', 11], ['c', -20], ['d', 0]],
        [['a', 8], ['b', 12], ['c', -19], ['d', 0]],
        [['a', 9], ['b', 13], ['c', -19], ['d', 0]],
        [['a', 10], ['b', 13], ['c', -19], ['d', 0]],
        [['a', 10], ['b', 13], ['c', -19], ['d', 0]],
      ],
    );
  });

  test('state removing', async () => {
    const removingInput = [[], ['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b'], ['a'], []];
    const { mapped, snapshots } = await runMapWithState(
      removingInput,
      StateSpec.function<string, number, number, string | undefined>((key, v, state) => {
        if (state.exists()) {
          state.remove();
          return key;
        }
        state.update(v!);
        return undefined;
      }).numPartitions(1),
    );
    assertBatchesUnordered(
      mapped.map((b) => b.filter((x) => x !== undefined)),
      [[], [], ['a'], ['b'], ['a', 'c'], ['b'], ['a'], []],
    );
    assertBatchesUnordered(snapshots, [[], [['a', 1]], [['b', 1]], [['a', 1], ['c', 1]], [['b', 1]], [['a', 1]], [], []]);
  });

  test('state timing out', async () => {
    const timingOutInput = [['a', 'b', 'c'], ['a', 'b'], ['a'], [], [], ['a'], ...Array.from({ length: 20 }, () => ['a'])];
    const { mapped, snapshots } = await runMapWithState(
      timingOutInput,
      StateSpec.function<string, number, number, string | undefined>((key, v, state) => {
        if (v !== undefined) state.update(1);
        return state.isTimingOut() ? key : undefined;
      }).timeout(3000),
      20,
    );
    const timedOut = mapped.map((b) => b.filter((x) => x !== undefined));
    // b and c are returned once each, when they time out.
    assert.deepStrictEqual(sorted(timedOut.flat()), ['b', 'c']);
    assert.ok(snapshots.some((snap) => JSON.stringify(sorted(snap)) === JSON.stringify([['a', 1], ['b', 1], ['c', 1]])));
    assert.deepStrictEqual(snapshots.at(-1), [['a', 1]]);
    // Sluice scans for timeouts every batch: a key idle for the whole timeout goes at that batch
    // (c's last data was at 1000 ms, so it goes at 4000 ms; b at 5000 ms).
    assert.deepStrictEqual(timedOut.slice(0, 6), [[], [], [], ['c'], ['b'], []]);
  });

  test('the timing-out call gets no value and its result is emitted', async () => {
    const seen: string[] = [];
    await runMapWithState(
      [['a'], [], []],
      StateSpec.function<string, number, number, number>((key, v, state, time) => {
        seen.push(`${time}:${key}:${String(v)}:${state.isTimingOut()}:${String(state.getOption())}`);
        if (!state.isTimingOut()) state.update(7);
        return 0;
      }).timeout(2000),
    );
    assert.deepStrictEqual(seen, ['1000:a:1:false:undefined', '3000:a:undefined:true:7']);
  });

  test('StateSpec validates its settings', () => {
    assert.throws(() => StateSpec.function(42 as never), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION');
    assert.throws(() => StateSpec.function(() => 0).numPartitions(0), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION');
    assert.throws(() => StateSpec.function(() => 0).timeout(-1), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION');
  });
});
