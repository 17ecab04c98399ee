import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateController, type CompletedBatchStats } from '../../src/scheduler/rate/rate-controller.js';
import { PIDRateEstimator } from '../../src/scheduler/rate/pid-rate-estimator.js';
import { startBackpressure } from '../../src/scheduler/rate/backpressure.js';
import type { StreamingContext } from '../../src/context.js';
import type { ReceiverInputDStream } from '../../src/dstream/receiver-input-dstream.js';
import { SluiceError } from '../../src/errors.js';

const batch = (end: number, numRecords: number | undefined, proc: number, sched: number, streamId = 1): CompletedBatchStats => ({
  processingEndTime: end,
  processingDelay: proc,
  schedulingDelay: sched,
  streamIdToInputInfo: numRecords === undefined ? {} : { [streamId]: { numRecords } },
});

test('feeds (processingEndTime, numRecords, processingDelay, schedulingDelay) to the estimator and publishes whole rates', () => {
  const published: number[] = [];
  const rc = new RateController({ streamId: 1, estimator: new PIDRateEstimator(1000), publish: (r) => published.push(r) });
  assert.equal(rc.getLatestRate(), -1);
  rc.onBatchCompleted(batch(1000, 5000, 500, 0));
  assert.deepEqual(published, []);
  rc.onBatchCompleted(batch(2000, 5000, 1000, 500));
  rc.onBatchCompleted(batch(3000, 4500, 1000, 200));
  rc.onBatchCompleted(batch(4000, 3333, 1000, 7));
  // 3333/s: error 4320 - 3333 = 987, historical 7*3333/1000 = 23.331 → 4320 - 987 - 4.6662 = 3328.3338
  assert.deepEqual(published, [4500, 4320, 3328]);
  assert.equal(rc.getLatestRate(), 3328);
});

test('skips batches without input info for its stream or without timing', () => {
  const calls: number[][] = [];
  const rc = new RateController({
    streamId: 2,
    estimator: { compute: (...args) => (calls.push(args), 500) },
    publish: () => {},
    initialRate: 800,
  });
  assert.equal(rc.getLatestRate(), 800);
  rc.onBatchCompleted(batch(1000, 10, 10, 0, 1));
  rc.onBatchCompleted({ streamIdToInputInfo: { 2: { numRecords: 10 } } });
  rc.onBatchCompleted({ processingEndTime: 1, processingDelay: 1, streamIdToInputInfo: { 2: { numRecords: 10 } } });
  assert.deepEqual(calls, []);
  rc.onBatchCompleted(batch(1000, 10, 20, 30, 2));
  assert.deepEqual(calls, [[1000, 10, 20, 30]]);
  assert.equal(rc.getLatestRate(), 500);
  assert.throws(
    () => new RateController({ streamId: 1, estimator: new PIDRateEstimator(1), publish: () => {}, initialRate: 0 }),
    (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && /initialRate/.test(e.message),
  );
});

test('startBackpressure sends each receiver stream its own estimate after every completed batch', () => {
  const updates: [number, number][] = [];
  const hooks: ((info: CompletedBatchStats) => void)[] = [];
  const ssc = {
    batchInterval: 1000,
    receiverTracker: { updateRateLimit: (id: number, rate: number) => updates.push([id, rate]) },
    onBatchCompleted: (hook: (info: CompletedBatchStats) => void) => hooks.push(hook),
  } as unknown as StreamingContext;
  const streams = [{ id: 0 }, { id: 4 }] as unknown as ReceiverInputDStream<unknown>[];
  const controllers = startBackpressure(ssc, streams, { initialRate: 300, proportional: 1, integral: 0.2, derived: 0, minRate: 100 });
  assert.equal(hooks.length, 1);
  assert.deepEqual(controllers.map((c) => [c.streamId, c.getLatestRate()]), [[0, 300], [4, 300]]);
  const info = (end: number, n0: number, n4: number): CompletedBatchStats => ({
    processingEndTime: end,
    processingDelay: 1000,
    schedulingDelay: 0,
    streamIdToInputInfo: { 0: { numRecords: n0 }, 4: { numRecords: n4 } },
  });
  hooks[0]!(info(1000, 2000, 500));
  hooks[0]!(info(2000, 1000, 600));
  assert.deepEqual(updates, [[0, 1000], [4, 600]]);
});
