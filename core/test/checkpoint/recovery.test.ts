import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readdir, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamingContext, InputDStream, ManualClock, SluiceError, type RDD, type DStream } from '@sluice/core';

/** A replayable input: batch k holds words derived from k only, like a log read by offset. */
class ReplayableInput extends InputDStream<string> {
  override get kind(): string {
    return 'replayable';
  }
  override compute(time: number): RDD<string> {
    const k = (time - this.ssc.graph.zeroTime!) / this.slideDuration;
    return this.ssc.parallelize(batchWords(k), 2);
  }
}

function batchWords(k: number): string[] {
  return Array.from({ length: 1 + (k % 4) }, (_, i) => `w${(k * 7 + i) % 5}`);
}

/** Running counts after batch k, by brute force. */
function expectedState(k: number): Array<[string, number]> {
  const m = new Map<string, number>();
  for (let j = 1; j <= k; j++) for (const w of batchWords(j)) m.set(w, (m.get(w) ?? 0) + 1);
  return [...m].sort();
}

function build(ssc: StreamingContext, out: Map<number, Array<[string, number]>>, extraStateless = false): void {
  let words: DStream<string> = new ReplayableInput(ssc).name('words');
  if (extraStateless) words = words.map((w) => w).filter(() => true);
  words
    .map((w) => [w, 1] as [string, number])
    .updateStateByKey<string, number, number>((vs, s) => (s ?? 0) + vs.length)
    .name('counts')
    .foreachRDD(async (rdd, time) => {
      out.set(time, (await rdd.collect()).sort());
    });
}

async function runTo(ssc: StreamingContext, clock: ManualClock, until: number): Promise<void> {
  for (let t = Math.ceil((clock.now() + 1) / 1000) * 1000; t <= until; t += 1000) {
    clock.setTime(t);
    await ssc.jobScheduler!.awaitBatch(t);
  }
}

test('getOrCreate restores state from the snapshot, re-runs missed batches, and matches an uninterrupted run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-cp-'));
  try {
    const out1 = new Map<number, Array<[string, number]>>();
    const clock1 = new ManualClock(0);
    const ssc1 = await StreamingContext.getOrCreate(dir, () => {
      const ssc = new StreamingContext({ batchInterval: 1000, clock: clock1 });
      build(ssc, out1);
      return ssc;
    });
    assert.equal(ssc1.isRecovering, false);
    await ssc1.start();
    await runTo(ssc1, clock1, 13_000);
    await ssc1.stop();
    for (let k = 1; k <= 13; k++) assert.deepEqual(out1.get(k * 1000), expectedState(k), `batch ${k}`);
    assert.ok((await readdir(join(dir, 'state'))).some((f) => f.endsWith('-10000-full.log')), 'the state compacted at 10 s');

    // Restart 3 batches later: 14, 15, 16 s were missed and must be re-run before new batches.
    const out2 = new Map<number, Array<[string, number]>>();
    const clock2 = new ManualClock(16_500);
    const ssc2 = await StreamingContext.getOrCreate(dir, () => {
      const ssc = new StreamingContext({ batchInterval: 1000, clock: clock2 });
      build(ssc, out2, true); // stateless operators added: named ones still match
      return ssc;
    });
    assert.equal(ssc2.isRecovering, true);
    await ssc2.start();
    for (const t of [14_000, 15_000, 16_000]) await ssc2.jobScheduler!.awaitBatch(t);
    await runTo(ssc2, clock2, 18_000);
    await ssc2.stop();
    assert.deepEqual([...out2.keys()].sort((a, b) => a - b), [14_000, 15_000, 16_000, 17_000, 18_000]);
    for (let k = 14; k <= 18; k++) assert.deepEqual(out2.get(k * 1000), expectedState(k), `batch ${k}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a graph that does not match the checkpoint fails naming the operator', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-cp-'));
  try {
    const clock = new ManualClock(0);
    const ssc1 = new StreamingContext({ batchInterval: 1000, clock, checkpointDir: dir });
    build(ssc1, new Map());
    await ssc1.start();
    await runTo(ssc1, clock, 2000);
    await ssc1.stop();
    await assert.rejects(
      StreamingContext.getOrCreate(dir, () => {
        const ssc = new StreamingContext({ batchInterval: 1000, clock: new ManualClock(3000) });
        new ReplayableInput(ssc).name('words').map((w) => [w, 1] as [string, number])
          .updateStateByKey<string, number, number>((vs, s) => (s ?? 0) + vs.length)
          .name('renamed')
          .print();
        return ssc;
      }),
      (e: unknown) => e instanceof SluiceError && e.code === 'CHECKPOINT_MISMATCH' && /'counts'/.test(e.message) && /\.name\(/.test(e.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a corrupt newest checkpoint is skipped for the one before it, with a warning naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-cp-'));
  try {
    const clock = new ManualClock(0);
    const ssc1 = new StreamingContext({ batchInterval: 1000, clock, checkpointDir: dir });
    build(ssc1, new Map());
    await ssc1.start();
    await runTo(ssc1, clock, 3000);
    await ssc1.stop();
    const newest = join(dir, 'checkpoint-3000');
    const buf = await readFile(newest);
    await writeFile(newest, buf.subarray(0, buf.length - 7));
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const out = new Map<number, Array<[string, number]>>();
    const clock2 = new ManualClock(3500);
    const ssc2 = await StreamingContext.getOrCreate(dir, () => {
      const ssc = new StreamingContext({ batchInterval: 1000, clock: clock2, logger });
      build(ssc, out);
      return ssc;
    });
    assert.ok(warnings.some((w) => w.includes('checkpoint-3000')), warnings.join('\n'));
    await ssc2.start();
    await ssc2.jobScheduler!.awaitBatch(3000); // the older checkpoint (2000) makes 3000 a missed batch
    await runTo(ssc2, clock2, 4000);
    await ssc2.stop();
    assert.deepEqual(out.get(4000), expectedState(4));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
