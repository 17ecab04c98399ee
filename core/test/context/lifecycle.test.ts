/** StreamingContext lifecycle: start/stop rules, what start() validates, and batch times. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestInputDStream } from '@sluice/core/testing';
import { SluiceError, StateSpec } from '@sluice/core';
import { manualContext } from './helpers.js';

const hasCode = (code: string, message?: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof SluiceError, `expected a SluiceError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

describe('start', () => {
  test('rejects with NO_OUTPUT_OPERATIONS when no output operation is registered', async () => {
    const { ssc } = manualContext();
    ssc.queueStream([[1]]).map((x) => x);
    await assert.rejects(ssc.start(), hasCode('NO_OUTPUT_OPERATIONS', /print\(\), foreachRDD\(\) or saveAsTextFiles\(\)/));
    assert.equal(ssc.state, 'initialized');
    await ssc.stop();
  });

  test('rejects with INVALID_STATE when already started, and after stop', async () => {
    const { ssc } = manualContext();
    ssc.queueStream([[1]]).foreachRDD(() => {});
    assert.equal(ssc.state, 'initialized');
    await ssc.start();
    assert.equal(ssc.state, 'active');
    await assert.rejects(ssc.start(), hasCode('INVALID_STATE', /active/));
    await ssc.stop();
    assert.equal(ssc.state, 'stopped');
    await assert.rejects(ssc.start(), hasCode('INVALID_STATE', /stopped.*create a new one/));
  });

  test('a context stopped before it started cannot start', async () => {
    const { ssc } = manualContext();
    ssc.queueStream([[1]]).foreachRDD(() => {});
    await ssc.stop();
    assert.equal(ssc.state, 'stopped');
    await assert.rejects(ssc.start(), hasCode('INVALID_STATE'));
  });

  for (const [what, build] of [
    ['updateStateByKey', (s: TestInputDStream<string>) => s.map((w) => [w, 1] as [string, number]).updateStateByKey<string, number, number>((vs, st) => vs.length + (st ?? 0))],
    ['reduceByKeyAndWindow with an inverse', (s: TestInputDStream<string>) => s.map((w) => [w, 1] as [string, number]).reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 2000)],
    ['countByWindow', (s: TestInputDStream<string>) => s.countByWindow(2000)],
    ['countByValueAndWindow', (s: TestInputDStream<string>) => s.countByValueAndWindow(2000)],
    ['mapWithState', (s: TestInputDStream<string>) => s.map((w) => [w, 1] as [string, number]).mapWithState(StateSpec.function<string, number, number, number>(() => 0))],
  ] as const) {
    test(`a ${what} stream without a checkpoint directory: CHECKPOINT_REQUIRED saying how to set one`, async () => {
      const { ssc } = manualContext();
      const input = new TestInputDStream<string>(ssc, [['a']], 1);
      (build as (s: TestInputDStream<string>) => { print(): void })(input).print();
      await assert.rejects(ssc.start(), hasCode('CHECKPOINT_REQUIRED', /ssc\.checkpoint\(dir\)/));
      assert.equal(ssc.state, 'initialized');
      await ssc.stop();
    });
  }

  test('with ssc.checkpoint(dir) the same stateful graph starts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-ctx-'));
    try {
      const { ssc, runTo } = manualContext();
      ssc.checkpoint(dir);
      assert.equal(ssc.checkpointDir, dir);
      const out: Array<Array<[string, number]>> = [];
      new TestInputDStream<string>(ssc, [['a'], ['a']], 1)
        .map((w) => [w, 1] as [string, number])
        .updateStateByKey<string, number, number>((vs, st) => vs.length + (st ?? 0))
        .foreachRDD(async (rdd) => void out.push(await rdd.collect()));
      await ssc.start();
      await runTo(2000);
      await ssc.stop();
      assert.deepStrictEqual(out, [[['a', 1]], [['a', 2]]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the graph cannot change once started', async () => {
    const { ssc } = manualContext();
    const s = ssc.queueStream<number>([]);
    s.foreachRDD(() => {});
    await ssc.start();
    assert.throws(() => s.map((x) => x), hasCode('INVALID_STATE', /before start\(\)/));
    assert.throws(() => s.foreachRDD(() => {}), hasCode('INVALID_STATE'));
    assert.throws(() => ssc.checkpoint('/tmp/x'), hasCode('INVALID_STATE'));
    await ssc.stop();
  });
});

describe('stop and termination', () => {
  test('stop is idempotent and awaitTermination resolves after it', async () => {
    const { ssc } = manualContext();
    ssc.queueStream([[1]]).foreachRDD(() => {});
    await ssc.start();
    const terminated = ssc.awaitTermination();
    const first = ssc.stop();
    assert.equal(ssc.stop(), first);
    await first;
    await terminated;
    assert.equal(ssc.state, 'stopped');
  });

  test('awaitTerminationOrTimeout resolves false on timeout and true once stopped', async () => {
    const { ssc } = manualContext();
    ssc.queueStream([[1]]).foreachRDD(() => {});
    await ssc.start();
    assert.equal(await ssc.awaitTerminationOrTimeout(5), false);
    await ssc.stop();
    assert.equal(await ssc.awaitTerminationOrTimeout(5), true);
  });

  test('stop() while batches are pending finishes the running job and stops', async () => {
    const { ssc, clock } = manualContext();
    const ran: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    new TestInputDStream<number>(ssc, [[1], [2], [3]], 1).foreachRDD(async (_rdd, time) => {
      ran.push(time);
      if (time === 1000) await gate;
    });
    await ssc.start();
    clock.setTime(3000);
    while (ran.length === 0) await new Promise((r) => setImmediate(r));
    const stopped = ssc.stop();
    release();
    await stopped;
    assert.deepStrictEqual(ran, [1000]);
  });
});

describe('batch times', () => {
  test('are zeroTime + k * batchInterval, zeroTime being the start time rounded down', async () => {
    const { ssc, clock } = manualContext({}, 12_345);
    const times: number[] = [];
    new TestInputDStream<number>(ssc, [], 1).foreachRDD((_rdd, time) => void times.push(time));
    await ssc.start();
    for (const t of [13_000, 14_000, 15_000]) {
      clock.setTime(t + 999);
      await ssc.jobScheduler!.awaitBatch(t);
    }
    await ssc.stop();
    assert.deepStrictEqual(times, [13_000, 14_000, 15_000]);
  });

  test('with a 250 ms interval started at 1001 ms the first batch is at 1250 ms', async () => {
    const { ssc, clock } = manualContext({ batchInterval: 250 }, 1001);
    const times: number[] = [];
    new TestInputDStream<number>(ssc, [], 1).foreachRDD((_rdd, time) => void times.push(time));
    await ssc.start();
    clock.setTime(1750);
    await ssc.jobScheduler!.awaitBatch(1750);
    await ssc.stop();
    assert.deepStrictEqual(times, [1250, 1500, 1750]);
    for (const t of times) assert.equal(t % 250, 0);
  });

  test('a clock jumping over several intervals runs every batch in between, in order', async () => {
    const { ssc, runTo } = manualContext();
    const times: number[] = [];
    new TestInputDStream<number>(ssc, [], 1).foreachRDD((_rdd, time) => void times.push(time));
    await ssc.start();
    await runTo(5000);
    await ssc.stop();
    assert.deepStrictEqual(times, [1000, 2000, 3000, 4000, 5000]);
  });
});
