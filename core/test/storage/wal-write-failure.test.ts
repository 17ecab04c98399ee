import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { walIo, type SegmentFile } from '../../src/storage/wal-segment.js';
import { WriteAheadLog } from '../../src/storage/write-ahead-log.js';
import { recordingLogger, records, reopen, segmentFiles, withTempDir } from './helpers.js';

type Fault = 'partial-write' | 'datasync';

/**
 * Replaces how segments open files for the duration of `fn`. Faults passed to `arm` make the next
 * data writes (writes past the segment header) fail in turn: 'partial-write' really writes the
 * first half of the bytes before failing, like a disk that filled up mid-write; 'datasync' writes
 * everything and then fails the datasync.
 */
async function withFaultyIo(fn: (arm: (...faults: Fault[]) => void) => Promise<void>): Promise<void> {
  const original = walIo.open;
  const queue: Fault[] = [];
  walIo.open = async (path, flags) => {
    const h = await fsp.open(path, flags);
    let current: Fault | undefined;
    const file: SegmentFile = {
      writev: async (buffers, position = 0) => {
        current = position >= 8 ? queue.shift() : undefined;
        if (current !== 'partial-write') return h.writev(buffers, position);
        const all = Buffer.concat(buffers as Buffer[]);
        await h.write(all, 0, Math.floor(all.length / 2), position);
        throw Object.assign(new Error('ENOSPC: no space left on device (injected)'), { code: 'ENOSPC' });
      },
      datasync: async () => {
        if (current === 'datasync') throw Object.assign(new Error('EIO: i/o error (injected)'), { code: 'EIO' });
        return h.datasync();
      },
      truncate: (len) => h.truncate(len),
      close: () => h.close(),
    };
    return file;
  };
  try {
    await fn((...faults) => queue.push(...faults));
  } finally {
    walIo.open = original;
  }
}

test('a failed write or fsync is retried on the reopened segment; the append resolves and nothing is duplicated', async () => {
  await withTempDir(async (dir) => {
    const logger = recordingLogger();
    const rs = records(12, 200);
    await withFaultyIo(async (arm) => {
      const { wal } = await WriteAheadLog.open<string>(dir, { logger });
      await Promise.all(rs.slice(0, 4).map((r) => wal.append(r)));
      arm('partial-write', 'datasync');
      await Promise.all(rs.slice(4, 8).map((r) => wal.append(r)));
      await Promise.all(rs.slice(8).map((r) => wal.append(r)));
      await wal.close();
    });
    assert.equal(logger.warnings.length, 2);
    assert.match(logger.warnings[0]!, /attempt 1\/3.*ENOSPC/);
    assert.deepEqual(await reopen<string>(dir), { recovered: rs, warnings: [] });
  });
});

test('after 3 failed attempts the appends reject; the log stays usable and holds no trace of them', async () => {
  await withTempDir(async (dir) => {
    const logger = recordingLogger();
    const rs = records(9, 300);
    const { wal } = await WriteAheadLog.open<string>(dir, { logger, segmentBytes: 2000 });
    await withFaultyIo(async (arm) => {
      await Promise.all(rs.slice(0, 3).map((r) => wal.append(r)));
      arm('partial-write', 'partial-write', 'datasync');
      const failed = rs.slice(3, 6).map((r) => wal.append({ ...r, data: r.data.repeat(10) }));
      for (const p of failed) await assert.rejects(p, /EIO/);
      // The failed attempts left more bytes past the durable end than the next (smaller) write
      // covers; that write must cut them off first, or the next open would find garbage.
      await Promise.all(rs.slice(6).map((r) => wal.append(r)));
    });
    await wal.close();
    assert.equal(logger.warnings.length, 3);
    const expected = [...rs.slice(0, 3), ...rs.slice(6)];
    assert.deepEqual(await reopen<string>(dir), { recovered: expected, warnings: [] });
    assert.equal(wal.stats.records, 6);
  });
});

test('a segment left with garbage by a failed write is cut back when the log rolls past it', async () => {
  await withTempDir(async (dir) => {
    const rs = records(6, 400);
    let now = 0;
    const { wal } = await WriteAheadLog.open<string>(dir, { logger: recordingLogger(), rollIntervalMs: 1000, now: () => now });
    await withFaultyIo(async (arm) => {
      await wal.append(rs[0]!);
      await wal.append(rs[1]!);
      arm('partial-write', 'partial-write', 'partial-write');
      await assert.rejects(wal.append(rs[2]!), /ENOSPC/);
      now = 5000; // the next write rolls: closing the first segment must cut the garbage off
      for (const r of rs.slice(3)) await wal.append(r);
    });
    await wal.close();
    assert.equal((await segmentFiles(dir)).length, 2);
    assert.deepEqual(await reopen<string>(dir), { recovered: [rs[0], rs[1], ...rs.slice(3)], warnings: [] });
  });
});
