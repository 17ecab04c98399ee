// The direct stream's checkpointed state: a round trip keeps every range and position; malformed
// state fails with KAFKA_CHECKPOINT_INVALID saying what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceError } from '@sluice/core';
import { decodeDirectState, encodeDirectState } from '../src/direct-checkpoint.js';

test('encode then decode (through JSON) gives the same batches and positions', () => {
  const batches = new Map([
    [2000, [{ topic: 'a', partition: 0, fromOffset: 5, untilOffset: 9 }]],
    [1000, [{ topic: 'a', partition: 0, fromOffset: 0, untilOffset: 5 }, { topic: 'b', partition: 3, fromOffset: 7, untilOffset: 7 }]],
  ]);
  const next = new Map([['a:0', { topic: 'a', partition: 0, offset: 9 }], ['b:3', { topic: 'b', partition: 3, offset: 7 }]]);
  const encoded = JSON.parse(JSON.stringify(encodeDirectState({ batches, next }))) as unknown;
  assert.deepEqual((encoded as { batches: Array<{ time: number }> }).batches.map((b) => b.time), [1000, 2000]);
  const back = decodeDirectState(encoded, 'kafka');
  assert.deepEqual([...back.batches].sort(([x], [y]) => x - y), [...batches].sort(([x], [y]) => x - y));
  assert.deepEqual(back.next, next);
});

test('malformed state is rejected with KAFKA_CHECKPOINT_INVALID', () => {
  const ok = { format: 'sluice-kafka-direct/1', batches: [], next: [] };
  const cases: [unknown, RegExp][] = [
    [null, /format is not sluice-kafka-direct\/1/],
    [{ ...ok, format: 'v0' }, /format/],
    [{ ...ok, next: {} }, /batches and next must be arrays/],
    [{ ...ok, batches: [{ time: 1, ranges: [['a', 0, 9, 5]] }] }, /range \["a",0,9,5\] of batch 1/],
    [{ ...ok, next: [['a', -1, 0]] }, /position \["a",-1,0\]/],
  ];
  for (const [state, pattern] of cases) {
    assert.throws(() => decodeDirectState(state, 'in'), (e: unknown) => e instanceof SluiceError && e.code === 'KAFKA_CHECKPOINT_INVALID' && pattern.test(e.message) && /direct Kafka stream in/.test(e.message));
  }
});
