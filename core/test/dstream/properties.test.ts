/**
 * Property tests: over random batches of small string keys and integer values, every windowed and
 * stateful operation equals its brute-force twin computed directly from the batches, and the
 * incremental (inverse) window forms equal the plain ones. Each run is a whole StreamingContext on
 * a manual clock; the properties are independent, so they run concurrently.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runBatches } from '@sluice/core/testing';
import { sorted } from './helpers.js';

type KV = [string, number];
/** Runs per property; SLUICE_PROPERTY_RUNS=1000 for a deeper local search. */
const NUM_RUNS = Number(process.env['SLUICE_PROPERTY_RUNS'] ?? 50);
const B = 1000; // batch interval

const key = fc.constantFrom('a', 'b', 'c', 'd');
const batchesOf = <T>(item: fc.Arbitrary<T>): fc.Arbitrary<T[][]> => fc.array(fc.array(item, { maxLength: 5 }), { minLength: 1, maxLength: 7 });
const anyValues = batchesOf(fc.tuple(key, fc.integer({ min: -3, max: 5 })));
const positiveValues = batchesOf(fc.tuple(key, fc.integer({ min: 1, max: 5 })));
const multiple = fc.integer({ min: 1, max: 4 });
const partitions = fc.integer({ min: 1, max: 3 });

/** Batches to run: the input, then enough empty batches for every window to drain. */
const numBatchesFor = (input: readonly unknown[], window: number): number => input.length + window + 1;

/** The batches (1-based indexes into `input`, empty past its end) of the window ending at batch `end`. */
function windowBatches<T>(input: readonly T[][], end: number, window: number): T[][] {
  const out: T[][] = [];
  for (let i = Math.max(1, end - window + 1); i <= end; i++) out.push(input[i - 1] ?? []);
  return out;
}

/** Batch numbers at which a stream sliding every `slide` batches has an RDD, up to `numBatches`. */
function slideEnds(numBatches: number, slide: number): number[] {
  const ends: number[] = [];
  for (let t = slide; t <= numBatches; t += slide) ends.push(t);
  return ends;
}

function sumByKey(items: readonly KV[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k, v] of items) m.set(k, (m.get(k) ?? 0) + v);
  return m;
}

const pairsOf = <K, V>(m: Map<K, V>): Array<[K, V]> => sorted([...m]);
const withoutZeros = (batch: readonly KV[]): KV[] => sorted(batch.filter(([, v]) => v !== 0));

const run = (predicate: fc.IAsyncPropertyWithHooks<never> | fc.IAsyncProperty<never>): Promise<void> => fc.assert(predicate, { numRuns: NUM_RUNS });

describe('properties: windows equal their brute-force twins', { concurrency: true }, () => {
  test('window(w, s) is the union of the batches in the window, in time order', async () => {
    await run(
      fc.asyncProperty(batchesOf(fc.integer({ min: 0, max: 99 })), multiple, multiple, partitions, async (input, w, s, n) => {
        const numBatches = numBatchesFor(input, w);
        const out = await runBatches({ input, numBatches, numPartitions: n }, (st) => st.window(w * B, s * B));
        assert.deepStrictEqual(out, slideEnds(numBatches, s).map((end) => windowBatches(input, end, w).flat()));
      }) as never,
    );
  });

  test('reduceByKeyAndWindow (plain) sums each key over the window', async () => {
    await run(
      fc.asyncProperty(anyValues, multiple, multiple, partitions, async (input, w, s, n) => {
        const numBatches = numBatchesFor(input, w);
        const out = await runBatches({ input, numBatches, numPartitions: n }, (st) => st.reduceByKeyAndWindow((a, b) => a + b, w * B, s * B));
        const expected = slideEnds(numBatches, s).map((end) => pairsOf(sumByKey(windowBatches(input, end, w).flat())));
        assert.deepStrictEqual(out.map((b) => sorted(b)), expected);
      }) as never,
    );
  });

  test('reduceByKeyAndWindow with an inverse function equals the plain form (zeros aside)', async () => {
    await run(
      fc.asyncProperty(anyValues, multiple, multiple, partitions, async (input, w, s, n) => {
        const numBatches = numBatchesFor(input, w);
        const plain = await runBatches({ input, numBatches, numPartitions: n }, (st) => st.reduceByKeyAndWindow((a, b) => a + b, w * B, s * B));
        const inverse = await runBatches({ input, numBatches, numPartitions: n }, (st) =>
          st.reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, w * B, s * B),
        );
        assert.deepStrictEqual(inverse.map(withoutZeros), plain.map(withoutZeros));
      }) as never,
    );
  });

  test('reduceByKeyAndWindow with an inverse and a filter function equals the plain form exactly', async () => {
    await run(
      fc.asyncProperty(positiveValues, multiple, multiple, partitions, async (input, w, s, n) => {
        const numBatches = numBatchesFor(input, w);
        const plain = await runBatches({ input, numBatches, numPartitions: n }, (st) => st.reduceByKeyAndWindow((a, b) => a + b, w * B, s * B, 2));
        const inverse = await runBatches({ input, numBatches, numPartitions: n }, (st) =>
          st.reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, w * B, s * B, 3, (kv) => kv[1] !== 0),
        );
        assert.deepStrictEqual(inverse.map((b) => sorted(b)), plain.map((b) => sorted(b)));
      }) as never,
    );
  });

  test('countByValueAndWindow counts each value in the window', async () => {
    await run(
      fc.asyncProperty(batchesOf(key), multiple, multiple, partitions, async (input, w, s, n) => {
        const numBatches = numBatchesFor(input, w);
        const out = await runBatches({ input, numBatches, numPartitions: n }, (st) => st.countByValueAndWindow(w * B, s * B));
        const expected = slideEnds(numBatches, s).map((end) => pairsOf(sumByKey(windowBatches(input, end, w).flat().map((k): KV => [k, 1]))));
        assert.deepStrictEqual(out.map((b) => sorted(b)), expected);
      }) as never,
    );
  });

  test('groupByKeyAndWindow groups every value of the window', async () => {
    await run(
      fc.asyncProperty(anyValues, multiple, multiple, async (input, w, s) => {
        const numBatches = numBatchesFor(input, w);
        const out = await runBatches({ input, numBatches }, (st) => st.groupByKeyAndWindow(w * B, s * B));
        const expected = slideEnds(numBatches, s).map((end) => {
          const m = new Map<string, number[]>();
          for (const [k, v] of windowBatches(input, end, w).flat()) m.set(k, [...(m.get(k) ?? []), v]);
          return sorted([...m].map(([k, vs]) => [k, sorted(vs)]));
        });
        assert.deepStrictEqual(sorted(out.map((b) => sorted(b.map(([k, vs]) => [k, sorted(vs)])))), sorted(expected));
        assert.equal(out.length, expected.length);
      }) as never,
    );
  });

  test('reduceByWindow and countByWindow equal the brute-force sum and count', async () => {
    await run(
      fc.asyncProperty(batchesOf(fc.integer({ min: -3, max: 5 })), multiple, multiple, async (input, w, s) => {
        const numBatches = numBatchesFor(input, w);
        const plain = await runBatches({ input, numBatches }, (st) => st.reduceByWindow((a, b) => a + b, w * B, s * B));
        const counts = await runBatches({ input, numBatches }, (st) => st.countByWindow(w * B, s * B));
        const windows = slideEnds(numBatches, s).map((end) => windowBatches(input, end, w).flat());
        assert.deepStrictEqual(plain, windows.map((xs) => (xs.length === 0 ? [] : [xs.reduce((a, b) => a + b)])));
        // The incremental count keeps its one key once a window held an element, so later empty windows count 0.
        let seen = false;
        const expectedCounts = windows.map((xs) => {
          seen ||= xs.length > 0;
          return seen ? [xs.length] : [];
        });
        assert.deepStrictEqual(counts, expectedCounts);
      }) as never,
    );
  });
});

describe('properties: per-batch and stateful operations equal their brute-force twins', { concurrency: true }, () => {
  test('reduceByKey per batch equals counting with a Map', async () => {
    await run(
      fc.asyncProperty(anyValues, partitions, partitions, async (input, inParts, outParts) => {
        const out = await runBatches({ input, numPartitions: inParts }, (st) => st.reduceByKey((a, b) => a + b, outParts));
        assert.deepStrictEqual(out.map((b) => sorted(b)), input.map((b) => pairsOf(sumByKey(b))));
      }) as never,
    );
  });

  test('updateStateByKey equals a fold over the batches (removal and initial state included)', async () => {
    // A key's state is the sum of its values; a batch without values for it decrements it, and it
    // is removed when it would drop to 0.
    const update = (values: number[], state: number | undefined): number | undefined => {
      if (values.length > 0) return (state ?? 0) + values.reduce((a, b) => a + b, 0);
      return state! > 1 ? state! - 1 : undefined;
    };
    const initial = fc.uniqueArray(fc.tuple(key, fc.integer({ min: 1, max: 4 })), { selector: ([k]) => k, maxLength: 3 });
    await run(
      fc.asyncProperty(positiveValues, initial, partitions, partitions, async (input, init, inParts, stateParts) => {
        const out = await runBatches({ input, numPartitions: inParts }, (st) =>
          st.updateStateByKey(update, { numPartitions: stateParts, ...(init.length > 0 ? { initialState: init } : {}) }),
        );
        let state = new Map<string, number>(init);
        const expected = input.map((batch) => {
          const values = new Map<string, number[]>();
          for (const [k, v] of batch) values.set(k, [...(values.get(k) ?? []), v]);
          const next = new Map<string, number>();
          for (const k of new Set([...state.keys(), ...values.keys()])) {
            const s = update(values.get(k) ?? [], state.get(k));
            if (s !== undefined) next.set(k, s);
          }
          state = next;
          return pairsOf(state);
        });
        assert.deepStrictEqual(out.map((b) => sorted(b)), expected);
      }) as never,
    );
  });
});
