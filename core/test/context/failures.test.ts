/**
 * Failures: a failing output job is retried; when it keeps failing the context stops with that
 * error, awaitTermination rejects with it, and no later batch runs (a batch is never skipped).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runBatches, TestInputDStream } from '@sluice/core/testing';
import { SluiceError } from '@sluice/core';
import { manualContext, quietLogger, recordingListener } from './helpers.js';

describe('failing output operations', () => {
  test('an output op failing every time stops the context; awaitTermination rejects with its error; later batches never run', async () => {
    const { ssc, clock } = manualContext();
    const { listener, events } = recordingListener();
    ssc.addStreamingListener(listener);
    const sinkDown = new Error('sink down');
    const calls: number[] = [];
    new TestInputDStream<number>(ssc, [[1], [2], [3]], 1).foreachRDD((_rdd, time) => {
      calls.push(time);
      throw sinkDown;
    });
    await ssc.start();
    const terminated = ssc.awaitTermination();
    clock.setTime(3000); // batches 1000, 2000 and 3000 are all due
    await assert.rejects(terminated, (e: unknown) => {
      assert.ok(e instanceof SluiceError);
      assert.equal(e.code, 'JOB_FAILED');
      assert.equal(e.cause, sinkDown);
      assert.match(e.message, /foreachRDD/);
      assert.match(e.message, /batch at 1000 ms/);
      assert.match(e.message, /sink down/);
      return true;
    });
    assert.equal(ssc.state, 'stopped');
    assert.deepStrictEqual(calls, [1000, 1000, 1000, 1000]); // maxTaskFailures (4) attempts, then nothing
    assert.equal(events.filter((e) => e.type === 'onBatchCompleted').length, 0);
    const failed = events.find((e) => e.type === 'onOutputOperationCompleted')!.payload['outputOperationInfo'] as { failureReason?: string; batchTime: number };
    assert.equal(failed.batchTime, 1000);
    assert.match(failed.failureReason ?? '', /sink down/);
  });

  test('a rejected promise counts as a failure too, with maxTaskFailures attempts', async () => {
    const { ssc, clock } = manualContext({ maxTaskFailures: 2 });
    let calls = 0;
    new TestInputDStream<number>(ssc, [[1]], 1).foreachRDD(async () => {
      calls++;
      await Promise.resolve();
      throw new Error('async failure');
    });
    await ssc.start();
    const terminated = ssc.awaitTermination();
    clock.setTime(1000);
    await assert.rejects(terminated, (e: unknown) => e instanceof SluiceError && e.code === 'JOB_FAILED' && /async failure/.test(e.message));
    assert.equal(calls, 2);
  });

  test('an output op failing once is retried and its batch completes', async () => {
    const { ssc, runTo } = manualContext();
    const { listener, events } = recordingListener();
    ssc.addStreamingListener(listener);
    let failures = 0;
    const done: Array<[number, number[]]> = [];
    new TestInputDStream<number>(ssc, [[1], [2]], 1).foreachRDD(async (rdd, time) => {
      if (time === 1000 && failures++ === 0) throw new Error('blip');
      done.push([time, await rdd.collect()]);
    });
    await ssc.start();
    await runTo(2000);
    await ssc.stop();
    assert.deepStrictEqual(done, [[1000, [1]], [2000, [2]]]);
    assert.equal(failures, 2);
    const completed = events.filter((e) => e.type === 'onBatchCompleted').map((e) => (e.payload['batchInfo'] as { batchTime: number }).batchTime);
    assert.deepStrictEqual(completed, [1000, 2000]);
    const ops = events.filter((e) => e.type === 'onOutputOperationCompleted').map((e) => e.payload['outputOperationInfo'] as { failureReason?: string });
    assert.deepStrictEqual(ops.map((o) => o.failureReason), [undefined, undefined]);
  });

  test('a task that fails for good is not retried again at the job level', async () => {
    const { ssc, clock } = manualContext({ maxTaskFailures: 3 });
    let attempts = 0;
    new TestInputDStream<number>(ssc, [[1]], 1)
      .map((x) => {
        attempts++;
        if (x > 0) throw new Error('bad record');
        return x;
      })
      .foreachRDD(async (rdd) => void (await rdd.collect()));
    await ssc.start();
    const terminated = ssc.awaitTermination();
    clock.setTime(1000);
    await assert.rejects(terminated, (e: unknown) => {
      assert.ok(e instanceof SluiceError && e.code === 'JOB_FAILED');
      assert.ok(e.cause instanceof SluiceError && e.cause.code === 'TASK_FAILED');
      assert.match(e.message, /bad record/);
      return true;
    });
    assert.equal(attempts, 3);
  });

  test('an error while generating a batch (a transform that throws) stops the context with that error', async () => {
    const { ssc, clock } = manualContext();
    const ran: number[] = [];
    const s = new TestInputDStream<number>(ssc, [[1], [2]], 1);
    s.transform((rdd, time) => {
      if (time === 2000) throw new Error('cannot build');
      return rdd;
    }).foreachRDD((_rdd, time) => void ran.push(time));
    await ssc.start();
    const terminated = ssc.awaitTermination();
    clock.setTime(3000);
    await assert.rejects(terminated, (e: unknown) => e instanceof SluiceError && e.code === 'JOB_FAILED' && /2000 ms/.test(e.message) && /cannot build/.test(e.message));
    assert.deepStrictEqual(ran, [1000]);
    assert.equal(ssc.state, 'stopped');
  });

  test('runBatches reports the error that stopped the context', async () => {
    await assert.rejects(
      runBatches({ input: [[1], [2]], contextOptions: { logger: quietLogger() } }, (s) =>
        s.transform((rdd, time) => {
          if (time === 2000) throw new Error('cannot build');
          return rdd;
        }),
      ),
      (e: unknown) => e instanceof SluiceError && e.code === 'JOB_FAILED' && /cannot build/.test(e.message),
    );
  });
});
