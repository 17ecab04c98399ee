// Bad records are reported with their position (throttled), and a dead-letter write that fails
// rejects with KAFKA_DEAD_LETTER_FAILED so the batch is not acknowledged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Producer } from 'kafkajs';
import { SluiceError, type Logger } from '@sluice/core';
import { BadRecordHandler } from '../src/bad-records.js';
import type { RejectedRecord } from '../src/decoders.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const rejected = (offset: number): RejectedRecord => ({
  topic: 'logs', partition: 2, offset, field: 'value', error: new Error('bad json'),
  message: { offset: String(offset), key: Buffer.from('k'), value: Buffer.from('{'), timestamp: '5', headers: { trace: Buffer.from('t1') } },
});

test('reports name the topic, partition and offset; a flood is throttled and summed up', async () => {
  const reports: string[] = [];
  const h = new BadRecordHandler({ brokers: ['b:1'], deadLetterTopic: undefined, producer: () => undefined, logger: quiet, maxReportsPerSecond: 3, sink: (source, reason) => reports.push(`${source}: ${reason}`) });
  await h.handle(Array.from({ length: 10 }, (_, i) => rejected(i)));
  assert.equal(h.count, 10);
  assert.equal(reports.length, 3);
  assert.equal(reports[0], 'kafka logs/2@0: the value was rejected by its decoder: bad json');
});

test('dead letters keep key, value and headers, add where they came from, and a failed write rejects', async () => {
  const sent: unknown[] = [];
  let fail = false;
  const producer = { send: async (r: unknown) => { if (fail) throw new Error('broker down'); sent.push(r); return []; } } as unknown as Producer;
  const h = new BadRecordHandler({ brokers: ['b:1'], deadLetterTopic: 'dlq', producer: () => producer, logger: quiet, sink: () => {} });
  await h.handle([rejected(7)]);
  const { topic, messages, acks } = sent[0] as { topic: string; acks: number; messages: Array<{ key: Buffer; value: Buffer; headers: Record<string, unknown> }> };
  assert.equal(topic, 'dlq');
  assert.equal(acks, -1);
  assert.deepEqual(messages[0]!.key, Buffer.from('k'));
  assert.deepEqual(messages[0]!.value, Buffer.from('{'));
  assert.deepEqual(messages[0]!.headers, { trace: Buffer.from('t1'), 'sluice-error': 'value: bad json', 'sluice-topic': 'logs', 'sluice-partition': '2', 'sluice-offset': '7' });
  fail = true;
  await assert.rejects(h.handle([rejected(8)]), (e: unknown) => e instanceof SluiceError && e.code === 'KAFKA_DEAD_LETTER_FAILED' && e.retriable && /dead-letter topic dlq at b:1: broker down/.test(e.message));
  await h.handle([]);
});
