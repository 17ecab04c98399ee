import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/clock.js';
import { BlockGenerator, type BlockGeneratorOptions } from '../../src/receiver/block-generator.js';
import type { ReceivedBlock } from '../../src/receiver/received-block.js';
import { SluiceError } from '../../src/errors.js';
import { deferred, settle, track } from './helpers.js';

function generator(overrides: Partial<BlockGeneratorOptions<string>> = {}) {
  const clock = new ManualClock(1_000);
  const pushed: ReceivedBlock<string>[] = [];
  const gen = new BlockGenerator<string>({
    streamId: 3,
    clock,
    blockIntervalMs: 200,
    push: async (block) => {
      pushed.push(block);
    },
    ...overrides,
  });
  return { clock, gen, pushed };
}

test('cuts one block per interval on the clock grid, in order; empty intervals cut nothing', async () => {
  const { clock, gen, pushed } = generator();
  gen.start();
  gen.addData('a', 2);
  gen.addData('b', 2);
  clock.advance(199);
  await settle();
  assert.equal(pushed.length, 0);
  clock.advance(1); // 1200: first cut
  await settle();
  assert.deepEqual(pushed.map((b) => [b.blockId, b.items, b.bytes, b.time, b.reliable]), [['input-3-1000', ['a', 'b'], 4, 1200, false]]);
  clock.advance(200); // 1400: nothing buffered
  await settle();
  assert.equal(pushed.length, 1);
  gen.addData('c', 2);
  clock.advance(200); // 1600
  await settle();
  gen.addData('d', 2);
  gen.addData('e', 2);
  clock.advance(200); // 1800
  await settle();
  assert.deepEqual(pushed.map((b) => [b.blockId, ...b.items]), [['input-3-1000', 'a', 'b'], ['input-3-1400', 'c'], ['input-3-1600', 'd', 'e']]);
  assert.deepEqual(pushed.map((b) => b.numRecords), [2, 1, 2]);
  await gen.stop();
});

test('a clock jump over many intervals cuts one block and stays on the grid', async () => {
  const { clock, gen, pushed } = generator();
  gen.start();
  gen.addData('a', 1);
  clock.advance(10_050); // 11050
  await settle();
  gen.addData('b', 1);
  clock.advance(150); // 11200
  await settle();
  assert.deepEqual(pushed.map((b) => b.blockId), ['input-3-1000', 'input-3-11000']);
  await gen.stop();
});

test('addBlock forms a block of its own that resolves only when its push resolves', async () => {
  const pending = deferred();
  const pushed: ReceivedBlock<string>[] = [];
  const { clock, gen } = generator({
    push: (block) => {
      pushed.push(block);
      return block.reliable ? pending.promise : Promise.resolve();
    },
  });
  gen.start();
  gen.addData('loose', 1);
  const stored = track(gen.addBlock(['x', 'y'], { offset: 41 }, 10));
  await settle();
  assert.equal(pushed.length, 1, 'pushed at once, without waiting for the interval');
  assert.deepEqual(pushed[0], { streamId: 3, blockId: 'input-3-1000-1', items: ['x', 'y'], numRecords: 2, bytes: 10, time: 1000, reliable: true, meta: { offset: 41 } });
  assert.equal(stored.state, 'pending');
  pending.resolve();
  await settle();
  assert.equal(stored.state, 'resolved');
  clock.advance(200);
  await settle();
  assert.deepEqual(pushed[1]?.items, ['loose'], 'buffered records never join a storeBatch block');
  await gen.stop();
});

test('addBlock rejects with the push error and reports it; pushes are not serialized', async () => {
  const failures: string[] = [];
  const first = deferred();
  let calls = 0;
  const { gen } = generator({
    push: () => (++calls === 1 ? first.promise : Promise.reject(new Error('disk full'))),
    onPushError: (block, e) => failures.push(`${block.blockId}: ${(e as Error).message}`),
  });
  gen.start();
  const a = track(gen.addBlock(['a'], undefined, 1));
  const b = gen.addBlock(['b'], undefined, 1);
  await assert.rejects(b, /disk full/);
  assert.equal(calls, 2, 'the second push started while the first was in flight');
  assert.equal(a.state, 'pending');
  assert.deepEqual(failures, ['input-3-1000-2: disk full']);
  first.resolve();
  await gen.stop();
  assert.equal(a.state, 'resolved');
});

test('stop cuts the buffered records into a last block and resolves after every push settled', async () => {
  const slow = deferred();
  const states: string[] = [];
  const pushed: ReceivedBlock<string>[] = [];
  const { clock, gen } = generator({
    push: (block) => {
      pushed.push(block);
      return slow.promise;
    },
  });
  assert.equal(gen.state, 'Initialized');
  gen.start();
  assert.equal(gen.state, 'Active');
  gen.addData('a', 1);
  clock.advance(200);
  await settle();
  gen.addData('b', 1);
  const stopped = track(gen.stop());
  states.push(gen.state);
  await settle();
  states.push(gen.state);
  assert.deepEqual(pushed.map((b) => [b.blockId, ...b.items]), [['input-3-1000', 'a'], ['input-3-1200', 'b']]);
  assert.equal(stopped.state, 'pending', 'waits for pushes in flight');
  slow.resolve();
  await settle();
  assert.equal(stopped.state, 'resolved');
  assert.deepEqual(states, ['StoppedAddingData', 'StoppedGeneratingBlocks']);
  assert.equal(gen.state, 'StoppedAll');
  assert.equal(clock.pendingWaits, 0, 'no timer left armed');
  assert.equal(gen.stop(), gen.stop(), 'idempotent');
});

test('nothing is accepted outside Active', async () => {
  const { gen } = generator();
  assert.throws(() => gen.addData('a', 1), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE');
  gen.start();
  assert.throws(() => gen.start(), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE');
  await gen.stop();
  assert.throws(() => gen.addData('a', 1), /StoppedAll/);
  await assert.rejects(gen.addBlock(['a'], undefined, 1), (e: unknown) => e instanceof SluiceError && e.code === 'STOPPED');
});

test('stopping a generator that never started arms nothing', async () => {
  const { gen, clock } = generator();
  await gen.stop();
  assert.equal(gen.state, 'StoppedAll');
  assert.equal(clock.pendingWaits, 0);
});

test('blockIntervalMs must be a whole number > 0', () => {
  for (const bad of [0, -200, 1.5, Number.NaN]) {
    assert.throws(() => generator({ blockIntervalMs: bad }), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && /blockIntervalMs/.test(e.message));
  }
});
