/**
 * What a receiver hands to the engine: a block of records cut by the BlockGenerator (the
 * unreliable `store()` path) or formed by one `storeBatch()` call (the reliable path).
 */

/**
 * Metadata a receiver attaches to a reliable block (`storeBatch(items, meta)`): offset or sequence
 * ranges, a transaction id. It must be JSON-serializable: it is written to the write-ahead log with
 * the block and is what recovery uses to know where the source stood.
 */
export type BlockMeta = Record<string, unknown>;

/** One block of received records, as passed to the engine's `pushBlock` callback. */
export interface ReceivedBlock<T> {
  /** The input stream the receiver feeds. */
  streamId: number;
  /**
   * Unique per stream, Spark's `StreamBlockId` naming: `input-<streamId>-<blockTime>` for blocks
   * cut by the BlockGenerator (blockTime = start of the block interval), and
   * `input-<streamId>-<time>-<seq>` for `storeBatch` blocks.
   */
  blockId: string;
  /** The records, in the order they were stored. The engine owns this array. */
  items: T[];
  /** Set only on `storeBatch` blocks that were given a meta. */
  meta?: BlockMeta;
  numRecords: number;
  /** Estimated size in memory (see `estimateBytes`); what `releaseBlocks` gives back. */
  bytes: number;
  /** Clock time when the block was cut (or when `storeBatch` formed it). */
  time: number;
  /** True for `storeBatch` blocks: the receiver waits for the push to resolve before it acks. */
  reliable: boolean;
  /** True when some entries of `items` are EncodedRecords (from `storeBytes`), decoded when the batch is computed. */
  encoded?: boolean;
}
