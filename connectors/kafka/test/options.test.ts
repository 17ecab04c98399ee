// Option validation of both streams: unknown keys, missing or malformed values, and conflicting
// settings fail at the call, naming the option and what it accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceError, StreamingContext } from '@sluice/core';
import { createDirectKafkaStream, createKafkaStream } from '@sluice/kafka';

const base = { brokers: ['127.0.0.1:9092'], topics: ['logs'] };

function rejects(make: () => unknown, pattern: RegExp): void {
  assert.throws(make, (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && pattern.test(e.message), pattern.source);
}

test('direct stream options: defaults accepted, each bad option named', () => {
  const ssc = new StreamingContext({ batchInterval: 1000 });
  assert.equal(createDirectKafkaStream(ssc, base).kind, 'kafkaDirect');
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...base, brokers: [] }, /option brokers must be a non-empty array of "host:port"/],
    [{ ...base, brokers: ['localhost'] }, /option brokers/],
    [{ topics: ['x'] }, /option brokers/],
    [{ ...base, topics: ['bad topic'] }, /option topics/],
    [{ ...base, colour: 'blue' }, /unknown option\(s\) colour; accepted: brokers, topics/],
    [{ ...base, startingOffsets: 'committed' }, /option startingOffsets must be 'earliest', 'latest' or explicit offsets when no groupId/],
    [{ ...base, startingOffsets: 'newest' }, /option startingOffsets must be 'committed', 'earliest', 'latest'/],
    [{ ...base, startingOffsets: { other: { 0: 5 } } }, /startingOffsets.other must be a subscribed topic \(logs\)/],
    [{ ...base, startingOffsets: { logs: { 0: -1 } } }, /startingOffsets.logs.0 must be an offset/],
    [{ ...base, offsetReset: 'none' }, /option offsetReset must be 'earliest' or 'latest'/],
    [{ ...base, maxRatePerPartition: 0 }, /option maxRatePerPartition must be a number > 0/],
    [{ ...base, readTimeoutMs: 1.5 }, /option readTimeoutMs must be a whole number/],
    [{ ...base, kafkaLogLevel: 'loud' }, /option kafkaLogLevel must be 'nothing', 'error'/],
    [{ ...base, deadLetterTopic: 'logs' }, /option deadLetterTopic must be a topic that is not read by this stream/],
    [{ ...base, valueDecoder: 'yaml' }, /option valueDecoder must be 'utf8', 'buffer', 'json', \{ avro: schema \} or a function/],
    [{ ...base, valueDecoder: { avro: { type: 'nope' } } }, /option valueDecoder: the Avro schema is invalid/],
    [{ ...base, sasl: { user: 'x' } }, /option sasl must be kafkajs SASL options/],
  ];
  for (const [opts, pattern] of cases) rejects(() => createDirectKafkaStream(ssc, opts as never), pattern);
  rejects(() => createDirectKafkaStream({} as never, base), /ssc must be a StreamingContext/);
});

test('a rejected option leaves no stream behind in the graph', async () => {
  const ssc = new StreamingContext({ batchInterval: 1000 });
  rejects(() => createDirectKafkaStream(ssc, { ...base, colour: 1 } as never), /colour/);
  rejects(() => createKafkaStream(ssc, { ...base, colour: 1 } as never), /colour/);
  ssc.queueStream([[1]]).print();
  await ssc.start(); // would fail to connect if a Kafka stream had been registered
  await ssc.stop();
});

test('receiver stream options: groupId required, heartbeat below the session timeout', () => {
  const ssc = new StreamingContext({ batchInterval: 1000 });
  const stream = createKafkaStream(ssc, { ...base, groupId: 'g' });
  assert.equal(stream.kind, 'kafka');
  assert.equal(stream.receiver.name, 'kafka-g');
  rejects(() => createKafkaStream(ssc, base as never), /option groupId must be a non-empty string/);
  rejects(() => createKafkaStream(ssc, { ...base, groupId: 'g', heartbeatInterval: 10_000, sessionTimeout: 6000 }), /option heartbeatInterval must be less than sessionTimeout/);
  rejects(() => createKafkaStream(ssc, { ...base, groupId: 'g', startingOffsets: 'earliest' } as never), /unknown option\(s\) startingOffsets/);
  rejects(() => createKafkaStream(ssc, { ...base, groupId: 'g', fromBeginning: 'yes' } as never), /option fromBeginning must be true or false/);
});
