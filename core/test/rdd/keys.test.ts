/**
 * Keys are grouped by value: primitives as themselves, arrays through one canonical encoding, so
 * `[1, 2]` and `[1, 2]` are one key. Objects (and functions, symbols) are rejected with INVALID_KEY
 * instead of being grouped by identity, whatever the number of partitions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HashPartitioner, KeyMap, SluiceError, hashKey, type RDD } from '@sluice/core';
import { byJson, causeWithCode, par } from './helpers.js';

const isInvalidKey = (e: unknown): boolean => {
  const c = causeWithCode(e, 'INVALID_KEY');
  assert.ok(c, `expected INVALID_KEY in the cause chain of ${String(e)}`);
  assert.match(c.message, /Keys must be primitives/);
  return true;
};

describe('composite keys', () => {
  test('equal arrays are one key in reduceByKey and groupByKey, with 1 or many partitions', async () => {
    const data: Array<[[number, string], number]> = [[[1, 'x'], 1], [[1, 'x'], 2], [[2, 'x'], 3], [[1, 'x'], 4]];
    for (const n of [1, 3]) {
      assert.deepStrictEqual((await par(data, 2).reduceByKey((a, b) => a + b, n).collect()).sort(byJson), [[[1, 'x'], 7], [[2, 'x'], 3]]);
      assert.deepStrictEqual((await par(data, 2).groupByKey(n).collect()).sort(byJson), [[[1, 'x'], [1, 2, 4]], [[2, 'x'], [3]]]);
    }
  });

  test('equal arrays join and cogroup as one key', async () => {
    const a = par<[number[], string]>([[[1, 2], 'l']], 1);
    const b = par<[number[], string]>([[[1, 2], 'r1'], [[1, 2], 'r2'], [[2, 1], 'other']], 2);
    assert.deepStrictEqual((await a.join(b, 2).collect()).sort(byJson), [[[1, 2], ['l', 'r1']], [[1, 2], ['l', 'r2']]]);
    assert.equal((await a.cogroup(b, 3).collect()).length, 2);
  });

  test('nesting and element types are part of the key', async () => {
    const keys: unknown[] = [[1, 2], [1, '2'], [[1], 2], [1, [2]], [[1, 2]], [], [[]], [null], [undefined], [true], [1n]];
    const out = await par(keys.map((k) => [k, 1] as [unknown, number]), 3)
      .reduceByKey((x, y) => x + y, 4)
      .collect();
    assert.equal(out.length, keys.length);
    const twice = await par([...keys, ...keys].map((k) => [k, 1] as [unknown, number]), 3)
      .reduceByKey((x, y) => x + y, 4)
      .values()
      .collect();
    assert.deepStrictEqual(twice, keys.map(() => 2));
  });

  test('primitive keys: -0 and 0 are one key, NaN is one key, 1 and "1" differ', async () => {
    const out = await par<[unknown, number]>([[0, 1], [-0, 1], [NaN, 1], [NaN, 1], [1, 1], ['1', 1], [[0], 1], [[-0], 1]], 2)
      .reduceByKey((a, b) => a + b, 3)
      .collect();
    assert.equal(out.length, 5);
    const counts = new Map(out.map(([k, v]) => [JSON.stringify(k) ?? String(k), v]));
    assert.equal(counts.get('0'), 2);
    assert.equal(counts.get('[0]'), 2);
    assert.equal(counts.get('null'), 2); // NaN
    assert.equal(counts.get('1'), 1);
    assert.equal(counts.get('"1"'), 1);
  });
});

describe('invalid keys', () => {
  const badKeys: Array<[string, unknown]> = [
    ['a plain object', { id: 1 }],
    ['an object inside an array', [1, { id: 1 }]],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a function', () => 1],
    ['a symbol', Symbol('k')],
  ];
  for (const [what, key] of badKeys) {
    for (const n of [1, 3]) {
      test(`${what} as a key is rejected with INVALID_KEY (${n} partition${n > 1 ? 's' : ''})`, async () => {
        const rdd = par<[unknown, number]>([[key, 1], [key, 2]], 2);
        await assert.rejects(rdd.reduceByKey((a, b) => a + b, n).collect(), isInvalidKey);
        await assert.rejects(rdd.groupByKey(n).collect(), isInvalidKey);
        await assert.rejects(rdd.join(par<[unknown, number]>([['x', 1]], 1), n).collect(), isInvalidKey);
      });
    }
  }

  test('distinct and countByValue of objects are rejected too', async () => {
    await assert.rejects(par([{ a: 1 }, { a: 1 }], 1).distinct().collect(), isInvalidKey);
    await assert.rejects(par([{ a: 1 }], 1).countByValue(), isInvalidKey);
  });

  test('the message says what to use instead', () => {
    assert.throws(() => hashKey({ id: 1 }), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_KEY' && /JSON\.stringify/.test(e.message));
    const m = new KeyMap<unknown, number>();
    assert.throws(() => m.set({ id: 1 }, 1), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_KEY');
    assert.throws(() => m.set(() => 0, 1), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_KEY');
  });
});

describe('KeyMap', () => {
  test('groups arrays by value, keeps insertion order and the first key instance', () => {
    const m = new KeyMap<unknown, number>();
    const first = [1, 2];
    m.set('a', 1);
    m.set(first, 2);
    m.set([1, 2], 3);
    m.set(null, 4);
    m.set(undefined, 5);
    assert.equal(m.size, 4);
    assert.equal(m.get([1, 2]), 3);
    assert.equal(m.has([2, 1]), false);
    assert.equal(m.get([2, 1]), undefined);
    assert.equal(m.get(null), 4);
    assert.equal(m.get(undefined), 5);
    const entries = [...m];
    assert.deepStrictEqual(entries, [['a', 1], [[1, 2], 3], [null, 4], [undefined, 5]]);
    assert.equal(entries[1]![0], first);
    assert.equal(m.delete([1, 2]), true);
    assert.equal(m.delete([1, 2]), false);
    assert.equal(m.has([1, 2]), false);
    const out: Array<[unknown, number]> = [];
    m.appendEntriesTo(out);
    assert.deepStrictEqual(out, [['a', 1], [null, 4], [undefined, 5]]);
  });
});

describe('hashKey and HashPartitioner', () => {
  test("strings hash as Java's String.hashCode, integers as themselves", () => {
    assert.equal(hashKey('a'), 97);
    assert.equal(hashKey('hello'), 99162322);
    assert.equal(hashKey('polygenelubricants'), -2147483648);
    assert.equal(hashKey(42), 42);
    assert.equal(hashKey(-7), -7);
    assert.equal(hashKey(true), 1231);
    assert.equal(hashKey(false), 1237);
  });

  test('equal arrays hash equally; the hash is deterministic', () => {
    assert.equal(hashKey([1, 'a', [true]]), hashKey([1, 'a', [true]]));
    assert.notEqual(hashKey([1, 2]), hashKey([2, 1]));
    assert.equal(hashKey(-0), hashKey(0));
  });

  test("getPartition is Spark's nonNegativeMod(hash, n)", () => {
    const p = new HashPartitioner(3);
    assert.equal(p.getPartition('hello'), 99162322 % 3);
    assert.equal(p.getPartition('polygenelubricants'), 1); // -2147483648 mod 3 = -2, + 3
    assert.equal(p.getPartition(-7), 2);
    assert.equal(new HashPartitioner(1).getPartition({} as never), 0);
    assert.ok(p.equals(new HashPartitioner(3)));
    assert.ok(!p.equals(new HashPartitioner(4)));
    assert.ok(!p.equals(undefined));
    assert.throws(() => new HashPartitioner(0), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION');
  });

  test('pair operations place keys where HashPartitioner says', async () => {
    const keys = ['a', 'b', 'hello', 'polygenelubricants', [1, 2]];
    const out: RDD<[unknown, number]> = par(keys.map((k) => [k, 1] as [unknown, number]), 2).reduceByKey((a, b) => a + b, 3);
    const parts = await out.glom().collect();
    const p = new HashPartitioner(3);
    for (const [i, part] of parts.entries()) for (const [k] of part) assert.equal(p.getPartition(k), i, `key ${JSON.stringify(k)}`);
  });
});
