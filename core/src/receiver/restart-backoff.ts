/**
 * The delay before a receiver is restarted: exponential backoff over consecutive failures, reset
 * once the receiver has run fine for a while.
 */

export class RestartBackoff {
  private failures = 0;

  /**
   * @param baseDelayMs delay of the first restart (Spark's `receiverRestartDelay`, 2000 ms).
   * @param maxDelayMs cap of the backoff; also how long a receiver must have run since its last
   *   successful start for the backoff to reset.
   */
  constructor(
    private readonly baseDelayMs: number,
    private readonly maxDelayMs: number,
  ) {}

  /**
   * The delay for the next restart: `base × 2^k`, capped at `max(maxDelayMs, base)`, where `k`
   * counts the restarts since the backoff last reset.
   * @param ranForMs how long the receiver ran since its last successful start (undefined when the
   *   start itself failed); at least `maxDelayMs` resets the backoff first.
   * @param baseMs a delay the receiver asked for (`restart(msg, err, delayMs)`), instead of the base.
   */
  next(ranForMs: number | undefined, baseMs: number = this.baseDelayMs): number {
    if (ranForMs !== undefined && ranForMs >= this.maxDelayMs) this.failures = 0;
    const delay = Math.min(baseMs * 2 ** this.failures, Math.max(this.maxDelayMs, baseMs));
    this.failures++;
    return delay;
  }

  /** Restarts counted since the last reset. */
  get consecutiveRestarts(): number {
    return this.failures;
  }
}
