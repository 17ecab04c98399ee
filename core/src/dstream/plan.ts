/**
 * How a DStream computes the RDD of a batch. DStream is one concrete class; each kind (transformed,
 * windowed, reduced-windowed, state, ...) is a plan in its own file. Plans import DStream as a
 * type only, which keeps the module graph free of cycles.
 */
import type { DStream } from './dstream.js';
import type { RDD } from '../rdd/rdd.js';
import type { Duration, Time } from '../time.js';
import type { Partitioner } from '../rdd/partitioner.js';

export interface DStreamPlan<T> {
  /** What the stream is ("map", "window", "updateStateByKey", ...). */
  readonly kind: string;
  readonly parents: readonly DStream<unknown>[];
  /** Time between two RDDs of this stream. */
  readonly slideDuration: Duration;
  /**
   * The RDD for batch `time` (a valid time of this stream), or undefined when there is none.
   * Synchronous: RDDs are lazy, and inputs that must ask a peer do so before (InputDStream.prepareBatch).
   */
  compute(time: Time, self: DStream<T>): RDD<T> | undefined;
  /** How much further back than this stream the parents must keep their RDDs (a window's length). */
  readonly parentRememberExtra?: Duration;
  /** True for streams that read their own previous RDDs (state, inverse windows): they need a checkpoint directory. */
  readonly mustCheckpoint?: boolean;
  /** Keeps each generated RDD in memory and cuts its lineage once computed (state streams). */
  readonly materialize?: boolean;
  /** How the stream's RDDs are placed by key (stateful streams: restored snapshots keep it). */
  readonly partitioner?: Partitioner;
  /** Turns a partition into snapshot data and back (default: the elements as they are). */
  readonly stateCodec?: StateCodec<T>;
  /**
   * A stream whose per-batch RDDs this stateful stream reads again later, up to `keepFor` after
   * their batch time (an inverse window's per-batch reduces leave the window then). When an input
   * under it cannot replay a batch after a restart, they are logged with the state.
   */
  readonly readsBack?: { readonly stream: DStream<unknown>; readonly keepFor: Duration };
}

/**
 * Converts a stateful stream's partition to the entries `[key, value]` its state log holds (data
 * node:v8 can serialize), and back.
 */
export interface StateCodec<T> {
  encode(partition: T[]): Array<[unknown, unknown]>;
  decode(entries: unknown): T[];
  /** Reads a partition of a format-1 snapshot, when it was stored in another shape. */
  decodeFormat1?(data: unknown): T[];
}
