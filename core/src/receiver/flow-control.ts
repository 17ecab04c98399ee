/**
 * Bounds what one receiver may store: by rate (records/s, a {@link RateLimiter}) and by memory
 * (estimated bytes stored but not yet released by the engine). A slow pipeline releases late, so
 * its sources are told to pause instead of growing the heap.
 */
import { SluiceError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import { RateLimiter } from './rate-limiter.js';

export interface FlowControlOptions {
  /** Upper bound of the rate, records/s; `Infinity` = unlimited. */
  maxRate: number;
  /** Starting rate, capped at `maxRate`; default `maxRate`. */
  initialRate?: number;
  /** Bound of stored but unreleased bytes, > 0. */
  bufferBytes: number;
}

function abortError(): Error {
  const e = new Error('The wait was aborted');
  e.name = 'AbortError';
  return e;
}

export class FlowControl {
  private readonly limiter: RateLimiter;
  private readonly bufferLimit: number;
  private buffered = 0;
  private readonly roomWaiters = new Set<() => void>();

  /** @throws SluiceError `INVALID_OPTION` naming `maxRate`, `initialRate` or `bufferBytes`. */
  constructor(clock: Clock, opts: FlowControlOptions) {
    if (typeof opts.bufferBytes !== 'number' || !(opts.bufferBytes > 0)) {
      throw new SluiceError('INVALID_OPTION', `bufferBytes must be a number of bytes > 0, got ${String(opts.bufferBytes)}`);
    }
    this.bufferLimit = opts.bufferBytes;
    this.limiter = new RateLimiter(clock, opts.maxRate, opts.initialRate);
  }

  /** Estimated bytes counted by {@link admit} and not yet released. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The current rate limit, records/s. */
  get rate(): number {
    return this.limiter.rate;
  }

  /** Backpressure: see {@link RateLimiter.updateRate} (ignores <= 0, caps at maxRate). */
  updateRate(recordsPerSecond: number): void {
    this.limiter.updateRate(recordsPerSecond);
  }

  /** True when `n` more records may be stored now: under the byte bound and within the rate. */
  canStore(n = 1): boolean {
    return this.buffered < this.bufferLimit && this.limiter.canAcquire(n);
  }

  /** Counts `n` records of `bytes` as stored, even past the limits (they are already in hand). */
  admit(n: number, bytes: number): void {
    this.limiter.take(n);
    this.buffered += bytes;
  }

  /** Gives back `bytes` (blocks processed, or lost) and wakes waiters if there is room again. */
  release(bytes: number): void {
    if (!(bytes > 0)) return;
    this.buffered = Math.max(0, this.buffered - bytes);
    if (this.buffered < this.bufferLimit) for (const wake of [...this.roomWaiters]) wake();
  }

  /**
   * Resolves once {@link canStore}(n) (at once if it already is), waiting on the clock and on
   * releases; never blocks the event loop. Rejects with an Error named `AbortError` when `signal`
   * aborts first. It admits nothing: call {@link admit} after it resolves.
   */
  async whenCanStore(n: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw abortError();
      if (this.buffered >= this.bufferLimit) await this.whenRoom(signal);
      else if (!this.limiter.canAcquire(n)) await this.limiter.whenAvailable(n, signal);
      else return;
    }
  }

  private whenRoom(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.roomWaiters.delete(wake);
        resolve();
      };
      const onAbort = (): void => {
        this.roomWaiters.delete(wake);
        reject(abortError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.roomWaiters.add(wake);
    });
  }
}
