/**
 * Options of `createKafkaStream` (the receiver-based stream), their defaults and validation.
 */
import { COMMON_KEYS, badOption, checkKeys, nonEmptyString, optionalBoolean, requireObject, resolveCommon, wholeNumber, type KafkaCommonOptions, type ResolvedCommon } from './config.js';

export interface KafkaStreamOptions<K = string, V = string> extends KafkaCommonOptions<K, V> {
  /** The consumer group (required). Offsets are committed to it only after records are stored. */
  groupId: string;
  /** Where partitions without a committed offset start: `true` earliest, `false` latest (default). */
  fromBeginning?: boolean;
  /** Group session timeout, ms (the broker's group.min/max.session.timeout.ms bound it). Default 30000. */
  sessionTimeout?: number;
  /** Heartbeat interval, ms; heartbeats continue while a batch waits to be stored. Default 3000. */
  heartbeatInterval?: number;
  /** How long the group waits for members to rejoin in a rebalance, ms. Default 60000. */
  rebalanceTimeout?: number;
  /** Bytes per partition per fetch. Default 1 MiB. */
  maxBytesPerPartition?: number;
  /** How long the broker may hold a fetch while it has no data, ms. Default 500. */
  maxWaitTimeMs?: number;
  /** Partitions whose batches are stored at once. Default 1. */
  partitionsConsumedConcurrently?: number;
  /** Receiver name in listener events. Default `kafka-<groupId>`. */
  name?: string;
}

export interface ResolvedReceiverOptions<K, V> extends ResolvedCommon<K, V> {
  groupId: string;
  fromBeginning: boolean;
  sessionTimeout: number;
  heartbeatInterval: number;
  rebalanceTimeout: number;
  maxBytesPerPartition: number;
  maxWaitTimeMs: number;
  partitionsConsumedConcurrently: number;
  name: string;
}

const RECEIVER_KEYS = [
  ...COMMON_KEYS, 'groupId', 'fromBeginning', 'sessionTimeout', 'heartbeatInterval', 'rebalanceTimeout',
  'maxBytesPerPartition', 'maxWaitTimeMs', 'partitionsConsumedConcurrently', 'name',
];

/** Validates `createKafkaStream` options. @throws SluiceError INVALID_OPTION naming the first bad option. */
export function resolveReceiverOptions<K, V>(opts: KafkaStreamOptions<K, V>): ResolvedReceiverOptions<K, V> {
  const where = 'createKafkaStream';
  requireObject(where, opts);
  checkKeys(where, opts, RECEIVER_KEYS);
  const common = resolveCommon(where, opts);
  const groupId = nonEmptyString(where, 'groupId', opts.groupId);
  const sessionTimeout = wholeNumber(where, 'sessionTimeout', opts.sessionTimeout, 1000, 3_600_000, 30_000);
  const heartbeatInterval = wholeNumber(where, 'heartbeatInterval', opts.heartbeatInterval, 100, 3_600_000, 3000);
  if (heartbeatInterval >= sessionTimeout) throw badOption(where, 'heartbeatInterval', `less than sessionTimeout (${sessionTimeout} ms), ideally a third of it`, heartbeatInterval);
  return {
    ...common,
    groupId,
    fromBeginning: optionalBoolean(where, 'fromBeginning', opts.fromBeginning, false),
    sessionTimeout,
    heartbeatInterval,
    rebalanceTimeout: wholeNumber(where, 'rebalanceTimeout', opts.rebalanceTimeout, 1000, 3_600_000, 60_000),
    maxBytesPerPartition: wholeNumber(where, 'maxBytesPerPartition', opts.maxBytesPerPartition, 1024, 256 * 1024 * 1024, 1024 * 1024),
    maxWaitTimeMs: wholeNumber(where, 'maxWaitTimeMs', opts.maxWaitTimeMs, 0, 60_000, 500),
    partitionsConsumedConcurrently: wholeNumber(where, 'partitionsConsumedConcurrently', opts.partitionsConsumedConcurrently, 1, 1024, 1),
    name: nonEmptyString(where, 'name', opts.name, `kafka-${groupId}`),
  };
}
