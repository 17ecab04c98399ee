/**
 * Write-ahead log throughput: 1 KiB records appended by 1, 16 and 256 concurrent appenders, each
 * awaiting its append before sending the next (as receivers do). Prints appends/s, MB/s of bytes
 * written (frames included), fsyncs per record (group commit at work) and append latency.
 *
 *   node --import tsx --conditions=sluice-source bench/core/wal-bench.ts [--seconds 3] [--dir /path]
 *
 * `--dir` picks the file system to measure (default: the OS temp dir); fsync cost dominates, so
 * numbers from tmpfs or a laptop SSD say little about a production disk.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WriteAheadLog } from '../../core/src/storage/write-ahead-log.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, dir: { type: 'string', default: tmpdir() } } });
const seconds = Number(values.seconds);
const RECORD = Buffer.alloc(1024, 7);

interface Result {
  appenders: number;
  appends: number;
  seconds: number;
  mbPerSec: number;
  fsyncsPerRecord: number;
  p50: number;
  p99: number;
}

async function run(appenders: number): Promise<Result> {
  const dir = await mkdtemp(join(values.dir, 'sluice-wal-bench-'));
  try {
    const { wal } = await WriteAheadLog.open<Buffer>(dir);
    const latencies: number[] = [];
    const start = performance.now();
    const end = start + seconds * 1000;
    let time = 0;
    await Promise.all(
      Array.from({ length: appenders }, async () => {
        while (performance.now() < end) {
          const t0 = performance.now();
          await wal.append({ time: time++, data: RECORD });
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const elapsed = (performance.now() - start) / 1000;
    const { bytesWritten, fsyncs, records } = wal.stats;
    await wal.close();
    latencies.sort((a, b) => a - b);
    const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    return {
      appenders,
      appends: records,
      seconds: elapsed,
      mbPerSec: bytesWritten / elapsed / 1e6,
      fsyncsPerRecord: fsyncs / records,
      p50: pct(0.5),
      p99: pct(0.99),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`\nWrite-ahead log: 1 KiB records, ${seconds} s per case, dir ${values.dir}, node ${process.version}`);
console.log('| appenders | appends/s | MB/s | fsyncs/record | p50 ms | p99 ms |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const appenders of [1, 16, 256]) {
  const r = await run(appenders);
  const perSec = Math.round(r.appends / r.seconds).toLocaleString('en');
  console.log(`| ${r.appenders} | ${perSec} | ${r.mbPerSec.toFixed(1)} | ${r.fsyncsPerRecord.toFixed(4)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`);
}
