/**
 * Options of both Kafka streams, their defaults and their validation. Unknown keys are rejected and
 * every message names the option and what it accepts (SluiceError `INVALID_OPTION`).
 */
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { RetryOptions, SASLOptions } from 'kafkajs';
import { SluiceError, optionError as badOption, rejectUnknownOptions as checkKeys, wholeNumberOption as wholeNumber } from '@sluice/core';
import { resolveDecoder, type DecodeFn, type Decoder } from './decoders.js';

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** What both streams share: the cluster, the topics, decoding and bad records. */
export interface KafkaCommonOptions<K, V> {
  /** Bootstrap brokers, `host:port` (required, non-empty). */
  brokers: string[];
  /** Topics to read (required, non-empty). They must exist: Sluice never auto-creates topics. */
  topics: string[];
  /** kafkajs client id. Default `sluice`. */
  clientId?: string;
  /** TLS: `true` or node:tls connect options; passed to kafkajs as is. */
  ssl?: boolean | TlsOptions;
  /** SASL (plain, scram-sha-256/512, aws, oauthbearer); passed to kafkajs as is. */
  sasl?: SASLOptions;
  /** Time to open a connection to a broker, ms. Default 3000. */
  connectionTimeout?: number;
  /** Time a broker may take to answer a request, ms. Default 30000. */
  requestTimeout?: number;
  /** kafkajs retry settings for its own requests; passed as is. */
  retry?: RetryOptions;
  /** Level of kafkajs's own log lines, written to the context's logger. Default `warn`. */
  kafkaLogLevel?: KafkaLogLevel;
  /** Decoder of record keys. Default `'utf8'`. */
  keyDecoder?: Decoder<K>;
  /** Decoder of record values. Default `'utf8'`. */
  valueDecoder?: Decoder<V>;
  /**
   * Records a decoder rejects are written here (original key, value and headers, plus `sluice-error`,
   * `sluice-topic`, `sluice-partition`, `sluice-offset` headers) before their batch is acknowledged.
   * Default: none (rejected records are reported and skipped).
   */
  deadLetterTopic?: string;
}

export interface ResolvedCommon<K, V> {
  brokers: string[];
  topics: string[];
  clientId: string;
  ssl: boolean | TlsOptions | undefined;
  sasl: SASLOptions | undefined;
  connectionTimeout: number;
  requestTimeout: number;
  retry: RetryOptions | undefined;
  kafkaLogLevel: KafkaLogLevel;
  keyDecoder: DecodeFn<K>;
  valueDecoder: DecodeFn<V>;
  deadLetterTopic: string | undefined;
}

export const COMMON_KEYS = [
  'brokers', 'topics', 'clientId', 'ssl', 'sasl', 'connectionTimeout', 'requestTimeout', 'retry',
  'kafkaLogLevel', 'keyDecoder', 'valueDecoder', 'deadLetterTopic',
] as const;

// Shared with every connector through core, so option errors read the same everywhere.
export { badOption, checkKeys, wholeNumber };

/** A non-empty string, or `dflt` when undefined (`dflt` undefined: required). */
export function nonEmptyString(where: string, option: string, value: unknown, dflt?: string): string {
  if (value === undefined && dflt !== undefined) return dflt;
  if (typeof value !== 'string' || value.length === 0) throw badOption(where, option, 'a non-empty string', value);
  return value;
}

export function optionalBoolean(where: string, option: string, value: unknown, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  if (typeof value !== 'boolean') throw badOption(where, option, 'true or false', value);
  return value;
}

function stringList(where: string, option: string, value: unknown, accepted: string, ok: (s: string) => boolean): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((s) => typeof s === 'string' && ok(s))) {
    throw badOption(where, option, accepted, value);
  }
  return [...new Set(value as string[])];
}

const LOG_LEVELS: readonly KafkaLogLevel[] = ['nothing', 'error', 'warn', 'info', 'debug'];

/** Validates the shared options. @throws SluiceError INVALID_OPTION naming the first bad one. */
export function resolveCommon<K, V>(where: string, opts: KafkaCommonOptions<K, V>): ResolvedCommon<K, V> {
  const brokers = stringList(where, 'brokers', opts.brokers, 'a non-empty array of "host:port" strings', (s) => /^[^\s:]+:\d{1,5}$/.test(s) || /^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(s));
  const topics = stringList(where, 'topics', opts.topics, 'a non-empty array of topic names', (s) => /^[a-zA-Z0-9._-]{1,249}$/.test(s));
  const ssl = opts.ssl;
  if (ssl !== undefined && typeof ssl !== 'boolean' && (typeof ssl !== 'object' || ssl === null)) throw badOption(where, 'ssl', 'true, false or node:tls connect options', ssl);
  const sasl = opts.sasl;
  if (sasl !== undefined && (typeof sasl !== 'object' || sasl === null || typeof (sasl as { mechanism?: unknown }).mechanism !== 'string')) {
    throw badOption(where, 'sasl', "kafkajs SASL options ({ mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'aws' | 'oauthbearer', ... })", '[object]');
  }
  if (opts.retry !== undefined && (typeof opts.retry !== 'object' || opts.retry === null)) throw badOption(where, 'retry', 'kafkajs retry options', opts.retry);
  const kafkaLogLevel = opts.kafkaLogLevel ?? 'warn';
  if (!LOG_LEVELS.includes(kafkaLogLevel)) throw badOption(where, 'kafkaLogLevel', LOG_LEVELS.map((l) => `'${l}'`).join(', '), kafkaLogLevel);
  const deadLetterTopic = opts.deadLetterTopic === undefined ? undefined : nonEmptyString(where, 'deadLetterTopic', opts.deadLetterTopic);
  if (deadLetterTopic !== undefined && topics.includes(deadLetterTopic)) {
    throw badOption(where, 'deadLetterTopic', 'a topic that is not read by this stream', deadLetterTopic);
  }
  return {
    brokers,
    topics,
    clientId: nonEmptyString(where, 'clientId', opts.clientId, 'sluice'),
    ssl,
    sasl,
    connectionTimeout: wholeNumber(where, 'connectionTimeout', opts.connectionTimeout, 1, 600_000, 3000),
    requestTimeout: wholeNumber(where, 'requestTimeout', opts.requestTimeout, 1, 600_000, 30_000),
    retry: opts.retry,
    kafkaLogLevel,
    keyDecoder: resolveDecoder(opts.keyDecoder, `${where}: option keyDecoder`),
    valueDecoder: resolveDecoder(opts.valueDecoder, `${where}: option valueDecoder`),
    deadLetterTopic,
  };
}

/** Checks that options were given as an object. */
export function requireObject(where: string, opts: unknown): asserts opts is object {
  if (typeof opts !== 'object' || opts === null) throw new SluiceError('INVALID_OPTION', `${where}: options must be an object with at least brokers and topics`);
}
