/**
 * Zero data loss with DEFAULT options, for the inputs that need no external peer: the app
 * (stateful-app.ts: running totals, idle-expiring counts and an inverse window, none with a tuned
 * checkpoint interval) is SIGKILLed 10 times, half of them 1-3 s after a start, and restarted
 * with getOrCreate; then every state and window output must equal brute force over the batches
 * the runs produced (harness/verify.ts), no batch missing, and each input's delivery holds:
 * queueStream and textFileStream exactly once (the queue's batch k is exactly item k - 1), a
 * socket at most once (without the write-ahead log it loses what unfinished batches held).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killRepeatedly } from './harness/chaos-runner.js';
import { readOutputs, verifyStateful, delivery } from './harness/verify.js';
import { checkRun } from './harness/check-run.js';
import { record } from './harness/stateful-graph.js';
import { queueItem } from './harness/queue-items.js';
import { LineServer } from './harness/line-server.js';
import { OutputWatcher, assertReruns } from './harness/output-watcher.js';

const app = new URL('./stateful-app.ts', import.meta.url).pathname;
const KILLS = 10;

async function withRoot(name: string, body: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), `sluice-stateful-${name}-`));
  try {
    await body(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function hasCheckpoint(dir: string): Promise<boolean> {
  return existsSync(dir) && (await readdir(dir)).some((n) => /^checkpoint-\d+$/.test(n));
}

test('queueStream: SIGKILL x10 with default options, every output as uninterrupted, each item exactly once in its batch', { timeout: 300_000 }, async () => {
  await withRoot('queue', async (root) => {
    const items = 150; // 30 s of batches
    const out = join(root, 'out');
    const watcher = new OutputWatcher(out);
    const { early } = await killRepeatedly({
      app,
      args: ['queue', join(root, 'cp'), out, String(items)],
      out,
      kills: KILLS,
      done: async () => (await readOutputs(out, 'batch')).size >= items,
      finishMs: 90_000,
    }).finally(() => watcher.stop());
    await assertReruns('queue', watcher, 'same');
    const all = Array.from({ length: items }, (_, k) => queueItem(k)).flat();
    const batches = await checkRun('queue', out, all, 'exactly-once', `${KILLS} kills (${early} early)`);
    for (const [k, b] of batches.slice(0, items).entries()) assert.deepEqual(b.records, queueItem(k).sort(), `batch ${k + 1} holds queue item ${k}`);
  });
});

test('textFileStream: SIGKILL x10 while files arrive, default options: every output as uninterrupted, each line exactly once', { timeout: 300_000 }, async () => {
  await withRoot('file', async (root) => {
    const watched = join(root, 'in');
    const staging = join(root, 'staging');
    await mkdir(watched, { recursive: true });
    await mkdir(staging, { recursive: true });
    const cp = join(root, 'cp');
    const out = join(root, 'out');
    const files = 120;
    const written: string[] = [];
    let stop = false;
    // Files move in every 100-250 ms once the first run has a checkpoint (files present at a
    // fresh start are old files, as in Spark).
    const feeder = (async () => {
      const deadline = Date.now() + 60_000;
      while (!(await hasCheckpoint(cp)) && Date.now() < deadline && !stop) await new Promise((r) => setTimeout(r, 50));
      for (let f = 0; f < files && !stop; f++) {
        const lines = Array.from({ length: 8 }, (_, i) => record(f * 8 + i));
        await writeFile(join(staging, `f${f}.txt`), lines.join('\n') + '\n');
        await rename(join(staging, `f${f}.txt`), join(watched, `f${f}.txt`));
        written.push(...lines);
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 150));
      }
    })();
    const watcher = new OutputWatcher(out);
    try {
      const { early } = await killRepeatedly({
        app,
        args: ['file', cp, out, watched],
        out,
        kills: KILLS,
        done: async () => written.length === files * 8 && delivery((await verifyStateful(out)).batches, written).lost.length === 0,
        finishMs: 90_000,
      });
      await assertReruns('file', watcher, 'same');
      await checkRun('file', out, written, 'exactly-once', `${KILLS} kills (${early} early)`);
    } finally {
      await watcher.stop();
      stop = true;
      await feeder;
    }
  });
});

for (const kind of ['socket', 'socket-wal'] as const) {
  test(`socketTextStream ${kind === 'socket' ? 'without' : 'with'} the write-ahead log: SIGKILL x10, default options: every output as uninterrupted over what the batches held, no record twice`, { timeout: 300_000 }, async () => {
    await withRoot(kind, async (root) => {
      const total = 6000; // 250 records/s: 24 s
      const server = new LineServer(total);
      const port = await server.listen();
      const out = join(root, 'out');
      const watcher = new OutputWatcher(out);
      const last = record(total - 1);
      try {
        // Done when the last record is in a batch: the graceful stop then has nothing in flight.
        const done = async (): Promise<boolean> => server.sent >= total && [...(await readOutputs(out, 'batch')).values()].some((rs) => rs.includes(last));
        const { early } = await killRepeatedly({ app, args: [kind, join(root, 'cp'), out, String(port)], out, kills: KILLS, done, finishMs: 90_000 });
        // A pending batch re-run without the WAL has lost its blocks; with it, it is re-formed from them.
        await assertReruns(kind, watcher, kind === 'socket' ? 'subset' : 'same');
        // Lost: what was received for batches that had not completed, or not yet stored, at a kill.
        const batches = await checkRun(kind, out, Array.from({ length: total }, (_, i) => record(i)), 'at-most-once', `${KILLS} kills (${early} early)`);
        // But the last run was not killed: it lost nothing of what its connection was sent.
        const from = server.connectionStarts.at(-1)!;
        const { lost } = delivery(batches, Array.from({ length: total - from }, (_, i) => record(from + i)));
        assert.deepEqual(lost.slice(0, 5), [], `${kind}: the last run lost ${lost.length} of the ${total - from} records its connection was sent`);
        console.log(`${kind}: the last run, stopped gracefully, delivered all ${total - from} records its connection was sent`);
      } finally {
        await watcher.stop();
        await server.close();
      }
    });
  });
}

