import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, truncate } from 'node:fs/promises';
import fc from 'fast-check';
import { WriteAheadLog, type WalRecord } from '../../src/storage/write-ahead-log.js';
import { recordingLogger, reopen, segmentFiles, withTempDir } from './helpers.js';

const payload = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.integer(),
  fc.bigInt(),
  fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
  fc.array(fc.tuple(fc.string({ maxLength: 5 }), fc.integer())).map((kv) => new Map(kv)),
  fc.tuple(fc.nat(), fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 })).map(([id, tags]) => ({ id, tags })),
);

/** Records appended in waves: each wave concurrently (one or two writes), waves one after another. */
const waves = fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), payload).map(([time, data]): WalRecord => ({ time, data })), { minLength: 1, maxLength: 8 }), {
  minLength: 1,
  maxLength: 8,
});

/**
 * A "crash": the durable state after wave k resolved is the concatenation of the segment files at
 * that moment. Any byte position at or after its end may be where the disk stopped: segments
 * before that position stay whole, the one holding it is cut there, later ones never existed.
 */
test('recovery after a crash at any byte yields a prefix of the appends holding every acknowledged one', async () => {
  await fc.assert(
    fc.asyncProperty(waves, fc.integer({ min: 150, max: 2000 }), fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), async (ws, segmentBytes, k0, frac) => {
      await withTempDir(async (dir) => {
        const { wal } = await WriteAheadLog.open<unknown>(dir, { segmentBytes, logger: recordingLogger() });
        const all: WalRecord[] = [];
        const durableEnd: number[] = [0]; // concatenated length after each wave
        const ackedCount: number[] = [0];
        for (const w of ws) {
          await Promise.all(w.map((r) => wal.append(r)));
          all.push(...w);
          durableEnd.push((await segmentFiles(dir)).reduce((n, f) => n + f.size, 0));
          ackedCount.push(all.length);
        }
        await wal.close();
        const files = await segmentFiles(dir);
        const total = files.reduce((n, f) => n + f.size, 0);
        const k = k0 % durableEnd.length;
        const crashAt = durableEnd[k]! + Math.floor(frac * (total - durableEnd[k]!));
        let start = 0;
        for (const f of files) {
          if (crashAt <= start) await rm(f.path);
          else if (crashAt < start + f.size) await truncate(f.path, crashAt - start);
          start += f.size;
        }
        const { recovered } = await reopen(dir);
        assert.ok(recovered.length >= ackedCount[k]!, `recovered ${recovered.length} < acknowledged ${ackedCount[k]}`);
        assert.deepEqual(recovered, all.slice(0, recovered.length));
        // and the log stays appendable after recovery
        const again = await WriteAheadLog.open<unknown>(dir, { logger: recordingLogger() });
        await again.wal.append({ time: 1, data: 'after' });
        await again.wal.close();
        assert.deepEqual((await reopen(dir)).recovered, [...recovered, { time: 1, data: 'after' }]);
      });
    }),
    { numRuns: 80 },
  );
});
