// Windows over a file stream across a restart (Spark's FileInputDStream keeps batchTimeToSelectedFiles
// for the remember duration and re-creates those batches' RDDs from the same files on recovery):
// the first windows after a getOrCreate restart equal the brute-force windows over every file,
// including the files of batches completed before the restart; the checkpoint state keeps the file
// lists of the remember duration only; a remembered file deleted before the restart is reported
// and skipped, and the batch still runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, StreamingContext, type BadRecordInfo, type Logger } from '@sluice/core';
import { textFileStream, type FileInputDStream, type FileStreamCheckpoint } from '@sluice/file';
import { dirs, drop, type Dirs } from './helpers.js';

const BATCH = 1000;
const WINDOW = 3000;

/** The lines of file k (dropped just before batch k): k + 1 lines, so every window has its own size. */
function linesOf(k: number): string[] {
  return Array.from({ length: k + 1 }, (_, i) => `f${k}-${i}`);
}

/** Brute force: the lines of every file whose batch is in the window (t - WINDOW, t]. */
function expectedWindow(t: number, fileOfBatch: Map<number, number>): string[] {
  const out: string[] = [];
  for (const [time, k] of fileOfBatch) if (time > t - WINDOW && time <= t) out.push(...linesOf(k));
  return out.sort();
}

/** Rejects naming `what` when `p` does not settle within `ms` (no test waits unbounded). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface App {
  ssc: StreamingContext;
  clock: ManualClock;
  lines: FileInputDStream<string>;
  /** Lines of each batch, by batch time. */
  batches: Map<number, string[]>;
  /** Sorted lines of each window(3 s, 1 s), by batch time. */
  windows: Map<number, string[]>;
  /** countByWindow(3 s, 1 s) (incremental, with an inverse), by batch time. */
  counts: Map<number, number>;
  warnings: string[];
  badRecords: BadRecordInfo[];
}

/** The application: the same graph every time, built through getOrCreate as a restart does. */
async function app(cpDir: string, d: Dirs, startAt: number): Promise<App> {
  const clock = new ManualClock(startAt);
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error: (m: string) => void warnings.push(m) };
  const batches = new Map<number, string[]>();
  const windows = new Map<number, string[]>();
  const counts = new Map<number, number>();
  let lines: FileInputDStream<string> | undefined;
  const ssc = await StreamingContext.getOrCreate(cpDir, () => {
    const ssc = new StreamingContext({ batchInterval: BATCH, clock, logger });
    lines = textFileStream(ssc, d.dir, { settleMs: 0 });
    lines.foreachRDD(async (rdd, t) => void batches.set(t, await rdd.collect()));
    lines.window(WINDOW, BATCH).foreachRDD(async (rdd, t) => void windows.set(t, (await rdd.collect()).sort()));
    lines.countByWindow(WINDOW, BATCH).foreachRDD(async (rdd, t) => void counts.set(t, (await rdd.collect())[0] ?? 0));
    return ssc;
  });
  const badRecords: BadRecordInfo[] = [];
  ssc.addStreamingListener({ onBadRecord: ({ badRecord }) => void badRecords.push(badRecord) });
  return { ssc, clock, lines: lines!, batches, windows, counts, warnings, badRecords };
}

/** Drops file k, then runs batch k (the batch that takes it). */
async function runBatchWithFile(a: App, d: Dirs, k: number, fileOfBatch: Map<number, number>): Promise<void> {
  await drop(d, `f${k}.log`, linesOf(k).join('\n') + '\n');
  a.clock.setTime(k * BATCH);
  await within(a.ssc.jobScheduler!.awaitBatch(k * BATCH), 15_000, `batch ${k * BATCH}`);
  fileOfBatch.set(k * BATCH, k);
  assert.deepEqual(a.batches.get(k * BATCH), linesOf(k), `batch ${k * BATCH} took f${k}.log`);
}

const batchTimes = (state: unknown): number[] => (state as FileStreamCheckpoint).batches.map(([t]) => t);

/**
 * Runs batches 1-3 with one file each, stops hard (no graceful wait: what a crash leaves behind
 * is the newest checkpoint), drops file 4 while nothing runs, calls `beforeRestart`, then restarts
 * at 4.5 s with getOrCreate: batch 4 was missed and is re-run (it takes file 4); batches 5 and 6
 * run with a file each.
 */
async function crashAndRestart(beforeRestart: (d: Dirs) => Promise<void> = async () => {}): Promise<{ first: App; second: App; fileOfBatch: Map<number, number> }> {
  const d = await dirs();
  const cpDir = await mkdtemp(join(tmpdir(), 'sluice-file-cp-'));
  const fileOfBatch = new Map<number, number>();
  const first = await app(cpDir, d, 0);
  let second: App | undefined;
  try {
    assert.equal(first.ssc.isRecovering, false);
    await first.ssc.start();
    for (let k = 1; k <= 3; k++) await runBatchWithFile(first, d, k, fileOfBatch);
    await within(first.ssc.stop(), 15_000, 'the first context to stop');

    await drop(d, 'f4.log', linesOf(4).join('\n') + '\n');
    await beforeRestart(d);
    second = await app(cpDir, d, 4 * BATCH + BATCH / 2);
    assert.equal(second.ssc.isRecovering, true);
    await second.ssc.start();
    await within(second.ssc.jobScheduler!.awaitBatch(4 * BATCH), 15_000, 'the re-run batch 4000');
    fileOfBatch.set(4 * BATCH, 4);
    assert.deepEqual(second.batches.get(4 * BATCH), linesOf(4), 'the missed batch took the file that arrived while nothing ran');
    for (let k = 5; k <= 6; k++) await runBatchWithFile(second, d, k, fileOfBatch);
    return { first, second, fileOfBatch };
  } finally {
    await first.ssc.stop();
    await second?.ssc.stop();
    await d.cleanup();
    await rm(cpDir, { recursive: true, force: true });
  }
}

test('the first windows after a restart equal brute force over every file, those of batches before the restart included', async () => {
  const { first, second, fileOfBatch } = await crashAndRestart();
  for (const t of [1000, 2000, 3000]) {
    assert.deepEqual(first.windows.get(t), expectedWindow(t, fileOfBatch), `window at ${t} (before the restart)`);
    assert.equal(first.counts.get(t), expectedWindow(t, fileOfBatch).length, `countByWindow at ${t} (before the restart)`);
  }
  assert.deepEqual([...second.windows.keys()].sort((a, b) => a - b), [4000, 5000, 6000]);
  for (const t of [4000, 5000, 6000]) {
    // 4000 reads batches 2000 and 3000 back from their files, 5000 reads 3000 back.
    assert.deepEqual(second.windows.get(t), expectedWindow(t, fileOfBatch), `window at ${t} (after the restart)`);
    // The incremental count restores its state of 3000 and subtracts batches 1000 and 2000, read back.
    assert.equal(second.counts.get(t), expectedWindow(t, fileOfBatch).length, `countByWindow at ${t} (after the restart)`);
  }
  assert.equal(second.lines.stats.filesRead, 3, 'the restarted stream took f4, f5 and f6 (f1-f3 only read back)');
  assert.deepEqual(second.badRecords, []);
  assert.deepEqual(second.warnings.filter((w) => w.includes('.log')), []);
});

test('the checkpoint state keeps the files of the batches within the remember duration and drops older ones', async () => {
  const d = await dirs();
  const cpDir = await mkdtemp(join(tmpdir(), 'sluice-file-cp-'));
  const fileOfBatch = new Map<number, number>();
  const a = await app(cpDir, d, 0);
  let b: App | undefined;
  try {
    await a.ssc.start();
    const remember = a.lines.rememberDuration;
    assert.ok(remember >= WINDOW, `the stream remembers at least the window (${remember} ms)`);
    for (let k = 1; k <= 8; k++) {
      await runBatchWithFile(a, d, k, fileOfBatch);
      const t = k * BATCH;
      const state = a.lines.checkpointState() as FileStreamCheckpoint;
      const want = [...fileOfBatch.keys()].filter((bt) => bt > t - remember).sort((x, y) => x - y);
      assert.deepEqual(batchTimes(state), want, `batches remembered after ${t}`);
      for (const [bt, files] of state.batches) assert.deepEqual(files.map((f) => f[0]), [`f${fileOfBatch.get(bt)}.log`], `the files of batch ${bt}`);
    }
    assert.deepEqual(batchTimes(a.lines.checkpointState()), [5000, 6000, 7000, 8000].filter((bt) => bt > 8000 - remember));
    await within(a.ssc.stop(), 15_000, 'the context to stop');

    // What the checkpoint on disk holds comes back on a restart: the batches of the remember
    // duration (it is written as batch 8000 completes, just before 8000's clean-up, so it may
    // still hold the batch one interval older), none older.
    b = await app(cpDir, d, 8 * BATCH + BATCH / 2);
    await b.ssc.start();
    const restored = batchTimes(b.lines.checkpointState());
    for (let bt = 8000; bt > 8000 - remember; bt -= BATCH) assert.ok(restored.includes(bt), `batch ${bt} restored (${restored})`);
    assert.ok(restored.every((bt) => bt > 8000 - remember - BATCH), `nothing older than the remember duration restored (${restored})`);
    // The next batch forgets what fell out of the remember duration.
    await runBatchWithFile(b, d, 9, fileOfBatch);
    assert.deepEqual(batchTimes(b.lines.checkpointState()), [...fileOfBatch.keys()].filter((bt) => bt > 9000 - remember).sort((x, y) => x - y));
    assert.deepEqual(b.windows.get(9000), expectedWindow(9000, fileOfBatch));
    assert.equal(b.counts.get(9000), expectedWindow(9000, fileOfBatch).length);
  } finally {
    await a.ssc.stop();
    await b?.ssc.stop();
    await d.cleanup();
    await rm(cpDir, { recursive: true, force: true });
  }
});

test('a remembered file deleted before the restart is reported and skipped; the batch still runs', async () => {
  const { second, fileOfBatch } = await crashAndRestart((d) => unlink(join(d.dir, 'f2.log')));
  // Batch 2000 is read back without f2.log by the window at 4000; everything else is intact.
  const without2 = (t: number): string[] => expectedWindow(t, fileOfBatch).filter((l) => !l.startsWith('f2-'));
  assert.deepEqual(second.windows.get(4000), without2(4000));
  assert.deepEqual(second.windows.get(5000), expectedWindow(5000, fileOfBatch));
  assert.deepEqual(second.windows.get(6000), expectedWindow(6000, fileOfBatch));
  // The restored count of 3000 subtracts batch 1000 (still there) at 4000. (From 5000 on it keeps
  // f2's lines: an inverse window subtracts a leaving batch read back, and f2.log is gone; the
  // README says so.)
  assert.equal(second.counts.get(4000), expectedWindow(4000, fileOfBatch).length);
  const reports = second.badRecords.filter((r) => r.source.endsWith('f2.log'));
  assert.equal(reports.length, 1, `one report for f2.log: ${JSON.stringify(second.badRecords)}`);
  assert.equal(reports[0]!.streamId, second.lines.id);
  assert.match(reports[0]!.reason, /2000/);
  assert.equal(second.badRecords.length, 1);
  const warned = second.warnings.filter((w) => w.includes('f2.log'));
  assert.equal(warned.length, 1, `one warning: ${second.warnings.join(' | ')}`);
  assert.match(warned[0]!, /2000/);
  assert.equal(second.lines.stats.badFiles, 1);
});
