/**
 * Windowed DStream operations, ported from Spark's WindowOperationsSuite (inputs and expected
 * outputs are Spark's). As there, the batch interval is 1 s, each case runs
 * `expected.length * slide / batch` batches, and each batch is compared as a set.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runBatches } from '@sluice/core/testing';
import { Seconds, type DStream } from '@sluice/core';
import { assertBatchesUnordered, sortGroups } from './helpers.js';

type KV = [string, number];
const batch = Seconds(1);
const numBatchesFor = (expected: readonly unknown[], slide: number): number => (expected.length * slide) / batch;

const largerSlideInput: KV[][] = [
  [['a', 1]],
  [['a', 2]], // 1st window from here
  [['a', 3]],
  [['a', 4]], // 2nd window from here
  [['a', 5]],
  [['a', 6]], // 3rd window from here
  [],
  [], // 4th window from here
];
const largerSlideReduceOutput: KV[][] = [[['a', 3]], [['a', 10]], [['a', 18]], [['a', 11]]];

const bigInput: KV[][] = [
  [['a', 1]],
  [['a', 1], ['b', 1]],
  [['a', 1], ['b', 1], ['c', 1]],
  [['a', 1], ['b', 1]],
  [['a', 1]],
  [],
  [['a', 1]],
  [['a', 1], ['b', 1]],
  [['a', 1], ['b', 1], ['c', 1]],
  [['a', 1], ['b', 1]],
  [['a', 1]],
  [],
];

const bigGroupByOutput: Array<Array<[string, number[]]>> = [
  [['a', [1]]],
  [['a', [1, 1]], ['b', [1]]],
  [['a', [1, 1]], ['b', [1, 1]], ['c', [1]]],
  [['a', [1, 1]], ['b', [1, 1]], ['c', [1]]],
  [['a', [1, 1]], ['b', [1]]],
  [['a', [1]]],
  [['a', [1]]],
  [['a', [1, 1]], ['b', [1]]],
  [['a', [1, 1]], ['b', [1, 1]], ['c', [1]]],
  [['a', [1, 1]], ['b', [1, 1]], ['c', [1]]],
  [['a', [1, 1]], ['b', [1]]],
  [['a', [1]]],
];

const bigReduceOutput: KV[][] = [
  [['a', 1]],
  [['a', 2], ['b', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 1]],
  [['a', 1]],
  [['a', 1]],
  [['a', 2], ['b', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 1]],
  [['a', 1]],
];

// With an inverse function but no filter, keys whose value dropped to 0 stay in the window.
const bigReduceInvOutput: KV[][] = [
  [['a', 1]],
  [['a', 2], ['b', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 1], ['c', 0]],
  [['a', 1], ['b', 0], ['c', 0]],
  [['a', 1], ['b', 0], ['c', 0]],
  [['a', 2], ['b', 1], ['c', 0]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 1], ['c', 0]],
  [['a', 1], ['b', 0], ['c', 0]],
];

const sixBatches = [[0], [1], [2], [3], [4], [5]];

describe('WindowOperationsSuite: window', () => {
  const cases: Array<[name: string, expected: number[][], window: number, slide: number]> = [
    ['basic window', [[0], [0, 1], [1, 2], [2, 3], [3, 4], [4, 5]], Seconds(2), Seconds(1)],
    ['tumbling window', [[0, 1], [2, 3], [4, 5]], Seconds(2), Seconds(2)],
    ['larger window', [[0, 1], [0, 1, 2, 3], [2, 3, 4, 5], [4, 5]], Seconds(4), Seconds(2)],
    ['non-overlapping window', [[1, 2], [4, 5]], Seconds(2), Seconds(3)],
  ];
  for (const [name, expected, window, slide] of cases) {
    test(`window - ${name} (${window / 1000} s every ${slide / 1000} s)`, async () => {
      const out = await runBatches({ input: sixBatches, numBatches: numBatchesFor(expected, slide) }, (s) => s.window(window, slide));
      assertBatchesUnordered(out, expected);
    });
  }

  test('window - slide defaults to the parent slide', async () => {
    const out = await runBatches({ input: sixBatches }, (s) => s.window(Seconds(3)));
    assertBatchesUnordered(out, [[0], [0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]);
  });

  test('window of a window', async () => {
    const out = await runBatches({ input: sixBatches, numBatches: 8 }, (s) => s.window(Seconds(2), Seconds(1)).window(Seconds(4), Seconds(2)));
    // The outer window at t holds the inner windows of t-3 s .. t, so most batches appear twice.
    assertBatchesUnordered(out, [
      [0, 0, 1],
      [0, 0, 1, 1, 2, 2, 3],
      [1, 2, 2, 3, 3, 4, 4, 5],
      [3, 4, 4, 5, 5],
    ]);
  });
});

const plainReduce = (s: DStream<KV>, window: number, slide: number): DStream<KV> => s.reduceByKeyAndWindow((x, y) => x + y, window, slide);
const inverseReduce = (s: DStream<KV>, window: number, slide: number): DStream<KV> =>
  s.reduceByKeyAndWindow((x, y) => x + y, (x, y) => x - y, window, slide).checkpoint(Seconds(100));
const filteredInverseReduce = (s: DStream<KV>, window: number, slide: number): DStream<KV> =>
  s
    .reduceByKeyAndWindow((x, y) => x + y, (x, y) => x - y, window, slide, undefined, (kv) => kv[1] !== 0)
    .persist()
    .checkpoint(Seconds(100));

type ReduceCase = [name: string, input: KV[][], expected: KV[][], window?: number, slide?: number];
const sharedReduceCases = (keyRemovedLast: KV[]): ReduceCase[] => [
  ['basic reduction', [[['a', 1], ['a', 3]]], [[['a', 4]]]],
  ['key already in window and new value added into window', [[['a', 1]], [['a', 1]]], [[['a', 1]], [['a', 2]]]],
  ['new key added into window', [[['a', 1]], [['a', 1], ['b', 1]]], [[['a', 1]], [['a', 2], ['b', 1]]]],
  ['key removed from window', [[['a', 1]], [['a', 1]], [], []], [[['a', 1]], [['a', 2]], [['a', 1]], keyRemovedLast]],
  ['larger slide time', largerSlideInput, largerSlideReduceOutput, Seconds(4), Seconds(2)],
];

function reduceSuite(title: string, op: (s: DStream<KV>, w: number, sl: number) => DStream<KV>, cases: ReduceCase[]): void {
  describe(title, () => {
    for (const [name, input, expected, window = Seconds(2), slide = Seconds(1)] of cases) {
      test(name, async () => {
        const out = await runBatches({ input, numBatches: numBatchesFor(expected, slide) }, (s) => op(s, window, slide));
        assertBatchesUnordered(out, expected);
      });
    }
  });
}

reduceSuite('WindowOperationsSuite: reduceByKeyAndWindow', plainReduce, [...sharedReduceCases([]), ['big test', bigInput, bigReduceOutput]]);
reduceSuite('WindowOperationsSuite: reduceByKeyAndWindow with inverse function', inverseReduce, [
  ...sharedReduceCases([['a', 0]]),
  ['big test', bigInput, bigReduceInvOutput],
]);
reduceSuite('WindowOperationsSuite: reduceByKeyAndWindow with inverse and filter functions', filteredInverseReduce, [['big test', bigInput, bigReduceOutput]]);

describe('WindowOperationsSuite: other windowed operations', () => {
  test('groupByKeyAndWindow', async () => {
    const out = await runBatches({ input: bigInput, numBatches: numBatchesFor(bigGroupByOutput, Seconds(1)) }, (s) =>
      s.groupByKeyAndWindow(Seconds(2), Seconds(1)).persist(),
    );
    assertBatchesUnordered(out.map(sortGroups), bigGroupByOutput);
  });

  test('countByWindow', async () => {
    const expected = [[1], [2], [3], [3], [1], [0]];
    const out = await runBatches({ input: [[1], [1], [1, 2], [0], [], []], numBatches: numBatchesFor(expected, Seconds(1)) }, (s) =>
      s.countByWindow(Seconds(2), Seconds(1)),
    );
    assertBatchesUnordered(out, expected);
  });

  test('countByValueAndWindow', async () => {
    const expected = [[['a', 1]], [['a', 1], ['b', 2]], [['a', 1], ['b', 3]]];
    const out = await runBatches({ input: [['a'], ['b', 'b'], ['a', 'b']], numBatches: numBatchesFor(expected, Seconds(1)) }, (s) =>
      s.countByValueAndWindow(Seconds(2), Seconds(1)),
    );
    assertBatchesUnordered(out, expected);
  });

  test('countByValueAndWindow drops values whose count fell to 0', async () => {
    const out = await runBatches({ input: [['a'], ['b'], [], []] }, (s) => s.countByValueAndWindow(Seconds(2), Seconds(1)));
    assertBatchesUnordered(out, [[['a', 1]], [['a', 1], ['b', 1]], [['b', 1]], []]);
  });

  test('reduceByWindow', async () => {
    const out = await runBatches({ input: [[1], [2, 3], [], [4], [], []] }, (s) => s.reduceByWindow((a, b) => a + b, Seconds(2), Seconds(1)));
    // Nothing for a window without elements, as Spark's reduce.
    assert.deepStrictEqual(out, [[1], [6], [5], [4], [4], []]);
  });

  test('reduceByWindow with inverse function (keeps the reduced value once the window is empty)', async () => {
    const out = await runBatches({ input: [[1], [2, 3], [], [4], [], []] }, (s) =>
      s.reduceByWindow((a, b) => a + b, (a, b) => a - b, Seconds(2), Seconds(1)),
    );
    assert.deepStrictEqual(out, [[1], [6], [5], [4], [4], [0]]);
  });

  test('reduceByWindow with a larger slide', async () => {
    const input = [[1], [2], [3], [4], [5], [6], [], []];
    const plain = await runBatches({ input }, (s) => s.reduceByWindow((a, b) => a + b, Seconds(4), Seconds(2)));
    const inverse = await runBatches({ input }, (s) => s.reduceByWindow((a, b) => a + b, (a, b) => a - b, Seconds(4), Seconds(2)));
    assert.deepStrictEqual(plain, [[3], [10], [18], [11]]);
    assert.deepStrictEqual(inverse, plain);
  });

  test('reduceByKeyAndWindow with the inverse form and a slide longer than the window', async () => {
    // Window 2 s every 3 s: batch 4 falls between two windows and must count in neither.
    const input: KV[][] = [[['a', 1]], [['a', 2]], [['a', 4]], [['b', 8]], [['a', 16]], [['a', 32]]];
    const plain = await runBatches({ input }, (s) => plainReduce(s, Seconds(2), Seconds(3)));
    const inverse = await runBatches({ input }, (s) =>
      s.reduceByKeyAndWindow((x, y) => x + y, (x, y) => x - y, Seconds(2), Seconds(3), undefined, (kv) => kv[1] !== 0),
    );
    assertBatchesUnordered(plain, [[['a', 6]], [['a', 48]]]);
    assertBatchesUnordered(inverse, plain);
  });

  test('reduceByKeyAndWindow honours numPartitions', async () => {
    const out = await runBatches({ input: bigInput.slice(0, 3) }, (s) =>
      s.reduceByKeyAndWindow((x, y) => x + y, (x, y) => x - y, Seconds(2), Seconds(1), 3).glom(),
    );
    // glom gives one element per partition.
    assert.deepStrictEqual(out.map((b) => b.length), [3, 3, 3]);
  });
});
