/**
 * Shared helpers of the operator suites: Spark's TestSuiteBase compares each batch's output either
 * in order or as a set (`useSet`); these give the same two comparisons for runBatches results.
 */
import assert from 'node:assert/strict';

/** A canonical string for any test value (undefined kept apart from null), used to sort. */
export function canon(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (v === undefined ? '\u0000undefined' : typeof v === 'bigint' ? `${v}n` : v)) ?? 'undefined';
}

/** A copy of `items` sorted by their canonical form (order within a batch is not defined). */
export function sorted<T>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (canon(a) < canon(b) ? -1 : canon(a) > canon(b) ? 1 : 0));
}

/** Every batch sorted. */
export function sortBatches<T>(batches: readonly (readonly T[])[]): T[][] {
  return batches.map((b) => sorted(b));
}

/** Spark's `useSet = true`: same number of batches, and each batch equal up to order. */
export function assertBatchesUnordered<T>(actual: readonly (readonly T[])[], expected: readonly (readonly T[])[], message?: string): void {
  assert.equal(actual.length, expected.length, `${message ?? 'batches'}: expected ${expected.length} batches, got ${actual.length}: ${canon(actual)}`);
  assert.deepStrictEqual(sortBatches(actual), sortBatches(expected), message);
}

/** `[from, to]` inclusive, like Scala's `from to to`. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Pairs `[x, 1]`, Spark's `map(x => (x, 1))`. */
export function ones<K>(k: K): [K, number] {
  return [k, 1];
}

/** Sorts the value arrays of `[key, values[]]` pairs (groupByKey's value order is not defined). */
export function sortGroups<K, V>(pairs: readonly (readonly [K, readonly V[]])[]): Array<[K, V[]]> {
  return pairs.map(([k, vs]) => [k, sorted(vs)]);
}

/** A logger that keeps what it is told, so expected failures do not clutter the test output. */
export function quietLogger(): { debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void; lines: string[] } {
  const lines: string[] = [];
  const keep = (m: string): void => void lines.push(m);
  return { debug: keep, info: keep, warn: keep, error: keep, lines };
}
