/**
 * SIGKILL while a state log is being compacted (a worker thread writing the folded state, a large
 * state so it takes a while) and at random moments soon after starts, with DEFAULT options; after
 * each restart with getOrCreate, every batch's checksum of the whole state equals the brute force.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigStateItem, stateChecksumTerm } from './big-state.js';

const app = new URL('./big-state-app.ts', import.meta.url).pathname;
const KEYS = 200_000;
const BATCHES = 70; // queue items; a batch every 500 ms
const BATCH = 500;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function startApp(dir: string, out: string): { child: ChildProcess; exited: Promise<number | null>; log: string[] } {
  const log: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=sluice-source', app, dir, out, String(KEYS), String(BATCHES)], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  return { child, exited: new Promise((r) => child.once('exit', (code) => r(code))), log };
}

async function compacting(dir: string): Promise<boolean> {
  const state = join(dir, 'state');
  return existsSync(state) && (await readdir(state)).some((n) => n.includes('-full.log.tmp-'));
}

async function checks(out: string): Promise<Map<number, number>> {
  const m = new Map<number, number>();
  if (!existsSync(out)) return m;
  for (const d of await readdir(out)) {
    const t = /^check-(\d+)$/.exec(d);
    if (!t) continue;
    const files = await readdir(join(out, d));
    assert.ok(files.includes('_SUCCESS'), `${d} is complete`);
    const lines = (await Promise.all(files.filter((f) => f.startsWith('part-')).map((f) => readFile(join(out, d, f), 'utf8')))).join('').split('\n').filter(Boolean);
    m.set(Number(t[1]), lines.length === 0 ? 0 : Number(lines[0]));
  }
  return m;
}

test('SIGKILL during a state compaction and soon after restarts: every batch holds the exact state', { timeout: 240_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-compaction-kill-'));
  const dir = join(root, 'checkpoint');
  const out = join(root, 'out');
  let killedCompacting = 0;
  try {
    // Kills: during a compaction (the first comes 10 s into the run), 1-3 s after a start, again
    // during a compaction, 1-3 s after a start.
    for (const when of ['compaction', 'early', 'compaction', 'early'] as const) {
      const run = startApp(dir, out);
      if (when === 'early') await sleep(1000 + Math.random() * 2000);
      else {
        const deadline = Date.now() + 60_000;
        while (!(await compacting(dir)) && Date.now() < deadline && run.child.exitCode === null) await sleep(3);
        if (await compacting(dir)) killedCompacting++;
      }
      run.child.kill('SIGKILL');
      await run.exited;
    }
    assert.ok(killedCompacting >= 1, 'killed at least once while a compaction was being written');
    const last = startApp(dir, out);
    const deadline = Date.now() + 90_000;
    while ((await checks(out)).size < BATCHES && Date.now() < deadline) await sleep(200);
    last.child.kill('SIGTERM');
    assert.equal(await last.exited, 0, last.log.join('').slice(-3000));

    const left = (await readdir(join(dir, 'state'))).filter((n) => n.includes('.tmp-'));
    assert.deepEqual(left, [], 'the files of killed compactions are cleaned up at the next start');
    const got = await checks(out);
    const times = [...got.keys()].sort((a, b) => a - b);
    const zero = times[0]! - BATCH;
    assert.deepEqual(times.slice(0, BATCHES).map((t) => (t - zero) / BATCH), Array.from({ length: BATCHES }, (_, i) => i + 1), 'no batch missing');
    const counts = new Map<number, number>();
    let checksum = 0;
    for (let k = 1; k <= BATCHES; k++) {
      for (const id of bigStateItem(k - 1, KEYS)) {
        const before = counts.get(id) ?? 0;
        counts.set(id, before + 1);
        checksum += stateChecksumTerm(id, before + 1) - stateChecksumTerm(id, before);
      }
      assert.equal(got.get(zero + k * BATCH), checksum, `the state after batch ${k}`);
    }
    console.log(`compaction kill: ${BATCHES} batches, ${killedCompacting} kill(s) during a compaction, 2 soon after a start`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
