/**
 * Time and durations. A `Time` is milliseconds since the epoch; a `Duration` is a number of
 * milliseconds. Every API that takes a duration accepts either a plain number of milliseconds or
 * the value returned by {@link Seconds}, {@link Milliseconds} or {@link Minutes} (which are numbers
 * too), so `Seconds(10)` and `10_000` are interchangeable.
 */
import { SluiceError } from './errors.js';

/** Milliseconds since the epoch. */
export type Time = number;
/** A length of time in milliseconds. */
export type Duration = number;
/** What duration parameters accept: milliseconds. */
export type DurationLike = number;

/** `n` milliseconds. */
export function Milliseconds(n: number): Duration {
  return toDuration(n, 'Milliseconds');
}

/** `n` seconds, in milliseconds. */
export function Seconds(n: number): Duration {
  return toDuration(n * 1000, 'Seconds');
}

/** `n` minutes, in milliseconds. */
export function Minutes(n: number): Duration {
  return toDuration(n * 60_000, 'Minutes');
}

/**
 * Validates a duration given by a user.
 * @throws SluiceError `INVALID_OPTION` naming `what` when `value` is not a finite number >= 0
 *   (or > 0 when `positive`), or not a whole number of milliseconds.
 */
export function toDuration(value: unknown, what: string, positive = true): Duration {
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value) || value < 0 || (positive && value === 0)) {
    throw new SluiceError(
      'INVALID_OPTION',
      `${what} must be a whole number of milliseconds ${positive ? '> 0' : '>= 0'} (e.g. Seconds(1) or 1000), got ${String(value)}`,
    );
  }
  return value;
}

/** True when `d` is a whole multiple of `of`. */
export function isMultipleOf(d: Duration, of: Duration): boolean {
  return of > 0 && d % of === 0;
}

/** Spark's `Time.toString`: `"<millis> ms"`. */
export function formatTime(t: Time): string {
  return `${t} ms`;
}

/** A human-readable duration for messages: `"10000 ms (10 s)"`. */
export function formatDuration(d: Duration): string {
  return d % 1000 === 0 && d !== 0 ? `${d} ms (${d / 1000} s)` : `${d} ms`;
}
