/**
 * StreamingListener events: their order, and BatchInfo's fields (Spark's names and meanings) on a
 * manual clock, so every delay is exact.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestInputDStream } from '@sluice/core/testing';
import type { BatchInfo, OutputOperationInfo } from '@sluice/core';
import { manualContext, recordingListener } from './helpers.js';

const batchInfoOf = (payload: Record<string, unknown>): BatchInfo => payload['batchInfo'] as BatchInfo;

describe('listener events', () => {
  test('order for a batch with two output operations', async () => {
    const printed: string[] = [];
    const { ssc, runTo } = manualContext({ printSink: (text) => void printed.push(text) });
    const { listener, events } = recordingListener();
    ssc.addStreamingListener(listener);
    const s = new TestInputDStream<number>(ssc, [[1, 2]], 1);
    s.foreachRDD(() => {});
    s.print();
    await ssc.start();
    await runTo(1000);
    await ssc.stop();
    assert.equal(printed.length, 1);
    assert.deepStrictEqual(
      events.map((e) => e.type),
      [
        'onStreamingStarted',
        'onBatchSubmitted',
        'onBatchStarted',
        'onOutputOperationStarted',
        'onOutputOperationCompleted',
        'onOutputOperationStarted',
        'onOutputOperationCompleted',
        'onBatchCompleted',
      ],
    );
    const ops = events.filter((e) => e.type === 'onOutputOperationCompleted').map((e) => e.payload['outputOperationInfo'] as OutputOperationInfo);
    assert.deepStrictEqual(ops.map((o) => [o.id, o.name, o.batchTime]), [[0, 'foreachRDD', 1000], [1, 'print', 1000]]);
    for (const o of ops) {
      assert.equal(o.failureReason, undefined);
      assert.equal(o.duration, o.endTime! - o.startTime!);
    }
  });

  test('a removed listener gets nothing more; a throwing listener does not disturb the context', async () => {
    const { ssc, runTo } = manualContext();
    const { listener, events } = recordingListener();
    ssc.addStreamingListener({
      onBatchCompleted() {
        throw new Error('listener bug');
      },
    });
    ssc.addStreamingListener(listener);
    new TestInputDStream<number>(ssc, [[1], [2]], 1).foreachRDD(() => {});
    await ssc.start();
    await runTo(1000);
    await ssc.bus.drain();
    ssc.removeStreamingListener(listener);
    await runTo(2000);
    await ssc.stop();
    assert.deepStrictEqual(events.filter((e) => e.type === 'onBatchCompleted').map((e) => batchInfoOf(e.payload).batchTime), [1000]);
    assert.equal(ssc.state, 'stopped');
  });
});

describe('BatchInfo', () => {
  test('schedulingDelay, processingDelay, totalDelay and numRecords are exact on a manual clock', async () => {
    const { ssc, clock } = manualContext({}, 500);
    const { listener, events } = recordingListener();
    ssc.addStreamingListener(listener);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let submitted2000!: () => void;
    const batch2Submitted = new Promise<void>((r) => (submitted2000 = r));
    ssc.addStreamingListener({ onBatchSubmitted: (e) => void (e.batchInfo.batchTime === 2000 && submitted2000()) });
    const input = new TestInputDStream<number>(ssc, [[1, 2, 3], [4]], 2);
    input.foreachRDD(async (_rdd, time) => {
      if (time === 1000) {
        clock.setTime(1300); // this batch takes 300 ms of its own ...
        await gate; // ... and is still running when the next one is submitted
      }
    });
    await ssc.start();
    clock.setTime(1000);
    while (clock.now() !== 1300) await new Promise((r) => setImmediate(r));
    clock.setTime(2000);
    await batch2Submitted;
    clock.setTime(2400);
    release();
    await ssc.jobScheduler!.awaitBatch(2000);
    await ssc.stop();

    const completed = events.filter((e) => e.type === 'onBatchCompleted').map((e) => batchInfoOf(e.payload));
    assert.deepStrictEqual(
      completed.map((b) => ({
        batchTime: b.batchTime,
        submissionTime: b.submissionTime,
        processingStartTime: b.processingStartTime,
        processingEndTime: b.processingEndTime,
        schedulingDelay: b.schedulingDelay,
        processingDelay: b.processingDelay,
        totalDelay: b.totalDelay,
        numRecords: b.numRecords,
      })),
      [
        { batchTime: 1000, submissionTime: 1000, processingStartTime: 1000, processingEndTime: 2400, schedulingDelay: 0, processingDelay: 1400, totalDelay: 1400, numRecords: 3 },
        { batchTime: 2000, submissionTime: 2000, processingStartTime: 2400, processingEndTime: 2400, schedulingDelay: 400, processingDelay: 0, totalDelay: 400, numRecords: 1 },
      ],
    );
    assert.deepStrictEqual(completed[0]!.streamIdToInputInfo[input.id], { streamId: input.id, numRecords: 3 });
    for (const b of completed) assert.equal(b.totalDelay, b.schedulingDelay! + b.processingDelay!);
    // Submitted and started events carry the fields known at that point only.
    const submitted = events.filter((e) => e.type === 'onBatchSubmitted').map((e) => batchInfoOf(e.payload));
    assert.deepStrictEqual(submitted.map((b) => [b.batchTime, b.submissionTime, b.processingStartTime]), [[1000, 1000, undefined], [2000, 2000, undefined]]);
    const started = events.filter((e) => e.type === 'onBatchStarted').map((e) => batchInfoOf(e.payload));
    assert.deepStrictEqual(started.map((b) => [b.batchTime, b.schedulingDelay, b.processingEndTime]), [[1000, 0, undefined], [2000, 400, undefined]]);
  });
});
