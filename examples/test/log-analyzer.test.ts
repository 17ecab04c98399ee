// The LogAnalyzer pipeline on a manual clock (runBatches), each output checked against a
// brute-force computation over the same input: per-batch counts and join, both windowed counts,
// countByWindow, running totals, top endpoints, and the files saveAsTextFiles writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatches } from '@sluice/core/testing';
import { FakeLogLines, parseAccessLogs, parseFromLogLine, processAccessLogs, type LogAnalyzerStreams } from '@sluice/examples';

const BATCH = 1000;
const WINDOW = 3000;
const SLIDE = 2000;
const input: string[][] = Array.from({ length: 6 }, (_, i) => [...new FakeLogLines(i + 1).take(25), 'garbage line']);
const logs = input.map((b) => b.filter((l) => l !== 'garbage line').map(parseFromLogLine));

async function run<K extends keyof LogAnalyzerStreams>(key: K, outputDir: string): Promise<unknown[][]> {
  return runBatches({ input, batchInterval: BATCH, contextOptions: { printSink: () => {} } }, (lines) =>
    processAccessLogs(parseAccessLogs(lines), { windowDuration: WINDOW, slideDuration: SLIDE, outputDir, write: () => {} })[key] as never,
  );
}

function count<T>(items: readonly T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

const sorted = (rows: unknown[]): string[] => rows.map((r) => JSON.stringify(r)).sort();
const pairs = <K, V>(m: Map<K, V>): string[] => sorted([...m]);
/** Batches 1..6 run at 1000..6000 ms; windows (3 s) slide every 2 s: at 2000, 4000, 6000. */
const windowTimes = [2000, 4000, 6000];
const inWindow = (t: number): number[] => logs.map((_, i) => i).filter((i) => (i + 1) * BATCH > t - WINDOW && (i + 1) * BATCH <= t);

test('per batch: requests per IP, and (requests, bytes) per IP through join', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-la-'));
  try {
    const counts = await run('ipCounts', dir);
    assert.deepEqual(counts.map(sorted), logs.map((b) => pairs(count(b.map((l) => l.ipAddress)))));
    const joined = await run('ipBytesRequestCount', dir);
    const expected = logs.map((b) => {
      const m = new Map<string, [number, number]>();
      for (const l of b) {
        const [n, bytes] = m.get(l.ipAddress) ?? [0, 0];
        m.set(l.ipAddress, [n + 1, bytes + l.contentSize]);
      }
      return pairs(m);
    });
    assert.deepEqual(joined.map(sorted), expected);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('windows: reduceByKeyAndWindow (inverse), countByValueAndWindow, countByWindow', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-la-'));
  try {
    const expected = windowTimes.map((t) => pairs(count(inWindow(t).flatMap((i) => logs[i]!.map((l) => l.ipAddress)))));
    assert.deepEqual((await run('ipCountsWindowed', dir)).map(sorted), expected);
    assert.deepEqual((await run('ipAddressRequestCount', dir)).map(sorted), expected);
    assert.deepEqual(await run('requestCount', dir), windowTimes.map((t) => [inWindow(t).reduce((n, i) => n + logs[i]!.length, 0)]));
    // saveAsTextFiles wrote one directory per window, each complete.
    const saved = (await readdir(dir)).filter((n) => n.startsWith('ipAddressRequestCount-')).sort();
    assert.deepEqual(saved, windowTimes.map((t) => `ipAddressRequestCount-${t}.txt`));
    const files = await readdir(join(dir, saved[2]!));
    assert.ok(files.includes('_SUCCESS'));
    const lines = (await Promise.all(files.filter((f) => f.startsWith('part-')).map((f) => readFile(join(dir, saved[2]!, f), 'utf8')))).join('').trim().split('\n');
    assert.deepEqual(lines.sort(), [...count(inWindow(6000).flatMap((i) => logs[i]!.map((l) => l.ipAddress)))].map(([ip, n]) => `(${ip},${n})`).sort());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('running totals per response code (updateStateByKey) and top endpoints (transform)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-la-'));
  try {
    const totals = await run('responseCodeCounts', dir);
    assert.deepEqual(totals.map(sorted), logs.map((_, k) => pairs(count(logs.slice(0, k + 1).flat().map((l) => l.responseCode)))));
    const response = JSON.parse(await readFile(join(dir, 'response-codes.json'), 'utf8')) as { time: number; totals: Record<string, number> };
    assert.equal(response.time, 6000);
    assert.equal(Object.values(response.totals).reduce((a, b) => a + b, 0), logs.flat().length);
    const top = await run('topEndpoints', dir);
    const expectedTop = logs.map((b) =>
      [...count(b.map((l) => l.endpoint))].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 5),
    );
    assert.deepEqual(top, expectedTop);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
