/**
 * A token bucket that bounds how many records per second a receiver stores, on the injected clock.
 * Spark wraps Guava's RateLimiter and blocks a thread in `acquire()`; Node must not block, so this
 * one answers at once (`tryAcquire`, `canAcquire`) or hands back a promise (`whenAvailable`).
 */
import { SluiceError } from '../errors.js';
import type { Clock } from '../util/clock.js';

/** Slack for floating-point refills: a bucket holding 0.9999999999 of a permit holds one. */
const EPSILON = 1e-9;

function abortError(): Error {
  const e = new Error('The wait was aborted');
  e.name = 'AbortError';
  return e;
}

function validRate(rate: number, what: string): number {
  if (typeof rate !== 'number' || Number.isNaN(rate) || rate <= 0) {
    throw new SluiceError('INVALID_OPTION', `${what} must be a number of records per second > 0 (Infinity = unlimited), got ${String(rate)}`);
  }
  return rate;
}

/**
 * Permits (records) are added continuously at `rate` per second up to one second's worth (at
 * least one permit): like Guava's SmoothBursty, a source that was idle may burst one second of
 * data. A rate of `Infinity` means unlimited.
 */
export class RateLimiter {
  readonly maxRate: number;
  private currentRate: number;
  private tokens = 1;
  private lastRefill: number;
  /** Waits in `whenAvailable`; woken when the rate changes so they re-plan. */
  private readonly waits = new Set<AbortController>();

  /**
   * @param maxRate upper bound of the rate, records/s (`Infinity`, the default, = unlimited);
   *   Spark's `spark.streaming.receiver.maxRate`.
   * @param initialRate the starting rate, capped at `maxRate` (default `maxRate`); Spark's
   *   `spark.streaming.backpressure.initialRate`.
   * @throws SluiceError `INVALID_OPTION` if a rate is not > 0.
   */
  constructor(
    private readonly clock: Clock,
    maxRate: number = Infinity,
    initialRate?: number,
  ) {
    this.maxRate = validRate(maxRate, 'maxRate');
    this.currentRate = Math.min(initialRate === undefined ? maxRate : validRate(initialRate, 'initialRate'), this.maxRate);
    this.lastRefill = clock.now();
  }

  /** The current rate in records/s (`Infinity` = unlimited). */
  get rate(): number {
    return this.currentRate;
  }

  /**
   * Sets a new rate (from backpressure). As Spark: ignored when `rate <= 0` (or NaN), capped at
   * `maxRate`. Permits already earned are kept up to the new burst size; pending `whenAvailable`
   * waits re-plan against the new rate. Never throws.
   */
  updateRate(rate: number): void {
    if (!(rate > 0)) return;
    const next = Math.min(rate, this.maxRate);
    if (next === this.currentRate) return;
    this.refill();
    const wasUnlimited = this.currentRate === Infinity;
    this.currentRate = next;
    if (next !== Infinity) this.tokens = wasUnlimited ? this.capacity() : Math.min(this.tokens, this.capacity());
    for (const wait of [...this.waits]) wait.abort();
  }

  /**
   * True when `n` permits are available now. A request larger than the burst size is available when
   * the bucket is full (it then leaves the bucket in debt), so any `n` is eventually granted.
   */
  canAcquire(n = 1): boolean {
    if (this.currentRate === Infinity) return true;
    this.refill();
    return this.tokens + EPSILON >= Math.min(n, this.capacity());
  }

  /** Takes `n` permits if {@link canAcquire}(n), and says whether it did. Never waits. */
  tryAcquire(n = 1): boolean {
    if (!this.canAcquire(n)) return false;
    this.take(n);
    return true;
  }

  /**
   * Takes `n` permits now whether or not they are available, leaving the bucket in debt if they
   * are not; later requests wait until the debt is paid. This is how a record that a receiver
   * stores while over the rate (it was told to pause but had it in hand) still counts.
   */
  take(n = 1): void {
    if (this.currentRate === Infinity) return;
    this.refill();
    this.tokens -= n;
  }

  /**
   * Resolves once {@link canAcquire}(n) is true (at once if it already is), waiting on the clock.
   * It does not take the permits. Rejects with an Error named `AbortError` if `signal` aborts first.
   */
  async whenAvailable(n = 1, signal?: AbortSignal): Promise<void> {
    while (!this.canAcquire(n)) {
      if (signal?.aborted) throw abortError();
      const wait = new AbortController();
      const onAbort = (): void => wait.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waits.add(wait);
      try {
        await this.clock.waitUntil(this.availableAt(n), wait.signal);
      } catch (e) {
        if (signal?.aborted) throw abortError();
        if (!wait.signal.aborted) throw e;
        // The rate changed: plan again.
      } finally {
        signal?.removeEventListener('abort', onAbort);
        this.waits.delete(wait);
      }
    }
  }

  /** Burst size: one second of permits, at least one. */
  private capacity(): number {
    return Math.max(1, this.currentRate);
  }

  /** The clock time at which `n` permits will be available (after {@link refill}). */
  private availableAt(n: number): number {
    const missing = Math.min(n, this.capacity()) - this.tokens;
    return this.lastRefill + Math.max(1, Math.ceil((missing * 1000) / this.currentRate));
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.lastRefill && this.currentRate !== Infinity) {
      this.tokens = Math.min(this.capacity(), this.tokens + ((now - this.lastRefill) * this.currentRate) / 1000);
    }
    if (now > this.lastRefill) this.lastRefill = now;
  }
}
