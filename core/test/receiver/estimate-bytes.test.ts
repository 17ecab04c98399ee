import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateBatchBytes, estimateBytes } from '../../src/receiver/estimate-bytes.js';

test('estimates are cheap and shallow: strings, binaries, primitives, objects one level deep', () => {
  assert.equal(estimateBytes('hello'), 5 + 16);
  assert.equal(estimateBytes(Buffer.alloc(100)), 100);
  assert.equal(estimateBytes(new Uint8Array(7)), 7);
  assert.equal(estimateBytes(new Float64Array(4)), 32);
  assert.equal(estimateBytes(new ArrayBuffer(9)), 9);
  assert.equal(estimateBytes(42), 8);
  assert.equal(estimateBytes(null), 8);
  assert.equal(estimateBytes({ line: 'abc', n: 1, nested: { big: 'x'.repeat(1000) } }), 64 + (3 + 16) + 8 + 8);
  assert.equal(estimateBytes(['ab', Buffer.alloc(3), 5]), 64 + (2 + 16) + 3 + 8);
  assert.equal(estimateBatchBytes(['a', 'bb']), (1 + 16) + (2 + 16));
});
