/**
 * ssc.queueStream: each batch takes the next RDD from a queue the caller fills (oneAtATime), or
 * all queued RDDs at once; an empty queue gives `defaultRDD`, else an empty RDD.
 *
 * Recovery: the checkpoint remembers how many queue items were taken in all, and which ones each
 * batch of the remember duration took (windows read that far back). getOrCreate's `create` fills
 * the queue again with the same items (it runs on every start), so the restored stream drops the
 * items taken before and re-forms those batches (an unfinished one, or one a window reads back)
 * from exactly the items they took.
 */
import type { StreamingContext } from '../context.js';
import { InputDStream } from './input-dstream.js';
import { RDD } from '../rdd/rdd.js';
import { SluiceError } from '../errors.js';
import type { Time } from '../time.js';

/** The checkpoint state: items taken so far, and [batch time, first item, item count] of recent batches. */
interface QueueCheckpoint {
  taken: number;
  batches: Array<[time: number, first: number, count: number]>;
}

export class QueueInputDStream<T> extends InputDStream<T> {
  /** Queue items taken by batches so far (the index, in everything ever queued, of `queue[0]`). */
  private taken = 0;
  /** Batch time -> [first item, count] for batches not yet forgotten. */
  private readonly batches = new Map<Time, [number, number]>();
  /** The newest batch time that took items. */
  private newest = -Infinity;
  /** Items a restored checkpoint says remembered batches took, by batch time. */
  private replay = new Map<Time, Array<RDD<T> | readonly T[]>>();

  constructor(
    ssc: StreamingContext,
    /** The queue: push RDDs (or arrays, parallelized on use) at any time. */
    readonly queue: Array<RDD<T> | readonly T[]>,
    readonly oneAtATime = true,
    readonly defaultRDD?: RDD<T>,
  ) {
    super(ssc);
  }

  override get kind(): string {
    return 'queueStream';
  }

  private toRDD(x: RDD<T> | readonly T[]): RDD<T> {
    return x instanceof RDD ? x : this.ssc.parallelize(x);
  }

  override compute(time: Time): RDD<T> | undefined {
    const again = this.replay.get(time);
    this.replay.delete(time);
    let items = again;
    if (items === undefined) {
      // A batch time before the newest one taken, not remembered: its items are gone (never take new ones for it).
      if (time <= this.newest) return this.ssc.emptyRDD<T>();
      items = this.oneAtATime ? this.queue.splice(0, 1) : this.queue.splice(0);
      this.batches.set(time, [this.taken, items.length]);
      this.taken += items.length;
    }
    this.newest = Math.max(this.newest, time);
    if (items.length === 0) return this.defaultRDD ?? this.ssc.emptyRDD<T>();
    return items.length === 1 ? this.toRDD(items[0]!) : this.ssc.unionRDDs(items.map((x) => this.toRDD(x)));
  }

  override clearMetadata(time: Time): void {
    super.clearMetadata(time);
    // Windows may read a batch back for the remember duration, after a restart too.
    for (const t of this.batches.keys()) if (t <= time - this.rememberDuration) this.batches.delete(t);
  }

  override checkpointState(): QueueCheckpoint {
    return { taken: this.taken, batches: [...this.batches].map(([t, [first, count]]) => [t, first, count]) };
  }

  /**
   * Restores what {@link checkpointState} returned: the items `create` queued again that completed
   * batches took are dropped; those of unfinished batches are kept aside for their re-run.
   * @throws SluiceError CHECKPOINT_MISMATCH when the queue holds fewer items than batches took.
   */
  override restoreCheckpointState(state: unknown): void {
    const cp = state as QueueCheckpoint;
    if (cp.taken > this.queue.length) {
      throw new SluiceError(
        'CHECKPOINT_MISMATCH',
        `queueStream '${this.operatorId}': the checkpoint says batches took ${cp.taken} queue items, but the queue holds ${this.queue.length}: ` +
          `to restore, getOrCreate's create function must queue the same items again before start()`,
      );
    }
    const all = this.queue.splice(0, cp.taken);
    this.taken = cp.taken;
    this.replay = new Map(cp.batches.map(([t, first, count]) => [t, all.slice(first, first + count)]));
    for (const [t, first, count] of cp.batches) this.batches.set(t, [first, count]);
    this.newest = Math.max(...cp.batches.map(([t]) => t));
  }
}
