import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBatches } from '@sluice/core/testing';

test('map', async () => {
  const out = await runBatches({ input: [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]] }, (s) => s.map((x) => String(x)));
  assert.deepEqual(out, [['1', '2', '3', '4'], ['5', '6', '7', '8'], ['9', '10', '11', '12']]);
});
test('reduceByKey', async () => {
  const out = await runBatches({ input: [['a', 'a', 'b'], ['', ''], []] }, (s) => s.map((x) => [x, 1] as [string, number]).reduceByKey((a, b) => a + b));
  assert.deepEqual(out.map((b) => b.sort()), [[['a', 2], ['b', 1]], [['', 2]], []]);
});
test('updateStateByKey', async () => {
  const out = await runBatches({ input: [['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b'], ['a'], []] }, (s) =>
    s.map((x) => [x, 1] as [string, number]).updateStateByKey<string, number, number>((vs, st) => (st ?? 0) + vs.reduce((a, b) => a + b, 0)));
  assert.deepEqual(out.map((b) => b.sort()), [[['a', 1]], [['a', 2], ['b', 1]], [['a', 3], ['b', 2], ['c', 1]], [['a', 4], ['b', 3], ['c', 1]], [['a', 5], ['b', 3], ['c', 1]], [['a', 5], ['b', 3], ['c', 1]]]);
});
test('reduceByKeyAndWindow inverse', async () => {
  const input = [['a'], ['a', 'b'], ['b'], [], [], []];
  const out = await runBatches({ input }, (s) => s.map((x) => [x, 1] as [string, number]).reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 2000, 1000));
  assert.deepEqual(out.map((b) => b.sort()), [[['a', 1]], [['a', 2], ['b', 1]], [['a', 1], ['b', 2]], [['a', 0], ['b', 1]], [['a', 0], ['b', 0]], [['a', 0], ['b', 0]]]);
});
