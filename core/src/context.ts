/**
 * StreamingContext: the entry point. Build the graph (inputs, transformations, outputs), then
 * `await ssc.start()`; batches run every `batchInterval` until `stop()` or a failure, which
 * `awaitTermination()` reports.
 *
 * @example
 * ```ts
 * import { StreamingContext, Seconds } from '@sluice/core';
 * const ssc = new StreamingContext({ batchInterval: Seconds(1) });
 * const queue = [['a b', 'b c']];
 * ssc.queueStream(queue).flatMap((l) => l.split(' ')).map((w) => [w, 1] as [string, number])
 *   .reduceByKey((a, b) => a + b).print();
 * await ssc.start();
 * await ssc.awaitTerminationOrTimeout(3000);
 * await ssc.stop();
 * ```
 */
import { resolveOptions, type BackpressureOptions, type ResolvedOptions, type StreamingContextOptions } from './context-options.js';
import { SluiceError, asError } from './errors.js';
import { formatDuration, toDuration, type Duration, type DurationLike, type Time } from './time.js';
import type { Clock } from './util/clock.js';
import type { Logger } from './util/logger.js';
import { RDD } from './rdd/rdd.js';
import { createRDDContext, type RDDContext } from './rdd/rdd-context.js';
import { DStream } from './dstream/dstream.js';
import { multiTransformedPlan } from './dstream/transformed.js';
import { QueueInputDStream } from './dstream/queue-input-dstream.js';
import { PluggableInputDStream, ReceiverInputDStream } from './dstream/receiver-input-dstream.js';
import type { Receiver } from './receiver/receiver.js';
import { DStreamGraph } from './scheduler/dstream-graph.js';
import { JobScheduler } from './scheduler/job-scheduler.js';
import { JobGenerator } from './scheduler/job-generator.js';
import { ListenerBus } from './scheduler/listener-bus.js';
import type { BatchInfo, StreamingListener } from './scheduler/listener.js';
import { ReceiverTracker } from './scheduler/receiver-tracker.js';
import { startBackpressure } from './scheduler/rate/backpressure.js';
import { readLatestCheckpoint, type CheckpointData } from './checkpoint/checkpoint-file.js';
import { restoreCheckpoint } from './checkpoint/restore.js';
import { verifyGraph } from './checkpoint/operators.js';
import { Checkpointer } from './checkpoint/checkpointer.js';
import { describeRestore } from './checkpoint/describe-restore.js';
import { checkModeHook } from './checkpoint/check-mode.js';
import { ReceivedBlockLog } from './storage/received-block-log.js';

export type StreamingContextState = 'initialized' | 'active' | 'stopped';

export interface StopOptions {
  /** Stop receivers, process everything they received, then stop (default false). */
  stopGracefully?: boolean;
}

export class StreamingContext {
  /** @internal */ readonly options: ResolvedOptions;
  /** @internal */ readonly graph = new DStreamGraph();
  /** What RDDs of this context share; input streams pass it to `RDD.fromSource` / `RDD.fromPartitions`. */
  readonly rddContext: RDDContext;
  /** @internal */ readonly bus: ListenerBus;
  /** @internal */ receiverTracker!: ReceiverTracker;
  private scheduler: JobScheduler | undefined;
  private generator: JobGenerator | undefined;
  private currentState: StreamingContextState = 'initialized';
  private checkpointDirectory: string | undefined;
  private stopping: Promise<void> | undefined;
  private terminationError: Error | undefined;
  private readonly terminated: Promise<void>;
  private resolveTerminated!: () => void;
  private signalHandler: (() => void) | undefined;
  private readonly batchCompletedHooks: Array<(info: BatchInfo) => void | Promise<void>> = [];
  private recovered: CheckpointData | undefined;
  private checkpointer: Checkpointer | undefined;
  private blockLog: ReceivedBlockLog | undefined;

  /** @throws SluiceError INVALID_OPTION naming the first bad or unknown option. */
  constructor(options: StreamingContextOptions) {
    this.options = resolveOptions(options);
    this.checkpointDirectory = this.options.checkpointDir;
    if (this.options.rememberDuration !== undefined) this.graph.rememberDuration = this.options.rememberDuration;
    this.rddContext = createRDDContext({ parallelism: this.options.parallelism, maxTaskFailures: this.options.maxTaskFailures });
    this.bus = new ListenerBus(this.options.logger);
    this.terminated = new Promise<void>((resolve) => (this.resolveTerminated = resolve));
    this.terminated.catch(() => {});
  }

  get batchInterval(): Duration {
    return this.options.batchInterval;
  }

  get clock(): Clock {
    return this.options.clock;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  /** The backpressure settings in force (defaults filled in), or undefined when backpressure is off. */
  get backpressure(): Readonly<Required<BackpressureOptions>> | undefined {
    return this.options.backpressure;
  }

  get state(): StreamingContextState {
    return this.currentState;
  }

  /** The checkpoint directory, if one is set. */
  get checkpointDir(): string | undefined {
    return this.checkpointDirectory;
  }

  /** @internal */
  printSink(text: string): void {
    this.options.printSink(text);
  }

  /** Sets the checkpoint directory (needed by stateful and inverse-window streams and the write-ahead log). */
  checkpoint(directory: string): void {
    if (typeof directory !== 'string' || directory.length === 0) throw new SluiceError('INVALID_OPTION', 'checkpoint(directory): directory must be a non-empty path');
    this.requireState('initialized', 'set the checkpoint directory');
    this.checkpointDirectory = directory;
  }

  /** Every stream keeps its RDDs at least `duration` (Spark's ssc.remember). */
  remember(duration: DurationLike): void {
    this.graph.rememberDuration = toDuration(duration, 'remember(duration)');
  }

  addStreamingListener(listener: StreamingListener): void {
    this.bus.add(listener);
  }

  removeStreamingListener(listener: StreamingListener): void {
    this.bus.remove(listener);
  }

  /** @internal Runs after each completed batch (checkpointing, rate control). */
  onBatchCompleted(hook: (info: BatchInfo) => void | Promise<void>): void {
    this.batchCompletedHooks.push(hook);
  }

  // ---------------------------------------------------------------- RDD helpers

  /** An RDD of `items`, split into `numSlices` partitions by position (Spark's parallelize). */
  parallelize<T>(items: Iterable<T>, numSlices?: number): RDD<T> {
    return RDD.parallelize(this.rddContext, items, numSlices);
  }

  emptyRDD<T>(): RDD<T> {
    return RDD.empty<T>(this.rddContext);
  }

  /** @internal */
  unionRDDs<T>(rdds: RDD<T>[]): RDD<T> {
    return rdds.length === 0 ? this.emptyRDD<T>() : rdds.length === 1 ? rdds[0]! : rdds[0]!.union(...rdds.slice(1));
  }

  /** @internal */
  toRDD<T>(x: RDD<T> | Iterable<T>): RDD<T> {
    return x instanceof RDD ? x : this.parallelize(x);
  }

  // ---------------------------------------------------------------- inputs

  /**
   * A stream fed from a queue you fill: each batch takes the next RDD (or array) from it
   * (`oneAtATime`), or everything queued; an empty queue gives `defaultRDD` or an empty batch.
   */
  queueStream<T>(queue: Array<RDD<T> | readonly T[]>, oneAtATime = true, defaultRDD?: RDD<T>): DStream<T> {
    if (!Array.isArray(queue)) throw new SluiceError('INVALID_OPTION', 'queueStream(queue): queue must be an array of RDDs or arrays');
    return new QueueInputDStream(this, queue, oneAtATime, defaultRDD);
  }

  /** A stream fed by your own {@link Receiver}. */
  receiverStream<T>(receiver: Receiver<T>): ReceiverInputDStream<T> {
    if (receiver === null || typeof receiver !== 'object' || typeof receiver.onStart !== 'function') {
      throw new SluiceError('INVALID_OPTION', 'receiverStream(receiver): receiver must be an instance of a Receiver subclass');
    }
    return new PluggableInputDStream(this, receiver);
  }

  /** The elements of all streams (same slide duration) in each batch. */
  union<T>(...streams: DStream<T>[]): DStream<T> {
    return new DStream<T>(this, multiTransformedPlan('union', streams as DStream<unknown>[], (rdds) => this.unionRDDs(rdds as RDD<T>[])));
  }

  /** A stream whose RDD per batch is `fn(rdds, time)` of the given streams' RDDs. */
  transform<T>(streams: DStream<unknown>[], fn: (rdds: RDD<unknown>[], time: Time) => RDD<T>): DStream<T> {
    return new DStream<T>(this, multiTransformedPlan('transform', streams, fn));
  }

  // ---------------------------------------------------------------- recovery

  /**
   * Spark's getOrCreate. `create` always runs (closures cannot be serialized, so the graph is
   * rebuilt from code) and must return a context whose graph is complete. If `dir` holds a
   * checkpoint, the context then restores from it when started: zero time, input positions, state,
   * and every batch that was pending or missed, re-run in order before new ones.
   * @throws SluiceError CHECKPOINT_MISMATCH when the graph does not match the checkpoint (the
   *   message names each operator that differs and what to do).
   */
  static async getOrCreate(dir: string, create: () => StreamingContext | Promise<StreamingContext>): Promise<StreamingContext> {
    if (typeof dir !== 'string' || dir.length === 0) throw new SluiceError('INVALID_OPTION', 'getOrCreate(dir, create): dir must be a non-empty path');
    const ssc = await create();
    if (!(ssc instanceof StreamingContext)) throw new SluiceError('INVALID_OPTION', 'getOrCreate: create() must return a StreamingContext');
    if (ssc.checkpointDirectory === undefined) ssc.checkpoint(dir);
    else if (ssc.checkpointDirectory !== dir) {
      throw new SluiceError('INVALID_OPTION', `getOrCreate: the context's checkpoint directory (${ssc.checkpointDirectory}) differs from ${dir}`);
    }
    const found = await readLatestCheckpoint(dir, ssc.logger);
    const check = checkModeHook();
    if (check) check.report(ssc, found?.data, dir);
    if (found) {
      verifyGraph(found.data, ssc.graph, ssc.batchInterval, dir);
      ssc.recovered = found.data;
      ssc.logger.info(`Restoring from checkpoint ${found.path} (batch ${found.data.checkpointTime} ms${found.data.stoppedGracefully ? ', written by a graceful stop' : ''})`);
    }
    return ssc;
  }

  /** True when start() will restore from a checkpoint. */
  get isRecovering(): boolean {
    return this.recovered !== undefined;
  }

  // ---------------------------------------------------------------- lifecycle

  private requireState(state: StreamingContextState, what: string): void {
    if (this.currentState !== state) {
      throw new SluiceError('INVALID_STATE', `Cannot ${what}: the StreamingContext is ${this.currentState}${state === 'initialized' ? ' (a context starts once; create a new one)' : ''}`);
    }
  }

  private validate(): void {
    if (this.graph.outputs.length === 0) {
      throw new SluiceError('NO_OUTPUT_OPERATIONS', 'No output operations registered, so nothing to execute: add print(), foreachRDD() or saveAsTextFiles() to a stream before start()');
    }
    for (const s of this.graph.reachable()) {
      if (s.mustCheckpoint && this.checkpointDirectory === undefined) {
        throw new SluiceError(
          'CHECKPOINT_REQUIRED',
          `The ${s.kind} stream (${s.operatorId}) keeps state across batches, so it needs a checkpoint directory: call ssc.checkpoint(dir) or pass { checkpointDir } to new StreamingContext(...) before start()`,
        );
      }
      if (s.checkpointDuration !== undefined && s.checkpointDuration < s.slideDuration) {
        throw new SluiceError('INVALID_DURATION', `The checkpoint interval of ${s.kind} (${formatDuration(s.checkpointDuration)}) is shorter than its slide`);
      }
    }
    if (this.options.writeAheadLog && this.checkpointDirectory === undefined) {
      throw new SluiceError('CHECKPOINT_REQUIRED', 'writeAheadLog: true needs a checkpoint directory: call ssc.checkpoint(dir) or pass { checkpointDir }');
    }
  }

  /**
   * Starts receiving and processing. Resolves once inputs and receivers have started.
   * @throws SluiceError NO_OUTPUT_OPERATIONS, CHECKPOINT_REQUIRED, or INVALID_STATE when already started or stopped.
   */
  async start(): Promise<void> {
    this.requireState('initialized', 'start');
    this.validate();
    const { clock, logger, batchInterval } = this.options;
    this.currentState = 'active';
    const cp = this.recovered;
    const zeroTime = cp ? cp.zeroTime : Math.floor(clock.now() / batchInterval) * batchInterval;
    // The first new batch: the next batch time (aligned on the zero time) after now.
    const startTime = zeroTime + (Math.floor((clock.now() - zeroTime) / batchInterval) + 1) * batchInterval;
    this.graph.start(zeroTime);
    const receiverStreams = this.graph.inputs.filter((i): i is ReceiverInputDStream<unknown> => i instanceof ReceiverInputDStream);
    let recoveredBlocks;
    if (this.options.writeAheadLog && receiverStreams.length > 0) {
      const opened = await ReceivedBlockLog.open(this.checkpointDirectory!, cp !== undefined, logger);
      this.blockLog = opened.log;
      recoveredBlocks = opened.recovered;
    } else if (cp && receiverStreams.length > 0 && cp.pendingTimes.length > 0) {
      logger.warn(
        `Restoring without writeAheadLog: the ${cp.pendingTimes.length} batch(es) that had not completed before the stop (${cp.pendingTimes.join(', ')} ms) run again without ` +
          `the records receivers had stored for them, which are lost; the state and outputs of completed batches are intact (set writeAheadLog: true to keep such records)`,
      );
    }
    const blockLog = this.blockLog;
    this.receiverTracker = new ReceiverTracker(receiverStreams, {
      persist: blockLog && ((block) => blockLog.persistBlock(block)),
      logAllocation: blockLog && ((time, batch) => blockLog.logAllocation(time, batch)),
      clock,
      logger,
      blockIntervalMs: this.options.blockInterval,
      maxRate: this.options.receiverMaxRate,
      bufferBytes: this.options.receiverBufferBytes,
      initialRate: this.options.backpressure?.initialRate,
      events: {
        started: (receiverInfo) => this.bus.post({ type: 'onReceiverStarted', payload: { receiverInfo } }),
        error: (receiverInfo) => this.bus.post({ type: 'onReceiverError', payload: { receiverInfo } }),
        stopped: (receiverInfo) => this.bus.post({ type: 'onReceiverStopped', payload: { receiverInfo } }),
        badRecord: (badRecord) => this.bus.post({ type: 'onBadRecord', payload: { badRecord } }),
      },
    });
    if (recoveredBlocks) {
      for (const [time, batch] of recoveredBlocks.allocations) {
        this.receiverTracker.restoreAllocation(time, batch);
        for (const blocks of batch.values()) this.receiverTracker.markRecovered(blocks);
      }
      for (const block of recoveredBlocks.unallocated) this.receiverTracker.enqueue(block);
      this.receiverTracker.markRecovered(recoveredBlocks.unallocated);
    }
    if (this.options.backpressure) startBackpressure(this, receiverStreams, this.options.backpressure);
    // How far back a batch still to come reads a receiver's blocks (a window), and how far back a
    // recovery may recompute from them; both are fixed once the graph has started.
    const readBack = Math.max(batchInterval, ...receiverStreams.map((s) => s.readBackDuration));
    const remember = Math.max(batchInterval, ...receiverStreams.map((s) => s.rememberDuration));
    /**
     * Up to which batch time received blocks can be dropped once the batch at `t` completed: a later
     * batch reads back at most readBack (Spark cleans at time - the longest input remember
     * duration), a batch still pending before `t` as far from its own time, and blocks restored from
     * the write-ahead log were never read into a cache in this process, so they stay as long as a
     * recovery may recompute from them.
     */
    const blockCleanupTimes = (t: Time): [live: Time, restored: Time] => {
      const older = this.scheduler!.pendingTimes.find((p) => p < t) ?? Infinity; // ascending: the oldest
      return [Math.min(t + batchInterval, older) - readBack, Math.min(t, older) - remember];
    };
    this.scheduler = new JobScheduler({
      clock,
      bus: this.bus,
      logger,
      concurrentJobs: this.options.concurrentJobs,
      maxJobAttempts: this.options.maxTaskFailures,
      onBatchCompleted: async (info) => {
        // State is logged first: it may still read this batch's RDDs.
        await this.checkpointer?.afterComplete(info.batchTime, this.scheduler!.pendingTimes);
        this.graph.clearMetadata(info.batchTime);
        this.receiverTracker.cleanupBatch(...blockCleanupTimes(info.batchTime));
        // Keep every block a recovery could still need: the longest an input remembers its RDDs.
        if (blockLog) await blockLog.clean(info.batchTime - remember);
        for (const hook of this.batchCompletedHooks) await hook(info);
      },
      onFatal: (e) => this.fail(e),
    });
    this.generator = new JobGenerator({
      clock,
      logger,
      batchInterval,
      graph: this.graph,
      scheduler: this.scheduler,
      allocateBlocks: async (t) => this.receiverTracker.allocateBlocksToBatch(t),
      afterGenerate: (t) => this.checkpointer?.afterGenerate(t, this.scheduler!.pendingTimes),
      onFatal: (e) => this.fail(e),
    });
    let rerun: Time[] = [];
    try {
      if (cp) rerun = await restoreCheckpoint(this.graph, cp, this.checkpointDirectory!, batchInterval, startTime);
      if (this.checkpointDirectory !== undefined) {
        const deps = { dir: this.checkpointDirectory, appName: this.options.appName, batchInterval, graph: this.graph, logger, onFatal: (e: Error) => this.fail(e) };
        this.checkpointer = await Checkpointer.open(deps, cp);
      }
      // A first checkpoint before any receiver stores anything: a crash before the first batch then
      // still restores, and the write-ahead log's blocks are recovered instead of discarded.
      if (!cp) await this.checkpointer?.afterGenerate(zeroTime, []);
      for (const input of this.graph.inputs) await input.start();
      await this.receiverTracker.start();
    } catch (e) {
      const error = asError(e);
      this.fail(error);
      throw error;
    }
    if (cp) logger.info(describeRestore(cp, rerun));
    void this.runRecoveredThenStart(rerun, startTime);
    this.bus.post({ type: 'onStreamingStarted', payload: { time: clock.now() } });
    if (this.options.stopGracefullyOnShutdown) this.installSignalHandler();
    logger.info(`StreamingContext started: batches every ${formatDuration(batchInterval)}, first at ${startTime} ms`);
  }

  /** Re-runs recovered batches in order, then starts the timer at the next batch time. */
  private async runRecoveredThenStart(times: Time[], startTime: Time): Promise<void> {
    for (const t of times) {
      if (this.currentState !== 'active' || this.terminationError) return;
      if (!(await this.generator!.generate(t))) return;
    }
    if (this.currentState === 'active') this.generator!.start(startTime);
  }

  private installSignalHandler(): void {
    const handler = (): void => {
      this.logger.info('Signal received: stopping gracefully');
      void this.stop({ stopGracefully: true });
    };
    this.signalHandler = handler;
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
  }

  private fail(error: Error): void {
    if (this.terminationError || this.currentState === 'stopped') return;
    this.terminationError = error;
    this.logger.error(`Stopping the StreamingContext after an error: ${error.message}`);
    void this.stop({ stopGracefully: false });
  }

  /** @internal The batch scheduler (tests and recovery). */
  get jobScheduler(): JobScheduler | undefined {
    return this.scheduler;
  }

  /**
   * Stops the context; idempotent. Graceful: stops receivers first, waits (at most
   * `gracefulStopTimeout`) until everything they stored has been processed, then stops. Otherwise
   * stops generating batches at once and waits only for jobs already running.
   */
  stop(options: StopOptions = {}): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.currentState === 'initialized') {
      this.currentState = 'stopped';
      this.resolveTerminated();
      return (this.stopping = Promise.resolve());
    }
    return (this.stopping = this.doStop(options.stopGracefully ?? false));
  }

  private async doStop(graceful: boolean): Promise<void> {
    const { logger, gracefulStopTimeout } = this.options;
    if (this.signalHandler) {
      process.removeListener('SIGTERM', this.signalHandler);
      process.removeListener('SIGINT', this.signalHandler);
    }
    try {
      if (graceful && !this.terminationError) {
        await this.receiverTracker.stop();
        // Receivers are stopped, so no block arrives any more: keep generating batches until one
        // has taken every stored block.
        const deadline = Date.now() + gracefulStopTimeout;
        while (this.receiverTracker.hasUnallocatedBlocks() && Date.now() < deadline && !this.terminationError) {
          await new Promise((r) => setTimeout(r, 10));
        }
        if (this.receiverTracker.hasUnallocatedBlocks()) logger.warn(`Graceful stop timed out after ${formatDuration(gracefulStopTimeout)} with received data not yet processed`);
        await this.generator!.stop();
        await this.scheduler!.stop(true);
      } else {
        await this.generator?.stop();
        await this.receiverTracker?.stop();
        await this.scheduler?.stop(false);
      }
      for (const input of this.graph.inputs) {
        try {
          await input.stop();
        } catch (e) {
          logger.warn(`Input stream ${input.kind} (#${input.id}) failed to stop: ${asError(e).message}`);
        }
      }
      if (graceful && !this.terminationError && this.scheduler?.pendingTimes.length === 0) {
        await this.checkpointer?.stopGracefully();
        if (this.checkpointer) logger.info(`Stopped gracefully: everything received was processed; the last checkpoint in ${this.checkpointDirectory} has nothing pending, so a restart re-runs nothing`);
      } else await this.checkpointer?.close();
      await this.blockLog?.close();
      await this.bus.drain();
    } finally {
      this.currentState = 'stopped';
      this.resolveTerminated();
    }
  }

  /** Resolves when the context stops; rejects with the error that stopped it, if any. */
  async awaitTermination(): Promise<void> {
    await this.terminated;
    await this.stopping;
    if (this.terminationError) throw this.terminationError;
  }

  /**
   * Waits at most `timeoutMs`. Resolves true if the context stopped, false on timeout; rejects
   * with the error that stopped it, if any.
   */
  async awaitTerminationOrTimeout(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    try {
      const done = await Promise.race([this.awaitTermination().then(() => true as const), timedOut]);
      return done;
    } finally {
      clearTimeout(timer);
    }
  }
}
