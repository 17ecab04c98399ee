/**
 * Kill -9 a Sluice app polling a REAL Flume agent's SparkSink between getEventBatch and ack, restart
 * it with getOrCreate (write-ahead log on), and check the output holds every event exactly once:
 * - killed as the batch is on its way to the app, so it is never stored: the sink rolls the transaction
 *   back after its timeout and the events come again (stored once);
 * - killed after storeBatch resolved (durable in the log) but before the ack reached the agent:
 *   the restarted app acks the recovered sequence number before polling, the still-open
 *   transaction commits, and the events are not delivered again.
 * The proxy in between sees every call, so the test kills at those exact points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pullAgentConfig, sendEventsToAvroSource, startFlumeAgent, type FlumeEvent } from '../infra/flume.js';
import { SinkProxy } from './sink-proxy.js';

const app = new URL('./flume-chaos-app.ts', import.meta.url).pathname;
const SINK_TIMEOUT_SEC = 12; // must exceed an app restart (about 2-4 s here, slower under load)
const BATCH = 50;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string, detail = () => ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} ${detail()}`);
    await sleep(25);
  }
}

function startApp(dir: string, out: string, address: string): { child: ChildProcess; exited: Promise<void>; log: string[] } {
  const log: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=sluice-source', app, dir, out, address, String(BATCH)], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, exited, log };
}

/** Every line of every `events-<time>/part-*` file, i.e. the app's output across all its runs. */
async function outputLines(out: string): Promise<string[]> {
  if (!existsSync(out)) return [];
  const lines: string[] = [];
  for (const d of await readdir(out)) {
    if (!/^events-\d+$/.test(d)) continue;
    const files = await readdir(join(out, d)).catch(() => [] as string[]);
    for (const f of files.filter((x) => x.startsWith('part-'))) {
      lines.push(...(await readFile(join(out, d, f), 'utf8').catch(() => '')).split('\n').filter((l) => l.length > 0));
    }
  }
  return lines;
}

/** True once `dir` holds a checkpoint file (`checkpoint-<ms>`). */
function hasCheckpoint(dir: string): () => boolean {
  return () => existsSync(dir) && readdirSync(dir).some((n) => /^checkpoint-\d+$/.test(n));
}

function events(tag: string, n: number): FlumeEvent[] {
  return Array.from({ length: n }, (_, i) => ({ headers: { i: String(i) }, body: Buffer.from(`${tag}-${i}`) }));
}

test('SIGKILL between getEventBatch and ack, restart with getOrCreate and the WAL: every event exactly once', { timeout: 150_000 }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-flume-chaos-'));
  const dir = join(root, 'checkpoint');
  const out = join(root, 'out');
  const sourcePort = await freePort();
  const sinkPort = await freePort();
  const agent = await startFlumeAgent(pullAgentConfig({ avroSourcePort: sourcePort, sparkSinkPort: sinkPort, timeoutSec: SINK_TIMEOUT_SEC, backoffIntervalMs: 50 }), {
    waitPorts: [sourcePort, sinkPort],
  });
  const proxy = new SinkProxy(sinkPort);
  const address = `127.0.0.1:${await proxy.listen()}`;
  const runs: ReturnType<typeof startApp>[] = [];
  try {
    // Run 1: killed as the 3rd batch is on its way to it, so it never stores it. Events are
    // injected only once it has written a checkpoint: a context killed before its first
    // checkpoint does not restore, and then core discards the write-ahead log (a core gap, see
    // connectors/flume/README.md), which is not what this test is about.
    const first = events('first', 1000);
    let batches = 0;
    let unstored = '';
    let run = startApp(dir, out, address);
    runs.push(run);
    proxy.hooks = {
      onBatch: (seq) => {
        if (++batches === 3) {
          unstored = seq;
          run.child.kill('SIGKILL');
        }
      },
    };
    await waitFor(hasCheckpoint(dir), 30_000, 'the first checkpoint of run 1', () => run.log.join(''));
    await sendEventsToAvroSource(sourcePort, first, 500);
    await run.exited;
    assert.ok(unstored, `run 1 got 3 batches; log:\n${run.log.join('')}`);

    // Run 2: killed when it acks its 3rd batch: stored durably, ack swallowed.
    let acks = 0;
    let swallowed = '';
    let killedAt = 0;
    proxy.hooks = {
      holdAck: (seq) => {
        if (++acks !== 3 || swallowed) return false;
        swallowed = seq;
        killedAt = Date.now();
        run.child.kill('SIGKILL');
        return true;
      },
    };
    const callsBefore = proxy.calls.length;
    run = startApp(dir, out, address);
    runs.push(run);
    await run.exited;
    assert.ok(swallowed, `run 2 acked 3 batches; log:\n${run.log.join('')}`);

    // Run 3: runs to the end; inject more while it runs.
    proxy.hooks = {};
    const run3Calls = proxy.calls.length;
    run = startApp(dir, out, address);
    runs.push(run);
    const second = events('second', 500);
    await sendEventsToAvroSource(sourcePort, second, 250);
    const expected = [...first, ...second].map((e) => e.body.toString());
    await waitFor(async () => new Set(await outputLines(out)).size >= expected.length, 60_000, 'every event in the output', () => run.log.join(''));
    // Past the sink's timeout after the last kill: a batch the agent still held would be back by now.
    await sleep(Math.max(0, killedAt + SINK_TIMEOUT_SEC * 1000 + 1500 - Date.now()));
    await sleep(1000);

    const lines = await outputLines(out);
    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
    const missing = expected.filter((e) => !counts.has(e));
    const duplicated = [...counts].filter(([, n]) => n > 1);
    t.diagnostic(`${lines.length} output lines for ${expected.length} events; run 1 killed holding ${unstored}, run 2 killed after storing ${swallowed}`);
    assert.deepEqual(missing, [], 'events lost');
    assert.deepEqual(duplicated, [], 'events duplicated in the output');
    assert.equal(lines.length, expected.length);

    // Run 3 acked the recovered sequence number before its first getEventBatch.
    const run3 = proxy.calls.slice(run3Calls);
    const firstGet = run3.findIndex((c) => c.message === 'getEventBatch');
    const reAck = run3.findIndex((c) => c.message === 'ack' && c.sequenceNumber === swallowed);
    assert.ok(reAck >= 0 && reAck < firstGet, `run 3 re-acked ${swallowed} before polling: ${JSON.stringify(run3.slice(0, 5))}`);
    assert.ok(proxy.calls.slice(callsBefore, run3Calls).every((c) => c.sequenceNumber !== unstored), 'run 2 did not ack the batch run 1 never stored');

    run.child.kill('SIGTERM');
    await Promise.race([run.exited, sleep(15_000)]);
  } finally {
    for (const r of runs) r.child.kill('SIGKILL');
    await proxy.close();
    await agent.stop();
    await rm(root, { recursive: true, force: true });
  }
});
