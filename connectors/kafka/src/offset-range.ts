/**
 * Offset ranges: what one batch of a direct Kafka stream reads from one partition, Spark's
 * `OffsetRange`. Every RDD the direct stream generates carries its ranges (one per RDD partition,
 * in partition order); {@link offsetRanges} gives them to output code, e.g. to commit them or to
 * store them with the results in one transaction.
 */
import { SluiceError, type RDD } from '@sluice/core';

/** Offsets `[fromOffset, untilOffset)` of one topic partition. Offsets are exact up to 2^53. */
export interface OffsetRange {
  readonly topic: string;
  readonly partition: number;
  /** First offset of the range (inclusive). */
  readonly fromOffset: number;
  /** End of the range (exclusive): the next batch starts here. */
  readonly untilOffset: number;
}

/** `until - from`: the records the range holds at most (fewer when it spans transaction markers or compacted records). */
export function rangeCount(r: OffsetRange): number {
  return Math.max(0, r.untilOffset - r.fromOffset);
}

/** `topic/partition [from, until)`, as in logs and listener metadata. */
export function formatRange(r: OffsetRange): string {
  return `${r.topic}/${r.partition} [${r.fromOffset}, ${r.untilOffset})`;
}

/** Orders by topic, then partition: the order of a batch's RDD partitions. */
export function compareTopicPartition(a: { topic: string; partition: number }, b: { topic: string; partition: number }): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

const rangesOfRDD = new WeakMap<RDD<unknown>, readonly OffsetRange[]>();

/** @internal Called by the direct stream for each RDD it generates. */
export function attachOffsetRanges(rdd: RDD<unknown>, ranges: readonly OffsetRange[]): void {
  rangesOfRDD.set(rdd, Object.freeze([...ranges]));
}

/**
 * The offset ranges an RDD was read from: for an RDD of a direct Kafka stream, its own ranges (one
 * per RDD partition, partition `i` read range `i`); for an RDD derived from such RDDs (map, filter,
 * union, a window...), the ranges of every Kafka RDD in its lineage, in lineage order. Spark's
 * `rdd.asInstanceOf[HasOffsetRanges].offsetRanges`, but it also works after narrow
 * transformations. Synchronous; reads no data.
 * @throws SluiceError INVALID_OPTION when no RDD of a direct Kafka stream is in the lineage (e.g. a
 *   state stream's RDD, whose lineage is cut after each batch).
 * @example
 * ```ts
 * import { Seconds, StreamingContext } from '@sluice/core';
 * import { createDirectKafkaStream, offsetRanges, commitOffsets } from '@sluice/kafka';
 * const ssc = new StreamingContext({ batchInterval: Seconds(1) });
 * const stream = createDirectKafkaStream(ssc, { brokers: ['localhost:9092'], topics: ['logs'], groupId: 'app' });
 * stream.foreachRDD(async (rdd) => {
 *   const ranges = offsetRanges(rdd);
 *   await rdd.foreachPartition((records, i) => console.log(ranges[i], records.length));
 *   await commitOffsets(stream, ranges);
 * });
 * ```
 */
export function offsetRanges(rdd: RDD<unknown>): OffsetRange[] {
  const found: OffsetRange[] = [];
  const seen = new Set<RDD<unknown>>();
  const visit = (r: RDD<unknown>): void => {
    if (seen.has(r)) return;
    seen.add(r);
    const own = rangesOfRDD.get(r);
    if (own) {
      found.push(...own);
      return;
    }
    for (const parent of r.dependencies) visit(parent);
  };
  visit(rdd);
  if (found.length === 0 && !hasKafkaAncestor(rdd)) {
    throw new SluiceError(
      'INVALID_OPTION',
      `offsetRanges(rdd): RDD ${rdd.id} (${rdd.kind}) was not computed from a direct Kafka stream; call it on an RDD of the stream createDirectKafkaStream returned (or of a map/filter/window of it)`,
    );
  }
  return found;
}

function hasKafkaAncestor(rdd: RDD<unknown>): boolean {
  if (rangesOfRDD.has(rdd)) return true;
  return rdd.dependencies.some(hasKafkaAncestor);
}
