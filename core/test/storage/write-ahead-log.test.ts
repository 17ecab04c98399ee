import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WriteAheadLog, type WalRecord } from '../../src/storage/write-ahead-log.js';
import { SluiceError } from '../../src/errors.js';
import { appendInOrder, recordingLogger, records, reopen, segmentFiles, withTempDir } from './helpers.js';

const isCode = (code: string) => (e: unknown) => e instanceof SluiceError && e.code === code;

test('round trip: many records with Map, Set, BigInt, Buffer, Date and typed-array payloads come back in order', async () => {
  await withTempDir(async (dir) => {
    const { wal, recovered } = await WriteAheadLog.open<unknown>(dir, { logger: recordingLogger() });
    assert.deepEqual(recovered, []);
    const written: WalRecord[] = [];
    for (let i = 0; i < 300; i++) {
      const data = {
        i,
        map: new Map<unknown, unknown>([['k', i], [i, new Set([BigInt(i) * 10n ** 20n])]]),
        buf: Buffer.from(`block-${i}`),
        when: new Date(1_700_000_000_000 + i),
        floats: new Float64Array([i, i / 3]),
        nested: { deep: [i, null, undefined, 'x'.repeat(i % 50)] },
      };
      written.push({ time: 1000 + i, data });
    }
    await Promise.all(written.slice(0, 150).map((r) => wal.append(r)));
    await appendInOrder(wal, written.slice(150, 160));
    await Promise.all(written.slice(160).map((r) => wal.append(r)));
    assert.equal(wal.stats.records, 300);
    await wal.close();
    const again = await reopen(dir);
    assert.deepEqual(again.recovered, written);
    assert.ok(Buffer.isBuffer((again.recovered[7]!.data as { buf: Buffer }).buf));
    assert.deepEqual(again.warnings, []);
  });
});

test('reopen after close gives the same records in order, and appends after a reopen follow them', async () => {
  await withTempDir(async (dir) => {
    const first = records(20);
    const second = records(20, 16, 20);
    const a = await WriteAheadLog.open<string>(dir, { logger: recordingLogger() });
    await appendInOrder(a.wal, first);
    await a.wal.close();
    const b = await WriteAheadLog.open<string>(dir, { logger: recordingLogger() });
    assert.deepEqual(b.recovered, first);
    await Promise.all(second.map((r) => b.wal.append(r)));
    await b.wal.close();
    assert.deepEqual((await reopen<string>(dir)).recovered, [...first, ...second]);
  });
});

test('group commit: 1000 concurrent appends all resolve with a handful of fsyncs and are all recovered', async () => {
  await withTempDir(async (dir) => {
    const { wal } = await WriteAheadLog.open<string>(dir, { logger: recordingLogger() });
    const rs = records(1000, 100);
    await Promise.all(rs.map((r) => wal.append(r)));
    const { fsyncs, records: n, bytesWritten } = wal.stats;
    assert.equal(n, 1000);
    // one new segment (header datasync + directory fsync) and one datasync per group
    assert.ok(fsyncs <= 4, `expected at most 4 fsyncs for 1000 concurrent appends, got ${fsyncs}`);
    assert.ok(bytesWritten > 100 * 1000);
    // appends arriving while a write is in flight share the next one
    const late = records(500, 100, 1000);
    const firstWave = Promise.all(late.slice(0, 1).map((r) => wal.append(r)));
    const secondWave = Promise.all(late.slice(1).map((r) => new Promise<void>((res, rej) => setImmediate(() => wal.append(r).then(res, rej)))));
    await Promise.all([firstWave, secondWave]);
    assert.ok(wal.stats.fsyncs - fsyncs <= 3, `expected at most 3 more fsyncs, got ${wal.stats.fsyncs - fsyncs}`);
    await wal.close();
    assert.deepEqual((await reopen<string>(dir)).recovered, [...rs, ...late]);
  });
});

test('rolls to a new segment once the current one reaches segmentBytes; names sort in append order', async () => {
  await withTempDir(async (dir) => {
    const { wal } = await WriteAheadLog.open<string>(dir, { segmentBytes: 1000, logger: recordingLogger() });
    const rs = records(40, 100); // ~130 bytes per frame: 8 frames per segment
    await appendInOrder(wal, rs);
    await wal.close();
    const files = await segmentFiles(dir);
    assert.ok(files.length >= 5, `expected at least 5 segments, got ${files.length}`);
    assert.equal(wal.stats.segments, files.length);
    for (const f of files) {
      assert.match(f.name, /^log-\d{12}-\d{13}$/);
      assert.ok(f.size < 1000 + 130, `${f.name} is ${f.size} bytes`);
    }
    assert.deepEqual((await reopen<string>(dir)).recovered, rs);
  });
});

test('rolls to a new segment once the current one is rollIntervalMs old (injected clock)', async () => {
  await withTempDir(async (dir) => {
    let now = 1_000_000;
    const { wal } = await WriteAheadLog.open<string>(dir, { rollIntervalMs: 60_000, now: () => now, logger: recordingLogger() });
    const rs = records(6);
    await wal.append(rs[0]!);
    now += 59_999;
    await wal.append(rs[1]!);
    assert.equal(wal.stats.segments, 1);
    now += 1;
    await wal.append(rs[2]!);
    await wal.append(rs[3]!);
    assert.equal(wal.stats.segments, 2);
    now += 600_000;
    await Promise.all([wal.append(rs[4]!), wal.append(rs[5]!)]);
    await wal.close();
    const names = (await segmentFiles(dir)).map((f) => f.name);
    assert.deepEqual(names, ['log-000000000000-0000001000000', 'log-000000000001-0000001060000', 'log-000000000002-0000001660000']);
    assert.deepEqual((await reopen<string>(dir)).recovered, rs);
  });
});

test('clean deletes only segments whose every record is older than the threshold, never the active one', async () => {
  await withTempDir(async (dir) => {
    let now = 0;
    const { wal } = await WriteAheadLog.open<string>(dir, { rollIntervalMs: 10, now: () => now, logger: recordingLogger() });
    // segment 0: times 100, 150   segment 1: 300, 120 (unordered)   segment 2 (active): 50
    for (const [t, at] of [[100, 0], [150, 0], [300, 10], [120, 10], [50, 20]] as const) {
      now = at;
      await wal.append({ time: t, data: `t${t}` });
    }
    assert.equal(wal.stats.segments, 3);
    await wal.clean(150); // segment 0 still holds 150
    assert.equal(wal.stats.segments, 3);
    await wal.clean(151);
    assert.equal(wal.stats.segments, 2);
    await wal.clean(1_000_000); // segment 1 goes; the active one stays although its records are old
    assert.equal(wal.stats.segments, 1);
    assert.equal((await segmentFiles(dir)).length, 1);
    await wal.close();
    const { recovered } = await reopen<string>(dir);
    assert.deepEqual(recovered, [{ time: 50, data: 't50' }]);
    // After a reopen no segment is active: everything old may go (and nothing is recreated).
    const b = await WriteAheadLog.open<string>(dir, { logger: recordingLogger() });
    await b.wal.clean(51);
    assert.equal(b.wal.stats.segments, 0);
    await b.wal.close();
    assert.deepEqual(await segmentFiles(dir), []);
  });
});

test('append after close rejects STOPPED; close is idempotent and flushes what was pending', async () => {
  await withTempDir(async (dir) => {
    const { wal } = await WriteAheadLog.open<string>(dir, { logger: recordingLogger() });
    const pending = records(50).map((r) => wal.append(r));
    const c1 = wal.close();
    const c2 = wal.close();
    assert.equal(c1, c2);
    await Promise.all([c1, ...pending]);
    await assert.rejects(wal.append({ time: 1, data: 'late' }), isCode('STOPPED'));
    await assert.rejects(wal.clean(1), isCode('STOPPED'));
    await wal.close();
    assert.deepEqual((await reopen<string>(dir)).recovered, records(50));
  });
});

test('a record that cannot be serialized rejects BAD_RECORD alone; its group still commits', async () => {
  await withTempDir(async (dir) => {
    const { wal } = await WriteAheadLog.open<unknown>(dir, { logger: recordingLogger() });
    const ok1 = wal.append({ time: 1, data: 'a' });
    const bad = wal.append({ time: 2, data: { f: () => 1 } });
    const badTime = wal.append({ time: Number.NaN, data: 'b' });
    const ok2 = wal.append({ time: 3, data: 'c' });
    await assert.rejects(bad, isCode('BAD_RECORD'));
    await assert.rejects(badTime, isCode('BAD_RECORD'));
    await Promise.all([ok1, ok2]);
    await wal.close();
    assert.deepEqual((await reopen(dir)).recovered, [{ time: 1, data: 'a' }, { time: 3, data: 'c' }]);
  });
});

test('rejects bad options with INVALID_OPTION naming the option', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(WriteAheadLog.open(dir, { segmentBytes: 0 }), (e: unknown) => isCode('INVALID_OPTION')(e) && /segmentBytes/.test((e as Error).message));
    await assert.rejects(WriteAheadLog.open(dir, { rollIntervalMs: Number.NaN }), /rollIntervalMs/);
  });
});
