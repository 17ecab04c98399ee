/**
 * A rate estimator turns the statistics of each completed batch into the rate (records/s) a stream
 * should ingest at, Spark's `RateEstimator`. The only kind is `'pid'` ({@link PIDRateEstimator}).
 */

export interface RateEstimator {
  /**
   * Called once per completed batch; synchronous and cheap. Returns the new rate in records/s, or
   * undefined when there is no new estimate.
   * @param time when the batch finished processing (ms)
   * @param numElements records of this stream in the batch
   * @param processingDelay how long the batch's jobs took (ms)
   * @param schedulingDelay how long the batch waited for earlier ones (ms)
   */
  compute(time: number, numElements: number, processingDelay: number, schedulingDelay: number): number | undefined;
}
