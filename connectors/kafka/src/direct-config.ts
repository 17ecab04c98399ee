/**
 * Options of `createDirectKafkaStream`, their defaults and validation.
 */
import { COMMON_KEYS, badOption, checkKeys, nonEmptyString, requireObject, resolveCommon, wholeNumber, type KafkaCommonOptions, type ResolvedCommon } from './config.js';

/** Explicit starting offsets: topic -> partition -> offset. */
export type PartitionOffsets = Readonly<Record<string, Readonly<Record<number, number>>>>;

/**
 * Where the stream starts when it is not restored from a checkpoint:
 * - `'committed'`: the consumer group's committed offsets (needs `groupId`); partitions without one
 *   start at `offsetReset`.
 * - `'earliest'` / `'latest'`: the first / the next offset of every partition.
 * - explicit offsets per topic and partition; partitions not listed start at `offsetReset`.
 */
export type StartingOffsets = 'committed' | 'earliest' | 'latest' | PartitionOffsets;

export interface DirectKafkaStreamOptions<K = string, V = string> extends KafkaCommonOptions<K, V> {
  /**
   * Consumer group whose committed offsets `'committed'` starts from and that `commitOffsets`
   * commits to. The stream never joins the group (it reads partitions directly), so Kafka's tools
   * show the group as empty with these offsets. Default: none.
   */
  groupId?: string;
  /** Default: `'committed'` with a `groupId`, else `'latest'`. */
  startingOffsets?: StartingOffsets;
  /** Where a partition without a committed or explicit offset starts. Default `'latest'`. */
  offsetReset?: 'earliest' | 'latest';
  /**
   * Records per second per partition at most (Spark's `spark.streaming.kafka.maxRatePerPartition`);
   * each batch takes at most `batchSeconds * maxRatePerPartition` records per partition. Also bounds
   * the first batch. Default: no limit.
   */
  maxRatePerPartition?: number;
  /** Bytes per Fetch request and partition (the broker still sends a larger first record batch). Default 1 MiB. */
  maxBytesPerPartition?: number;
  /** How long the broker may hold a Fetch while it has no data yet, ms. Default 500. */
  fetchMaxWaitMs?: number;
  /**
   * How long a task may take to read its range, waiting out broker restarts and leader moves, ms;
   * then the task fails (and is retried, `maxTaskFailures`). Default 30000.
   */
  readTimeoutMs?: number;
  /**
   * While no broker answers, batches get empty ranges (nothing is skipped: the next batch starts where
   * the last one ended). After this long without an answer, ms, the batch fails and the context
   * stops with KAFKA_BROKER_UNREACHABLE. Default 120000.
   */
  brokerUnavailableTimeoutMs?: number;
}

export interface ResolvedDirectOptions<K, V> extends ResolvedCommon<K, V> {
  groupId: string | undefined;
  startingOffsets: StartingOffsets;
  offsetReset: 'earliest' | 'latest';
  maxRatePerPartition: number;
  maxBytesPerPartition: number;
  fetchMaxWaitMs: number;
  readTimeoutMs: number;
  brokerUnavailableTimeoutMs: number;
}

const DIRECT_KEYS = [
  ...COMMON_KEYS, 'groupId', 'startingOffsets', 'offsetReset', 'maxRatePerPartition', 'maxBytesPerPartition',
  'fetchMaxWaitMs', 'readTimeoutMs', 'brokerUnavailableTimeoutMs',
];

function checkExplicit(where: string, offsets: object, topics: readonly string[]): PartitionOffsets {
  for (const [topic, parts] of Object.entries(offsets)) {
    if (!topics.includes(topic)) throw badOption(where, `startingOffsets.${topic}`, `a subscribed topic (${topics.join(', ')})`, topic);
    if (typeof parts !== 'object' || parts === null) throw badOption(where, `startingOffsets.${topic}`, 'an object { partition: offset }', parts);
    for (const [p, o] of Object.entries(parts as Record<string, unknown>)) {
      if (!/^\d+$/.test(p)) throw badOption(where, `startingOffsets.${topic}`, 'an object whose keys are partition numbers', p);
      if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) throw badOption(where, `startingOffsets.${topic}.${p}`, 'an offset (a whole number >= 0)', o);
    }
  }
  return offsets as PartitionOffsets;
}

/** Validates `createDirectKafkaStream` options. @throws SluiceError INVALID_OPTION naming the first bad option. */
export function resolveDirectOptions<K, V>(opts: DirectKafkaStreamOptions<K, V>): ResolvedDirectOptions<K, V> {
  const where = 'createDirectKafkaStream';
  requireObject(where, opts);
  checkKeys(where, opts, DIRECT_KEYS);
  const common = resolveCommon(where, opts);
  const groupId = opts.groupId === undefined ? undefined : nonEmptyString(where, 'groupId', opts.groupId);
  let startingOffsets: StartingOffsets = opts.startingOffsets ?? (groupId ? 'committed' : 'latest');
  if (typeof startingOffsets === 'string') {
    if (!['committed', 'earliest', 'latest'].includes(startingOffsets)) {
      throw badOption(where, 'startingOffsets', "'committed', 'earliest', 'latest' or { topic: { partition: offset } }", startingOffsets);
    }
    if (startingOffsets === 'committed' && groupId === undefined) throw badOption(where, 'startingOffsets', "'earliest', 'latest' or explicit offsets when no groupId is set", startingOffsets);
  } else if (typeof startingOffsets === 'object' && startingOffsets !== null) {
    startingOffsets = checkExplicit(where, startingOffsets, common.topics);
  } else {
    throw badOption(where, 'startingOffsets', "'committed', 'earliest', 'latest' or { topic: { partition: offset } }", startingOffsets);
  }
  const offsetReset = opts.offsetReset ?? 'latest';
  if (offsetReset !== 'earliest' && offsetReset !== 'latest') throw badOption(where, 'offsetReset', "'earliest' or 'latest'", offsetReset);
  const rate = opts.maxRatePerPartition;
  if (rate !== undefined && (typeof rate !== 'number' || Number.isNaN(rate) || rate <= 0)) {
    throw badOption(where, 'maxRatePerPartition', 'a number > 0 (records per second; Infinity for no limit)', rate);
  }
  return {
    ...common,
    groupId,
    startingOffsets,
    offsetReset,
    maxRatePerPartition: rate ?? Infinity,
    maxBytesPerPartition: wholeNumber(where, 'maxBytesPerPartition', opts.maxBytesPerPartition, 1024, 256 * 1024 * 1024, 1024 * 1024),
    fetchMaxWaitMs: wholeNumber(where, 'fetchMaxWaitMs', opts.fetchMaxWaitMs, 0, 60_000, 500),
    readTimeoutMs: wholeNumber(where, 'readTimeoutMs', opts.readTimeoutMs, 100, 3_600_000, 30_000),
    brokerUnavailableTimeoutMs: wholeNumber(where, 'brokerUnavailableTimeoutMs', opts.brokerUnavailableTimeoutMs, 0, 86_400_000, 120_000),
  };
}
