import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { WriteAheadLog } from '../../src/storage/write-ahead-log.js';
import { scanSegment, type Frame } from '../../src/storage/wal-format.js';
import { SluiceError } from '../../src/errors.js';
import { appendInOrder, recordingLogger, records, reopen, segmentFiles, withTempDir } from './helpers.js';

/** A log of `n` records written one append (one write) each, closed; returns its last segment. */
async function logOf(dir: string, n: number, opts: { segmentBytes?: number } = {}) {
  const rs = records(n, 40);
  const { wal } = await WriteAheadLog.open<string>(dir, { logger: recordingLogger(), ...opts });
  await appendInOrder(wal, rs);
  await wal.close();
  const files = await segmentFiles(dir);
  return { rs, files, last: files.at(-1)! };
}

async function framesOf(path: string): Promise<Frame[]> {
  return scanSegment(await readFile(path)).frames;
}

async function flipByte(path: string, offset: number): Promise<void> {
  const buf = await readFile(path);
  buf[offset]! ^= 0x5a;
  await writeFile(path, buf);
}

function walCorrupt(file: string, offset: number) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof SluiceError, String(e));
    assert.equal(e.code, 'WAL_CORRUPT');
    assert.ok(e.message.includes(file), e.message);
    assert.ok(e.message.includes(`offset ${offset}`), e.message);
    return true;
  };
}

test('torn tail: cut anywhere inside the last record, open keeps every earlier record, truncates, and later appends read back', async () => {
  await withTempDir(async (dir) => {
    const { rs, last } = await logOf(dir, 10);
    const lastFrame = (await framesOf(last.path)).at(-1)!;
    const cuts = new Set([lastFrame.offset + 1, lastFrame.offset + 25, lastFrame.offset + 26, lastFrame.end - 1]);
    for (let i = 0; i < 6; i++) cuts.add(lastFrame.offset + 1 + Math.floor(Math.random() * (lastFrame.end - lastFrame.offset - 1)));
    const original = await readFile(last.path);
    for (const cut of cuts) {
      await writeFile(last.path, original.subarray(0, cut));
      const logger = recordingLogger();
      const { wal, recovered } = await WriteAheadLog.open<string>(dir, { logger });
      assert.deepEqual(recovered, rs.slice(0, 9), `cut at ${cut}`);
      assert.equal(logger.warnings.length, 1);
      assert.match(logger.warnings[0]!, new RegExp(`torn tail in .*${last.name} at offset ${lastFrame.offset}`));
      assert.equal((await segmentFiles(dir)).find((f) => f.name === last.name)!.size, lastFrame.offset);
      const more = records(3, 40, 100);
      await Promise.all(more.map((r) => wal.append(r)));
      await wal.close();
      const again = await reopen<string>(dir);
      assert.deepEqual(again.recovered, [...rs.slice(0, 9), ...more]);
      assert.deepEqual(again.warnings, []);
      // back to the original single segment for the next cut
      for (const f of await segmentFiles(dir)) if (f.name !== last.name) await rm(f.path);
    }
  });
});

test('garbage after the last record is detected, logged and truncated', async () => {
  await withTempDir(async (dir) => {
    const { rs, last } = await logOf(dir, 5);
    await appendFile(last.path, Buffer.from('\x00\x01\x02 definitely not a frame, just noise \xff\xfe'.repeat(20), 'latin1'));
    const { recovered, warnings } = await reopen<string>(dir);
    assert.deepEqual(recovered, rs);
    assert.match(warnings.join('\n'), new RegExp(`torn tail in .*${last.name} at offset ${last.size}`));
    assert.equal((await segmentFiles(dir))[0]!.size, last.size);
    assert.deepEqual(await reopen<string>(dir), { recovered: rs, warnings: [] });
  });
});

test('a corrupt LAST record is a torn tail; the records before it survive', async () => {
  await withTempDir(async (dir) => {
    const { rs, last } = await logOf(dir, 5);
    const lastFrame = (await framesOf(last.path)).at(-1)!;
    await flipByte(last.path, lastFrame.end - 3);
    const { recovered, warnings } = await reopen<string>(dir);
    assert.deepEqual(recovered, rs.slice(0, 4));
    assert.match(warnings[0]!, /payload checksum mismatch/);
  });
});

for (const [what, at] of [
  ['payload', (f: Frame) => f.end - 5],
  ['length field', (f: Frame) => f.offset + 20],
  ['header checksum', (f: Frame) => f.offset],
] as const) {
  test(`a flipped byte (${what}) in a middle record of the last segment, valid records after it: WAL_CORRUPT naming file and offset`, async () => {
    await withTempDir(async (dir) => {
      const { last } = await logOf(dir, 8);
      const frame = (await framesOf(last.path))[3]!;
      await flipByte(last.path, at(frame));
      await assert.rejects(WriteAheadLog.open(dir, { logger: recordingLogger() }), walCorrupt(last.name, frame.offset));
      // Nothing was truncated: the operator can still inspect or repair the file.
      assert.equal((await segmentFiles(dir)).at(-1)!.size, last.size);
    });
  });
}

test('one valid record after a bad one (from a later write) is still corruption, not a torn tail', async () => {
  await withTempDir(async (dir) => {
    const { last } = await logOf(dir, 4);
    const frame = (await framesOf(last.path))[2]!;
    await flipByte(last.path, frame.offset + 30);
    await assert.rejects(WriteAheadLog.open(dir, { logger: recordingLogger() }), walCorrupt(last.name, frame.offset));
  });
});

test('corruption in a segment that is not the last, even in its last record: WAL_CORRUPT naming that file', async () => {
  await withTempDir(async (dir) => {
    const { files } = await logOf(dir, 30, { segmentBytes: 500 });
    assert.ok(files.length >= 3);
    const victim = files[1]!;
    const frame = (await framesOf(victim.path)).at(-1)!;
    await flipByte(victim.path, frame.end - 1);
    await assert.rejects(WriteAheadLog.open(dir, { logger: recordingLogger() }), walCorrupt(victim.name, frame.offset));
    await flipByte(victim.path, frame.end - 1);
    await truncate(victim.path, victim.size - 1); // a torn tail in the middle of the log is corruption too
    await assert.rejects(WriteAheadLog.open(dir, { logger: recordingLogger() }), walCorrupt(victim.name, frame.offset));
  });
});

test('a hole inside the final write (its pages reached the disk out of order) is a torn tail: that write is dropped', async () => {
  await withTempDir(async (dir) => {
    const before = records(3, 40);
    const group = records(10, 40, 3);
    const { wal } = await WriteAheadLog.open<string>(dir, { logger: recordingLogger() });
    await appendInOrder(wal, before);
    await Promise.all(group.map((r) => wal.append(r))); // one write
    await wal.close();
    const [seg] = await segmentFiles(dir);
    const frames = await framesOf(seg!.path);
    const buf = await readFile(seg!.path);
    buf.fill(0, frames[7]!.offset, frames[9]!.end); // records 4..6 of the group never made it
    await writeFile(seg!.path, buf);
    const { recovered, warnings } = await reopen<string>(dir);
    assert.deepEqual(recovered, [...before, ...group.slice(0, 4)]);
    assert.match(warnings[0]!, /dropping 3 record\(s\) of the unfinished write/);
    // The same hole where the first frames of the group are gone too
    const { recovered: r2 } = await (async () => {
      const b = await readFile(seg!.path);
      b.fill(0, frames[3]!.offset, frames[4]!.end);
      await writeFile(seg!.path, b);
      return reopen<string>(dir);
    })();
    assert.deepEqual(r2, before);
  });
});

test('a torn record whose payload embeds bytes of another log is still a torn tail', async () => {
  await withTempDir(async (dir) => {
    const { rs } = await logOf(dir, 2);
    const [seg] = await segmentFiles(dir);
    const copy = await readFile(seg!.path); // a user payload that happens to be a WAL segment
    const { wal } = await WriteAheadLog.open<unknown>(dir, { logger: recordingLogger() });
    await wal.append({ time: 9, data: Buffer.concat([copy, copy]) });
    await wal.close();
    const s2 = (await segmentFiles(dir)).at(-1)!;
    await truncate(s2.path, s2.size - 10);
    const { recovered, warnings } = await reopen<unknown>(dir);
    assert.deepEqual(recovered, rs);
    assert.match(warnings[0]!, /torn tail/);
  });
});

test('a last segment whose header was never written is removed; a bad header elsewhere is WAL_CORRUPT', async () => {
  await withTempDir(async (dir) => {
    const { rs, last } = await logOf(dir, 3);
    const torn = last.path.replace(/log-(\d+)-/, (_, seq: string) => `log-${String(Number(seq) + 1).padStart(12, '0')}-`);
    await writeFile(torn, Buffer.from('SLW'));
    const { recovered, warnings } = await reopen<string>(dir);
    assert.deepEqual(recovered, rs);
    assert.match(warnings[0]!, /header was never completely written/);
    assert.equal((await segmentFiles(dir)).length, 1);
    await writeFile(torn, Buffer.alloc(8)); // zeros: also a segment that was being created
    assert.deepEqual((await reopen<string>(dir)).recovered, rs);
    await writeFile(last.path, Buffer.concat([Buffer.from('NOTAWAL!'), (await readFile(last.path)).subarray(8)]));
    await assert.rejects(WriteAheadLog.open(dir, { logger: recordingLogger() }), walCorrupt(last.name, 0));
  });
});
