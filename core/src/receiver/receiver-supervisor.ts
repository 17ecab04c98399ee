/**
 * Runs one receiver (Spark's `ReceiverSupervisorImpl`): starts, restarts and stops it, turns what it
 * stores into blocks for the engine, and bounds what it may store by rate and by memory.
 * Internal: the ReceiverTracker creates one per receiver stream; users never see it.
 */
import { SluiceError, asError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import { BlockGenerator } from './block-generator.js';
import { estimateBatchBytes, estimateBytes } from './estimate-bytes.js';
import { FlowControl } from './flow-control.js';
import type { BlockMeta, ReceivedBlock } from './received-block.js';
import { attachSupervisor, type Receiver, type ReceiverHost } from './receiver.js';
import type { ReceiverEvents, ReceiverInfo, ReceiverLogger } from './receiver-info.js';
import { RestartBackoff } from './restart-backoff.js';

export interface ReceiverSupervisorOptions<T> {
  streamId: number;
  clock: Clock;
  /** Milliseconds between block cuts (> 0; Spark's default 200). */
  blockIntervalMs: number;
  /** Upper bound of the rate, records/s (> 0); default `Infinity` (unlimited). */
  maxRate?: number;
  /** Starting rate before backpressure updates it, capped at `maxRate`; default `maxRate`. */
  initialRate?: number;
  /** Bound of received but not yet released bytes (estimated); default 64 MiB. */
  bufferBytes?: number;
  /** Delay before the first restart, ms (>= 0); default 2000. */
  restartDelayMs?: number;
  /** Cap of the exponential restart backoff, ms; it resets after the receiver ran this long. Default 60000. */
  maxRestartDelayMs?: number;
  /**
   * Stores a block (fsynced when the WAL is on); resolves when it is durable. Called in block order,
   * possibly while earlier pushes are still in flight.
   */
  pushBlock: (block: ReceivedBlock<T>) => Promise<void>;
  events: ReceiverEvents;
  /** Default: warnings to `console.warn`. */
  logger?: ReceiverLogger;
}

interface Session {
  readonly abort: AbortController;
  starting: Promise<void>;
  /** Clock time when `onStart` succeeded; undefined while starting or after it failed. */
  startedAt: number | undefined;
}

function option(value: number | undefined, fallback: number, name: string, min: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || Number.isNaN(v) || v < min) {
    throw new SluiceError('INVALID_OPTION', `${name} must be a number >= ${min}, got ${String(v)}`);
  }
  return v;
}

function describe(error: unknown): string {
  const e = asError(error);
  return e.stack ?? `${e.name}: ${e.message}`;
}

export class ReceiverSupervisor<T> implements ReceiverHost<T> {
  readonly streamId: number;
  private readonly clock: Clock;
  private readonly generator: BlockGenerator<T>;
  private readonly flow: FlowControl;
  private readonly backoff: RestartBackoff;
  private readonly restartDelayMs: number;
  private readonly log: ReceiverLogger;
  /** Aborted by `stop()`: cancels a pending restart delay. */
  private readonly lifetime = new AbortController();
  private receiverState: 'Initialized' | 'Started' | 'Stopped' = 'Initialized';
  private session: Session | undefined;
  private reportedStarted = false;
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
    this.restartDelayMs = option(opts.restartDelayMs, 2000, 'restartDelayMs', 0);
    this.backoff = new RestartBackoff(this.restartDelayMs, option(opts.maxRestartDelayMs, 60_000, 'maxRestartDelayMs', 0));
    const bufferBytes = opts.bufferBytes ?? 64 * 1024 * 1024;
    this.flow = new FlowControl(opts.clock, { maxRate: opts.maxRate ?? Infinity, initialRate: opts.initialRate, bufferBytes });
    this.log = opts.logger ?? { warn: (m) => console.warn(m) };
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
    const active = this.reportedStarted && this.session !== undefined;
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

  /** @internal Receiver.storeBatch */
  async pushBatch(items: readonly T[], meta: BlockMeta | undefined): Promise<void> {
    const signal = this.session?.abort.signal;
    if (signal === undefined) throw this.stoppedError();
    if (items.length === 0) return;
    try {
      await this.flow.whenCanStore(items.length, signal);
    } catch {
      throw this.stoppedError();
    }
    if (signal.aborted || this.generator.state !== 'Active') throw this.stoppedError();
    const copy = items.slice();
    const bytes = estimateBatchBytes(copy);
    this.flow.admit(copy.length, bytes);
    return this.generator.addBlock(copy, meta, bytes);
  }

  /** @internal Receiver.ready */
  async awaitReady(): Promise<void> {
    const signal = this.session?.abort.signal;
    if (signal === undefined) return;
    try {
      await this.flow.whenCanStore(1, signal);
    } catch {
      // The receiver stopped: resolve so that its loop can check isStopped().
    }
  }

  /** @internal Receiver.restart */
  restartReceiver(message: string, error: unknown, delayMs: number | undefined): void {
    const session = this.session;
    if (session === undefined || this.stopping !== undefined || this.restarting !== undefined) return;
    const ranFor = session.startedAt === undefined ? undefined : this.clock.now() - session.startedAt;
    const delay = this.backoff.next(ranFor, delayMs ?? this.restartDelayMs);
    if (error !== undefined) this.recordError(message, error);
    const why = error === undefined ? '' : `: ${asError(error).message}`;
    this.log.warn(`Restarting receiver ${this.receiver.name} in ${delay} ms: ${message}${why}`);
    this.restarting = this.restartAfter(message, delay);
  }

  /** @internal Receiver.reportError */
  reportError(message: string, error: unknown): void {
    this.recordError(message, error);
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
    const session: Session = { abort: new AbortController(), starting: Promise.resolve(), startedAt: undefined };
    this.session = session;
    this.receiverState = 'Started';
    this.reportedStarted = false;
    this.warnedDrop = false;
    session.starting = (async () => this.receiver.onStart())();
    try {
      await session.starting;
    } catch (e) {
      if (this.session === session) this.restartReceiver('Error starting receiver', e, undefined);
      else this.log.warn(`Receiver ${this.receiver.name} failed to start while stopping: ${asError(e).message}`);
      return;
    }
    if (this.session !== session) return;
    session.startedAt = this.clock.now();
    this.reportedStarted = true;
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
    if (this.reportedStarted) this.emit('stopped');
    this.reportedStarted = false;
  }

  private async restartAfter(message: string, delay: number): Promise<void> {
    await this.stopReceiver(message);
    try {
      await this.clock.waitUntil(this.clock.now() + delay, this.lifetime.signal);
    } catch {
      // stop() was called during the delay.
    }
    this.restarting = undefined;
    if (this.stopping === undefined) void this.startReceiver();
  }

  private async stopAll(message: string, error: unknown): Promise<void> {
    if (error !== undefined) this.recordError(message, error);
    this.lifetime.abort();
    await this.restarting;
    await this.stopReceiver(message);
    this.receiverState = 'Stopped';
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

  private emit(event: keyof ReceiverEvents): void {
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
