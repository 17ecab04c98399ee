// createDirectKafkaStream against a real broker (one per file): exactly the records produced (by
// Kafka's own console producer and by kafkajs), offset ranges and commits, starting positions,
// partition discovery, rate caps, bad records, clear errors, and a broker kill -9 mid-stream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { SluiceError, StreamingContext, type StreamingContextOptions } from '@sluice/core';
import { commitOffsets, createDirectKafkaStream, offsetRanges, type DirectKafkaStreamOptions } from '@sluice/kafka';
import { createTopic, runConsoleProducer, startKafka, type KafkaBroker } from '../../../test/infra/kafka.js';
import { client, committed, latestOffsets, memoryLogger, produce, readTopic, savedLines, sleep, uniqueTopic, waitUntil, watch } from './helpers.js';

let broker: KafkaBroker;
let root: string;
before(async () => {
  broker = await startKafka({ version: process.env['SLUICE_KAFKA_VERSION'] });
  root = await mkdtemp(join(tmpdir(), 'sluice-kafka-direct-'));
});
after(async () => {
  await broker?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

const context = (extra: Partial<StreamingContextOptions> = {}): StreamingContext => new StreamingContext({ batchInterval: 200, logger: memoryLogger(), ...extra });
const opts = <V = string>(topic: string, extra: Partial<DirectKafkaStreamOptions<string, V>> = {}): DirectKafkaStreamOptions<string, V> => ({ brokers: [broker.bootstrap], topics: [topic], ...extra });
const values = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

test('console producer + kafkajs: exactly the N records, once each, into saveAsTextFiles; commits after output', async () => {
  const topic = uniqueTopic('direct-n');
  await createTopic(broker, topic, 3);
  const lines = values(300, 'console');
  await runConsoleProducer(broker, topic, lines);
  const keyed = values(300, 'kafkajs');
  await produce(broker, topic, keyed.map((value, i) => ({ key: `k${i % 7}`, value })), 50);
  const out = join(root, 'n');
  const groupId = `${topic}-group`;
  const ssc = context();
  const stream = createDirectKafkaStream(ssc, opts(topic, { groupId, startingOffsets: 'earliest', maxRatePerPartition: 1000 }));
  stream.map((r) => r.value!).saveAsTextFiles(join(out, 'values'));
  const problems: string[] = [];
  stream.foreachRDD(async (rdd) => {
    const ranges = offsetRanges(rdd);
    const sizes = await rdd.mapPartitions((rs) => [rs.length]).collect();
    ranges.forEach((r, i) => sizes[i] !== r.untilOffset - r.fromOffset && problems.push(`partition ${i}: ${sizes[i]} records for ${JSON.stringify(r)}`));
    if (ranges.length !== 3) problems.push(`${ranges.length} ranges`);
    await commitOffsets(stream, ranges);
  });
  await ssc.start();
  await waitUntil(async () => (await savedLines(out, 'values')).length >= 600, 30_000, '600 saved records');
  await ssc.stop();
  assert.deepEqual((await savedLines(out, 'values')).sort(), [...lines, ...keyed].sort(), 'exactly the produced records, once each');
  assert.deepEqual(problems, []);
  assert.deepEqual(await committed(broker, groupId, topic), await latestOffsets(broker, topic), 'committed up to the end');

  // A new stream of the group starts at the committed offsets: it reads only what comes next.
  const ssc2 = context();
  const got: string[] = [];
  createDirectKafkaStream(ssc2, opts(topic, { groupId })).foreachRDD(async (rdd) => void got.push(...(await rdd.collect()).map((r) => r.value!)));
  await ssc2.start();
  await produce(broker, topic, [{ value: 'after-1' }, { value: 'after-2' }]);
  await waitUntil(() => got.length >= 2, 15_000, 'the two new records', () => JSON.stringify(got));
  await sleep(400);
  await ssc2.stop();
  assert.deepEqual(got.sort(), ['after-1', 'after-2']);
});

test('starting positions (latest; explicit, else offsetReset) and partitions added mid-stream, read from their start', async () => {
  const topic = uniqueTopic('direct-start');
  await createTopic(broker, topic, 2);
  await produce(broker, topic, [...values(10, 'old0').map((value) => ({ value, partition: 0 })), ...values(10, 'old1').map((value) => ({ value, partition: 1 }))]);
  const ssc = context();
  const latest: string[] = [];
  const explicit: string[] = [];
  createDirectKafkaStream(ssc, opts(topic, { startingOffsets: 'latest' })).foreachRDD(async (rdd) => void latest.push(...(await rdd.collect()).map((r) => r.value!)));
  createDirectKafkaStream(ssc, opts(topic, { startingOffsets: { [topic]: { 0: 5 } }, offsetReset: 'earliest' })).foreachRDD(
    async (rdd) => void explicit.push(...(await rdd.collect()).map((r) => r.value!)),
  );
  await ssc.start();
  const fresh = [...values(3, 'new0').map((value) => ({ value, partition: 0 })), ...values(3, 'new1').map((value) => ({ value, partition: 1 }))];
  await produce(broker, topic, fresh);
  const admin = client(broker).admin();
  await admin.connect();
  await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }], timeout: 10_000 });
  await admin.disconnect();
  await produce(broker, topic, values(3, 'new2').map((value) => ({ value, partition: 2 })));
  const news = [...values(3, 'new0'), ...values(3, 'new1'), ...values(3, 'new2')];
  await waitUntil(() => latest.length >= 9 && explicit.length >= 24, 30_000, 'both streams', () => JSON.stringify({ latest, explicit }));
  await sleep(400);
  await ssc.stop();
  assert.deepEqual(latest.sort(), [...news].sort());
  assert.deepEqual(explicit.sort(), [...values(10, 'old0').slice(5), ...values(10, 'old1'), ...news].sort());
});

test('maxRatePerPartition caps every batch; with backpressure, initialRate bounds the first batch', async () => {
  const topic = uniqueTopic('direct-rate');
  await createTopic(broker, topic, 2);
  await produce(broker, topic, values(400, 'r').map((value, i) => ({ value, partition: i % 2 })));
  const ssc = context({ backpressure: { initialRate: 50 } });
  const seen = watch(ssc);
  const capped = createDirectKafkaStream(ssc, opts(topic, { startingOffsets: 'earliest', maxRatePerPartition: 100 }));
  const bounded = createDirectKafkaStream(ssc, opts(topic, { startingOffsets: 'earliest' }));
  const totals = new Map<number, number>();
  for (const s of [capped, bounded]) s.foreachRDD(async (rdd) => void totals.set(s.id, (totals.get(s.id) ?? 0) + (await rdd.count())));
  await ssc.start();
  await waitUntil(() => totals.get(capped.id) === 400 && totals.get(bounded.id) === 400, 30_000, 'both streams to read 400', () => JSON.stringify([...totals]));
  await ssc.stop();
  const sizes = (id: number): number[] => seen.batches.map((b) => b.records[id] ?? 0).filter((n) => n > 0);
  assert.ok(sizes(capped.id).every((n) => n <= 2 * 20), `at most 20 per partition per 200 ms batch: ${sizes(capped.id).join(',')}`);
  assert.ok(sizes(bounded.id)[0]! <= 10, `first batch at most 50 records/s * 0.2 s: ${sizes(bounded.id).join(',')}`);
});

test('records a decoder rejects are reported with topic/partition/offset and skipped, or dead-lettered', async () => {
  const topic = uniqueTopic('direct-bad');
  const dlq = `${topic}-dlq`;
  await createTopic(broker, topic, 1);
  await createTopic(broker, dlq, 1);
  const input = ['{"n":0}', '{"n":1}', '{oops', '{"n":3}', '{"n":4}', 'not json', '{"n":6}'];
  await produce(broker, topic, input.map((value) => ({ value, headers: { origin: 'test' } })));
  const logger = memoryLogger();
  const ssc = context({ logger });
  const seen = watch(ssc);
  const skipping = createDirectKafkaStream<string, { n: number }>(ssc, opts(topic, { startingOffsets: 'earliest', valueDecoder: 'json' }));
  const lettering = createDirectKafkaStream<string, { n: number }>(ssc, opts(topic, { startingOffsets: 'earliest', valueDecoder: 'json', deadLetterTopic: dlq }));
  const got = new Map<number, number[]>();
  for (const s of [skipping, lettering]) s.foreachRDD(async (rdd) => void got.set(s.id, [...(got.get(s.id) ?? []), ...(await rdd.collect()).map((r) => r.value!.n)]));
  await ssc.start();
  await waitUntil(() => got.get(skipping.id)?.length === 5 && got.get(lettering.id)?.length === 5, 20_000, 'the good records');
  await ssc.stop();
  assert.deepEqual(got.get(skipping.id), [0, 1, 3, 4, 6]);
  assert.deepEqual(got.get(lettering.id), [0, 1, 3, 4, 6]);
  assert.equal(skipping.badRecordCount, 2);
  assert.equal(lettering.badRecordCount, 2);
  for (const at of [2, 5]) assert.ok(logger.lines.some((l) => l.includes(`Bad record skipped from kafka ${topic}/0@${at}: the value was rejected by its decoder`)), `report of offset ${at}`);
  const reports = seen.badRecords.map((b) => `${b.streamId} ${b.source}`).sort();
  assert.deepEqual(reports, [skipping.id, skipping.id, lettering.id, lettering.id].map((id, i) => `${id} kafka ${topic}/0@${i % 2 ? 5 : 2}`).sort(), 'onBadRecord events');
  const letters = await readTopic(broker, dlq, 2);
  assert.deepEqual(letters.map((m) => [m.value, m.headers['sluice-offset'], m.headers['sluice-topic'], m.headers['origin']]), [
    ['{oops', '2', topic, 'test'],
    ['not json', '5', topic, 'test'],
  ]);
});

test('transactions (read_committed): aborted records never appear; ranges step over the markers', async () => {
  const topic = uniqueTopic('direct-tx');
  await createTopic(broker, topic, 1);
  const producer = client(broker).producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (const [vs, commit] of [[['c1', 'c2'], true], [['x1', 'x2'], false], [['c3'], true]] as const) {
    const tx = await producer.transaction();
    await tx.send({ topic, messages: vs.map((value) => ({ value })) });
    await (commit ? tx.commit() : tx.abort());
  }
  await producer.disconnect();
  const ssc = context();
  const got: string[] = [];
  createDirectKafkaStream(ssc, opts(topic, { startingOffsets: 'earliest' })).foreachRDD(async (rdd) => void got.push(...(await rdd.collect()).map((r) => r.value!)));
  await ssc.start();
  await waitUntil(() => got.length >= 3, 20_000, 'the committed records');
  await sleep(600);
  await ssc.stop();
  assert.deepEqual(got, ['c1', 'c2', 'c3']);
  assert.deepEqual(await latestOffsets(broker, topic), new Map([[0, 8]]), '3 committed + 2 aborted records + 3 markers');
});

test('a missing topic or an unreachable broker fails start() with an error naming the brokers and the topic', async () => {
  const ssc = context();
  createDirectKafkaStream(ssc, opts('no-such-topic')).print();
  await assert.rejects(ssc.start(), (e: unknown) => e instanceof SluiceError && e.code === 'KAFKA_TOPIC_NOT_FOUND' && e.message.includes('"no-such-topic"') && e.message.includes(broker.bootstrap));
  await ssc.stop();
  const down = context();
  createDirectKafkaStream(down, { brokers: ['127.0.0.1:1'], topics: ['events'], connectionTimeout: 300, retry: { retries: 0 } }).print();
  await assert.rejects(down.start(), (e: unknown) => e instanceof SluiceError && e.code === 'KAFKA_BROKER_UNREACHABLE' && e.retriable && /127\.0\.0\.1:1 \(topics: events\)/.test(e.message));
  await down.stop();
});

test('broker killed (-9) and restarted mid-stream: the stream resumes, nothing lost, nothing twice', async () => {
  const topic = uniqueTopic('direct-restart');
  await createTopic(broker, topic, 2);
  const before = values(400, 'a');
  await produce(broker, topic, before.map((value, i) => ({ value, partition: i % 2 })));
  const out = join(root, 'restart');
  const ssc = context();
  createDirectKafkaStream(ssc, opts(topic, { startingOffsets: 'earliest', maxRatePerPartition: 100 })).map((r) => r.value!).saveAsTextFiles(join(out, 'v'));
  await ssc.start();
  await waitUntil(async () => (await savedLines(out, 'v')).length > 0, 20_000, 'the first batch');
  broker.kill();
  await sleep(1000);
  await broker.restart();
  const after = values(100, 'b');
  await produce(broker, topic, after.map((value) => ({ value })));
  await waitUntil(async () => (await savedLines(out, 'v')).length >= 500, 60_000, 'all 500 records', () => ssc.state);
  await sleep(400);
  await ssc.stop();
  assert.deepEqual((await savedLines(out, 'v')).sort(), [...before, ...after].sort());
});
