/**
 * Input streams: the roots of the graph. A receiver-less input (a queue, a directory, Kafka
 * direct) computes each batch's RDD itself; `prepareBatch` runs first, so a stream may ask its peer
 * (latest offsets, new files) before the batch's RDDs are built.
 */
import type { StreamingContext } from '../context.js';
import { DStream } from './dstream.js';
import type { RDD } from '../rdd/rdd.js';
import type { Duration, Time } from '../time.js';

/** What an input stream reports about one batch (Spark's StreamInputInfo). */
export interface StreamInputInfo {
  streamId: number;
  numRecords: number;
  /** Free-form facts, e.g. Kafka offset ranges or file names. */
  metadata?: Record<string, unknown>;
}

export abstract class InputDStream<T> extends DStream<T> {
  private lastValidTime: Time | undefined;

  constructor(ssc: StreamingContext) {
    super(ssc);
    ssc.graph.addInput(this as InputDStream<unknown>);
  }

  override get slideDuration(): Duration {
    return this.ssc.batchInterval;
  }

  override get dependencies(): readonly DStream<unknown>[] {
    return [];
  }

  override get kind(): string {
    return this.constructor.name;
  }

  /** The RDD of batch `time`, or undefined when the batch has no data from this input. */
  abstract override compute(time: Time): RDD<T> | undefined;

  /** Called once when the context starts (open connections, start watching). */
  start(): void | Promise<void> {}

  /** Called once when the context stops. */
  stop(): void | Promise<void> {}

  /** Called before the batch at `time` is generated; may talk to the peer. Rejecting fails the batch. */
  prepareBatch(_time: Time): Promise<void> | void {}

  /** Reports how many records the batch at `time` holds (shown to listeners and used by backpressure). */
  inputInfo(_time: Time): StreamInputInfo | undefined {
    return undefined;
  }

  /**
   * Checkpoint support: what this input must remember so a recovered context re-forms batches from
   * the same data (offset ranges, file names). JSON-serializable. Default: nothing.
   */
  checkpointState(): unknown {
    return undefined;
  }

  /** Restores what {@link checkpointState} returned. */
  restoreCheckpointState(_state: unknown): void {}

  /**
   * True (the default) when, after a restart from a checkpoint, this input re-forms the batch of
   * any remembered time from the same data (a file list, an offset range, logged blocks). Return
   * false when it cannot: stateful streams over it then log the batches they read back later.
   */
  override get replayable(): boolean {
    return true;
  }

  /**
   * Reports a record (or file, or message) this input could not read and skipped: listeners get it
   * as `onBadRecord`; the stream continues. Returns at once.
   */
  protected reportBadRecord(source: string, reason: string, error?: unknown): void {
    this.ssc.bus.post({ type: 'onBadRecord', payload: { badRecord: { streamId: this.id, source, reason, ...(error === undefined ? {} : { error }) } } });
  }

  override isTimeValid(time: Time): boolean {
    if (!super.isTimeValid(time)) return false;
    if (this.lastValidTime === undefined || time > this.lastValidTime) this.lastValidTime = time;
    return true;
  }
}
