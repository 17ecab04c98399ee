import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceError } from '../../src/errors.js';
import { deferred, harness, settle, track } from './helpers.js';

// Each 'xxxx' (or 'yyyy') string is estimated at 20 bytes: 4 one-byte characters plus a 16-byte header.

test('store() returns false at the buffer bound; ready() resolves once blocks are released', async () => {
  const { supervisor, receiver, clock } = harness({ bufferBytes: 80 });
  await supervisor.start();
  assert.deepEqual([1, 2, 3].map(() => receiver.store('xxxx')), [true, true, true]);
  assert.equal(receiver.store('xxxx'), false, 'accepted, but the source must pause');
  assert.equal(supervisor.bufferedBytes, 80);
  const ready = track(receiver.ready());
  clock.advance(1000); // blocks are cut and pushed; still not released
  await settle();
  assert.equal(ready.state, 'pending');
  supervisor.releaseBlocks(20);
  await settle();
  assert.equal(ready.state, 'resolved');
  assert.equal(supervisor.bufferedBytes, 60);
  await supervisor.stop('done');
});

test('the heap stays bounded: a producer that honours store()/ready() stops at the bound when nothing is released', async () => {
  const { supervisor, receiver, clock, pushed } = harness({ bufferBytes: 20_000 });
  let produced = 0;
  let loop: Promise<void> = Promise.resolve();
  receiver.onStartImpl = (r) => {
    loop = (async () => {
      while (!r.isStopped()) {
        produced++;
        if (!r.store('xxxx')) await r.ready();
      }
    })();
  };
  await supervisor.start();
  for (let i = 0; i < 20; i++) {
    clock.advance(200);
    await settle();
  }
  assert.equal(produced, 1000, 'stopped exactly at 20000 bytes');
  assert.equal(supervisor.bufferedBytes, 20_000);
  assert.equal(pushed.reduce((n, b) => n + b.numRecords, 0), 1000);
  supervisor.releaseBlocks(10_000);
  await settle();
  assert.equal(produced, 1500, 'resumed and filled the freed room only');
  await supervisor.stop('done');
  await loop; // ready() resolves on stop, so the loop ends
  assert.equal(clock.pendingWaits, 0);
});

test('storeBatch waits for room under the bound before forming its block', async () => {
  const { supervisor, receiver, pushed } = harness({ bufferBytes: 40 });
  await supervisor.start();
  await receiver.storeBatch(['xxxx', 'xxxx']);
  assert.equal(supervisor.bufferedBytes, 40);
  const second = track(receiver.storeBatch(['yyyy']));
  await settle();
  assert.equal(second.state, 'pending');
  assert.equal(pushed.length, 1);
  supervisor.releaseBlocks(40);
  await settle();
  assert.equal(second.state, 'resolved');
  assert.deepEqual(pushed.map((b) => b.items), [['xxxx', 'xxxx'], ['yyyy']]);
  await supervisor.stop('done');
});

test('a storeBatch waiting for room rejects with STOPPED when the receiver stops', async () => {
  const { supervisor, receiver, pushed } = harness({ bufferBytes: 20 });
  await supervisor.start();
  await receiver.storeBatch(['xxxx']);
  const waiting = receiver.storeBatch(['yyyy']);
  await settle();
  await supervisor.stop('done');
  await assert.rejects(waiting, (e: unknown) => e instanceof SluiceError && e.code === 'STOPPED');
  assert.equal(pushed.length, 1);
});

test('the rate limit bounds store(): false past the rate, ready() on the clock', async () => {
  const { supervisor, receiver, clock } = harness({ maxRate: 10 });
  await supervisor.start();
  assert.equal(receiver.store('a'), false, '10/s: one permit available at start');
  const ready = track(receiver.ready());
  clock.advance(99);
  await settle();
  assert.equal(ready.state, 'pending');
  clock.advance(1);
  await settle();
  assert.equal(ready.state, 'resolved');
  assert.equal(receiver.store('b'), false);
  await supervisor.stop('done');
});

test('storeBatch honours the rate: a batch of n waits until n permits (or a full bucket) are there', async () => {
  const { supervisor, receiver, clock, pushed } = harness({ maxRate: 100 });
  await supervisor.start();
  const batch = track(receiver.storeBatch(Array.from({ length: 50 }, (_, i) => `r${i}`)));
  clock.advance(489);
  await settle();
  assert.equal(batch.state, 'pending');
  clock.advance(1); // 1 + 49 permits earned
  await settle();
  assert.equal(batch.state, 'resolved');
  assert.equal(pushed[0]?.numRecords, 50);
  await supervisor.stop('done');
});

test('updateRateLimit ignores values <= 0 and is capped at maxRate', async () => {
  const { supervisor } = harness({ maxRate: 1000 });
  assert.equal(supervisor.rateLimit, 1000);
  supervisor.updateRateLimit(250);
  assert.equal(supervisor.rateLimit, 250);
  supervisor.updateRateLimit(0);
  supervisor.updateRateLimit(-3);
  assert.equal(supervisor.rateLimit, 250);
  supervisor.updateRateLimit(10_000);
  assert.equal(supervisor.rateLimit, 1000);
  const { supervisor: initial } = harness({ maxRate: 1000, initialRate: 100 });
  assert.equal(initial.rateLimit, 100);
});

test('a block that fails to store gives its bytes back; an unreliable one is reported as an error', async () => {
  const failing = deferred();
  const { supervisor, receiver, clock, events } = harness({ bufferBytes: 16, pushBlock: () => failing.promise });
  await supervisor.start();
  receiver.store('xxxx');
  receiver.store('xxxx');
  assert.equal(receiver.store('xxxx'), false);
  clock.advance(200);
  await settle();
  failing.reject(new Error('disk full'));
  await settle();
  assert.equal(supervisor.bufferedBytes, 0);
  const error = events.find((e) => e.kind === 'error');
  assert.match(error?.info.lastErrorMessage ?? '', /input-7-0.*3 records are lost/);
  assert.match(error?.info.lastError ?? '', /disk full/);
  assert.equal(error?.info.lastErrorTime, 200);
  await supervisor.stop('done');
});
