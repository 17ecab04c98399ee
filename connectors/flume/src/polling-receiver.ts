/**
 * The receiver behind createFlumePollingStream, Spark's FlumePollingReceiver: polls every
 * configured SparkSink (one connection and one transaction at a time per sink, see SinkPoller),
 * stores each batch with `storeBatch` (meta: sink and sequence number) and acks it only once that
 * resolved, so the events stay in the agent's channel until they are safe in Sluice.
 *
 * After a restore from a checkpoint with the write-ahead log, the sequence numbers of the recovered
 * blocks are acked again before polling: a crash between "stored" and "acked" then neither loses
 * nor duplicates the batch, as long as Sluice is back before the sink's `timeout` (default 60 s).
 */
import { Receiver, type BlockMeta } from '@sluice/core';
import type { ResolvedPollingOptions } from './config.js';
import type { FlumeEvent } from './event.js';
import { SinkPoller, type FlumeBlockMeta, type PollerHost } from './sink-poller.js';
import { emptyPollingStats, type PollingStats } from './stats.js';

/** A counting semaphore: at most `n` holders. */
class Slots {
  private readonly waiters: Array<() => void> = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

export class FlumePollingReceiver extends Receiver<FlumeEvent> {
  readonly stats: PollingStats = emptyPollingStats();
  private pollers: SinkPoller[] = [];
  private runs: Promise<void>[] = [];
  private readonly recovered = new Map<string, string[]>();

  constructor(private readonly opts: ResolvedPollingOptions) {
    super({ name: opts.name ?? `flume-polling-${opts.sinks[0]!.id}` });
  }

  /**
   * Sequence numbers (from recovered block metas) to ack on their sinks before polling; called by
   * the stream when the context restores from a checkpoint, before the receiver starts.
   */
  ackRecovered(metas: readonly BlockMeta[]): void {
    for (const m of metas) {
      const { flumeSink, sequenceNumber } = m as Partial<FlumeBlockMeta>;
      if (typeof flumeSink !== 'string' || typeof sequenceNumber !== 'string' || sequenceNumber === '') continue;
      const list = this.recovered.get(flumeSink) ?? [];
      if (!list.includes(sequenceNumber)) list.push(sequenceNumber);
      this.recovered.set(flumeSink, list);
    }
  }

  /** Starts one poller per sink and returns at once. */
  onStart(): void {
    const slots = new Slots(this.opts.parallelism);
    const host: PollerHost = {
      opts: this.opts,
      stats: this.stats,
      isStopped: () => this.isStopped(),
      store: async (events, meta) => {
        await slots.acquire();
        try {
          await this.storeBatch(events, meta);
        } finally {
          slots.release();
        }
      },
      report: (message, error) => {
        if (!this.isStopped()) this.reportError(message, error);
      },
    };
    this.pollers = this.opts.sinks.map((sink) => {
      const p = new SinkPoller(sink, host);
      p.ackBeforePolling(this.recovered.get(sink.id) ?? []);
      return p;
    });
    this.recovered.clear();
    this.runs = this.pollers.map((p) => p.run());
  }

  /**
   * Stops every poller: waits on empty channels are abandoned at once, batches being stored are
   * still acked or nacked (each bounded by min(ackTimeoutMs, 5 s)). Resolves when all are done.
   */
  async onStop(): Promise<void> {
    for (const p of this.pollers) p.stop();
    await Promise.all(this.runs);
    this.pollers = [];
    this.runs = [];
  }
}
