/**
 * kafkajs clients built from resolved options: kafkajs's log lines go to the context's logger, and
 * connecting or finding topics fails with errors that name the brokers and the topics.
 */
import { Kafka, Partitioners, logLevel as KafkaJsLogLevel, type Admin, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from '@sluice/core';
import type { KafkaLogLevel, ResolvedCommon } from './config.js';
import { topicNotFound, unreachable } from './errors.js';

const LEVEL: Record<KafkaLogLevel, KafkaJsLogLevel> = {
  nothing: KafkaJsLogLevel.NOTHING,
  error: KafkaJsLogLevel.ERROR,
  warn: KafkaJsLogLevel.WARN,
  info: KafkaJsLogLevel.INFO,
  debug: KafkaJsLogLevel.DEBUG,
};

/** A kafkajs client for `opts`, logging through `logger` with a `kafkajs <namespace>:` prefix. */
export function createKafkaClient(opts: ResolvedCommon<unknown, unknown>, logger: Logger): Kafka {
  const logCreator = () => (entry: LogEntry): void => {
    const { message, ...extra } = entry.log;
    const detail = ['error', 'topic', 'partition', 'groupId', 'broker']
      .filter((k) => extra[k] !== undefined)
      .map((k) => `${k}=${String(extra[k])}`)
      .join(' ');
    const line = `kafkajs ${entry.namespace}: ${message}${detail ? ` (${detail})` : ''}`;
    if (entry.level <= KafkaJsLogLevel.ERROR) logger.error(line);
    else if (entry.level === KafkaJsLogLevel.WARN) logger.warn(line);
    else if (entry.level === KafkaJsLogLevel.INFO) logger.info(line);
    else logger.debug(line);
  };
  const config: KafkaConfig = {
    brokers: opts.brokers,
    clientId: opts.clientId,
    connectionTimeout: opts.connectionTimeout,
    requestTimeout: opts.requestTimeout,
    logLevel: LEVEL[opts.kafkaLogLevel],
    logCreator,
    ...(opts.ssl !== undefined ? { ssl: opts.ssl } : {}),
    ...(opts.sasl !== undefined ? { sasl: opts.sasl } : {}),
    ...(opts.retry !== undefined ? { retry: opts.retry } : {}),
  };
  return new Kafka(config);
}

/**
 * Connects an admin client and checks that every topic exists.
 * @throws SluiceError KAFKA_BROKER_UNREACHABLE (retriable) naming the brokers and topics when no
 *   broker answers; KAFKA_TOPIC_NOT_FOUND naming the missing topics. The admin is disconnected on failure.
 */
export async function connectAdmin(kafka: Kafka, opts: ResolvedCommon<unknown, unknown>): Promise<Admin> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (e) {
    await admin.disconnect().catch(() => undefined);
    throw unreachable(opts.brokers, opts.topics, 'connect', e);
  }
  try {
    await checkTopics(admin, opts);
  } catch (e) {
    await admin.disconnect().catch(() => undefined);
    throw e;
  }
  return admin;
}

/** @throws SluiceError KAFKA_TOPIC_NOT_FOUND or KAFKA_BROKER_UNREACHABLE. */
export async function checkTopics(admin: Admin, opts: ResolvedCommon<unknown, unknown>): Promise<void> {
  let existing: string[];
  try {
    existing = await admin.listTopics();
  } catch (e) {
    throw unreachable(opts.brokers, opts.topics, 'list topics', e);
  }
  const missing = opts.topics.filter((t) => !existing.includes(t));
  if (missing.length > 0) throw topicNotFound(missing, opts.brokers);
}

/** A connected producer for dead letters (acks from all in-sync replicas), or undefined without a dead-letter topic. */
export async function connectDeadLetterProducer(kafka: Kafka, opts: ResolvedCommon<unknown, unknown>): Promise<Producer | undefined> {
  if (opts.deadLetterTopic === undefined) return undefined;
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await producer.connect();
  } catch (e) {
    await producer.disconnect().catch(() => undefined);
    throw unreachable(opts.brokers, [opts.deadLetterTopic], 'connect the dead-letter producer', e);
  }
  return producer;
}

/** Runs `fn`, giving up after `ms` (resolves either way; errors are ignored). For disconnects at stop. */
export async function bounded(fn: () => Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([fn().catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
