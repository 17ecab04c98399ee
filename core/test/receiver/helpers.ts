/** Shared fixtures of the receiver tests: a scriptable receiver and a supervisor on a ManualClock. */
import { ManualClock } from '../../src/util/clock.js';
import type { ReceivedBlock } from '../../src/receiver/received-block.js';
import { Receiver } from '../../src/receiver/receiver.js';
import type { ReceiverInfo } from '../../src/receiver/receiver-info.js';
import { ReceiverSupervisor, type ReceiverSupervisorOptions } from '../../src/receiver/receiver-supervisor.js';

/** Lets pending promise chains settle (a few turns of the event loop; no clock time passes). */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A receiver whose onStart/onStop do what the test says, counting calls. */
export class ScriptedReceiver<T> extends Receiver<T> {
  starts = 0;
  stops = 0;
  onStartImpl: (r: ScriptedReceiver<T>) => void | Promise<void> = () => {};
  onStopImpl: (r: ScriptedReceiver<T>) => void | Promise<void> = () => {};

  onStart(): void | Promise<void> {
    this.starts++;
    return this.onStartImpl(this);
  }

  onStop(): void | Promise<void> {
    this.stops++;
    return this.onStopImpl(this);
  }
}

export interface Harness<T> {
  clock: ManualClock;
  receiver: ScriptedReceiver<T>;
  supervisor: ReceiverSupervisor<T>;
  pushed: ReceivedBlock<T>[];
  events: { kind: 'started' | 'error' | 'stopped'; info: ReceiverInfo }[];
  warnings: string[];
}

/** A supervisor for stream 7 on a ManualClock at 0; blocks pushed are recorded (push resolves at once unless `pushBlock` is given). */
export function harness<T = string>(overrides: Partial<ReceiverSupervisorOptions<T>> = {}, receiver = new ScriptedReceiver<T>()): Harness<T> {
  const clock = new ManualClock(0);
  const pushed: ReceivedBlock<T>[] = [];
  const events: Harness<T>['events'] = [];
  const warnings: string[] = [];
  const supervisor = new ReceiverSupervisor<T>(receiver, {
    streamId: 7,
    clock,
    blockIntervalMs: 200,
    pushBlock: async (block) => {
      pushed.push(block);
    },
    events: {
      started: (info) => events.push({ kind: 'started', info }),
      error: (info) => events.push({ kind: 'error', info }),
      stopped: (info) => events.push({ kind: 'stopped', info }),
    },
    logger: { warn: (m) => warnings.push(m) },
    ...overrides,
  });
  return { clock, receiver, supervisor, pushed, events, warnings };
}

/** A promise with its settle functions, to control when a push completes. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Tracks whether a promise has settled, without awaiting it. */
export function track<T>(p: Promise<T>): { readonly state: 'pending' | 'resolved' | 'rejected'; readonly error: unknown } {
  const t = { state: 'pending' as 'pending' | 'resolved' | 'rejected', error: undefined as unknown };
  p.then(
    () => (t.state = 'resolved'),
    (e: unknown) => {
      t.state = 'rejected';
      t.error = e;
    },
  );
  return t;
}
