/**
 * Drives a pipeline batch by batch on a ManualClock as fast as it can process, and reports the
 * wall-clock cost per batch (what the batch interval must at least be) and records/s.
 */
import { StreamingContext, ManualClock, type DStream } from '@sluice/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchResult {
  name: string;
  batches: number;
  recordsPerBatch: number;
  msPerBatch: number;
  recordsPerSecond: number;
}

export async function benchPipeline<T>(
  name: string,
  batchData: () => T[],
  build: (input: DStream<T>, ssc: StreamingContext) => void,
  opts: { batches: number; warmup: number; batchInterval?: number; contextOptions?: Record<string, unknown> },
): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  const clock = new ManualClock(0);
  const interval = opts.batchInterval ?? 1000;
  const ssc = new StreamingContext({ batchInterval: interval, clock, checkpointDir: dir, ...opts.contextOptions });
  const total = opts.batches + opts.warmup;
  const queue: T[][] = [];
  const sample = batchData();
  for (let i = 0; i < total; i++) queue.push(i === 0 ? sample : batchData());
  const input = ssc.queueStream(queue);
  build(input, ssc);
  await ssc.start();
  let measured = 0;
  for (let k = 1; k <= total; k++) {
    const t0 = performance.now();
    clock.setTime(k * interval);
    await ssc.jobScheduler!.awaitBatch(k * interval);
    if (k > opts.warmup) measured += performance.now() - t0;
  }
  await ssc.stop();
  await rm(dir, { recursive: true, force: true });
  const msPerBatch = measured / opts.batches;
  return { name, batches: opts.batches, recordsPerBatch: sample.length, msPerBatch, recordsPerSecond: (sample.length / msPerBatch) * 1000 };
}

export function printResults(title: string, results: BenchResult[]): void {
  console.log(`\n${title}`);
  console.log('| job | records/batch | ms/batch | records/s |');
  console.log('|---|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.name} | ${r.recordsPerBatch.toLocaleString('en')} | ${r.msPerBatch.toFixed(1)} | ${Math.round(r.recordsPerSecond).toLocaleString('en')} |`);
  }
}
