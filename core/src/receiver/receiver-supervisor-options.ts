/**
 * Options of a {@link ReceiverSupervisor}, given by the ReceiverTracker, with their defaults
 * (Spark's where Spark has one) and validation.
 */
import { SluiceError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { ReceivedBlock } from './received-block.js';
import type { ReceiverEvents, ReceiverLogger } from './receiver-info.js';

export interface ReceiverSupervisorOptions<T> {
  streamId: number;
  clock: Clock;
  /** Milliseconds between block cuts, a whole number > 0 (Spark's default 200). */
  blockIntervalMs: number;
  /** Upper bound of the rate, records/s (> 0); default `Infinity` (unlimited). */
  maxRate?: number;
  /** Starting rate before backpressure updates it, capped at `maxRate`; default `maxRate`. */
  initialRate?: number;
  /** Bound of received but not yet released bytes (estimated), > 0; default 256 MiB. */
  bufferBytes?: number;
  /** Delay before the first of consecutive restarts, ms (>= 0); default 2000. */
  restartDelayMs?: number;
  /**
   * Cap of the exponential restart backoff, ms (>= 0); default 60000. The backoff resets when the
   * receiver has run this long since its last successful start.
   */
  maxRestartDelayMs?: number;
  /**
   * Stores a block (fsynced when the WAL is on) and resolves when it is durable. Called once per
   * block in block order, possibly while earlier pushes are still in flight (so the WAL can commit
   * them as a group). A rejection fails the `storeBatch` of a reliable block; for an unreliable block
   * it is reported as a receiver error (the records are lost). Either way the block's bytes are
   * released by the supervisor.
   */
  pushBlock: (block: ReceivedBlock<T>) => Promise<void>;
  events: ReceiverEvents;
  /** Default: warnings to `console.warn`. */
  logger?: ReceiverLogger;
}

export interface ResolvedSupervisorOptions {
  maxRate: number;
  initialRate: number | undefined;
  bufferBytes: number;
  restartDelayMs: number;
  maxRestartDelayMs: number;
  logger: ReceiverLogger;
}

function atLeast(value: number | undefined, fallback: number, name: string, min: number, strict = false): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || Number.isNaN(v) || v < min || (strict && v === min)) {
    throw new SluiceError('INVALID_OPTION', `Receiver supervisor option ${name} must be a number ${strict ? '>' : '>='} ${min}, got ${String(v)}`);
  }
  return v;
}

/**
 * Applies defaults and validates (rates are validated by the RateLimiter, `blockIntervalMs` by the
 * BlockGenerator).
 * @throws SluiceError `INVALID_OPTION` naming the bad option.
 */
export function resolveSupervisorOptions<T>(opts: ReceiverSupervisorOptions<T>): ResolvedSupervisorOptions {
  return {
    maxRate: opts.maxRate ?? Infinity,
    initialRate: opts.initialRate,
    bufferBytes: atLeast(opts.bufferBytes, 256 * 1024 * 1024, 'bufferBytes', 0, true),
    restartDelayMs: atLeast(opts.restartDelayMs, 2000, 'restartDelayMs', 0),
    maxRestartDelayMs: atLeast(opts.maxRestartDelayMs, 60_000, 'maxRestartDelayMs', 0),
    logger: opts.logger ?? { warn: (m) => console.warn(m) },
  };
}
