/**
 * Fault-tolerance costs: (1) receiver throughput with the write-ahead log on vs off (a reliable
 * receiver storing 1,000-record batches as fast as the engine accepts them), (2) time from restart
 * to the first new batch with 1M keys of updateStateByKey state.
 * Run: node --import tsx --conditions=sluice-source bench/core/recovery-bench.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
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

async function restartTime(keys: number): Promise<{ restoreMs: number; snapshotMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-restartbench-'));
  const build = (ssc: StreamingContext): void => {
    const queue: number[][] = Array.from({ length: 10 }, (_, b) => Array.from({ length: keys / 10 }, (_, i) => b * (keys / 10) + i));
    (ssc.queueStream(queue).name('ids') as DStream<number>)
      .map((id) => [id, 1] as [number, number])
      .updateStateByKey<number, number, number>((vs, s) => (s ?? 0) + vs.length)
      .name('state')
      .foreachRDD(async (rdd) => void (await rdd.count()));
  };
  const clock1 = new ManualClock(0);
  const ssc1 = await StreamingContext.getOrCreate(dir, () => {
    const ssc = new StreamingContext({ batchInterval: 1000, clock: clock1 });
    build(ssc);
    return ssc;
  });
  await ssc1.start();
  let snapshotMs = 0;
  for (let k = 1; k <= 10; k++) {
    const t0 = performance.now();
    clock1.setTime(k * 1000);
    await ssc1.jobScheduler!.awaitBatch(k * 1000);
    if (k === 10) snapshotMs = performance.now() - t0; // batch 10 writes the 10 s snapshot
  }
  await ssc1.stop();
  const t0 = performance.now();
  const clock2 = new ManualClock(10_500);
  const ssc2 = await StreamingContext.getOrCreate(dir, () => {
    const ssc = new StreamingContext({ batchInterval: 1000, clock: clock2 });
    build(ssc);
    return ssc;
  });
  await ssc2.start();
  clock2.setTime(11_000);
  await ssc2.jobScheduler!.awaitBatch(11_000);
  const restoreMs = performance.now() - t0;
  await ssc2.stop();
  await rm(dir, { recursive: true, force: true });
  return { restoreMs, snapshotMs };
}

const seconds = Number(process.env['BENCH_SECONDS'] ?? 5);
const off = await receiverThroughput(false, seconds);
const on = await receiverThroughput(true, seconds);
console.log(`\nReceiver throughput (storeBatch of 1,000 records, filter + count per 500 ms batch, ${seconds} s each)`);
console.log('| write-ahead log | records/s |\n|---|---:|');
console.log(`| off | ${Math.round(off).toLocaleString('en')} |\n| on | ${Math.round(on).toLocaleString('en')} |`);
console.log(`ratio on/off: ${(on / off).toFixed(2)} (goal >= 0.7)`);
const { restoreMs, snapshotMs } = await restartTime(1_000_000);
console.log(`\nRestart with 1,000,000 keys of state: ${Math.round(restoreMs)} ms from getOrCreate to the first new batch completed (goal < 2000 ms); the batch that wrote the snapshot took ${Math.round(snapshotMs)} ms`);
