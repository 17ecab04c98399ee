/**
 * Spark's PID rate estimator: a proportional-integral-derivative controller on the ingestion rate.
 * The error is the difference between the rate it asked for last time and the rate the last batch
 * was processed at; the scheduling delay stands for the accumulated (integral) error.
 */
import { SluiceError } from '../../errors.js';
import type { RateEstimator } from './rate-estimator.js';

function check(value: number, name: string, ok: (v: number) => boolean, accepted: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new SluiceError('INVALID_OPTION', `PIDRateEstimator ${name} must be a finite number ${accepted}, got ${String(value)}`);
  }
}

/**
 * For each completed batch, with `n` records processed in `proc` ms after waiting `sched` ms:
 * ```
 * processingRate  = n / proc * 1000                      (records/s)
 * error           = latestRate - processingRate
 * historicalError = sched * processingRate / batchIntervalMs
 * dError          = (error - latestError) / ((time - latestTime) / 1000)
 * newRate         = max(latestRate - kp*error - ki*historicalError - kd*dError, minRate)
 * ```
 * A batch is skipped (undefined) unless `time` is later than the last one used, `n > 0` and
 * `proc > 0`. The first batch used only seeds `latestRate = processingRate` and returns undefined.
 * Not thread-safe by design: Node runs it on one thread.
 *
 * @example
 * ```ts
 * const pid = new PIDRateEstimator(1000);     // 1 s batches, Spark's gains 1.0, 0.2, 0.0, min 100
 * pid.compute(1000, 5000, 500, 0);            // undefined: seeds 10 000 records/s
 * pid.compute(2000, 5000, 1000, 0);           // 5000: processing slowed to 5000 records/s
 * ```
 */
export class PIDRateEstimator implements RateEstimator {
  private firstRun = true;
  private latestTime = -1;
  private latestRate = -1;
  private latestError = -1;

  /**
   * @param batchIntervalMs the batch interval, ms (> 0)
   * @param kp proportional gain, >= 0 (`backpressure.proportional`, default 1.0)
   * @param ki integral gain, >= 0 (`backpressure.integral`, default 0.2)
   * @param kd derivative gain, >= 0 (`backpressure.derived`, default 0.0)
   * @param minRate the lowest rate ever estimated, > 0, so some data always flows (default 100)
   * @throws SluiceError `INVALID_OPTION` naming the parameter that is out of range.
   */
  constructor(
    private readonly batchIntervalMs: number,
    private readonly kp = 1.0,
    private readonly ki = 0.2,
    private readonly kd = 0.0,
    private readonly minRate = 100,
  ) {
    check(batchIntervalMs, 'batchIntervalMs', (v) => v > 0, '> 0');
    check(kp, 'kp (proportional)', (v) => v >= 0, '>= 0');
    check(ki, 'ki (integral)', (v) => v >= 0, '>= 0');
    check(kd, 'kd (derived)', (v) => v >= 0, '>= 0');
    check(minRate, 'minRate', (v) => v > 0, '> 0');
  }

  /** See the class comment. Returns the new rate (records/s, >= minRate) or undefined. */
  compute(time: number, numElements: number, processingDelay: number, schedulingDelay: number): number | undefined {
    if (!(time > this.latestTime && numElements > 0 && processingDelay > 0)) return undefined;
    const delaySinceUpdate = (time - this.latestTime) / 1000;
    const processingRate = (numElements / processingDelay) * 1000;
    const error = this.latestRate - processingRate;
    const historicalError = (schedulingDelay * processingRate) / this.batchIntervalMs;
    const dError = (error - this.latestError) / delaySinceUpdate;
    const newRate = Math.max(this.latestRate - this.kp * error - this.ki * historicalError - this.kd * dError, this.minRate);
    this.latestTime = time;
    if (this.firstRun) {
      this.latestRate = processingRate;
      this.latestError = 0;
      this.firstRun = false;
      return undefined;
    }
    this.latestRate = newRate;
    this.latestError = error;
    return newRate;
  }
}
