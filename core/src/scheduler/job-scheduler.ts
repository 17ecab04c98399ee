/**
 * Runs the jobs of each batch: in batch order, `concurrentJobs` at a time (default 1: one output
 * operation after another). A failing output job is attempted again (unless its tasks already
 * exhausted their retries); when it keeps failing, the context is told to stop with that error,
 * so no batch is ever silently skipped.
 */
import type { Job } from './dstream-graph.js';
import type { BatchInfo, OutputOperationInfo } from './listener.js';
import type { ListenerBus } from './listener-bus.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { StreamInputInfo } from '../dstream/input-dstream.js';
import { SluiceError, asError } from '../errors.js';
import type { Time } from '../time.js';

export interface JobSet {
  time: Time;
  jobs: Job[];
  inputInfos: Record<number, StreamInputInfo>;
}

interface RunningSet {
  info: BatchInfo;
  remaining: number;
  failed: boolean;
}

export interface JobSchedulerDeps {
  clock: Clock;
  bus: ListenerBus;
  logger: Logger;
  concurrentJobs: number;
  maxJobAttempts: number;
  /** Called once per batch whose jobs all succeeded, in completion order. */
  onBatchCompleted(info: BatchInfo): Promise<void> | void;
  /** Called when a job failed for good; the context stops with this error. */
  onFatal(error: Error): void;
}

export class JobScheduler {
  private readonly queue: Array<{ job: Job; set: RunningSet }> = [];
  private readonly sets = new Map<Time, RunningSet>();
  private running = 0;
  private stopped = false;
  private readonly completionWaiters = new Map<Time, Array<{ resolve(): void; reject(e: Error): void }>>();
  private readonly completed = new Set<Time>();
  private idleWaiters: Array<() => void> = [];
  private fatal: Error | undefined;

  constructor(private readonly deps: JobSchedulerDeps) {}

  /** Times of batches submitted and not yet completed, ascending. */
  get pendingTimes(): Time[] {
    return [...this.sets.keys()].sort((a, b) => a - b);
  }

  submit(jobSet: JobSet): void {
    const { clock, bus } = this.deps;
    const numRecords = Object.values(jobSet.inputInfos).reduce((n, i) => n + i.numRecords, 0);
    const info: BatchInfo = {
      batchTime: jobSet.time,
      streamIdToInputInfo: jobSet.inputInfos,
      submissionTime: clock.now(),
      outputOperationInfos: Object.fromEntries(
        jobSet.jobs.map((j) => [j.output.id, { batchTime: jobSet.time, id: j.output.id, name: j.output.name, description: j.output.name } satisfies OutputOperationInfo]),
      ),
      numRecords,
    };
    const set: RunningSet = { info, remaining: jobSet.jobs.length, failed: false };
    this.sets.set(jobSet.time, set);
    if (jobSet.jobs.length === 0) {
      void this.finishSet(set);
      return;
    }
    bus.post({ type: 'onBatchSubmitted', payload: { batchInfo: { ...info } } });
    for (const job of jobSet.jobs) this.queue.push({ job, set });
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.deps.concurrentJobs && this.queue.length > 0) {
      const { job, set } = this.queue.shift()!;
      this.running++;
      void this.runJob(job, set).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) this.notifyIdle();
      });
    }
  }

  private async runJob(job: Job, set: RunningSet): Promise<void> {
    const { clock, bus, maxJobAttempts, logger } = this.deps;
    const info = set.info;
    if (info.processingStartTime === undefined) {
      info.processingStartTime = clock.now();
      info.schedulingDelay = info.processingStartTime - info.submissionTime;
      bus.post({ type: 'onBatchStarted', payload: { batchInfo: { ...info } } });
    }
    const op = info.outputOperationInfos[job.output.id]!;
    op.startTime = clock.now();
    bus.post({ type: 'onOutputOperationStarted', payload: { outputOperationInfo: { ...op } } });
    let error: Error | undefined;
    for (let attempt = 1; attempt <= maxJobAttempts; attempt++) {
      try {
        await job.run();
        error = undefined;
        break;
      } catch (e) {
        error = asError(e);
        const tasksExhausted = error instanceof SluiceError && error.code === 'TASK_FAILED';
        if (tasksExhausted || attempt === maxJobAttempts || this.stopped) break;
        logger.warn(`Output operation ${job.output.name} of batch ${job.time} ms failed (attempt ${attempt} of ${maxJobAttempts}), retrying: ${error.message}`);
      }
    }
    op.endTime = clock.now();
    op.duration = op.endTime - op.startTime;
    if (error) op.failureReason = error.stack ?? error.message;
    bus.post({ type: 'onOutputOperationCompleted', payload: { outputOperationInfo: { ...op } } });
    if (error) {
      set.failed = true;
      this.fail(
        new SluiceError('JOB_FAILED', `Output operation ${job.output.name} (#${job.output.id}) failed for the batch at ${job.time} ms: ${error.message}`, {
          cause: error,
        }),
      );
    }
    if (--set.remaining === 0) await this.finishSet(set);
  }

  private async finishSet(set: RunningSet): Promise<void> {
    const info = set.info;
    const time = info.batchTime;
    if (set.failed) return;
    if (info.processingStartTime !== undefined) {
      info.processingEndTime = this.deps.clock.now();
      info.processingDelay = info.processingEndTime - info.processingStartTime;
      info.totalDelay = info.processingEndTime - info.submissionTime;
      this.deps.bus.post({ type: 'onBatchCompleted', payload: { batchInfo: { ...info } } });
    }
    try {
      await this.deps.onBatchCompleted(info);
    } catch (e) {
      this.fail(asError(e));
      return;
    }
    this.sets.delete(time);
    this.completed.add(time);
    if (this.completed.size > 1000) this.completed.delete(this.completed.values().next().value!);
    for (const w of this.completionWaiters.get(time) ?? []) w.resolve();
    this.completionWaiters.delete(time);
    if (this.sets.size === 0) this.notifyIdle();
  }

  private fail(error: Error): void {
    if (this.fatal) return;
    this.fatal = error;
    this.stopped = true;
    this.queue.length = 0;
    for (const ws of this.completionWaiters.values()) for (const w of ws) w.reject(error);
    this.completionWaiters.clear();
    this.deps.onFatal(error);
  }

  /** Resolves when the batch at `time` has completed; rejects if the scheduler fails first. */
  awaitBatch(time: Time): Promise<void> {
    if (this.completed.has(time)) return Promise.resolve();
    if (this.fatal) return Promise.reject(this.fatal);
    return new Promise((resolve, reject) => {
      const ws = this.completionWaiters.get(time) ?? [];
      ws.push({ resolve, reject });
      this.completionWaiters.set(time, ws);
    });
  }

  private notifyIdle(): void {
    if (this.running > 0 || this.queue.length > 0 || (this.sets.size > 0 && !this.stopped)) return;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }

  /** Resolves when every submitted batch has completed (or the scheduler stopped and nothing runs). */
  whenIdle(): Promise<void> {
    if (this.running === 0 && (this.sets.size === 0 || this.stopped)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops starting jobs. Graceful: first runs every queued job. Otherwise waits only for jobs
   * already running, at most `timeoutMs`.
   */
  async stop(graceful: boolean, timeoutMs = 10_000): Promise<void> {
    if (graceful && !this.fatal) await this.whenIdle();
    this.stopped = true;
    this.queue.length = 0;
    if (this.running > 0) {
      await Promise.race([
        new Promise<void>((r) => this.idleWaiters.push(r)),
        new Promise<void>((r) => setTimeout(r, timeoutMs).unref()),
      ]);
    }
    const stoppedError = new SluiceError('STOPPED', 'The StreamingContext stopped before this batch completed');
    for (const ws of this.completionWaiters.values()) for (const w of ws) w.reject(stoppedError);
    this.completionWaiters.clear();
  }
}
