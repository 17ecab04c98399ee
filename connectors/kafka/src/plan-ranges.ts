/**
 * Decides each batch's offset ranges, Spark's `DirectKafkaInputDStream.maxMessagesPerPartition` +
 * `clamp`: from where the previous batch ended to the latest offset, capped per partition by
 * `maxRatePerPartition` and by the backpressure rate, which is split across partitions in
 * proportion to each partition's lag. Pure; no I/O.
 */
import { compareTopicPartition, type OffsetRange } from './offset-range.js';

/** A partition's position: where the next batch starts (`from`) and the latest offset (`latest`). */
export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
  readonly from: number;
  /** The latest readable offset (the log end, or the last stable offset under read_committed). */
  readonly latest: number;
}

export interface RangeLimits {
  /** Batch interval, ms. */
  readonly batchMs: number;
  /** Records/s per partition at most (Infinity: no cap). */
  readonly maxRatePerPartition: number;
  /** The backpressure rate for the whole stream, records/s; undefined or <= 0 when there is none. */
  readonly backpressureRate?: number | undefined;
  /** Records per partition per batch at least, when the partition lags (Spark's minRatePerPartition, default 1). */
  readonly minPerPartition?: number;
}

/**
 * The per-partition record budget of one batch, or undefined for "no limit". With a backpressure
 * rate `R` and lags `lag_i` (sum `L`), partition `i` may take `R * lag_i / L` records/s, capped by
 * `maxRatePerPartition`; without backpressure, `maxRatePerPartition` alone. The budget is
 * `max(floor(batchSecs * rate_i), minPerPartition)` records.
 */
export function maxRecordsPerPartition(positions: readonly PartitionPosition[], limits: RangeLimits): Map<PartitionPosition, number> | undefined {
  const { batchMs, maxRatePerPartition, backpressureRate } = limits;
  const minPer = limits.minPerPartition ?? 1;
  const lag = (p: PartitionPosition): number => Math.max(0, p.latest - p.from);
  const secs = batchMs / 1000;
  let rateOf: ((p: PartitionPosition) => number) | undefined;
  if (backpressureRate !== undefined && backpressureRate > 0) {
    const totalLag = positions.reduce((n, p) => n + lag(p), 0);
    rateOf = (p) => Math.min(totalLag === 0 ? 0 : (lag(p) / totalLag) * backpressureRate, maxRatePerPartition);
  } else if (Number.isFinite(maxRatePerPartition)) {
    rateOf = () => maxRatePerPartition;
  }
  if (rateOf === undefined) return undefined;
  const out = new Map<PartitionPosition, number>();
  for (const p of positions) out.set(p, Math.max(Math.floor(secs * rateOf(p)), minPer));
  return out;
}

/**
 * One range per partition, ordered by topic then partition: `[from, min(latest, from + budget))`.
 * A partition whose latest offset is below `from` (the log was truncated) gets an empty range at
 * `from`.
 */
export function planRanges(positions: readonly PartitionPosition[], limits: RangeLimits): OffsetRange[] {
  const budget = maxRecordsPerPartition(positions, limits);
  return [...positions].sort(compareTopicPartition).map((p) => {
    const cap = budget?.get(p);
    const until = Math.max(p.from, cap === undefined ? p.latest : Math.min(p.latest, p.from + cap));
    return { topic: p.topic, partition: p.partition, fromOffset: p.from, untilOffset: until };
  });
}
