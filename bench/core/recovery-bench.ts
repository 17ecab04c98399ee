/**
 * Fault-tolerance costs: (1) receiver throughput with the write-ahead log on vs off (a reliable
 * receiver storing 1,000-record batches as fast as the engine accepts them), (2) the cost of logging
 * state with every batch (100k updates per batch over 1M keys of updateStateByKey state), the disk
 * it holds, and the time from restart to the first new batch.
 * Run: node --import tsx --conditions=sluice-source bench/core/recovery-bench.ts
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import diagnostics from 'node:diagnostics_channel';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamingContext, ManualClock, Receiver, type DStream } from '@sluice/core';

class FloodReceiver extends Receiver<string> {
  private running = false;
  constructor(private readonly line: string) {
    super({ name: 'flood' });
  }
  onStart(): void {
    this.running = true;
    void this.loop();
  }
  private async loop(): Promise<void> {
    const batch = Array.from({ length: 1000 }, (_, i) => `${this.line} ${i}`);
    while (this.running && !this.isStopped()) {
      try {
        await this.storeBatch(batch);
      } catch {
        return;
      }
    }
  }
  onStop(): void {
    this.running = false;
  }
}

async function receiverThroughput(wal: boolean, seconds: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-walbench-'));
  const ssc = new StreamingContext({ batchInterval: 500, checkpointDir: dir, writeAheadLog: wal, receiverBufferBytes: 256 * 1024 * 1024 });
  let records = 0;
  let counting = false;
  ssc.receiverStream(new FloodReceiver('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326'))
    .filter((l) => l.includes('GET'))
    .foreachRDD(async (rdd) => {
      const n = await rdd.count();
      if (counting) records += n;
    });
  await ssc.start();
  await new Promise((r) => setTimeout(r, 1500));
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  counting = false;
  const elapsed = (performance.now() - t0) / 1000;
  await ssc.stop();
  await rm(dir, { recursive: true, force: true });
  return records / elapsed;
}

interface StateBenchResult {
  jobMs: number[];
  logMs: number[];
  fullEvery: number;
  restoreMs: number;
  restoreParts: { getOrCreate: number; start: number; firstBatch: number };
  diskBytes: number;
  stateFiles: number;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await dirBytes(p) : (await stat(p)).size;
  }
  return total;
}

/**
 * updateStateByKey over `keys` keys (all in the first batch), then `batches` batches of `updates`
 * updates each (keys spread over the whole state), default checkpoint interval: per batch, the
 * time of its job and the time the state log and the checkpoint took after it; then a restart
 * from a hard stop to the first new batch completed.
 */
async function stateBench(keys: number, updates: number, batches: number): Promise<StateBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-statebench-'));
  const build = (ssc: StreamingContext): void => {
    const queue: number[][] = [Array.from({ length: keys }, (_, i) => i)];
    for (let b = 1; b <= batches + 1; b++) queue.push(Array.from({ length: updates }, (_, i) => (i * 7919 + b * 104_729) % keys));
    (ssc.queueStream(queue).name('ids') as DStream<number>)
      .map((id) => [id, 1] as [number, number])
      .updateStateByKey<number, number, number>((vs, s) => (s ?? 0) + vs.length)
      .name('state')
      .foreachRDD(async (rdd, time) => {
        const t0 = performance.now(); // the manual clock stands still: batch delays are timed here
        await rdd.count();
        jobs.set(time, performance.now() - t0);
      });
  };
  const jobs = new Map<number, number>();
  // State log appends run while the next batch does: their main-thread part (encoding) is timed through the channel.
  const encodeMs = new Map<number, number>();
  const onAppend = (m: unknown): void => {
    const e = m as { time: number; encodeMs: number };
    encodeMs.set(e.time, (encodeMs.get(e.time) ?? 0) + e.encodeMs);
  };
  diagnostics.subscribe('sluice:state-log', onAppend);
  const clock1 = new ManualClock(0);
  const ssc1 = await StreamingContext.getOrCreate(dir, () => {
    const ssc = new StreamingContext({ batchInterval: 1000, clock: clock1 });
    build(ssc);
    return ssc;
  });
  await ssc1.start();
  const jobMs: number[] = [];
  const blockMs: number[] = [];
  for (let k = 1; k <= batches + 1; k++) {
    const t0 = performance.now();
    clock1.setTime(k * 1000);
    await ssc1.jobScheduler!.awaitBatch(k * 1000);
    const wall = performance.now() - t0;
    // Batches 1 s apart in real time too, as a live stream has them: the compaction worker runs beside them.
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - wall)));
    if (k === 1) continue; // the batch that loads every key
    const job = jobs.get(k * 1000)!;
    jobMs.push(job);
    blockMs.push(wall - job);
  }
  await ssc1.stop();
  diagnostics.unsubscribe('sluice:state-log', onAppend);
  const logMs = blockMs.map((b, i) => b + (encodeMs.get((i + 2) * 1000) ?? 0));
  const diskBytes = await dirBytes(dir);
  const stateFiles = (await readdir(join(dir, 'state'))).length;
  const t0 = performance.now();
  const clock2 = new ManualClock((batches + 1) * 1000 + 500);
  const ssc2 = await StreamingContext.getOrCreate(dir, () => {
    const ssc = new StreamingContext({ batchInterval: 1000, clock: clock2 });
    build(ssc);
    return ssc;
  });
  const created = performance.now();
  await ssc2.start();
  const started = performance.now();
  const next = (batches + 2) * 1000;
  clock2.setTime(next);
  await ssc2.jobScheduler!.awaitBatch(next);
  const restoreMs = performance.now() - t0;
  const restoreParts = { getOrCreate: created - t0, start: started - created, firstBatch: performance.now() - started };
  await ssc2.stop();
  await rm(dir, { recursive: true, force: true });
  return { jobMs, logMs, fullEvery: 10, restoreMs, restoreParts, diskBytes, stateFiles };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const pct = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const seconds = Number(process.env['BENCH_SECONDS'] ?? 5);
const off = await receiverThroughput(false, seconds);
const on = await receiverThroughput(true, seconds);
console.log(`\nReceiver throughput (storeBatch of 1,000 records, filter + count per 500 ms batch, ${seconds} s each)`);
console.log('| write-ahead log | records/s |\n|---|---:|');
console.log(`| off | ${Math.round(off).toLocaleString('en')} |\n| on | ${Math.round(on).toLocaleString('en')} |`);
console.log(`ratio on/off: ${(on / off).toFixed(2)} (goal >= 0.7)`);
const KEYS = 1_000_000;
const UPDATES = 100_000;
const BATCHES = Number(process.env['BENCH_STATE_BATCHES'] ?? 30);
const r = await stateBench(KEYS, UPDATES, BATCHES);
const overhead = sum(r.logMs) / sum(r.jobMs);
console.log(`\nState logging: updateStateByKey, ${KEYS.toLocaleString('en')} keys of state, ${UPDATES.toLocaleString('en')} updates per 1 s batch, ${BATCHES} batches, default checkpoint interval (a full state every ${r.fullEvery} batches)`);
console.log('| | job (ms) | main-thread time of the state log and checkpoint (ms) |\n|---|---:|---:|');
console.log(`| mean | ${(sum(r.jobMs) / r.jobMs.length).toFixed(0)} | ${(sum(r.logMs) / r.logMs.length).toFixed(0)} |`);
console.log(`| p50 | ${pct(r.jobMs, 0.5).toFixed(0)} | ${pct(r.logMs, 0.5).toFixed(0)} |`);
console.log(`| max | ${Math.max(...r.jobMs).toFixed(0)} | ${Math.max(...r.logMs).toFixed(0)} |`);
console.log(`checkpointing overhead: ${(overhead * 100).toFixed(1)}% of batch processing time (goal <= 10%): the completion's wait plus encoding the log records; the writes wait on the disk while the next batch runs`);
console.log(`disk after ${BATCHES + 1} batches: ${(r.diskBytes / 1024 / 1024).toFixed(1)} MiB, ${r.stateFiles} state file(s)`);
console.log(`Restart with ${KEYS.toLocaleString('en')} keys of state: ${Math.round(r.restoreMs)} ms from getOrCreate to the first new batch completed (goal < 2000 ms): getOrCreate ${Math.round(r.restoreParts.getOrCreate)} ms, start (state read) ${Math.round(r.restoreParts.start)} ms, first batch ${Math.round(r.restoreParts.firstBatch)} ms`);
