/**
 * Error codes of @sluice/kafka. Every error this package raises or reports is a `SluiceError` whose
 * `code` is one of these (or a core code such as `INVALID_OPTION`); match on the code, never on the
 * message. Messages name the brokers and the topic involved.
 */
import { SluiceError } from '@sluice/core';

export const KafkaErrorCodes = [
  /** No broker answered (connection refused, timeout, TLS or SASL failure). Retriable. */
  'KAFKA_BROKER_UNREACHABLE',
  /** A subscribed topic does not exist on the cluster. Not retriable (create the topic first). */
  'KAFKA_TOPIC_NOT_FOUND',
  /** An offset range starts before the partition's first offset (deleted by retention) or after its end. */
  'KAFKA_OFFSET_OUT_OF_RANGE',
  /** An offset range could not be read completely within `readTimeoutMs`. Retriable. */
  'KAFKA_FETCH_FAILED',
  /** A record's key or value was rejected by its decoder: reported and skipped (or dead-lettered). */
  'KAFKA_DECODE_FAILED',
  /** Bad records could not be written to the dead-letter topic. Retriable. */
  'KAFKA_DEAD_LETTER_FAILED',
  /** Offsets could not be committed to the consumer group. Retriable. */
  'KAFKA_COMMIT_FAILED',
  /** The kafkajs consumer of a receiver crashed; the receiver restarts with backoff. Retriable. */
  'KAFKA_CONSUMER_FAILED',
  /** The direct stream's checkpointed state is malformed. */
  'KAFKA_CHECKPOINT_INVALID',
  /** The installed kafkajs lacks the internals the direct stream reads with (it supports kafkajs 2.2.x). */
  'KAFKA_CLIENT_UNSUPPORTED',
] as const;

export type KafkaErrorCode = (typeof KafkaErrorCodes)[number];

const RETRIABLE: ReadonlySet<KafkaErrorCode> = new Set([
  'KAFKA_BROKER_UNREACHABLE',
  'KAFKA_FETCH_FAILED',
  'KAFKA_DEAD_LETTER_FAILED',
  'KAFKA_COMMIT_FAILED',
  'KAFKA_CONSUMER_FAILED',
]);

/** A `SluiceError` with a Kafka code; `retriable` follows the code (see {@link KafkaErrorCodes}). */
export function kafkaError(code: KafkaErrorCode, message: string, cause?: unknown): SluiceError {
  return new SluiceError(code, message, { cause, retriable: RETRIABLE.has(code) });
}

/** The message of anything thrown, following kafkajs's `cause`/`originalError` chain once. */
export function errorMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const inner = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  return inner instanceof Error && !e.message.includes(inner.message) ? `${e.message} (${inner.message})` : e.message;
}

/** kafkajs error type names that mean "the broker or the network failed", never "your request is wrong". */
const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSSASLAuthenticationError',
]);

/** True for errors where trying again later may succeed: network failures and retriable protocol errors. */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e instanceof SluiceError) return e.retriable;
  if (CONNECTION_ERRORS.has(e.name)) return true;
  return (e as { retriable?: unknown }).retriable === true;
}

/** True when kafkajs reports that a topic or partition is unknown to the cluster. */
export function isUnknownTopic(e: unknown): boolean {
  let cur: unknown = e;
  for (let i = 0; i < 3 && cur instanceof Error; i++) {
    if ((cur as { type?: unknown }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return true;
    cur = (cur as { cause?: unknown }).cause ?? (cur as { originalError?: unknown }).originalError;
  }
  return false;
}

/** `KAFKA_BROKER_UNREACHABLE` naming the brokers, the topics and what failed. */
export function unreachable(brokers: readonly string[], topics: readonly string[], what: string, cause: unknown): SluiceError {
  return kafkaError(
    'KAFKA_BROKER_UNREACHABLE',
    `Could not ${what}: no Kafka broker answered at ${brokers.join(', ')} (topics: ${topics.join(', ')}): ${errorMessage(cause)}`,
    cause,
  );
}

/** `KAFKA_TOPIC_NOT_FOUND` naming the missing topics and the brokers asked. */
export function topicNotFound(missing: readonly string[], brokers: readonly string[]): SluiceError {
  const s = missing.length > 1 ? 's' : '';
  return kafkaError(
    'KAFKA_TOPIC_NOT_FOUND',
    `Kafka topic${s} ${missing.map((t) => `"${t}"`).join(', ')} not found on the cluster at ${brokers.join(', ')}: create ${missing.length > 1 ? 'them' : 'it'} first (Sluice never auto-creates topics)`,
  );
}
