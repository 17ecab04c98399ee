// createKafkaStream (the reliable receiver) against a real broker (one per file, with short group
// session timeouts allowed): no record lost with the write-ahead log, offsets committed after
// storing, rebalances between two consumers, heartbeats during long stores, bad records, clear
// errors, and a broker kill -9 mid-stream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamingContext, type StreamingContextOptions } from '@sluice/core';
import { createKafkaStream, type KafkaInputDStream, type KafkaStreamOptions } from '@sluice/kafka';
import { createTopic, runConsoleProducer, startKafka, type KafkaBroker } from '../../../test/infra/kafka.js';
import { committed, latestOffsets, memoryLogger, multiset, produce, readTopic, savedLines, sleep, uniqueTopic, waitUntil, watch } from './helpers.js';

let broker: KafkaBroker;
let root: string;
before(async () => {
  broker = await startKafka({ version: process.env['SLUICE_KAFKA_VERSION'], serverProperties: { 'group.min.session.timeout.ms': 1000 } });
  root = await mkdtemp(join(tmpdir(), 'sluice-kafka-receiver-'));
});
after(async () => {
  await broker?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

const context = (extra: Partial<StreamingContextOptions> = {}): StreamingContext => new StreamingContext({ batchInterval: 200, blockInterval: 50, logger: memoryLogger(), ...extra });
const opts = (topic: string, groupId: string, extra: Partial<KafkaStreamOptions> = {}): KafkaStreamOptions => ({
  brokers: [broker.bootstrap], topics: [topic], groupId, fromBeginning: true, sessionTimeout: 3000, heartbeatInterval: 300, rebalanceTimeout: 10_000, ...extra,
});
const values = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const collect = (stream: KafkaInputDStream, into: string[]): void => stream.foreachRDD(async (rdd) => void into.push(...(await rdd.collect()).map((r) => r.value!)));
const hasAll = (got: readonly string[], want: readonly string[]): boolean => {
  const m = multiset(got);
  return want.every((x) => m.has(x));
};

test('console producer + kafkajs: with the write-ahead log the receiver delivers all N; offsets committed to the end', async () => {
  const topic = uniqueTopic('recv-n');
  await createTopic(broker, topic, 3);
  const lines = values(300, 'console');
  await runConsoleProducer(broker, topic, lines);
  const keyed = values(300, 'kafkajs');
  await produce(broker, topic, keyed.map((value, i) => ({ key: `k${i % 5}`, value })), 50);
  const groupId = `${topic}-group`;
  const out = join(root, 'n');
  const ssc = context({ checkpointDir: join(root, 'n-checkpoint'), writeAheadLog: true });
  createKafkaStream(ssc, opts(topic, groupId)).map((r) => r.value!).saveAsTextFiles(join(out, 'values'));
  await ssc.start();
  const all = [...lines, ...keyed];
  await waitUntil(async () => hasAll(await savedLines(out, 'values'), all), 30_000, 'all 600 records saved');
  await waitUntil(async () => JSON.stringify([...(await committed(broker, groupId, topic))].sort()) === JSON.stringify([...(await latestOffsets(broker, topic))].sort()), 10_000, 'offsets committed to the end');
  await ssc.stop();
  const saved = await savedLines(out, 'values');
  assert.deepEqual([...new Set(saved)].sort(), all.sort(), 'no record lost, none invented');
  assert.equal(saved.length, all.length, 'a clean run delivers each record once');
});

test('rebalance with two consumers in one group: partitions split and move back; nothing lost', async () => {
  const topic = uniqueTopic('recv-rebalance');
  await createTopic(broker, topic, 4);
  const groupId = `${topic}-group`;
  const [out1, out2]: string[][] = [[], []];
  const ssc1 = context();
  const s1 = createKafkaStream(ssc1, opts(topic, groupId));
  collect(s1, out1);
  await ssc1.start();
  const a = values(200, 'a');
  await produce(broker, topic, a.map((value, i) => ({ value, partition: i % 4 })));
  await waitUntil(() => hasAll(out1, a), 20_000, 'the first consumer to read A');

  const ssc2 = context();
  const s2 = createKafkaStream(ssc2, opts(topic, groupId));
  collect(s2, out2);
  await ssc2.start();
  const count = (s: KafkaInputDStream): number => [...s.receiver.assignedPartitions.values()].reduce((n, ps) => n + ps.size, 0);
  await waitUntil(() => count(s1) === 2 && count(s2) === 2, 20_000, 'the partitions to be split 2 + 2');
  const p1 = [...(s1.receiver.assignedPartitions.get(topic) ?? [])];
  const p2 = [...(s2.receiver.assignedPartitions.get(topic) ?? [])];
  assert.deepEqual([...p1, ...p2].sort(), [0, 1, 2, 3]);
  const b = values(200, 'b');
  await produce(broker, topic, b.map((value, i) => ({ value, partition: i % 4 })));
  await waitUntil(() => hasAll([...out1, ...out2], b), 20_000, 'the two consumers to read B');
  assert.ok(b.filter((x) => out1.includes(x)).every((x) => p1.includes(b.indexOf(x) % 4)), 'consumer 1 stored only its partitions');
  assert.ok(b.filter((x) => out2.includes(x)).every((x) => p2.includes(b.indexOf(x) % 4)), 'consumer 2 stored only its partitions');

  await ssc1.stop();
  await waitUntil(() => count(s2) === 4, 20_000, 'the second consumer to take all partitions');
  const c = values(200, 'c');
  await produce(broker, topic, c.map((value, i) => ({ value, partition: i % 4 })));
  await waitUntil(() => hasAll(out2, c), 20_000, 'the second consumer to read C');
  await ssc2.stop();
  assert.ok(hasAll([...out1, ...out2], [...a, ...b, ...c]), 'nothing lost');
  assert.ok(s1.receiver.groupJoins >= 2 && s2.receiver.groupJoins >= 2, `rebalanced (joins ${s1.receiver.groupJoins}, ${s2.receiver.groupJoins})`);
});

test('heartbeats go on while storeBatch waits for the rate limit: no rebalance, no duplicate', async () => {
  const topic = uniqueTopic('recv-heartbeat');
  await createTopic(broker, topic, 1);
  const all = values(200, 'hb');
  await produce(broker, topic, all.map((value) => ({ value })), 100); // two record batches of 100
  const got: string[] = [];
  const ssc = context({ receiverMaxRate: 25 }); // the second block waits ~4 s: longer than the 2 s session
  const stream = createKafkaStream(ssc, opts(topic, `${topic}-group`, { sessionTimeout: 2000, heartbeatInterval: 300, maxBytesPerPartition: 1024 }));
  collect(stream, got);
  await ssc.start();
  await waitUntil(() => got.length >= 200, 30_000, '200 records', () => `${got.length}`);
  await sleep(500);
  await ssc.stop();
  assert.equal(stream.receiver.groupJoins, 1, 'the consumer never lost its membership');
  assert.deepEqual(got, all);
});

test('bad records are reported (onBadRecord) with their position, skipped, and dead-lettered', async () => {
  const topic = uniqueTopic('recv-bad');
  const dlq = `${topic}-dlq`;
  await createTopic(broker, topic, 1);
  await createTopic(broker, dlq, 1);
  await produce(broker, topic, ['{"n":0}', 'nope', '{"n":2}', '{"n":3', '{"n":4}'].map((value) => ({ value })));
  const ssc = context();
  const seen = watch(ssc);
  const stream = createKafkaStream<string, { n: number }>(ssc, { ...opts(topic, `${topic}-group`), valueDecoder: 'json', deadLetterTopic: dlq });
  const got: number[] = [];
  stream.foreachRDD(async (rdd) => void got.push(...(await rdd.collect()).map((r) => r.value!.n)));
  await ssc.start();
  await waitUntil(() => got.length >= 3 && seen.badRecords.length >= 2, 20_000, 'good records and two reports', () => JSON.stringify(seen));
  await ssc.stop();
  assert.deepEqual(got, [0, 2, 4]);
  assert.equal(stream.receiver.badRecordCount, 2);
  assert.deepEqual(seen.badRecords.map((b) => [b.streamId, b.source]), [[stream.id, `kafka ${topic}/0@1`], [stream.id, `kafka ${topic}/0@3`]]);
  assert.ok(seen.badRecords.every((b) => /^the value was rejected by its decoder: .*JSON.* \(sent to dead-letter topic /.test(b.reason)), JSON.stringify(seen.badRecords));
  assert.deepEqual(seen.receiverErrors, [], 'bad input is not a receiver error');
  assert.deepEqual((await readTopic(broker, dlq, 2)).map((m) => [m.value, m.headers['sluice-offset']]), [['nope', '1'], ['{"n":3', '3']]);
});

test('a missing topic or an unreachable broker is reported naming the brokers and the topic; the receiver retries', async () => {
  const topic = uniqueTopic('recv-missing');
  const ssc = context();
  const seen = watch(ssc);
  const got: string[] = [];
  collect(createKafkaStream(ssc, opts(topic, `${topic}-group`)), got);
  createKafkaStream(ssc, { brokers: ['127.0.0.1:1'], topics: ['events'], groupId: 'g', connectionTimeout: 300, retry: { retries: 0 } }).print();
  await ssc.start();
  await waitUntil(() => seen.receiverErrors.some((m) => m.includes(`"${topic}" not found on the cluster at ${broker.bootstrap}`)), 10_000, 'the missing topic report', () => JSON.stringify(seen.receiverErrors));
  await waitUntil(() => seen.receiverErrors.some((m) => /no Kafka broker answered at 127\.0\.0\.1:1 \(topics: events\)/.test(m)), 10_000, 'the unreachable broker report');
  await createTopic(broker, topic, 1);
  await produce(broker, topic, [{ value: 'late' }]);
  await waitUntil(() => got.includes('late'), 20_000, 'the receiver to start once the topic exists');
  await ssc.stop();
  assert.equal(ssc.state, 'stopped');
});

test('broker killed (-9) and restarted mid-stream: the receiver resumes and loses nothing', async () => {
  const topic = uniqueTopic('recv-restart');
  await createTopic(broker, topic, 2);
  const groupId = `${topic}-group`;
  const got: string[] = [];
  const ssc = context({ checkpointDir: join(root, 'restart-checkpoint'), writeAheadLog: true });
  collect(createKafkaStream(ssc, opts(topic, groupId)), got);
  await ssc.start();
  const before = values(200, 'a');
  await produce(broker, topic, before.map((value, i) => ({ value, partition: i % 2 })));
  await waitUntil(() => hasAll(got, before), 20_000, 'records before the kill');
  broker.kill();
  await sleep(1000);
  await broker.restart();
  const after = values(200, 'b');
  await produce(broker, topic, after.map((value, i) => ({ value, partition: i % 2 })));
  await waitUntil(() => hasAll(got, after), 60_000, 'records after the restart', () => `${got.length} received`);
  await ssc.stop();
  assert.ok(hasAll(got, [...before, ...after]));
});
