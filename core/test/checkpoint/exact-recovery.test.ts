/**
 * Recovery with DEFAULT options is exact: a queue stream feeding updateStateByKey, mapWithState with
 * a timeout and an inverse reduceByKeyAndWindow, stopped by a failed batch (the batch stays
 * pending, like a crash in its middle) or gracefully, at moments before and after the first full
 * state (10 s), and restarted with getOrCreate: every output of every batch equals an
 * uninterrupted run, each queue item is taken once, and a graceful stop leaves nothing to re-run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamingContext, StateSpec, ManualClock, type Logger } from '@sluice/core';

const BATCH = 1000;
const BATCHES = 26;

/** Queue item k (batch k + 1 of an uninterrupted run): a few words from a small key space. */
function item(k: number): string[] {
  return Array.from({ length: 1 + (k % 4) }, (_, i) => `w${(k * 7 + i * 3) % 6}`);
}

type Outputs = Map<string, Map<number, string[]>>;

interface Life {
  /** Last batch time this life runs to (it stops after it). */
  until: number;
  /** 'fail': the batch at `until` fails (stays pending); 'graceful': stop({ stopGracefully }) after it; 'hard': stop() after it. */
  end: 'fail' | 'graceful' | 'hard';
  /** Where the restarted clock starts (default: just before the next batch, nothing missed). */
  startAt?: number;
}

function build(ssc: StreamingContext, out: Outputs, failAt: number | undefined): void {
  const record = (name: string) => (lines: string[], time: number): void => {
    if (time === failAt) throw new Error(`batch ${time} fails on purpose`);
    const m = out.get(name) ?? new Map<number, string[]>();
    out.set(name, m.set(time, lines.sort()));
  };
  const queue = Array.from({ length: BATCHES + 5 }, (_, k) => item(k));
  const words = ssc.queueStream(queue).name('words');
  words.foreachRDD(async (rdd, t) => record('batch')(await rdd.collect(), t));
  const pairs = words.map((w) => [w, 1] as [string, number]);
  pairs
    .updateStateByKey<string, number, number>((vs, s) => (s ?? 0) + vs.length)
    .name('totals')
    .foreachRDD(async (rdd, t) => record('totals')((await rdd.collect()).map(String), t));
  pairs
    .mapWithState(StateSpec.function<string, number, number, string>((k, v, state) => {
      if (state.isTimingOut()) return `${k} expired`;
      state.update((state.getOption() ?? 0) + (v ?? 0));
      return `${k}=${state.get()}`;
    }).timeout(3 * BATCH))
    .name('idle-counts')
    .stateSnapshots()
    .foreachRDD(async (rdd, t) => record('mws')((await rdd.collect()).map(String), t));
  pairs
    .reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 4 * BATCH, 2 * BATCH, 2, (kv) => kv[1] !== 0)
    .name('window')
    .foreachRDD(async (rdd, t) => record('window')((await rdd.collect()).map(String), t));
}

/** Runs the lives one after another on one checkpoint directory; resolves with every output and the restore messages. */
async function runLives(lives: Life[]): Promise<{ out: Outputs; messages: string[]; firstTimes: number[]; stateFiles: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-exact-'));
  const out: Outputs = new Map();
  const messages: string[] = [];
  const firstTimes: number[] = [];
  const logger: Logger = { debug() {}, info: (m) => void messages.push(m), warn: (m) => void messages.push(m), error() {} };
  try {
    let from = 0;
    for (const life of lives) {
      const clock = new ManualClock(life.startAt ?? from + BATCH / 2);
      const failAt = life.end === 'fail' ? life.until : undefined;
      const lifeOut: Outputs = new Map();
      const ssc = await StreamingContext.getOrCreate(dir, () => {
        const created = new StreamingContext({ batchInterval: BATCH, clock, logger, maxTaskFailures: 1 });
        build(created, lifeOut, failAt);
        return created;
      });
      await ssc.start();
      const last = failAt === undefined ? life.until : life.until - BATCH;
      for (let t = Math.ceil(clock.now() / BATCH) * BATCH; t <= life.until; t += BATCH) {
        clock.setTime(t);
        if (t === failAt) await assert.rejects(ssc.awaitTermination(), /fails on purpose/);
        else await ssc.jobScheduler!.awaitBatch(t);
      }
      for (let t = from + BATCH; t <= last; t += BATCH) await ssc.jobScheduler!.awaitBatch(t).catch(() => {});
      if (life.end !== 'fail') await ssc.stop({ stopGracefully: life.end === 'graceful' });
      firstTimes.push(Math.min(...(lifeOut.get('batch')?.keys() ?? [Infinity])));
      for (const [name, byTime] of lifeOut) for (const [t, lines] of byTime) out.set(name, (out.get(name) ?? new Map()).set(t, lines));
      from = last;
    }
    return { out, messages, firstTimes, stateFiles: (await readdir(join(dir, 'state'))).sort() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let reference: Outputs | undefined;
async function uninterrupted(): Promise<Outputs> {
  reference ??= (await runLives([{ until: BATCHES * BATCH, end: 'hard' }])).out;
  return reference;
}

async function assertSameAsUninterrupted(out: Outputs): Promise<void> {
  const ref = await uninterrupted();
  for (const [name, byTime] of ref) {
    for (const [t, lines] of byTime) assert.deepEqual(out.get(name)?.get(t), lines, `${name} at ${t} ms`);
  }
  assert.equal(out.get('batch')?.size, BATCHES, 'every batch ran');
}

test('the reference run: each batch takes one queue item, state and windows as computed by hand', async () => {
  const ref = await uninterrupted();
  for (let k = 1; k <= BATCHES; k++) assert.deepEqual(ref.get('batch')!.get(k * BATCH), item(k - 1).sort());
  const totals = new Map<string, number>();
  for (let k = 0; k < BATCHES; k++) for (const w of item(k)) totals.set(w, (totals.get(w) ?? 0) + 1);
  assert.deepEqual(ref.get('totals')!.get(BATCHES * BATCH), [...totals].map(String).sort());
});

test('a batch failing before the first full state (default interval), restart: every output as uninterrupted', async () => {
  const { out, messages } = await runLives([
    { until: 4 * BATCH, end: 'fail' },
    { until: BATCHES * BATCH, end: 'hard' },
  ]);
  await assertSameAsUninterrupted(out);
  assert.ok(messages.some((m) => /Restored after a crash or a hard stop, with 1 batch\(es\) not completed/.test(m) && /re-running 1 unfinished/.test(m)), messages.join('\n'));
});

test('failures before and after full states, and a restart after down time: every output as uninterrupted', async () => {
  const { out } = await runLives([
    { until: 3 * BATCH, end: 'fail' },
    { until: 9 * BATCH, end: 'fail' },
    { until: 13 * BATCH, end: 'hard' },
    // Down while 14 and 15 s passed: those batch times run first, from the next queue items.
    { until: 21 * BATCH, end: 'fail', startAt: 15_500 },
    { until: BATCHES * BATCH, end: 'hard' },
  ]);
  await assertSameAsUninterrupted(out);
});

test('graceful stop then restart, for each stateful operator: nothing runs again, every output as uninterrupted', async () => {
  const { out, messages, firstTimes, stateFiles } = await runLives([
    { until: 7 * BATCH, end: 'graceful' },
    { until: 12 * BATCH, end: 'graceful' },
    { until: BATCHES * BATCH, end: 'graceful' },
  ]);
  // Each log: a full state at 1 s, compacted at 10 and 20 s (new files from 11 and 21 s on). Files
  // older than every one a retained checkpoint names are deleted: the first one is gone.
  for (const op of ['idle-counts', 'totals', 'window']) {
    const files = stateFiles.filter((f) => f.startsWith(`${op}-`));
    assert.ok(!files.includes(`${op}-1000.log`) && files.includes(`${op}-20000-full.log`), `${op}: ${files.join(', ')}`);
    assert.ok(files.length <= 4, `${op}: ${files.join(', ')}`);
  }
  await assertSameAsUninterrupted(out);
  assert.deepEqual(firstTimes, [BATCH, 8 * BATCH, 13 * BATCH], 'each restart starts with a new batch');
  const restores = messages.filter((m) => m.startsWith('Restored'));
  assert.equal(restores.length, 2, messages.join('\n'));
  for (const m of restores) assert.match(m, /after a graceful stop \(nothing was left to process\): state 'totals' as of \d+ ms, 'idle-counts' as of \d+ ms, 'window' as of \d+ ms; nothing to re-run/);
});
