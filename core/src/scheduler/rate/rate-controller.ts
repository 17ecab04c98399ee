/**
 * Feeds one input stream's completed batches to a rate estimator and publishes each new rate,
 * Spark's `RateController` (for receivers, publishing sends the rate to the stream's supervisor).
 */
import { SluiceError } from '../../errors.js';
import type { RateEstimator } from './rate-estimator.js';

/** What the controller reads from a completed batch: a structural subset of the listener's BatchInfo. */
export interface CompletedBatchStats {
  processingEndTime?: number | undefined;
  /** processingEndTime - processingStartTime, ms. */
  processingDelay?: number | undefined;
  /** processingStartTime - submissionTime, ms. */
  schedulingDelay?: number | undefined;
  streamIdToInputInfo: Readonly<Record<number, { readonly numRecords: number } | undefined>>;
}

export interface RateControllerOptions {
  streamId: number;
  estimator: RateEstimator;
  /**
   * Receives each new rate, records/s, truncated to a whole number as Spark does. Called
   * synchronously from {@link RateController.onBatchCompleted}; what it throws propagates.
   */
  publish: (recordsPerSecond: number) => void;
  /**
   * What {@link RateController.getLatestRate} returns before the first estimate (> 0); Spark's
   * `backpressure.initialRate`. Default: none (-1).
   */
  initialRate?: number;
}

export class RateController {
  readonly streamId: number;
  private latestRate: number;

  /** @throws SluiceError `INVALID_OPTION` if `initialRate` is given and not > 0. */
  constructor(private readonly opts: RateControllerOptions) {
    if (opts.initialRate !== undefined && !(typeof opts.initialRate === 'number' && opts.initialRate > 0)) {
      throw new SluiceError('INVALID_OPTION', `RateController initialRate must be a number > 0 (records/s), got ${String(opts.initialRate)}`);
    }
    this.streamId = opts.streamId;
    this.latestRate = opts.initialRate ?? -1;
  }

  /**
   * Call once per completed batch. Does nothing unless the batch has a processing end time, both
   * delays, and input info for this stream; otherwise runs the estimator with
   * `(processingEndTime, numRecords, processingDelay, schedulingDelay)` and, when it yields a rate,
   * stores and publishes it.
   */
  onBatchCompleted(batch: CompletedBatchStats): void {
    const input = batch.streamIdToInputInfo[this.streamId];
    const { processingEndTime, processingDelay, schedulingDelay } = batch;
    if (input === undefined || processingEndTime === undefined || processingDelay === undefined || schedulingDelay === undefined) return;
    this.computeAndPublish(processingEndTime, input.numRecords, processingDelay, schedulingDelay);
  }

  /** Runs the estimator on one batch's numbers and publishes the new rate, if any. */
  computeAndPublish(time: number, numElements: number, processingDelay: number, schedulingDelay: number): void {
    const rate = this.opts.estimator.compute(time, numElements, processingDelay, schedulingDelay);
    if (rate === undefined) return;
    this.latestRate = Math.trunc(rate);
    this.opts.publish(this.latestRate);
  }

  /** The last published rate, records/s; before the first one, `initialRate`, or -1 without it. */
  getLatestRate(): number {
    return this.latestRate;
  }
}
