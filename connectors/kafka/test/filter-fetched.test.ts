// What a range read keeps of one Fetch response, and where it fetches next: records before the
// fetch offset, aborted transactions and control records are dropped; offsets past them are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterFetched } from '../src/range-reader.js';
import type { FetchedPartitionData } from '../src/kafkajs-internals.js';

type Msg = FetchedPartitionData['messages'][number] & { batchContext?: { producerId: string; inTransaction: boolean } };
const rec = (offset: number, extra: Partial<Msg> = {}): Msg => ({ offset: String(offset), key: null, value: Buffer.from(`v${offset}`), timestamp: '0', ...extra });
const data = (messages: Msg[], abortedTransactions: unknown[] = []): FetchedPartitionData => ({ partition: 0, highWatermark: '100', abortedTransactions, messages });
const offsets = (r: ReturnType<typeof filterFetched>): number[] => r.messages.map((m) => Number(m.offset));

test('records before the fetch offset (a compressed batch that starts earlier) are dropped', () => {
  const r = filterFetched(12, data([rec(10), rec(11), rec(12), rec(13)]));
  assert.deepEqual(offsets(r), [12, 13]);
  assert.equal(r.next, 14);
});

test('nothing at the offset yet: fetch the same offset again; only earlier records (compaction): move on by one', () => {
  assert.deepEqual(filterFetched(5, data([])), { messages: [], next: 5 });
  assert.deepEqual(filterFetched(5, data([rec(3), rec(4)])), { messages: [], next: 6 });
});

test('control records and aborted transactions are dropped; next goes past them', () => {
  const tx = (producerId: string) => ({ batchContext: { producerId, inTransaction: true } });
  const marker = (producerId: string) => ({ isControlRecord: true, key: Buffer.from([0, 0, 0, 0]), ...tx(producerId) });
  const plain = { batchContext: { producerId: '-1', inTransaction: false } };
  const messages = [rec(0, plain), rec(1, tx('7')), rec(2, tx('7')), rec(3, marker('7')), rec(4, tx('8')), rec(5, marker('8')), rec(6, plain)];
  // producer 7 aborted its transaction (first offset 1); producer 8 committed (its marker is dropped)
  const r = filterFetched(0, data(messages, [{ producerId: '7', firstOffset: '1' }]));
  assert.deepEqual(offsets(r), [0, 4, 6]);
  assert.equal(r.next, 7);
  const tail = filterFetched(5, data(messages.slice(5)));
  assert.deepEqual(offsets(tail), [6]);
});
