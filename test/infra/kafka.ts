/**
 * Real Kafka for Sluice's tests: a single-node KRaft broker on 127.0.0.1 run from Maven Central
 * jars (cached in the git-ignored test/infra/.cache), Kafka's own console producer, and a topic
 * helper. See test/infra/kafka/README.md for figures and gotchas.
 *
 *   const broker = await startKafka();                  // 3.9.1; { version: '4.1.2' } for 4.x
 *   await createTopic(broker, 'events', 3);
 *   await runConsoleProducer(broker, 'events', ['a', 'b']);
 *   ... new Kafka({ brokers: [broker.bootstrap] }) ...
 *   await broker.stop();
 *
 * Every wait is bounded; brokers never outlive the process that started them (unless detached).
 */
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaBroker } from './kafka/broker.js';
import { TOOL_JVM_ARGS } from './kafka/broker.js';
import { kafkaMajor, loggingArg } from './kafka/jars.js';
import { run } from './kafka/proc.js';

export { newClusterId, startKafka, type KafkaBroker, type StartKafkaOptions } from './kafka/broker.js';
export { DEFAULT_KAFKA_VERSION, KAFKA4_VERSION, ensureKafkaJars } from './kafka/jars.js';

export interface ConsoleProducerOptions {
  /** Kill the producer JVM and reject after this long. Default 60 s. */
  timeoutMs?: number;
  /** Send each record synchronously (slower; any send error fails the run). Default false. */
  sync?: boolean;
  /** Keyed records: each line is `key<keySeparator>value`. */
  keySeparator?: string;
  /** Extra producer configs, passed as `--producer-property k=v` (e.g. acks, linger.ms). */
  producerProperties?: Record<string, string | number>;
}

/** Main class of `kafka-console-producer`: Scala in kafka_2.13 up to 3.x, Java in kafka-tools from 4.0. */
export function consoleProducerClass(version: string): string {
  return kafkaMajor(version) >= 4 ? 'org.apache.kafka.tools.ConsoleProducer' : 'kafka.tools.ConsoleProducer';
}

/**
 * Produces `lines` (one record per line, in order, values as UTF-8; no line may contain a line
 * break) to `topic` with Kafka's own console producer in its own JVM (`--bootstrap-server`,
 * `--topic`, lines on stdin). Resolves when the producer has flushed and exited 0. Rejects with
 * its stderr when it exits non-zero, times out, or logs an ERROR (the async console producer only
 * logs failed sends and still exits 0). The topic is auto-created if it does not exist.
 */
export async function runConsoleProducer(
  broker: KafkaBroker,
  topic: string,
  lines: readonly string[],
  opts: ConsoleProducerOptions = {},
): Promise<void> {
  if (lines.some((l) => /[\r\n]/.test(l))) throw new Error('runConsoleProducer: a line contains a line break');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const args = [...TOOL_JVM_ARGS, '-cp', `${broker.libDir}/*`, loggingArg(broker.version),
    consoleProducerClass(broker.version), '--bootstrap-server', broker.bootstrap, '--topic', topic];
  if (opts.sync) args.push('--sync');
  if (opts.keySeparator !== undefined) {
    args.push('--property', 'parse.key=true', '--property', `key.separator=${opts.keySeparator}`);
  }
  for (const [k, v] of Object.entries(opts.producerProperties ?? {})) args.push('--producer-property', `${k}=${v}`);

  const input = lines.length === 0 ? '' : lines.join('\n') + '\n';
  const res = await run('java', args, { input, timeoutMs });
  const errorLogged = /\bERROR\b/.test(res.stderr);
  if (res.code !== 0 || errorLogged) {
    const why = res.timedOut ? `timed out after ${timeoutMs} ms` : res.code !== 0 ? `exited ${res.code ?? res.signal}` : 'logged errors';
    throw new Error(`console producer to ${topic} at ${broker.bootstrap} ${why}:\n${res.stderr.slice(-8000)}`);
  }
}

/**
 * Creates `topic` with `partitions` partitions (replication factor 1) through a kafkajs admin
 * client and waits until every partition has a leader (30 s timeout). Resolves true if created,
 * false if it already existed.
 */
export async function createTopic(broker: KafkaBroker, topic: string, partitions = 1): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'sluice-kafka-infra', brokers: [broker.bootstrap], logLevel: logLevel.WARN,
    connectionTimeout: 3000, requestTimeout: 30_000 });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: 30_000,
    });
  } finally {
    await admin.disconnect();
  }
}
