/**
 * Fires at every batch time (drift-free: times come from the clock, not from sleeping a fixed
 * interval), lets inputs prepare, allocates received blocks to the batch, builds one job per
 * output operation and submits them. Generation is sequential: batch t+1 is generated after t.
 */
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { DStreamGraph } from './dstream-graph.js';
import type { JobScheduler } from './job-scheduler.js';
import type { StreamInputInfo } from '../dstream/input-dstream.js';
import { SluiceError, asError } from '../errors.js';
import type { Duration, Time } from '../time.js';

export interface JobGeneratorDeps {
  clock: Clock;
  logger: Logger;
  batchInterval: Duration;
  graph: DStreamGraph;
  scheduler: JobScheduler;
  /** Assigns received blocks to the batch (logged first when the WAL is on); returns input infos of receiver streams. */
  allocateBlocks(time: Time): Promise<Record<number, StreamInputInfo>>;
  /** Runs after a batch's jobs are submitted (metadata checkpoint). */
  afterGenerate?(time: Time): Promise<void> | void;
  onFatal(error: Error): void;
}

export class JobGenerator {
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** The last batch time whose jobs were submitted. */
  lastGeneratedTime: Time | undefined;

  constructor(private readonly deps: JobGeneratorDeps) {}

  /** Generates batches `first`, `first + interval`, ... until stopped. */
  start(first: Time): void {
    this.loop = this.run(first, this.abort.signal);
  }

  private async run(first: Time, signal: AbortSignal): Promise<void> {
    for (let t = first; !signal.aborted; t += this.deps.batchInterval) {
      try {
        await this.deps.clock.waitUntil(t, signal);
      } catch {
        return; // aborted
      }
      if (signal.aborted) return;
      const ok = await this.generate(t);
      if (!ok) return;
    }
  }

  /** Generates the batch at `time` (also used to re-run batches at recovery). Resolves false if it failed. */
  async generate(time: Time): Promise<boolean> {
    const { graph, scheduler } = this.deps;
    try {
      const infos = await this.deps.allocateBlocks(time);
      await Promise.all(graph.inputs.map((i) => i.prepareBatch(time)));
      const jobs = graph.generateJobs(time);
      for (const input of graph.inputs) {
        const info = input.inputInfo(time);
        if (info) infos[info.streamId] = info;
      }
      this.lastGeneratedTime = time;
      scheduler.submit({ time, jobs, inputInfos: infos });
      await this.deps.afterGenerate?.(time);
      return true;
    } catch (e) {
      const cause = asError(e);
      this.deps.onFatal(new SluiceError('JOB_FAILED', `Error generating jobs for the batch at ${time} ms: ${cause.message}`, { cause }));
      return false;
    }
  }

  /** Stops firing; a batch being generated finishes first. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}
