/**
 * Polls one SparkSink, one transaction at a time, as Spark's FlumeBatchFetcher does over its one
 * connection per agent: getEventBatch(maxBatchSize) -> storeBatch -> ack (or nack when storing
 * failed); error batches are never acked. Strictly one call at a time on one connection, because
 * SparkSink handles a connection's calls one after another on a shared Netty worker: an ack queued
 * behind a getEventBatch that waits on an empty channel would miss the sink's timeout and the
 * events would come again.
 *
 * Reconnects with backoff when the agent goes away. Acks that did not complete, and the sequence
 * numbers of write-ahead-logged blocks recovered after a crash, are sent again (on the next
 * connection, before any getEventBatch): a transaction still open commits, one already rolled back
 * ignores it.
 */
import type { BlockMeta } from '@sluice/core';
import type { ResolvedPollingOptions, ResolvedSink } from './config.js';
import { flumeError } from './errors.js';
import type { FlumeEvent } from './event.js';
import { SparkSinkConnection } from './spark-sink-client.js';
import type { PollingStats } from './stats.js';

/** The block meta of a polled batch: which sink, which transaction. Survives in the write-ahead log. */
export interface FlumeBlockMeta extends BlockMeta {
  flumeSink: string;
  sequenceNumber: string;
}

export interface PollerHost {
  readonly opts: ResolvedPollingOptions;
  readonly stats: PollingStats;
  isStopped(): boolean;
  /** storeBatch, holding one of `parallelism` slots while the batch is stored. */
  store(events: FlumeEvent[], meta: FlumeBlockMeta): Promise<void>;
  report(message: string, error: unknown): void;
}

/** How long a getEventBatch pending at stop is left to finish (see drainAfterStop). */
const DRAIN_AFTER_STOP_MS = 120_000;

export class SinkPoller {
  private connection: SparkSinkConnection | undefined;
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private wake: (() => void) | undefined;
  private delayMs: number;
  /** Sequence numbers to ack (again) before the next getEventBatch. */
  private readonly toAck: string[] = [];

  constructor(
    readonly sink: ResolvedSink,
    private readonly host: PollerHost,
  ) {
    this.delayMs = host.opts.reconnectDelayMs;
  }

  /** Adds sequence numbers to ack before polling (recovered from the write-ahead log). */
  ackBeforePolling(sequenceNumbers: readonly string[]): void {
    for (const s of sequenceNumbers) if (!this.toAck.includes(s)) this.toAck.push(s);
  }

  /** Runs until {@link stop}; never rejects. */
  async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const c = await this.connected();
        if (!c) break;
        await this.sendPendingAcks(c);
        await this.cycle(c);
      } catch (e) {
        if (this.stopping) break;
        this.dropConnection();
        this.host.stats.connectionFailures++;
        this.host.report(`SparkSink ${this.sink.id}: ${(e as Error).message}; retrying in ${this.delayMs} ms`, e);
        await this.backoff();
      }
    }
    this.dropConnection();
  }

  /**
   * Stops polling: a connect in progress is abandoned, a getEventBatch waiting on an empty channel
   * is left to finish in the background and its batch nacked (see drainAfterStop); a batch being
   * stored is still acked or nacked (bounded). Returns at once; `run()` resolves when done.
   */
  stop(): void {
    this.stopping = true;
    this.stopSignal.abort();
    this.wake?.();
  }

  private async connected(): Promise<SparkSinkConnection | undefined> {
    if (this.connection && !this.connection.isLost) return this.connection;
    this.dropConnection();
    const c = await SparkSinkConnection.connect(this.sink, this.host.opts.connectTimeoutMs, this.stopSignal.signal);
    if (this.stopping) {
      c.close();
      return undefined;
    }
    this.host.stats.connections++;
    this.connection = c;
    return c;
  }

  private async sendPendingAcks(c: SparkSinkConnection): Promise<void> {
    while (this.toAck.length > 0) {
      await c.ack(this.toAck[0]!, this.host.opts.ackTimeoutMs);
      this.toAck.shift();
      this.host.stats.recoveryAcks++;
    }
  }

  private async cycle(c: SparkSinkConnection): Promise<void> {
    const { maxBatchSize, ackTimeoutMs } = this.host.opts;
    const t0 = performance.now();
    const pending = c.getEventBatch(maxBatchSize);
    const batch = await this.untilStopped(pending);
    if (batch === undefined || this.stopping) {
      this.drainAfterStop(c, pending);
      return;
    }
    if (batch.errorMsg !== '') {
      this.host.stats.errorBatches++;
      const err = flumeError('FLUME_ERROR_BATCH', `SparkSink ${this.sink.id} answered an error batch: ${batch.errorMsg}`);
      this.host.report(`${err.message}; nothing acked, polling again in ${this.delayMs} ms`, err);
      if (/stopped/i.test(batch.errorMsg)) this.dropConnection();
      await this.backoff();
      return;
    }
    this.delayMs = this.host.opts.reconnectDelayMs; // a good batch: the sink is healthy
    const t1 = performance.now();
    this.host.stats.pollMs += t1 - t0;
    const seq = batch.sequenceNumber;
    let stored = batch.events.length === 0;
    if (!stored) {
      try {
        await this.host.store(batch.events as FlumeEvent[], { flumeSink: this.sink.id, sequenceNumber: seq });
        stored = true;
        this.host.stats.batches++;
        this.host.stats.events += batch.events.length;
      } catch (e) {
        if (!this.host.isStopped()) {
          this.host.report(`Storing ${batch.events.length} events from SparkSink ${this.sink.id} failed; nack sent, they come again`, flumeError('FLUME_STORE_FAILED', (e as Error).message, e));
        }
      }
    }
    const t2 = performance.now();
    this.host.stats.storeMs += t2 - t1;
    await this.settle(c, seq, stored, ackTimeoutMs);
    this.host.stats.ackMs += performance.now() - t2;
  }

  /** ack (stored) or nack; an ack that does not complete is kept to be sent again on the next connection. */
  private async settle(c: SparkSinkConnection, seq: string, ack: boolean, timeoutMs = this.host.opts.ackTimeoutMs): Promise<void> {
    const bound = this.stopping ? Math.min(timeoutMs, 5_000) : timeoutMs;
    try {
      if (ack) {
        await c.ack(seq, bound);
        this.host.stats.acks++;
      } else {
        await c.nack(seq, bound);
        this.host.stats.nacks++;
      }
    } catch (e) {
      this.host.stats.ackFailures++;
      if (ack) this.ackBeforePolling([seq]);
      const what = ack ? `ack(${seq}) failed: it is sent again after reconnecting; if the sink's timeout passes first, the batch comes again (duplicates)` : `nack(${seq}) failed: the sink rolls the batch back after its timeout`;
      throw flumeError('FLUME_ACK_FAILED', `${what} (${(e as Error).message})`, e);
    }
  }

  /** `p`'s outcome, or undefined as soon as stop() is called (without leaving a listener behind per call). */
  private untilStopped<T>(p: Promise<T>): Promise<T | undefined> {
    const signal = this.stopSignal.signal;
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve, reject) => {
      const onStop = (): void => resolve(undefined);
      signal.addEventListener('abort', onStop, { once: true });
      p.then(
        (v) => {
          signal.removeEventListener('abort', onStop);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onStop);
          reject(e);
        },
      );
    });
  }

  /**
   * Stopped while a getEventBatch waits on an empty channel. The sink cannot cancel it: its
   * transaction takes the next events whatever we do, and closing the connection would leave them
   * invisible until the sink's timeout rolls them back. So the call is left to finish in the
   * background (the connection no longer keeps the process alive), and a batch it returns is
   * nacked at once: its events go back to the head of the channel.
   */
  private drainAfterStop(c: SparkSinkConnection, pending: Promise<{ errorMsg: string; sequenceNumber: string }>): void {
    if (this.connection === c) this.connection = undefined;
    c.unref();
    const timer = setTimeout(() => c.close(), DRAIN_AFTER_STOP_MS).unref();
    void pending
      .then(async (b) => {
        if (b.errorMsg === '' && b.sequenceNumber !== '') {
          await c.nack(b.sequenceNumber, 5_000);
          this.host.stats.nacks++;
        }
      })
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        c.close();
      });
  }

  private dropConnection(): void {
    this.connection?.close();
    this.connection = undefined;
  }

  private async backoff(): Promise<void> {
    const ms = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.host.opts.maxReconnectDelayMs);
    if (this.stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = undefined;
  }
}
