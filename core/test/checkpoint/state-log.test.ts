/**
 * The state log: folding a full state and changes equals applying them one by one to a map (a
 * property against that brute-force twin); a crash at any byte of an append leaves the committed
 * prefix readable and is cut off on resume; a corrupt committed byte is an error naming the file;
 * compaction on a worker thread folds the files it is given into one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldStateRecords, type StateChange, type StateRecord } from '../../src/checkpoint/state-changes.js';
import { StateLog, readStateLog } from '../../src/checkpoint/state-log.js';
import { compactInWorker } from '../../src/checkpoint/compaction.js';

type Entry = [string | number[], number];

const key = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 2 }));
const change: fc.Arbitrary<StateChange> = fc.record({ upserts: fc.array(fc.tuple(key, fc.integer()), { maxLength: 5 }), removes: fc.array(key, { maxLength: 3 }) });
const full = fc.array(fc.array(fc.tuple(key, fc.integer()), { maxLength: 6 }), { minLength: 2, maxLength: 2 });
const record: fc.Arbitrary<StateRecord> = fc.oneof(
  { weight: 1, arbitrary: full.map((partitions) => ({ kind: 'full' as const, partitions })) },
  { weight: 4, arbitrary: fc.tuple(change, change).map((partitions) => ({ kind: 'change' as const, partitions })) },
);

/** The brute-force twin: one Map per partition keyed by JSON, changes applied in order (removes, then upserts). */
function bruteForce(records: StateRecord[]): Map<string, number>[] {
  let maps: Map<string, number>[] = [];
  for (const r of records) {
    if (r.kind === 'full') {
      maps = (r.partitions as Entry[][]).map((entries) => new Map(entries.map(([k, v]) => [JSON.stringify(k), v])));
      continue;
    }
    if (r.kind === 'slice') continue;
    r.partitions.forEach((c, p) => {
      for (const k of c.removes) maps[p]!.delete(JSON.stringify(k));
      for (const [k, v] of c.upserts) maps[p]!.set(JSON.stringify(k), v as number);
    });
  }
  return maps;
}

function asMaps(partitions: unknown[]): Map<string, number>[] {
  return (partitions as Entry[][]).map((entries) => {
    const m = new Map<string, number>();
    for (const [k, v] of entries) {
      assert.ok(!m.has(JSON.stringify(k)), `key ${JSON.stringify(k)} once per partition`);
      m.set(JSON.stringify(k), v);
    }
    return m;
  });
}

test('folding a full state and changes equals applying them one by one', () => {
  fc.assert(
    fc.property(full, fc.array(record, { maxLength: 8 }), (first, rest) => {
      const records: StateRecord[] = [{ kind: 'full', partitions: first }, ...rest];
      // Duplicate keys inside one full record are not a state the log ever holds: dedupe first.
      const deduped = records.map((r) => (r.kind === 'full' ? { kind: 'full' as const, partitions: [...bruteForce([r])].map((m) => [...m].map(([k, v]) => [JSON.parse(k), v])) } : r));
      assert.deepEqual(asMaps(foldStateRecords(deduped)), bruteForce(deduped));
    }),
  );
});

test('a change before any full state is an error', () => {
  assert.throws(() => foldStateRecords([{ kind: 'change', partitions: [{ upserts: [], removes: [] }] }]), /before any full state/);
});

test('a crash at any byte of an append: the committed prefix reads back, resume cuts the torn tail off', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-statelog-'));
  try {
    const log = StateLog.empty(dir, 'op/1');
    await log.append(1000, { kind: 'full', partitions: [[['a', 1]], [['b', 2]]] });
    await log.append(2000, { kind: 'change', partitions: [{ upserts: [['a', 3]], removes: [] }, { upserts: [], removes: ['b'] }] });
    const committed = log.ref!;
    await log.append(3000, { kind: 'change', partitions: [{ upserts: [['z', 9]], removes: [] }, { upserts: [['y', 8]], removes: [] }] });
    await log.close();
    const path = join(dir, committed.files[0]!.file);
    const whole = await readFile(path);
    for (let cut = committed.files[0]!.bytes; cut <= whole.length; cut += 7) {
      await writeFile(path, whole.subarray(0, cut));
      assert.deepEqual((await readStateLog(dir, committed)).state, [[['a', 3]], []], `cut at ${cut}`);
      const resumed = await StateLog.resume(dir, 'op/1', committed);
      assert.equal((await stat(path)).size, committed.files[0]!.bytes, 'resume cut the tail off');
      await resumed.append(3000, { kind: 'change', partitions: [{ upserts: [], removes: ['a'] }, { upserts: [['c', 4]], removes: [] }] });
      const ref = resumed.ref!;
      await resumed.close();
      assert.deepEqual((await readStateLog(dir, ref)).state, [[], [['c', 4]]]);
    }
    const bad = Buffer.from(whole.subarray(0, committed.files[0]!.bytes));
    bad[30] = bad[30]! ^ 0xff;
    await writeFile(path, bad);
    await assert.rejects(readStateLog(dir, committed), (e: Error) => e.message.includes(path) && /checksum/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('compaction on a worker thread folds the files it is given; the log adopts it and goes on', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-statelog-'));
  try {
    const log = StateLog.empty(dir, 'counts');
    await log.append(500, { kind: 'slice', partitions: [[['old', 1]]] });
    await log.append(1000, { kind: 'full', partitions: [[['a', 1], [[1, 2], 5]]] });
    await log.append(1000, { kind: 'slice', partitions: [[['s', 1]]] });
    await log.append(2000, { kind: 'change', partitions: [{ upserts: [[[1, 2], 6]], removes: ['a'] }] });
    const input = log.rotate()!;
    await log.append(3000, { kind: 'change', partitions: [{ upserts: [['b', 7]], removes: [] }] });
    // Slices older than 2000 - 1500 are no longer read back: the compacted file keeps the one of 1000.
    const compacted = await compactInWorker(dir, 'counts', input, 500);
    assert.equal(compacted.file, 'state/counts-2000-full.log');
    assert.ok(log.adopt(input, compacted));
    const ref = log.ref!;
    assert.deepEqual(ref.files.map((f) => f.file), ['state/counts-2000-full.log', 'state/counts-3000.log']);
    await log.append(4000, { kind: 'change', partitions: [{ upserts: [['c', 1]], removes: [] }] });
    await log.close();
    const read = await readStateLog(dir, log.ref!);
    assert.deepEqual(read.state, [[[[1, 2], 6], ['b', 7], ['c', 1]]]);
    assert.deepEqual(read.slices, [{ time: 1000, partitions: [[['s', 1]]] }]);
    assert.equal(log.ref!.slicesUpTo, 1000);
    assert.equal(log.adopt(input, compacted), false, 'a second adopt of the same input changes nothing');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
