import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceError } from '../../src/errors.js';
import { ManualClock } from '../../src/util/clock.js';
import { ReceiverSupervisor } from '../../src/receiver/receiver-supervisor.js';
import { deferred, harness, settle, ScriptedReceiver, track } from './helpers.js';

const kinds = (events: { kind: string }[]): string[] => events.map((e) => e.kind);

test('start runs onStart, reports started with Spark ReceiverInfo fields, and blocks flow', async () => {
  const { supervisor, receiver, events, pushed, clock } = harness();
  assert.equal(receiver.streamId, 7);
  assert.equal(receiver.isStarted(), false);
  await supervisor.start();
  assert.equal(receiver.starts, 1);
  assert.equal(receiver.isStarted(), true);
  assert.equal(receiver.isStopped(), false);
  assert.deepEqual(events[0], {
    kind: 'started',
    info: { streamId: 7, name: 'ScriptedReceiver-7', active: true, location: 'local', executorId: 'driver', lastErrorMessage: '', lastError: '', lastErrorTime: -1 },
  });
  assert.equal(receiver.store('a'), true);
  clock.advance(200);
  await settle();
  assert.deepEqual(pushed.map((b) => [b.streamId, b.blockId, b.items]), [[7, 'input-7-0', ['a']]]);
  await assert.rejects(supervisor.start(), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE');
  await supervisor.stop('done');
});

test('storeBatch forms one reliable block with its meta and resolves only once pushBlock resolves', async () => {
  const durable = deferred();
  const blocks: unknown[] = [];
  const { supervisor, receiver } = harness({
    pushBlock: (block) => {
      blocks.push(block);
      return durable.promise;
    },
  });
  await supervisor.start();
  const items = ['a', 'b', 'c'];
  const stored = track(receiver.storeBatch(items, { partition: 2, from: 10, until: 13 }));
  items.push('mutated later');
  await settle();
  assert.deepEqual(blocks, [{ streamId: 7, blockId: 'input-7-0-1', items: ['a', 'b', 'c'], numRecords: 3, bytes: 3 * (1 + 16), time: 0, reliable: true, meta: { partition: 2, from: 10, until: 13 } }]);
  assert.equal(stored.state, 'pending', 'not acknowledged before the block is durable');
  durable.resolve();
  await settle();
  assert.equal(stored.state, 'resolved');
  await receiver.storeBatch([]);
  assert.equal(blocks.length, 1, 'an empty batch stores nothing');
  await supervisor.stop('done');
});

test('storeBatch rejects with the storage error and gives the bytes back', async () => {
  const { supervisor, receiver, events } = harness({ pushBlock: () => Promise.reject(new Error('fsync failed')) });
  await supervisor.start();
  await assert.rejects(receiver.storeBatch(['a', 'b']), /fsync failed/);
  assert.equal(supervisor.bufferedBytes, 0);
  assert.deepEqual(kinds(events), ['started'], 'the receiver handles a reliable failure itself (nack)');
  await supervisor.stop('done');
});

test('onStart failures are reported and restarted with exponential backoff (2 s, 4 s, 8 s)', async () => {
  const { supervisor, receiver, events, clock } = harness();
  receiver.onStartImpl = (r) => {
    if (r.starts <= 3) throw new Error(`boom ${r.starts}`);
  };
  await supervisor.start();
  assert.equal(receiver.starts, 1);
  assert.equal(receiver.isStopped(), true, 'stopped until the restart');
  const restartTimes: number[] = [];
  for (let t = 0; t < 20_000; t += 100) {
    clock.advance(100);
    const before = receiver.starts;
    await settle();
    if (receiver.starts > before) restartTimes.push(clock.now());
  }
  assert.deepEqual(restartTimes, [2000, 6000, 14000]);
  assert.equal(receiver.stops, 3, 'onStop runs after each failed onStart');
  assert.deepEqual(kinds(events), ['error', 'error', 'error', 'started']);
  assert.equal(events[2]?.info.lastErrorMessage, 'Error starting receiver');
  assert.match(events[2]?.info.lastError ?? '', /boom 3/);
  assert.equal(events[2]?.info.lastErrorTime, 6000);
  assert.equal(receiver.isStarted(), true);
  await supervisor.stop('done');
  assert.equal(clock.pendingWaits, 0);
});

test('an async onStart that rejects is restarted too, and the backoff is capped', async () => {
  const { supervisor, receiver, clock } = harness({ restartDelayMs: 1000, maxRestartDelayMs: 3000 });
  receiver.onStartImpl = async () => {
    throw new Error('no route to host');
  };
  await supervisor.start();
  const restartTimes: number[] = [];
  for (let t = 0; t < 12_000; t += 500) {
    clock.advance(500);
    const before = receiver.starts;
    await settle();
    if (receiver.starts > before) restartTimes.push(clock.now());
  }
  assert.deepEqual(restartTimes, [1000, 3000, 6000, 9000, 12000]);
  await supervisor.stop('done');
});

test('receiver.restart(): stopped, waits the delay on the clock, started again; backoff resets after a good run', async () => {
  const { supervisor, receiver, events, clock } = harness({ restartDelayMs: 100, maxRestartDelayMs: 1000 });
  await supervisor.start();
  receiver.restart('peer went away');
  receiver.restart('ignored: a restart is already pending');
  assert.equal(receiver.isStopped(), true);
  assert.equal(receiver.store('dropped'), false);
  await settle();
  assert.equal(receiver.stops, 1);
  clock.advance(99);
  await settle();
  assert.equal(receiver.starts, 1);
  clock.advance(1);
  await settle();
  assert.equal(receiver.starts, 2);
  assert.deepEqual(kinds(events), ['started', 'stopped', 'started']);
  receiver.restart('again, at once'); // consecutive: 200 ms
  await settle();
  clock.advance(200);
  await settle();
  assert.equal(receiver.starts, 3);
  clock.advance(1000); // ran fine for maxRestartDelayMs: the backoff resets
  receiver.restart('after a good run', new Error('reset by peer'));
  await settle();
  clock.advance(100);
  await settle();
  assert.equal(receiver.starts, 4);
  assert.equal(events.at(-3)?.kind, 'error');
  assert.equal(events.at(-3)?.info.lastErrorMessage, 'after a good run');
  receiver.restart('explicit delay', undefined, 5000);
  await settle();
  clock.advance(4999);
  await settle();
  assert.equal(receiver.starts, 4);
  clock.advance(1);
  await settle();
  assert.equal(receiver.starts, 5);
  await supervisor.stop('done');
});

test('a restart delay that is not a number >= 0 falls back to restartDelayMs', async () => {
  const { supervisor, receiver, clock } = harness({ restartDelayMs: 300 });
  await supervisor.start();
  receiver.restart('bad delay', undefined, Number.NaN);
  await settle();
  clock.advance(300);
  await settle();
  assert.equal(receiver.starts, 2);
  await supervisor.stop('done');
});

test('stop is idempotent: onStop once, the last block stored, nothing stored after stop', async () => {
  const { supervisor, receiver, pushed, events, warnings, clock } = harness();
  await supervisor.start();
  receiver.store('a');
  receiver.store('b');
  const first = supervisor.stop('context stopped');
  assert.equal(supervisor.stop('again'), first);
  await first;
  await supervisor.stop('and again');
  assert.equal(receiver.stops, 1);
  assert.deepEqual(pushed.map((b) => b.items), [['a', 'b']], 'buffered records are cut and pushed before stop resolves');
  assert.equal(receiver.isStopped(), true);
  assert.equal(receiver.store('late'), false);
  assert.equal(receiver.store('later'), false);
  assert.equal(supervisor.droppedRecords, 2);
  assert.equal(warnings.filter((w) => /dropped/.test(w)).length, 1, 'warned once');
  await assert.rejects(receiver.storeBatch(['late']), (e: unknown) => e instanceof SluiceError && e.code === 'STOPPED');
  await receiver.ready(); // resolves when stopped
  clock.advance(10_000);
  await settle();
  assert.equal(pushed.length, 1);
  assert.deepEqual(kinds(events), ['started', 'stopped']);
  assert.equal(events[1]?.info.active, false);
  assert.equal(clock.pendingWaits, 0);
});

test('stop during a restart delay cancels the restart', async () => {
  const { supervisor, receiver, clock } = harness();
  await supervisor.start();
  receiver.restart('flaky');
  await settle();
  assert.equal(clock.pendingWaits, 2, 'block timer and restart delay');
  await supervisor.stop('done');
  clock.advance(10_000);
  await settle();
  assert.equal(receiver.starts, 1);
  assert.equal(receiver.stops, 1);
  assert.equal(clock.pendingWaits, 0);
});

test('receiver.stop() stops for good, reporting the error; reportError keeps the receiver running', async () => {
  const { supervisor, receiver, events, clock } = harness();
  await supervisor.start();
  clock.advance(50);
  receiver.reportError('bad frame skipped', new Error('checksum'));
  assert.equal(receiver.isStarted(), true);
  assert.deepEqual(kinds(events), ['started', 'error']);
  assert.equal(events[1]?.info.lastErrorTime, 50);
  receiver.stop('unrecoverable', new Error('auth failed'));
  assert.equal(receiver.isStopped(), true, 'at once');
  assert.equal(receiver.store('late'), false);
  await settle();
  assert.equal(receiver.stops, 1);
  assert.deepEqual(kinds(events), ['started', 'error', 'error', 'stopped']);
  assert.equal(events[3]?.info.lastErrorMessage, 'unrecoverable');
  await supervisor.stop('context stopped');
  assert.equal(receiver.stops, 1);
});

test('receiver failures never escape: throwing onStop and throwing listeners are logged', async () => {
  const { supervisor, receiver, warnings } = harness({
    events: {
      started: () => {
        throw new Error('listener bug');
      },
      error: () => {},
      stopped: () => {},
    },
  });
  receiver.onStopImpl = () => {
    throw new Error('close failed');
  };
  await supervisor.start();
  receiver.restart('x', undefined, 0);
  await settle();
  await supervisor.stop('done');
  assert.ok(warnings.some((w) => /listener bug/.test(w)));
  assert.ok(warnings.some((w) => /onStop failed.*close failed/s.test(w)));
});

test('an unattached receiver: streamId -1, store throws INVALID_STATE, storeBatch rejects', async () => {
  const receiver = new ScriptedReceiver<string>({ name: 'mine' });
  assert.equal(receiver.streamId, -1);
  assert.equal(receiver.name, 'mine');
  assert.equal(receiver.isStarted(), false);
  assert.throws(() => receiver.store('a'), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE');
  await assert.rejects(receiver.storeBatch(['a']), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE');
  const opts = { streamId: 1, clock: new ManualClock(), blockIntervalMs: 200, pushBlock: async () => {}, events: { started() {}, error() {}, stopped() {} } };
  new ReceiverSupervisor(receiver, opts);
  assert.throws(() => new ReceiverSupervisor(receiver, opts), /already attached/);
});

test('options are validated, naming the option', () => {
  const cases: [Record<string, number>, RegExp][] = [
    [{ bufferBytes: 0 }, /bufferBytes/],
    [{ restartDelayMs: -1 }, /restartDelayMs/],
    [{ maxRestartDelayMs: Number.NaN }, /maxRestartDelayMs/],
    [{ maxRate: 0 }, /maxRate/],
    [{ blockIntervalMs: 0 }, /blockIntervalMs/],
  ];
  for (const [bad, name] of cases) {
    assert.throws(() => harness(bad), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && name.test(e.message));
  }
});

test('receiver.clock is the context clock; receiver.signal is per start: aborted on restart and stop, before onStop, fresh after a restart', async () => {
  const { supervisor, receiver, clock } = harness({ restartDelayMs: 100 });
  const signals: AbortSignal[] = [];
  const abortedAtStop: boolean[] = [];
  receiver.onStartImpl = (r) => void signals.push(r.signal);
  receiver.onStopImpl = () => void abortedAtStop.push(signals.at(-1)!.aborted);
  assert.equal(receiver.signal.aborted, true, 'aborted before the first start');
  await supervisor.start();
  assert.equal(receiver.clock, clock);
  assert.equal(signals[0]!.aborted, false);
  assert.equal(receiver.signal, signals[0]);
  receiver.restart('peer went away');
  assert.equal(signals[0]!.aborted, true, 'the restart aborts the signal of the start it ends');
  assert.equal(receiver.signal.aborted, true, 'between the failure and the restart');
  await settle();
  clock.advance(100);
  await settle();
  assert.equal(signals.length, 2);
  assert.notEqual(signals[1], signals[0]);
  assert.equal(signals[1]!.aborted, false);
  await supervisor.stop('done');
  assert.equal(signals[1]!.aborted, true);
  assert.deepEqual(abortedAtStop, [true, true], 'onStop sees its start signal aborted');
});
