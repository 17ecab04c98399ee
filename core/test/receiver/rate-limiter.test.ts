import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/clock.js';
import { RateLimiter } from '../../src/receiver/rate-limiter.js';
import { SluiceError } from '../../src/errors.js';
import { settle, track } from './helpers.js';

test('unlimited by default: every request is granted at once', async () => {
  const limiter = new RateLimiter(new ManualClock(0));
  assert.equal(limiter.rate, Infinity);
  for (let i = 0; i < 10_000; i++) assert.equal(limiter.tryAcquire(), true);
  assert.equal(limiter.tryAcquire(1e9), true);
  await limiter.whenAvailable(1e9);
});

test('grants `rate` permits per second on the clock', () => {
  const clock = new ManualClock(0);
  const limiter = new RateLimiter(clock, 10);
  assert.equal(limiter.tryAcquire(), true);
  assert.equal(limiter.tryAcquire(), false);
  clock.advance(99);
  assert.equal(limiter.tryAcquire(), false);
  clock.advance(1);
  assert.equal(limiter.tryAcquire(), true);
  assert.equal(limiter.tryAcquire(), false);
  let granted = 0;
  for (let t = 0; t < 1000; t += 10) {
    clock.advance(10);
    while (limiter.tryAcquire()) granted++;
  }
  assert.equal(granted, 10);
});

test('an idle limiter bursts at most one second of permits', () => {
  const clock = new ManualClock(0);
  const limiter = new RateLimiter(clock, 10);
  clock.advance(60_000);
  let granted = 0;
  while (limiter.tryAcquire()) granted++;
  assert.equal(granted, 10);
});

test('take() leaves the bucket in debt and later requests wait for it to be paid', async () => {
  const clock = new ManualClock(0);
  const limiter = new RateLimiter(clock, 10);
  limiter.take(5); // 1 permit available, 4 owed
  assert.equal(limiter.canAcquire(), false);
  const ready = track(limiter.whenAvailable());
  clock.advance(499);
  await settle();
  assert.equal(ready.state, 'pending');
  clock.advance(1);
  await settle();
  assert.equal(ready.state, 'resolved');
  assert.equal(limiter.tryAcquire(), true);
});

test('a request larger than the burst is granted when the bucket is full', () => {
  const clock = new ManualClock(0);
  const limiter = new RateLimiter(clock, 10);
  assert.equal(limiter.tryAcquire(25), false, 'only 1 permit at start');
  clock.advance(900);
  assert.equal(limiter.tryAcquire(25), true);
  clock.advance(1000);
  assert.equal(limiter.canAcquire(), false, '15 permits still owed');
  clock.advance(600);
  assert.equal(limiter.canAcquire(), true);
});

test('updateRate ignores values <= 0 and caps at maxRate (Spark); initialRate is capped too', () => {
  const clock = new ManualClock(0);
  const limiter = new RateLimiter(clock, 100, 1000);
  assert.equal(limiter.rate, 100);
  limiter.updateRate(50);
  assert.equal(limiter.rate, 50);
  limiter.updateRate(0);
  limiter.updateRate(-5);
  limiter.updateRate(Number.NaN);
  assert.equal(limiter.rate, 50);
  limiter.updateRate(5000);
  assert.equal(limiter.rate, 100);
  const unlimited = new RateLimiter(clock);
  unlimited.updateRate(20);
  assert.equal(unlimited.rate, 20);
  assert.equal(new RateLimiter(clock, Infinity, 30).rate, 30);
});

test('a rate change wakes waiters, which re-plan against the new rate', async () => {
  const clock = new ManualClock(0);
  const limiter = new RateLimiter(clock, Infinity, 1);
  limiter.take(1);
  const ready = track(limiter.whenAvailable());
  await settle();
  assert.equal(clock.pendingWaits, 1);
  limiter.updateRate(100);
  clock.advance(10);
  await settle();
  assert.equal(ready.state, 'resolved');
  assert.equal(clock.pendingWaits, 0);
});

test('whenAvailable rejects with an AbortError when its signal aborts, leaving no wait armed', async () => {
  const clock = new ManualClock(0);
  const limiter = new RateLimiter(clock, 1);
  limiter.take(1);
  const ac = new AbortController();
  const ready = track(limiter.whenAvailable(1, ac.signal));
  await settle();
  assert.equal(clock.pendingWaits, 1);
  ac.abort();
  await settle();
  assert.equal(ready.state, 'rejected');
  assert.equal((ready.error as Error).name, 'AbortError');
  assert.equal(clock.pendingWaits, 0);
  await assert.rejects(limiter.whenAvailable(1, ac.signal), { name: 'AbortError' });
});

test('rates must be > 0', () => {
  const clock = new ManualClock(0);
  for (const bad of [0, -1, Number.NaN]) {
    assert.throws(() => new RateLimiter(clock, bad), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && /maxRate/.test(e.message));
  }
  assert.throws(() => new RateLimiter(clock, 10, 0), /initialRate/);
});
