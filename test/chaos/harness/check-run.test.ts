/**
 * Why: the chaos tests pass only if their checks can fail. Over hand-made output directories
 * (fake-run.ts) this shows checkRun enforces each delivery guarantee and no more, and that
 * verifyStateful names the failure a recovery without durable state gives (state reset at a
 * restart), a missing state output and an incomplete directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRun, type Guarantee } from './check-run.js';
import { verifyStateful } from './verify.js';
import { BATCH_MS, record } from './stateful-graph.js';
import { uninterrupted, writeDir, writeOutputs } from './fake-run.js';

const batches = Array.from({ length: 12 }, (_, i) => (i === 4 ? [] : [record(i * 2), record(i * 2 + 1)]));
const sent = batches.flat();

async function withOut(body: (out: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-check-run-'));
  try {
    await body(join(root, 'out'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Whether checkRun passes a run whose batches hold `held` (consistent state), and its message if not. */
async function check(held: string[][], guarantee: Guarantee): Promise<string> {
  let message = 'passed';
  await withOut(async (out) => {
    await writeOutputs(out, uninterrupted(held));
    await checkRun('unit', out, sent, guarantee, 'no kills').catch((e: Error) => (message = e.message));
  });
  return message;
}

test('checkRun enforces each delivery guarantee, and only that one', async () => {
  const twice = batches.map((b, i) => (i === 7 ? [...b, batches[2]![0]!] : b)); // a batch's record again, 5 batches later
  const lost = batches.map((b, i) => (i === 3 ? b.slice(1) : b));
  assert.equal(await check(batches, 'exactly-once'), 'passed');
  assert.match(await check(twice, 'exactly-once'), /1 records delivered more than once/);
  assert.match(await check(lost, 'exactly-once'), /1 of \d+ records lost/);
  assert.equal(await check(twice, 'at-least-once'), 'passed');
  assert.match(await check(lost, 'at-least-once'), /records lost/);
  assert.equal(await check(lost, 'at-most-once'), 'passed');
  assert.match(await check(twice, 'at-most-once'), /delivered more than once/);
});

test('verifyStateful names the batch where a restart lost the state, a missing state output and an incomplete directory', async () => {
  await withOut(async (out) => {
    // The run restarted before batch 5 without its state: from there every state output starts
    // from nothing (a window slide later, so the window times still line up).
    const restartAt = 4;
    const whole = uninterrupted(batches);
    const fresh = uninterrupted(batches.slice(restartAt));
    const shift = (m: Map<number, string[]>): Map<number, string[]> => new Map([...m].map(([t, v]) => [t + restartAt * BATCH_MS, v]));
    await writeOutputs(out, { batch: whole.batch, totals: new Map([...whole.totals, ...shift(fresh.totals)]), mws: new Map([...whole.mws, ...shift(fresh.mws)]) });
    await writeOutputs(out, { window: new Map([...whole.window, ...shift(fresh.window)]) });
    const first = (await verifyStateful(out)).problems;
    const at = (restartAt + 1) * BATCH_MS;
    assert.match(first[0] ?? '', new RegExp(`^totals at ${at} ms: want`), first.join('\n'));
    assert.ok(first.some((p) => p.startsWith(`idle-counts at ${at} ms`)), first.join('\n'));
    assert.ok(first.some((p) => p.startsWith('window at ')), first.join('\n'));

    await rm(out, { recursive: true });
    const gap = uninterrupted(batches);
    gap.totals.delete(3 * BATCH_MS);
    await writeOutputs(out, gap);
    assert.deepEqual((await verifyStateful(out)).problems, [`totals at ${3 * BATCH_MS} ms: missing`]);

    await writeDir(join(out, `mws-${13 * BATCH_MS}`), [], false);
    await assert.rejects(verifyStateful(out), new RegExp(`mws-${13 * BATCH_MS} has no _SUCCESS`));
  });
});
