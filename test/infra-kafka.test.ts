// The Kafka test infrastructure against a real broker: Kafka's own console producer writes,
// kafkajs reads back and commits, and the broker survives kill -9 + restart with its data.
// SLUICE_KAFKA_VERSION picks the broker (default 3.9.1; e.g. 4.1.2 for the Kafka 4 leg).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { createTopic, runConsoleProducer, startKafka, type KafkaBroker } from './infra/kafka.js';

const version = process.env.SLUICE_KAFKA_VERSION ?? '3.9.1';
let broker: KafkaBroker;

before(async () => {
  broker = await startKafka({ version });
  console.log(`Kafka ${version} at ${broker.bootstrap}: format ${broker.timings.formatMs} ms, ready ${broker.timings.readyMs} ms`);
});

after(async () => {
  await broker?.stop();
});

function client(): Kafka {
  return new Kafka({ clientId: 'infra-kafka-test', brokers: [broker.bootstrap], logLevel: logLevel.WARN });
}

/** Consumes until `count` values arrived (or 30 s passed), then disconnects (committing offsets). */
async function consume(consumer: Consumer, topic: string, count: number): Promise<string[]> {
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString('utf8') ?? '<null>');
        if (values.length >= count) done();
      },
    });
    const timer = setTimeout(done, 30_000);
    await all;
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return values;
}

async function committed(groupId: string, topic: string): Promise<number> {
  const admin = client().admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

test('console producer -> kafkajs consumer group: exactly the 100 lines, offsets committed', async () => {
  const topic = `infra-kafka-${Date.now()}`;
  assert.equal(await createTopic(broker, topic, 3), true);
  const lines = Array.from({ length: 100 }, (_, i) => `line-${i}`);
  await runConsoleProducer(broker, topic, lines);

  const groupId = `${topic}-group`;
  const got = await consume(client().consumer({ groupId }), topic, 100);
  assert.deepEqual([...got].sort(), [...lines].sort());
  assert.equal(new Set(got).size, 100, 'no duplicates');
  assert.equal(await committed(groupId, topic), 100);
});

test('kill -9 and restart keeps ports, data and committed offsets', async () => {
  const topic = `infra-kafka-restart-${Date.now()}`;
  await createTopic(broker, topic, 1);
  await runConsoleProducer(broker, topic, ['before-1', 'before-2'], { sync: true });
  const groupId = `${topic}-group`;
  assert.deepEqual(await consume(client().consumer({ groupId }), topic, 2), ['before-1', 'before-2']);

  const { bootstrap, pid } = broker;
  broker.kill();
  await broker.restart();
  assert.equal(broker.bootstrap, bootstrap);
  assert.notEqual(broker.pid, pid);
  assert.equal(await committed(groupId, topic), 2);

  await runConsoleProducer(broker, topic, ['after-1'], { sync: true });
  assert.deepEqual(await consume(client().consumer({ groupId }), topic, 1), ['after-1']);
  assert.match(broker.logTail(), /Kafka Server started/);
});
