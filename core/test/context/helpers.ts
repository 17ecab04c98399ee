/** Helpers of the context tests: a context on a manual clock, driven batch by batch. */
import { ManualClock } from '@sluice/core/testing';
import { StreamingContext, type StreamingContextOptions, type StreamingListener } from '@sluice/core';
import { quietLogger } from '../dstream/helpers.js';

export { quietLogger };

export interface Manual {
  ssc: StreamingContext;
  clock: ManualClock;
  /** Moves the clock to `time` and resolves when the batch at `time` has completed. */
  runTo(time: number): Promise<void>;
}

/** A context with a 1 s batch interval on a manual clock at `start`, logging nowhere. */
export function manualContext(opts: Partial<StreamingContextOptions> = {}, start = 0): Manual {
  const clock = new ManualClock(start);
  const ssc = new StreamingContext({ batchInterval: 1000, logger: quietLogger(), ...opts, clock });
  return {
    ssc,
    clock,
    async runTo(time) {
      clock.setTime(time);
      await ssc.jobScheduler!.awaitBatch(time);
    },
  };
}

export type RecordedEvent = { type: keyof StreamingListener; payload: Record<string, unknown> };

/** A listener that records every event it gets, in order. */
export function recordingListener(): { listener: StreamingListener; events: RecordedEvent[] } {
  const events: RecordedEvent[] = [];
  const types: Array<keyof StreamingListener> = [
    'onStreamingStarted', 'onBatchSubmitted', 'onBatchStarted', 'onBatchCompleted', 'onOutputOperationStarted',
    'onOutputOperationCompleted', 'onReceiverStarted', 'onReceiverError', 'onReceiverStopped', 'onBadRecord',
  ];
  const listener: StreamingListener = {};
  for (const type of types) (listener as Record<string, (p: Record<string, unknown>) => void>)[type] = (payload) => void events.push({ type, payload });
  return { listener, events };
}
