/**
 * The base class of every receiver: the piece of a connector that reads from a source and hands
 * records to the engine with `store` (unreliable) or `storeBatch` (reliable), Spark's `Receiver`.
 */
import { SluiceError } from '../errors.js';
import type { BlockMeta } from './received-block.js';
import type { Clock } from '../util/clock.js';

export type { BlockMeta } from './received-block.js';

/**
 * What a receiver calls into; implemented by the (internal) ReceiverSupervisor.
 * @internal
 */
export interface ReceiverHost<T> {
  readonly streamId: number;
  pushSingle(item: T): boolean;
  pushEncoded(bytes: Uint8Array, numRecords: number): boolean;
  pushBatch(items: readonly T[], meta: BlockMeta | undefined): Promise<void>;
  awaitReady(): Promise<void>;
  restartReceiver(message: string, error: unknown, delayMs: number | undefined): void;
  stop(message: string, error?: unknown): Promise<void>;
  reportError(message: string, error: unknown): void;
  reportBadRecord(reason: string, error: unknown, source: string): void;
  isReceiverStarted(): boolean;
  isReceiverStopped(): boolean;
  /** The context's clock. */
  readonly clock: Clock;
  /** The signal of the current start, or undefined while the receiver is not started. */
  startSignal(): AbortSignal | undefined;
}

/**
 * Key of the method through which the supervisor attaches itself; not part of the public API.
 * @internal
 */
export const attachSupervisor: unique symbol = Symbol('sluice.receiver.attachSupervisor');

export interface ReceiverOptions {
  /** Shown in listener events and the UI; default `<ClassName>-<streamId>`. */
  name?: string;
}

/**
 * Reads records from a source and stores them into Sluice. Subclass it, implement `onStart` and
 * `onStop`, and give an instance to `ssc.receiverStream(receiver)`; the engine attaches it to a
 * supervisor that starts it when the context starts, restarts it when it fails and stops it when
 * the context stops. An instance serves one input stream and is attached once.
 *
 * Two ways to store:
 * - `store(item)`, unreliable (socket, ZeroMQ): records are buffered and cut into a block every
 *   block interval. Records buffered when the process dies are lost.
 * - `storeBatch(items, meta)`, reliable (Kafka, Flume, Kinesis): the items form one block; the
 *   promise resolves once it is durably stored. Ack your source only then.
 *
 * Both honour the rate limit (`receiverMaxRate`, backpressure) and the bound on received but not
 * yet processed data (`receiverBufferBytes`): a slow pipeline slows the source down.
 *
 * @example
 * ```ts
 * import { connect, type Socket } from 'node:net';
 * import { createInterface } from 'node:readline';
 * import { Receiver, Seconds, StreamingContext } from '@sluice/core';
 *
 * // Receives lines of text from a TCP server, pausing the socket under backpressure so that
 * // TCP slows the sender down, and reconnecting (with backoff) when the connection drops.
 * class LineReceiver extends Receiver<string> {
 *   private socket: Socket | undefined;
 *
 *   constructor(private readonly host: string, private readonly port: number) {
 *     super({ name: `lines-${host}:${port}` });
 *   }
 *
 *   onStart(): void {
 *     const socket = connect(this.port, this.host);
 *     this.socket = socket;
 *     let paused = false;
 *     createInterface({ input: socket }).on('line', (line) => {
 *       if (this.store(line) || paused) return;
 *       paused = true; // accepted, but the source must wait
 *       socket.pause();
 *       void this.ready().then(() => {
 *         paused = false;
 *         if (!this.isStopped()) socket.resume();
 *       });
 *     });
 *     socket.on('error', (err) => this.restart('Error receiving data', err));
 *     socket.on('end', () => this.restart('Server closed the connection; reconnecting'));
 *   }
 *
 *   onStop(): void {
 *     this.socket?.destroy();
 *     this.socket = undefined;
 *   }
 * }
 *
 * const ssc = new StreamingContext({ batchInterval: Seconds(1) });
 * ssc.receiverStream(new LineReceiver('localhost', 9999)).print();
 * await ssc.start();
 * ```
 */
export abstract class Receiver<T> {
  /** The receiver's display name, if given. */
  readonly preferredName: string | undefined;
  // An ES private field, so that subclasses may use any name (`host`, `port`, ...) for their own.
  #host: ReceiverHost<T> | undefined;

  constructor(options: ReceiverOptions = {}) {
    this.preferredName = options.name;
  }

  /**
   * Called by the supervisor when the context starts and after each restart. Start reading (open a
   * connection, register callbacks, start a loop on promises) and return promptly: never wait for
   * data here. A throw or a rejected promise restarts the receiver with backoff.
   */
  abstract onStart(): void | Promise<void>;

  /**
   * Called when the receiver stops or before a restart, after `isStopped()` has become true: release
   * everything `onStart` took (close sockets, clear timers) so that nothing keeps the process alive.
   * The supervisor waits for it; what it throws is logged.
   */
  abstract onStop(): void | Promise<void>;

  /** The id of the input stream this receiver feeds; -1 until it is attached. */
  get streamId(): number {
    return this.#host?.streamId ?? -1;
  }

  /** The name used in events: the `name` option, else `<ClassName>-<streamId>`. */
  get name(): string {
    return this.preferredName ?? `${this.constructor.name}-${this.streamId}`;
  }

  /**
   * Stores one record (unreliable path). Synchronous; never blocks. While the receiver is started
   * the record is always accepted; the result says whether to go on: `false` means the rate limit
   * or the buffer bound is reached, so pause your source until `ready()` resolves (records stored
   * meanwhile are still accepted, and count against the limits). When the receiver is stopped (or
   * between a failure and its restart) the record is dropped, a warning is logged once, and the
   * result is `false`: check `isStopped()`. The same holds before the receiver is started.
   * @throws SluiceError `INVALID_STATE` if the receiver was never attached to a stream.
   */
  store(item: T): boolean {
    return this.attached().pushSingle(item);
  }

  /**
   * Stores `numRecords` records kept serialized in `bytes` (unreliable path, like {@link store}
   * and with the same result), Spark's `store(ByteBuffer)`. Nothing per record is held until the
   * batch is computed, when the engine calls {@link decodeBytes} with these bytes. The bytes must
   * not be modified afterwards.
   * @throws SluiceError `INVALID_STATE` if the receiver was never attached to a stream.
   */
  storeBytes(bytes: Uint8Array, numRecords: number): boolean {
    return this.attached().pushEncoded(bytes, numRecords);
  }

  /**
   * Decodes what {@link storeBytes} stored, passing each record to `emit` in order. Called when a
   * batch is computed (possibly again on a retry, and after recovery from the write-ahead log), so
   * it must be deterministic and must not depend on the receiver's connection state. Override it
   * when you use storeBytes.
   * @throws SluiceError `INVALID_STATE` by default.
   */
  decodeBytes(_bytes: Uint8Array, _emit: (record: T) => void): void {
    throw new SluiceError('INVALID_STATE', `${this.constructor.name} called storeBytes but does not override decodeBytes`);
  }

  /**
   * Stores `items` as one block of their own (reliable path), with `meta` (JSON-serializable, e.g.
   * an offset range) travelling with the block. First waits, without blocking the event loop, for
   * the rate limit and for room under the buffer bound; then resolves only once the block is durably
   * stored (fsynced to the write-ahead log when it is enabled). An empty `items` resolves at once
   * and stores nothing. The items are copied; the caller may reuse the array.
   * Rejects with SluiceError `STOPPED` if the receiver is stopped before the block is formed, and
   * with the storage error if storing fails: then nack, or let the source redeliver.
   */
  storeBatch(items: readonly T[], meta?: BlockMeta): Promise<void> {
    if (this.#host === undefined) return Promise.reject(notAttached());
    return this.#host.pushBatch(items, meta);
  }

  /**
   * Resolves when `store()` may be called again: the rate limit and the buffer bound allow another
   * record. Also resolves when the receiver stops (check `isStopped()`). Never rejects.
   */
  ready(): Promise<void> {
    return this.#host === undefined ? Promise.resolve() : this.#host.awaitReady();
  }

  /**
   * Asks for a restart and returns at once: the supervisor marks the receiver stopped (`store`
   * drops, `ready` resolves, waiting `storeBatch` calls reject with `STOPPED`), calls `onStop`, and
   * calls `onStart` again `delayMs` after this call (default `restartDelayMs`, 2 s), doubling the
   * delay over consecutive restarts up to `maxRestartDelayMs` (60 s). Ignored while a restart is
   * pending or once the receiver is stopped. `error`, if given, is reported to listeners.
   * @throws SluiceError `INVALID_STATE` if the receiver was never attached to a stream.
   */
  restart(message: string, error?: unknown, delayMs?: number): void {
    this.attached().restartReceiver(message, error, delayMs);
  }

  /**
   * Stops the receiver for good and returns at once (the supervisor calls `onStop` and stores what
   * is buffered). `error`, if given, is reported to listeners. The context keeps running.
   * @throws SluiceError `INVALID_STATE` if the receiver was never attached to a stream.
   */
  stop(message: string, error?: unknown): void {
    void this.attached().stop(message, error);
  }

  /**
   * Reports an error to listeners (receiverError) without stopping; returns at once.
   * @throws SluiceError `INVALID_STATE` if the receiver was never attached to a stream.
   */
  reportError(message: string, error?: unknown): void {
    this.attached().reportError(message, error);
  }

  /**
   * Reports a record this receiver could not read (a malformed line, an undecodable message) and
   * skipped. Listeners get it as `onBadRecord`; it is counted, does not count as a receiver error,
   * and receiving continues. Returns at once.
   * @param source where it came from, e.g. "127.0.0.1:5555" or "logs/3@1042" (default: the receiver's name)
   * @throws SluiceError `INVALID_STATE` if the receiver was never attached to a stream.
   */
  reportBadRecord(reason: string, error?: unknown, source?: string): void {
    this.attached().reportBadRecord(reason, error, source ?? this.name);
  }

  /**
   * The context's clock (a ManualClock in tests): use it for timestamps and timers, so a receiver
   * is tested without sleeping.
   * @throws SluiceError `INVALID_STATE` if the receiver was never attached to a stream.
   */
  get clock(): Clock {
    return this.attached().clock;
  }

  /**
   * A signal for the current start: it aborts when the receiver stops or is restarted, before
   * `onStop` is called, and a new start gets a new one. Pass it to what `onStart` begins (fetch,
   * timers, `events.once`, loops) so that work of an old start never stores into a new one.
   * Outside a start (before it, between a failure and the restart, after the stop) it is an
   * aborted signal.
   */
  get signal(): AbortSignal {
    return this.#host?.startSignal() ?? ABORTED;
  }

  /** True from just before `onStart` is called until the receiver is stopped or restarted. */
  isStarted(): boolean {
    return this.#host?.isReceiverStarted() ?? false;
  }

  /** True once the receiver was stopped (for good, or until its restart). Poll it in read loops. */
  isStopped(): boolean {
    return this.#host?.isReceiverStopped() ?? false;
  }

  /** @internal Called once by the supervisor that will run this receiver. */
  [attachSupervisor](host: ReceiverHost<T>): void {
    if (this.#host !== undefined && this.#host !== host) {
      throw new SluiceError('INVALID_STATE', `Receiver ${this.name} is already attached to stream ${this.streamId}; create one receiver per stream`);
    }
    this.#host = host;
  }

  private attached(): ReceiverHost<T> {
    if (this.#host === undefined) throw notAttached();
    return this.#host;
  }
}

const ABORTED = AbortSignal.abort(new SluiceError('STOPPED', 'The receiver is not started'));

function notAttached(): SluiceError {
  return new SluiceError('INVALID_STATE', 'This receiver is not attached to a stream yet: give it to ssc.receiverStream() and start the context');
}
