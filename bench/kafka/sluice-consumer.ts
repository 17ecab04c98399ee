/**
 * One consumer of the Kafka benchmark, in its own process; prints one JSON line
 * `{ mode, records, matched, seconds }` and exits. Modes:
 * - `sluice`: createDirectKafkaStream -> filter -> count per batch, the pipeline benchmarked.
 * - `fetch`: the direct stream's range reads alone (Fetch requests + kafkajs record decoding), every
 *   range read once, one task per partition as the stream's jobs do: the floor under `sluice`.
 * - `decode`: `fetch` plus building KafkaRecords (UTF-8 check and decode) and the filter: what a
 *   batch's tasks do, without the engine.
 * - `kafkajs`: a kafkajs consumer group (eachBatch, count and filter), for reference.
 *
 *   sluice-consumer.ts <mode> <bootstrap> <topic> <records> <match> [batchMs] [maxRatePerPartition]
 */
import { Kafka, logLevel } from 'kafkajs';
import { StreamingContext } from '@sluice/core';
import { createDirectKafkaStream } from '@sluice/kafka';
import { createFetchCluster } from '../../connectors/kafka/src/kafkajs-internals.js';
import { RangeReader } from '../../connectors/kafka/src/range-reader.js';
import { decodeMessages, resolveDecoder } from '../../connectors/kafka/src/decoders.js';

const [mode, bootstrap, topic, recordsArg, match, batchArg, rateArg] = process.argv.slice(2);
const total = Number(recordsArg);
const batchMs = Number(batchArg ?? 1000);
const maxRate = Number(rateArg ?? 200_000);
const kafka = (): Kafka => new Kafka({ clientId: 'sluice-bench', brokers: [bootstrap!], logLevel: logLevel.NOTHING });

async function ranges(): Promise<Array<{ topic: string; partition: number; fromOffset: number; untilOffset: number }>> {
  const admin = kafka().admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic!);
  await admin.disconnect();
  return offsets.map((o) => ({ topic: topic!, partition: o.partition, fromOffset: Number(o.low), untilOffset: Number(o.high) }));
}

async function rangeReads(decode: boolean): Promise<{ records: number; matched: number; seconds: number }> {
  const client = kafka();
  const cluster = createFetchCluster(client);
  await cluster.connect();
  await cluster.addMultipleTargetTopics([topic!]);
  const reader = new RangeReader(cluster, { brokers: [bootstrap!], maxBytesPerPartition: 1024 * 1024, maxWaitMs: 500, readTimeoutMs: 60_000 });
  const utf8 = resolveDecoder<string>('utf8', 'value');
  const all = await ranges();
  // Read in slices of `maxRate * batch` per partition, like the stream's batches.
  const slice = Math.max(1, Math.floor((maxRate * batchMs) / 1000));
  let records = 0;
  let matched = 0;
  const start = performance.now();
  for (let from = 0; records < total; from += slice) {
    const parts = all.map((r) => ({ ...r, fromOffset: r.fromOffset + from, untilOffset: Math.min(r.untilOffset, r.fromOffset + from + slice) })).filter((r) => r.untilOffset > r.fromOffset);
    if (parts.length === 0) break;
    await Promise.all(
      parts.map(async (r) => {
        const raw = await reader.read(r);
        if (!decode) {
          records += raw.length;
          return;
        }
        const { records: rs } = decodeMessages(r.topic, r.partition, raw, utf8, utf8);
        records += rs.length;
        for (const x of rs) if (x.value !== null && x.value.includes(match!)) matched++;
      }),
    );
  }
  const seconds = (performance.now() - start) / 1000;
  await cluster.disconnect();
  return { records, matched, seconds };
}

async function sluice(): Promise<{ records: number; matched: number; seconds: number }> {
  const ssc = new StreamingContext({ batchInterval: batchMs });
  const stream = createDirectKafkaStream(ssc, { brokers: [bootstrap!], topics: [topic!], startingOffsets: 'earliest', maxRatePerPartition: maxRate });
  let records = 0;
  let matched = 0;
  // From the submission of the first batch (the batch time, plus planning its ranges) to the end of
  // the batch that brings the total to `total`: startup and the wait for the first batch time excluded.
  let first: number | undefined;
  let last = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  ssc.addStreamingListener({
    onBatchCompleted: ({ batchInfo }) => {
      const n = batchInfo.streamIdToInputInfo[stream.id]?.numRecords ?? 0;
      if (n > 0) first ??= batchInfo.submissionTime;
      records += n;
      last = batchInfo.processingEndTime ?? Date.now();
      if (records >= total) done();
    },
  });
  stream
    .filter((r) => r.value !== null && r.value.includes(match!))
    .count()
    .foreachRDD(async (rdd) => {
      matched += (await rdd.collect())[0] ?? 0;
    });
  await ssc.start();
  await finished;
  await ssc.stop();
  return { records, matched, seconds: (last - first!) / 1000 };
}

async function kafkajsGroup(): Promise<{ records: number; matched: number; seconds: number }> {
  const consumer = kafka().consumer({ groupId: `bench-${process.pid}-${Date.now()}`, maxBytesPerPartition: 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic!], fromBeginning: true });
  let records = 0;
  let matched = 0;
  let start = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      if (start === 0) start = performance.now();
      for (const m of batch.messages) {
        records++;
        if (m.value?.toString('utf8').includes(match!)) matched++;
      }
      if (records >= total) done();
    },
  });
  await finished;
  const seconds = (performance.now() - start) / 1000;
  await consumer.disconnect();
  return { records, matched, seconds };
}

const run = { sluice, fetch: () => rangeReads(false), decode: () => rangeReads(true), kafkajs: kafkajsGroup }[mode as 'sluice'];
if (!run) throw new Error(`unknown mode ${mode}`);
const result = await run();
process.stdout.write(`${JSON.stringify({ mode, ...result })}\n`);
process.exit(0);
