/**
 * Windows over a receiver's input: a window reads the blocks of batches that completed long ago, so
 * the context must keep a batch's blocks as long as the input remembers its RDDs (Spark cleans
 * received blocks at time - the longest input remember duration), not drop them when the batch
 * completes. Each window's output must equal the brute-force reduce of its batches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Receiver, StreamingContext, type DStream } from '@sluice/core';
import { manualContext, quietLogger } from '../context/helpers.js';

class HandFedReceiver extends Receiver<string> {
  onStart(): void {}
  onStop(): void {}
}

/** Lines of batch k (1-based): k + 2 lines over keys a..c, so every batch differs. */
const batchLines = (k: number): string[] => Array.from({ length: k + 2 }, (_, i) => `${'abc'[(k + i) % 3]} ${k}`);

async function run<O>(build: (lines: DStream<string>) => DStream<O>, batches: number): Promise<Map<number, O[]>> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-receiver-windows-'));
  const { ssc, runTo } = manualContext({ checkpointDir: dir });
  const receiver = new HandFedReceiver();
  const out = new Map<number, O[]>();
  build(ssc.receiverStream(receiver)).foreachRDD(async (rdd, time) => void out.set(time, await rdd.collect()));
  await ssc.start();
  try {
    for (let k = 1; k <= batches; k++) {
      await receiver.storeBatch(batchLines(k));
      await runTo(k * 1000);
    }
  } finally {
    await ssc.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

/** Batches k with time k*1000 in (t - window, t]. */
const batchesIn = (t: number, windowMs: number): number[] => {
  const ks: number[] = [];
  for (let k = 1; k * 1000 <= t; k++) if (k * 1000 > t - windowMs) ks.push(k);
  return ks;
};

const countsOf = (ks: number[]): Array<[string, number]> => {
  const m = new Map<string, number>();
  for (const k of ks) for (const l of batchLines(k)) m.set(l[0]!, (m.get(l[0]!) ?? 0) + 1);
  return [...m].sort();
};

test('reduceByKeyAndWindow with the inverse function reads batches far behind (4 s window, 2 s slide)', async () => {
  const out = await run((lines) => lines.map((l) => [l[0]!, 1] as [string, number]).reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 4000, 2000), 12);
  assert.deepEqual([...out.keys()], [2000, 4000, 6000, 8000, 10_000, 12_000]);
  for (const [t, got] of out) {
    const want = countsOf(batchesIn(t, 4000));
    assert.deepEqual(got.filter(([, n]) => n !== 0).sort(), want, `window at ${t} ms`);
  }
});

test('window(), countByWindow and reduceByKeyAndWindow without inverse see every batch of the window', async () => {
  const windowed = await run((lines) => lines.window(5000, 1000), 9);
  for (const [t, got] of windowed) assert.deepEqual([...got].sort(), batchesIn(t, 5000).flatMap(batchLines).sort(), `window at ${t} ms`);
  const counts = await run((lines) => lines.countByWindow(3000, 1000), 7);
  for (const [t, got] of counts) assert.deepEqual(got, [batchesIn(t, 3000).reduce((n, k) => n + batchLines(k).length, 0)], `count at ${t} ms`);
  const reduced = await run((lines) => lines.map((l) => [l[0]!, 1] as [string, number]).reduceByKeyAndWindow((a, b) => a + b, 3000, 3000), 9);
  for (const [t, got] of reduced) assert.deepEqual([...got].sort(), countsOf(batchesIn(t, 3000)), `window at ${t} ms`);
});

test('the inverse window reduces each batch once: leaving batches come from the cache, not from the blocks', async () => {
  let mapped = 0;
  const out = await run((lines) => lines.map((l) => (mapped++, [l[0]!, 1] as [string, number])).reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 4000, 2000), 12);
  assert.equal(mapped, Array.from({ length: 12 }, (_, i) => batchLines(i + 1).length).reduce((a, b) => a + b, 0));
  for (const [t, got] of out) assert.deepEqual(got.filter(([, n]) => n !== 0).sort(), countsOf(batchesIn(t, 4000)), `window at ${t} ms`);
});

/**
 * Runs an inverse window over a hand-fed receiver for batches 1..13, stops (not gracefully), then
 * restarts from the checkpoint with getOrCreate and runs 14..20: the windows of both runs.
 */
async function windowsAcrossRestart(writeAheadLog: boolean): Promise<{ first: Map<number, Array<[string, number]>>; second: Map<number, Array<[string, number]>>; recovering: boolean }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-receiver-windows-restart-'));
  const build = (ssc: StreamingContext, receiver: HandFedReceiver, out: Map<number, Array<[string, number]>>): void => {
    ssc
      .receiverStream(receiver)
      .name('lines')
      .map((l) => [l[0]!, 1] as [string, number])
      .reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 4000, 2000)
      .name('window')
      .foreachRDD(async (rdd, time) => void out.set(time, (await rdd.collect()).filter(([, n]) => n !== 0).sort()));
  };
  /** getOrCreate on `dir`, batches `from`..`to` fed and run, then a stop: the windows it output. */
  const runFrom = async (from: number, to: number): Promise<{ out: Map<number, Array<[string, number]>>; recovering: boolean }> => {
    const out = new Map<number, Array<[string, number]>>();
    const clock = new ManualClock((from - 1) * 1000);
    const receiver = new HandFedReceiver();
    const ssc = await StreamingContext.getOrCreate(dir, () => {
      const created = new StreamingContext({ batchInterval: 1000, clock, writeAheadLog, logger: quietLogger() });
      build(created, receiver, out);
      return created;
    });
    await ssc.start();
    for (let k = from; k <= to; k++) {
      await receiver.storeBatch(batchLines(k));
      clock.setTime(k * 1000);
      await ssc.jobScheduler!.awaitBatch(k * 1000);
    }
    await ssc.stop();
    return { out, recovering: ssc.isRecovering };
  };
  try {
    const first = await runFrom(1, 13);
    const second = await runFrom(14, 20);
    return { first: first.out, second: second.out, recovering: second.recovering };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a restarted context with the write-ahead log computes the windows across the restart from the logged blocks', async () => {
  // The windows at 14 s and 16 s read batches completed before the restart, which only the
  // write-ahead log still has.
  const { first, second, recovering } = await windowsAcrossRestart(true);
  for (const [t, got] of first) assert.deepEqual(got, countsOf(batchesIn(t, 4000)), `first run, window at ${t} ms`);
  assert.equal(recovering, true);
  assert.deepEqual([14_000, 16_000, 18_000, 20_000].filter((t) => !second.has(t)), [], 'every window after the restart');
  for (const [t, got] of second) assert.deepEqual(got, countsOf(batchesIn(t, 4000)), `after the restart, window at ${t} ms`);
});

test('without the write-ahead log, the batches completed before a restart still enter and leave the windows after it (logged with the window)', async () => {
  const { second, recovering } = await windowsAcrossRestart(false);
  assert.equal(recovering, true);
  assert.deepEqual([14_000, 16_000, 18_000, 20_000].filter((t) => !second.has(t)), [], 'every window after the restart');
  for (const [t, got] of second) assert.deepEqual(got, countsOf(batchesIn(t, 4000)), `after the restart, window at ${t} ms`);
});
