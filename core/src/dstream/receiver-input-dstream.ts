/**
 * Input streams fed by a {@link Receiver}. The context runs the receiver under a supervisor; the
 * blocks it stores are allocated to the next batch, and that batch's RDD has one partition per
 * block (Spark's BlockRDD).
 */
import type { StreamingContext } from '../context.js';
import { InputDStream, type StreamInputInfo } from './input-dstream.js';
import { RDD } from '../rdd/rdd.js';
import type { Receiver } from '../receiver/receiver.js';
import type { BlockMeta } from '../receiver/received-block.js';
import type { EncodedRecords } from '../receiver/encoded-records.js';
import { emitDecoded } from '../receiver/encoded-records.js';
import type { Time } from '../time.js';

export abstract class ReceiverInputDStream<T> extends InputDStream<T> {
  private receiverInstance: Receiver<T> | undefined;

  constructor(ssc: StreamingContext) {
    super(ssc);
  }

  /** The receiver to run for this stream. Called once, when the context starts. */
  abstract getReceiver(): Receiver<T>;

  /** @internal The stream's receiver (getReceiver() called once). */
  get activeReceiver(): Receiver<T> {
    return (this.receiverInstance ??= this.getReceiver());
  }

  /**
   * The blocks of this stream that the write-ahead log gave back when the context restored from a
   * checkpoint (stored durably before a crash, whether or not the receiver's source got its
   * acknowledgement); empty otherwise. Valid from `start()`. A receiver that acknowledges its source
   * after storeBatch can acknowledge these again (their `meta` says what) before reading on.
   */
  protected recoveredBlocks(): ReadonlyArray<{ readonly blockId: string; readonly numRecords: number; readonly meta?: BlockMeta | undefined }> {
    return this.ssc.receiverTracker?.recoveredBlocksOf(this.id) ?? [];
  }

  override compute(time: Time): RDD<T> | undefined {
    const blocks = this.ssc.receiverTracker.blocksOfBatch(time, this.id);
    if (!blocks.some((b) => b.encoded)) {
      return RDD.fromSource<T>(this.ssc.rddContext, blocks.length, (p) => blocks[p]!.read() as T[] | Promise<T[]>, 'BlockRDD');
    }
    // Blocks holding records kept as bytes: decoded as they are consumed, never as one array.
    const decode = (bytes: Uint8Array, emit: (t: T) => void): void => this.activeReceiver.decodeBytes(bytes, emit);
    return RDD.fromStreamingSource<T>(
      this.ssc.rddContext,
      blocks.length,
      async (p, _attempt, emit) => emitDecoded((await blocks[p]!.read()) as Array<T | EncodedRecords>, decode, emit),
      'BlockRDD',
    );
  }

  /** Only with the write-ahead log: blocks held in memory are gone after a restart. */
  override get replayable(): boolean {
    return this.ssc.options.writeAheadLog;
  }

  override inputInfo(time: Time): StreamInputInfo {
    const blocks = this.ssc.receiverTracker.blocksOfBatch(time, this.id);
    return { streamId: this.id, numRecords: blocks.reduce((n, b) => n + b.numRecords, 0) };
  }
}

/** ssc.receiverStream(receiver): a stream fed by the given receiver. */
export class PluggableInputDStream<T> extends ReceiverInputDStream<T> {
  constructor(
    ssc: StreamingContext,
    private readonly given: Receiver<T>,
  ) {
    super(ssc);
  }

  override get kind(): string {
    return `receiverStream(${this.given.constructor.name})`;
  }

  getReceiver(): Receiver<T> {
    return this.given;
  }
}
