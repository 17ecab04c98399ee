/**
 * The source of time for everything in a context: batch timers, block cutting, rate limiting.
 * Inject a {@link ManualClock} in tests so they never sleep.
 */
import type { Time } from '../time.js';

export interface Clock {
  /** The current time in milliseconds since the epoch. */
  now(): Time;
  /**
   * Resolves once `now() >= time` (at once if it already is). Rejects with an AbortError if
   * `signal` aborts first.
   */
  waitUntil(time: Time, signal?: AbortSignal): Promise<void>;
}

function abortError(): Error {
  const e = new Error('The wait was aborted');
  e.name = 'AbortError';
  return e;
}

/** Wall-clock time (`Date.now()`), waiting with timers. */
export class SystemClock implements Clock {
  now(): Time {
    return Date.now();
  }

  waitUntil(time: Time, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        reject(abortError());
      };
      // setTimeout can fire a millisecond early; re-check until the clock really reached `time`.
      const check = (): void => {
        const left = time - Date.now();
        if (left <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        } else {
          timer = setTimeout(check, left);
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }
}

interface Waiter {
  time: Time;
  resolve: () => void;
}

/**
 * A clock that moves only when told to. `advance`/`setTime` wake every waiter whose time has come,
 * in time order.
 */
export class ManualClock implements Clock {
  private time: Time;
  private waiters: Waiter[] = [];

  constructor(startTime: Time = 0) {
    this.time = startTime;
  }

  now(): Time {
    return this.time;
  }

  /** Moves the clock forward by `ms` (>= 0) and wakes waiters that are due. */
  advance(ms: number): void {
    this.setTime(this.time + ms);
  }

  /** Sets the clock (it never moves backwards) and wakes waiters that are due. */
  setTime(time: Time): void {
    if (time < this.time) throw new RangeError(`ManualClock cannot go back from ${this.time} to ${time}`);
    this.time = time;
    const due = this.waiters.filter((w) => w.time <= time).sort((a, b) => a.time - b.time);
    this.waiters = this.waiters.filter((w) => w.time > time);
    for (const w of due) w.resolve();
  }

  /** How many waits are pending (tests use this to know a timer is armed). */
  get pendingWaits(): number {
    return this.waiters.length;
  }

  waitUntil(time: Time, signal?: AbortSignal): Promise<void> {
    if (time <= this.time) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const waiter: Waiter = {
        time,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }
}
