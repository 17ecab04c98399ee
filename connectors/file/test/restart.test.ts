// Exactly once across restarts through the checkpoint hooks: a new context whose stream restores
// the old stream's checkpointState() does not re-read processed files (nor files skipped at the
// first start), does read files that arrived while it was down, and re-forms a pending batch from
// the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceError } from '@sluice/core';
import { textFileStream, type FileStreamCheckpoint } from '@sluice/file';
import { collect, sleep, waitUntil } from '../../../test/conformance/index.js';
import { context, dirs, drop } from './helpers.js';

const roundTrip = (s: unknown): unknown => JSON.parse(JSON.stringify(s));

test('a restarted stream skips processed files and reads the ones that arrived meanwhile', async () => {
  const d = await dirs();
  await drop(d, 'old.log', 'old\n'); // present at the first start: skipped (newFilesOnly)
  const ssc1 = context();
  const s1 = textFileStream(ssc1, d.dir, { settleMs: 0 });
  const out1 = collect(s1);
  let state: unknown;
  try {
    await ssc1.start();
    await drop(d, 'a.log', 'a\n');
    await drop(d, 'b.log', 'b\n');
    await waitUntil(() => out1.length >= 2, 10_000, 'a and b');
    state = roundTrip(s1.checkpointState());
  } finally {
    await ssc1.stop();
  }
  assert.deepEqual(out1.sort(), ['a', 'b']);
  await drop(d, 'c.log', 'c\n'); // arrives while no context runs

  const ssc2 = context();
  const s2 = textFileStream(ssc2, d.dir, { settleMs: 0 });
  s2.restoreCheckpointState(state);
  const out2 = collect(s2);
  try {
    await ssc2.start();
    await drop(d, 'd.log', 'd\n');
    await waitUntil(() => out2.length >= 2, 10_000, 'c and d');
    await sleep(300);
    assert.deepEqual(out2.sort(), ['c', 'd']);
  } finally {
    await ssc2.stop();
    await d.cleanup();
  }
});

test('a pending batch is re-formed from the same files after recovery', async () => {
  const d = await dirs();
  const ssc1 = context();
  const s1 = textFileStream(ssc1, d.dir, { settleMs: 0 });
  let pending: { time: number; state: unknown } | undefined;
  s1.foreachRDD(async (rdd, time) => {
    const rows = await rdd.collect();
    // Taken while the batch is generated but not completed, as a checkpoint would be.
    if (rows.includes('p1') && pending === undefined) pending = { time, state: roundTrip(s1.checkpointState()) };
  });
  try {
    await ssc1.start();
    await drop(d, 'p.log', 'p1\np2\n');
    await waitUntil(() => pending !== undefined, 10_000, 'the batch holding p.log');
  } finally {
    await ssc1.stop();
  }
  const { time, state } = pending!;
  assert.deepEqual((state as FileStreamCheckpoint).batches.map(([t, files]) => [t, files.map((f) => f[0])]), [[time, ['p.log']]]);

  // What recovery does: rebuild the graph, restore, then regenerate the pending batch at `time`.
  const ssc2 = context();
  const s2 = textFileStream(ssc2, d.dir, { settleMs: 0 });
  s2.restoreCheckpointState(state);
  await s2.prepareBatch(time);
  assert.deepEqual(await s2.compute(time)!.collect(), ['p1', 'p2']);
  assert.deepEqual(s2.inputInfo(time)?.metadata?.['files'], ['p.log']);
  // ...and a later batch does not take p.log again.
  await s2.prepareBatch(time + 100);
  assert.deepEqual(await s2.compute(time + 100)!.collect(), []);
  await ssc2.stop();
  await d.cleanup();
});

test('restoreCheckpointState rejects foreign state and calls after start', async () => {
  const d = await dirs();
  const ssc = context();
  const s = textFileStream(ssc, d.dir);
  s.print();
  assert.throws(() => s.restoreCheckpointState({ version: 2 }), (e: unknown) => e instanceof SluiceError && e.code === 'FILE_CHECKPOINT_INVALID');
  assert.throws(() => s.restoreCheckpointState({ version: 1, seen: [['x', 'big', 1]], batches: [] }), (e: unknown) => e instanceof SluiceError && e.code === 'FILE_CHECKPOINT_INVALID');
  s.restoreCheckpointState(undefined); // nothing to restore
  await ssc.start();
  try {
    assert.throws(() => s.restoreCheckpointState({ version: 1, seen: [], batches: [] }), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_STATE');
  } finally {
    await ssc.stop();
    await d.cleanup();
  }
});
