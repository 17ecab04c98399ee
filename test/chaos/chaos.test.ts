/**
 * Kill -9 the application at random moments, restart it with getOrCreate each time, and check that
 * every batch's outputs equal those of an uninterrupted run: no batch missing, none partial, every
 * value right (state and windows recomputed from snapshots and the replayable source).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchItems } from './replayable-source.js';
import { AckedProducer } from './acked-producer.js';

const BATCH = 200;
const KILLS = 10;
const app = new URL('./chaos-app.ts', import.meta.url).pathname;

function startApp(dir: string, out: string, port: number): { child: ChildProcess; exited: Promise<number | null>; log: string[] } {
  const log: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=sluice-source', app, dir, out, String(BATCH), String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, log };
}

async function batchDirs(out: string, name: string): Promise<Map<number, string>> {
  const dirs = new Map<number, string>();
  if (!existsSync(out)) return dirs;
  for (const n of await readdir(out)) {
    const m = new RegExp(`^${name}-(\\d+)$`).exec(n);
    if (m) dirs.set(Number(m[1]), join(out, n));
  }
  return dirs;
}

async function readBatch(path: string): Promise<string[]> {
  const files = (await readdir(path)).sort();
  assert.ok(files.includes('_SUCCESS'), `${path} has _SUCCESS`);
  const lines: string[] = [];
  for (const f of files.filter((f) => f.startsWith('part-'))) {
    lines.push(...(await readFile(join(path, f), 'utf8')).split('\n').filter((l) => l.length > 0));
  }
  return lines.sort();
}

function counts(ks: number[]): string[] {
  const m = new Map<string, number>();
  for (const k of ks) for (const x of batchItems(k)) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].filter(([, n]) => n !== 0).map(([x, n]) => `(${x},${n})`).sort();
}

test('SIGKILL at random moments, restart with getOrCreate: every batch equals an uninterrupted run, no acknowledged item lost', { timeout: 180_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-chaos-'));
  const dir = join(root, 'checkpoint');
  const out = join(root, 'out');
  const TOTAL = 4000;
  const producer = new AckedProducer(TOTAL);
  const port = await producer.listen();
  try {
    for (let i = 0; i < KILLS; i++) {
      const run = startApp(dir, out, port);
      // Let it get going (startup takes a while), then kill it at a random moment.
      const deadline = Date.now() + 15_000;
      const before = (await batchDirs(out, 'map')).size;
      while ((await batchDirs(out, 'map')).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, Math.random() * 4 * BATCH));
      run.child.kill('SIGKILL');
      await run.exited;
      assert.ok((await batchDirs(out, 'map')).size > before, `run ${i} made progress; log:\n${run.log.join('')}`);
    }
    const last = startApp(dir, out, port);
    const deadline = Date.now() + 30_000;
    while (producer.acked < TOTAL && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 4 * BATCH));
    last.child.kill('SIGTERM');
    const code = await last.exited;
    assert.equal(code, 0, `graceful stop on SIGTERM; log:\n${last.log.join('')}`);

    const maps = await batchDirs(out, 'map');
    const times = [...maps.keys()].sort((a, b) => a - b);
    const zero = times[0]! - BATCH;
    const lastTime = times[times.length - 1]!;
    const ks = times.map((t) => (t - zero) / BATCH);
    assert.deepEqual(ks, Array.from({ length: ks.length }, (_, i) => i + 1), 'no batch missing');
    assert.ok(ks.length >= 20, `ran ${ks.length} batches`);
    const states = await batchDirs(out, 'state');
    const windows = await batchDirs(out, 'window');
    for (const t of times) {
      const k = (t - zero) / BATCH;
      assert.deepEqual(await readBatch(maps.get(t)!), batchItems(k).map((x) => x.toUpperCase()).sort(), `map batch ${k}`);
      assert.ok(states.has(t), `state batch ${k} exists`);
      assert.deepEqual(await readBatch(states.get(t)!), counts(Array.from({ length: k }, (_, i) => i + 1)), `state batch ${k}`);
      if (k % 2 === 0) {
        assert.ok(windows.has(t), `window batch ${k} exists`);
        assert.deepEqual(await readBatch(windows.get(t)!), counts([k - 3, k - 2, k - 1, k].filter((j) => j >= 1)), `window batch ${k}`);
      }
    }
    assert.ok(lastTime > zero);

    // The reliable receiver with the write-ahead log: every item the producer sent and forgot
    // (acknowledged) is in some batch's output; duplicates are possible (at least once).
    assert.equal(producer.acked, TOTAL, 'the producer got every item acknowledged');
    const seen = new Map<number, number>();
    for (const path of (await batchDirs(out, 'recv')).values()) for (const l of await readBatch(path)) seen.set(Number(l), (seen.get(Number(l)) ?? 0) + 1);
    const missing = Array.from({ length: TOTAL }, (_, i) => i + 1).filter((n) => !seen.has(n));
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} acknowledged items missing from the outputs`);
    const duplicated = [...seen.values()].filter((n) => n > 1).length;
    console.log(`chaos: ${ks.length} batches over ${KILLS} kills; receiver items: ${TOTAL}, duplicated: ${duplicated}`);
  } finally {
    await producer.close();
    await rm(root, { recursive: true, force: true });
  }
});
