// Helpers for the tests against a real broker: kafkajs producing, committed offsets, saved batches,
// a logger that keeps what it was told, and listener-based counters. Every wait is bounded.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel, type Message } from 'kafkajs';
import type { Logger, StreamingContext } from '@sluice/core';
import type { KafkaBroker } from '../../../test/infra/kafka.js';

import { waitUntil } from '../../../test/conformance/index.js';

export { waitUntil, sleep, multiset } from '../../../test/conformance/index.js';

let seq = 0;
/** A topic name unique to this run. */
export function uniqueTopic(name: string): string {
  return `${name}-${process.pid}-${Date.now().toString(36)}-${seq++}`;
}

export function client(broker: KafkaBroker): Kafka {
  return new Kafka({ clientId: 'sluice-kafka-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, connectionTimeout: 3000 });
}

/** Sends `messages` with kafkajs (acks from all replicas), `perSend` per request; resolves when all are acknowledged. */
export async function produce(broker: KafkaBroker, topic: string, messages: readonly Message[], perSend = 1000): Promise<void> {
  const producer = client(broker).producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += perSend) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + perSend) });
  } finally {
    await producer.disconnect();
  }
}

/** Committed offsets of `groupId` for `topic`, by partition (-1 when none). */
export async function committed(broker: KafkaBroker, groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = client(broker).admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** The latest offset of each partition of `topic`. */
export async function latestOffsets(broker: KafkaBroker, topic: string): Promise<Map<number, number>> {
  const admin = client(broker).admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** The first `n` records of `topic` (values and headers as text), through a kafkajs consumer group. */
export async function readTopic(broker: KafkaBroker, topic: string, n: number): Promise<Array<{ value: string; headers: Record<string, string> }>> {
  const consumer = client(broker).consumer({ groupId: `${topic}-reader-${seq++}`, maxWaitTimeInMs: 200 });
  const out: Array<{ value: string; headers: Record<string, string> }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        out.push({ value: message.value?.toString() ?? '', headers });
      },
    });
    await waitUntil(() => out.length >= n, 20_000, `${n} records of ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** The lines of every complete batch saveAsTextFiles wrote as `<dir>/<name>-<time>`, by batch time. */
export async function savedBatches(dir: string, name: string): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (!existsSync(dir)) return out;
  for (const entry of await readdir(dir)) {
    const m = new RegExp(`^${name}-(\\d+)$`).exec(entry);
    if (!m) continue;
    const files = await readdir(join(dir, entry)).catch(() => [] as string[]);
    if (!files.includes('_SUCCESS')) continue;
    const lines: string[] = [];
    for (const f of files.filter((x) => x.startsWith('part-')).sort()) {
      lines.push(...(await readFile(join(dir, entry, f), 'utf8')).split('\n').filter((l) => l.length > 0));
    }
    out.set(Number(m[1]), lines);
  }
  return out;
}

/** Every line of every saved batch. */
export async function savedLines(dir: string, name: string): Promise<string[]> {
  return [...(await savedBatches(dir, name)).values()].flat();
}

/** A logger that keeps every line (and prints errors when SLUICE_TEST_LOG is set). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (m: string): void => {
    lines.push(`${level} ${m}`);
    if (process.env['SLUICE_TEST_LOG']) process.stderr.write(`${level} ${m}\n`);
  };
  return { lines, debug: () => {}, info: keep('INFO'), warn: keep('WARN'), error: keep('ERROR') };
}

/** Receiver errors, bad-record reports and per-batch input sizes of `ssc`, as listeners see them. */
export interface Watched {
  receiverErrors: string[];
  badRecords: Array<{ streamId: number; source: string; reason: string }>;
  batches: Array<{ time: number; records: Record<number, number> }>;
}

export function watch(ssc: StreamingContext): Watched {
  const seen: Watched = { receiverErrors: [], badRecords: [], batches: [] };
  ssc.addStreamingListener({
    onReceiverError: ({ receiverInfo }) => void seen.receiverErrors.push(`${receiverInfo.lastErrorMessage}: ${receiverInfo.lastError}`),
    onBadRecord: ({ badRecord: { streamId, source, reason } }) => void seen.badRecords.push({ streamId, source, reason }),
    onBatchCompleted: ({ batchInfo }) => {
      const records: Record<number, number> = {};
      for (const [id, info] of Object.entries(batchInfo.streamIdToInputInfo)) records[Number(id)] = info.numRecords;
      seen.batches.push({ time: batchInfo.batchTime, records });
    },
  });
  return seen;
}
