/**
 * Turns on backpressure for a context (Spark's `spark.streaming.backpressure.enabled`): one
 * {@link RateController} with a {@link PIDRateEstimator} per receiver stream, fed by every completed
 * batch, sending each new rate to the stream's receiver supervisor.
 */
import type { BackpressureOptions } from '../../context-options.js';
import type { StreamingContext } from '../../context.js';
import type { ReceiverInputDStream } from '../../dstream/receiver-input-dstream.js';
import { PIDRateEstimator } from './pid-rate-estimator.js';
import { RateController } from './rate-controller.js';

/**
 * Called by `ssc.start()` when backpressure is on, after the ReceiverTracker is created. Registers a
 * batch-completed hook; returns the controllers (one per stream, in order). `initialRate` is what
 * each controller reports before its first estimate; the receivers' own starting rate is the
 * supervisor's `initialRate` option.
 */
export function startBackpressure(
  ssc: StreamingContext,
  streams: readonly ReceiverInputDStream<unknown>[],
  opts: Required<BackpressureOptions>,
): RateController[] {
  const controllers = streams.map(
    (stream) =>
      new RateController({
        streamId: stream.id,
        estimator: new PIDRateEstimator(ssc.batchInterval, opts.proportional, opts.integral, opts.derived, opts.minRate),
        initialRate: opts.initialRate === Infinity ? undefined : opts.initialRate,
        publish: (rate) => ssc.receiverTracker.updateRateLimit(stream.id, rate),
      }),
  );
  if (controllers.length > 0) {
    ssc.onBatchCompleted((info) => {
      for (const controller of controllers) controller.onBatchCompleted(info);
    });
  }
  return controllers;
}
