/**
 * Backpressure for the direct stream (Spark's `DirectKafkaRateController`): when the context has
 * `backpressure` on, a PID estimator fed by every completed batch of this stream gives the rate
 * (records/s, all partitions together) that the next batches' ranges are capped by. Before the
 * first estimate the rate is `backpressure.initialRate` if one is set (so the first batch is
 * bounded too), else unbounded (then `maxRatePerPartition` alone caps).
 */
import { PIDRateEstimator, type BackpressureOptions, type BatchInfo, type StreamingContext } from '@sluice/core';

/** The context's resolved backpressure options, or undefined when backpressure is off. */
function contextBackpressure(ssc: StreamingContext): Readonly<Required<BackpressureOptions>> | undefined {
  return ssc.backpressure;
}

export class DirectRateController {
  private readonly estimator: PIDRateEstimator | undefined;
  private latest: number | undefined;

  constructor(
    ssc: StreamingContext,
    private readonly streamId: number,
  ) {
    const bp = contextBackpressure(ssc);
    if (bp === undefined) return;
    this.estimator = new PIDRateEstimator(ssc.batchInterval, bp.proportional, bp.integral, bp.derived, bp.minRate);
    this.latest = Number.isFinite(bp.initialRate) ? bp.initialRate : undefined;
  }

  /** True when the context has backpressure on. */
  get enabled(): boolean {
    return this.estimator !== undefined;
  }

  /** The current rate limit for the stream, records/s, or undefined for none. */
  get rate(): number | undefined {
    return this.latest;
  }

  /** Feeds one completed batch (from a StreamingListener's onBatchCompleted). */
  onBatchCompleted(info: BatchInfo): void {
    const input = info.streamIdToInputInfo[this.streamId];
    const { processingEndTime, processingDelay, schedulingDelay } = info;
    if (!this.estimator || input === undefined || processingEndTime === undefined || processingDelay === undefined || schedulingDelay === undefined) return;
    const rate = this.estimator.compute(processingEndTime, input.numRecords, processingDelay, schedulingDelay);
    if (rate !== undefined) this.latest = Math.trunc(rate);
  }
}
