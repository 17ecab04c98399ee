/**
 * Runs one receiver (Spark's `ReceiverSupervisorImpl`): starts, restarts and stops it, turns what it
 * stores into blocks for the engine, and bounds what it may store by rate and by memory.
 * Internal: the ReceiverTracker creates one per receiver stream; users never see it.
 */
import { EncodedRecords } from './encoded-records.js';
import { setMaxListeners } from 'node:events';
import { SluiceError, asError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import { BlockGenerator } from './block-generator.js';
import { estimateBatchBytes, estimateBytes } from './estimate-bytes.js';
import { FlowControl } from './flow-control.js';
import type { BlockMeta, ReceivedBlock } from './received-block.js';
import { attachSupervisor, type Receiver, type ReceiverHost } from './receiver.js';
import type { ReceiverEvents, ReceiverInfo, ReceiverLogger } from './receiver-info.js';
import { RestartBackoff } from './restart-backoff.js';
import { resolveSupervisorOptions, type ReceiverSupervisorOptions } from './receiver-supervisor-options.js';

export type { ReceiverSupervisorOptions } from './receiver-supervisor-options.js';

interface Session {
  readonly abort: AbortController;
  starting: Promise<void>;
  /** Clock time when `onStart` succeeded; undefined while starting or after it failed. */
  startedAt: number | undefined;
  /** The pending `ready()` promise, shared by every caller while it waits. */
  ready: Promise<void> | undefined;
}

function describe(error: unknown): string {
  const e = asError(error);
  return e.stack ?? `${e.name}: ${e.message}`;
}

export class ReceiverSupervisor<T> implements ReceiverHost<T> {
  readonly streamId: number;
  /** @internal Receiver.clock */
  readonly clock: Clock;
  private readonly generator: BlockGenerator<T>;
  private readonly flow: FlowControl;
  private readonly backoff: RestartBackoff;
  private readonly restartDelayMs: number;
  private readonly log: ReceiverLogger;
  /** Aborted by `stop()`: cancels a pending restart delay. */
  private readonly lifetime = new AbortController();
  private receiverState: 'Initialized' | 'Started' | 'Stopped' = 'Initialized';
  private session: Session | undefined;
  private dropped = 0;
  private warnedDrop = false;
  private startCalled = false;
  private restarting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private lastError = { message: '', error: '', time: -1 };

  /**
   * Attaches itself to `receiver`; starts nothing.
   * @throws SluiceError `INVALID_OPTION` naming a bad option; `INVALID_STATE` if the receiver is
   *   attached to another supervisor.
   */
  constructor(
    readonly receiver: Receiver<T>,
    private readonly opts: ReceiverSupervisorOptions<T>,
  ) {
    this.streamId = opts.streamId;
    this.clock = opts.clock;
    const { maxRate, initialRate, bufferBytes, restartDelayMs, maxRestartDelayMs, logger } = resolveSupervisorOptions(opts);
    this.restartDelayMs = restartDelayMs;
    this.backoff = new RestartBackoff(restartDelayMs, maxRestartDelayMs);
    this.flow = new FlowControl(opts.clock, { maxRate, initialRate, bufferBytes });
    this.log = logger;
    this.generator = new BlockGenerator<T>({
      streamId: opts.streamId,
      clock: opts.clock,
      blockIntervalMs: opts.blockIntervalMs,
      push: (block) => opts.pushBlock(block),
      onPushError: (block, error) => this.onPushFailed(block, error),
    });
    receiver[attachSupervisor](this);
  }

  /** Spark's `ReceiverInfo` for this receiver, as of now. */
  get info(): ReceiverInfo {
    const { message, error, time } = this.lastError;
    const active = this.session?.startedAt !== undefined;
    return { streamId: this.streamId, name: this.receiver.name, active, location: 'local', executorId: 'driver', lastErrorMessage: message, lastError: error, lastErrorTime: time };
  }

  /** Estimated bytes stored and not yet released by {@link releaseBlocks}. */
  get bufferedBytes(): number {
    return this.flow.bufferedBytes;
  }

  /** Records given to `store()` while the receiver was stopped, and dropped. */
  get droppedRecords(): number {
    return this.dropped;
  }

  /** The current rate limit, records/s (`Infinity` = unlimited). */
  get rateLimit(): number {
    return this.flow.rate;
  }

  /**
   * Starts the block generator, then the receiver. Resolves once `onStart` has settled; never
   * rejects for a receiver failure (a failing `onStart` is reported and restarted with backoff).
   * Does nothing after `stop()`.
   * @throws SluiceError `INVALID_STATE` when called twice.
   */
  async start(): Promise<void> {
    if (this.startCalled) throw new SluiceError('INVALID_STATE', `The receiver of stream ${this.streamId} was already started`);
    this.startCalled = true;
    if (this.stopping !== undefined) return;
    this.generator.start();
    await this.startReceiver();
  }

  /**
   * Stops for good: cancels a pending restart, calls `onStop`, cuts the buffered records into a last
   * block and resolves once every block has been pushed. Idempotent (same promise); never rejects.
   * Afterwards `store()` drops and `storeBatch()` rejects with `STOPPED`.
   */
  stop(message: string, error?: unknown): Promise<void> {
    this.stopping ??= this.stopAll(message, error);
    return this.stopping;
  }

  /** Sets the rate from backpressure (records/s); ignores values <= 0, caps at `maxRate`. */
  updateRateLimit(recordsPerSecond: number): void {
    this.flow.updateRate(recordsPerSecond);
  }

  /** Called when batches have processed blocks of this receiver: frees `bytes` (their `bytes` sum). */
  releaseBlocks(bytes: number): void {
    this.flow.release(bytes);
  }

  /** @internal Receiver.store */
  pushSingle(item: T): boolean {
    if (this.session === undefined || this.generator.state !== 'Active') {
      this.drop();
      return false;
    }
    const bytes = estimateBytes(item);
    this.flow.admit(1, bytes);
    this.generator.addData(item, bytes);
    return this.flow.canStore(1);
  }

  /** @internal Receiver.storeBytes */
  pushEncoded(bytes: Uint8Array, numRecords: number): boolean {
    if (this.session === undefined || this.generator.state !== 'Active') {
      this.drop();
      return false;
    }
    const size = bytes.byteLength + 64;
    this.flow.admit(numRecords, size);
    this.generator.addEncoded(new EncodedRecords(bytes, numRecords), size);
    return this.flow.canStore(1);
  }

  /** @internal Receiver.storeBatch */
  async pushBatch(items: readonly T[], meta: BlockMeta | undefined): Promise<void> {
    const signal = this.session?.abort.signal;
    if (signal === undefined) throw this.stoppedError();
    if (items.length === 0) return;
    const copy = items.slice(); // now: the caller may reuse its array as soon as we return
    try {
      await this.flow.whenCanStore(items.length, signal);
    } catch {
      throw this.stoppedError();
    }
    if (signal.aborted || this.generator.state !== 'Active') throw this.stoppedError();
    const bytes = estimateBatchBytes(copy);
    this.flow.admit(copy.length, bytes);
    return this.generator.addBlock(copy, meta, bytes);
  }

  /** @internal Receiver.ready */
  awaitReady(): Promise<void> {
    const session = this.session;
    if (session === undefined || this.flow.canStore(1)) return Promise.resolve();
    session.ready ??= this.flow.whenCanStore(1, session.abort.signal).then(
      () => void (session.ready = undefined),
      () => void (session.ready = undefined), // the receiver stopped: resolve, it checks isStopped()
    );
    return session.ready;
  }

  /** @internal Receiver.restart */
  restartReceiver(message: string, error: unknown, delayMs: number | undefined): void {
    const session = this.session;
    if (session === undefined || this.stopping !== undefined || this.restarting !== undefined) return;
    const ranFor = session.startedAt === undefined ? undefined : this.clock.now() - session.startedAt;
    const asked = typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0 ? delayMs : this.restartDelayMs;
    const delay = this.backoff.next(ranFor, asked);
    if (error !== undefined) this.recordError(message, error);
    const why = error === undefined ? '' : `: ${asError(error).message}`;
    this.log.warn(`Restarting receiver ${this.receiver.name} in ${delay} ms: ${message}${why}`);
    this.restarting = this.restartAfter(message, this.clock.now() + delay);
  }

  /** @internal Receiver.reportError */
  reportError(message: string, error: unknown): void {
    this.recordError(message, error);
  }

  /** Records reported bad and skipped by the receiver so far. */
  badRecords = 0;

  /** @internal Receiver.reportBadRecord */
  reportBadRecord(reason: string, error: unknown, source: string): void {
    this.badRecords++;
    try {
      this.opts.events.badRecord?.({ streamId: this.streamId, source, reason, ...(error === undefined ? {} : { error }) });
    } catch (e) {
      this.log.warn(`A receiver badRecord listener of stream ${this.streamId} threw: ${describe(e)}`);
    }
  }

  /** @internal Receiver.signal */
  startSignal(): AbortSignal | undefined {
    return this.session?.abort.signal;
  }

  /** @internal Receiver.isStarted */
  isReceiverStarted(): boolean {
    return this.receiverState === 'Started';
  }

  /** @internal Receiver.isStopped */
  isReceiverStopped(): boolean {
    return this.receiverState === 'Stopped';
  }

  private async startReceiver(): Promise<void> {
    const session: Session = { abort: new AbortController(), starting: Promise.resolve(), startedAt: undefined, ready: undefined };
    setMaxListeners(0, session.abort.signal); // one listener per waiting storeBatch: no leak warning
    this.session = session;
    this.receiverState = 'Started';
    this.warnedDrop = false;
    session.starting = (async () => this.receiver.onStart())();
    try {
      await session.starting;
    } catch (e) {
      if (this.session === session && this.stopping === undefined) this.restartReceiver('Error starting receiver', e, undefined);
      else this.log.warn(`Receiver ${this.receiver.name} failed to start while stopping: ${asError(e).message}`);
      return;
    }
    if (this.session !== session) return;
    session.startedAt = this.clock.now();
    this.emit('started');
  }

  /** Marks the receiver stopped at once (store drops, waits wake), then runs `onStop`. Never rejects. */
  private async stopReceiver(message: string): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    this.receiverState = 'Stopped';
    session.abort.abort();
    await session.starting.catch(() => undefined);
    try {
      await this.receiver.onStop();
    } catch (e) {
      this.log.warn(`Receiver ${this.receiver.name}: onStop failed: ${describe(e)}`);
    }
    this.log.info?.(`Stopped receiver ${this.receiver.name}: ${message}`);
    if (session.startedAt !== undefined) this.emit('stopped');
  }

  /** Stops the receiver, then starts it again at clock time `at` (or as soon as onStop returned). */
  private async restartAfter(message: string, at: number): Promise<void> {
    await this.stopReceiver(message);
    try {
      await this.clock.waitUntil(at, this.lifetime.signal);
    } catch {
      // stop() was called during the delay.
    }
    this.restarting = undefined;
    if (this.stopping === undefined) void this.startReceiver();
  }

  private async stopAll(message: string, error: unknown): Promise<void> {
    if (error !== undefined) this.recordError(message, error);
    this.lifetime.abort();
    const receiverStopped = this.stopReceiver(message); // marks it stopped before returning
    this.receiverState = 'Stopped';
    await this.restarting;
    await receiverStopped;
    await this.generator.stop();
  }

  private onPushFailed(block: ReceivedBlock<T>, error: unknown): void {
    this.releaseBlocks(block.bytes);
    if (!block.reliable) this.recordError(`Could not store block ${block.blockId}; its ${block.numRecords} records are lost`, error);
  }

  private drop(): void {
    this.dropped++;
    if (this.warnedDrop) return;
    this.warnedDrop = true;
    this.log.warn(`Receiver ${this.receiver.name} called store() while not started; the record was dropped (check isStopped())`);
  }

  private recordError(message: string, error: unknown): void {
    this.lastError = { message, error: error === undefined ? '' : describe(error), time: this.clock.now() };
    this.emit('error');
  }

  private emit(event: 'started' | 'error' | 'stopped'): void {
    try {
      this.opts.events[event](this.info);
    } catch (e) {
      this.log.warn(`A receiver ${event} listener of stream ${this.streamId} threw: ${describe(e)}`);
    }
  }

  private stoppedError(): SluiceError {
    return new SluiceError('STOPPED', `Receiver ${this.receiver.name} of stream ${this.streamId} is stopped`);
  }
}
