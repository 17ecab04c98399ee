/**
 * A state log that cannot be written stops the context with an error naming it, and no checkpoint
 * after that claims a batch whose state is not logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '@sluice/core';
import { manualContext } from '../context/helpers.js';
import { readLatestCheckpoint } from '../../src/checkpoint/checkpoint-file.js';

test('a state log append that fails stops the context; the last checkpoint keeps the batch pending', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-statelog-fail-'));
  try {
    const { ssc, clock } = manualContext({ checkpointDir: dir });
    ssc
      .queueStream([['a'], ['b']])
      .map((w) => [w, 1] as [string, number])
      .updateStateByKey<string, number, number>((vs, s) => (s ?? 0) + vs.length)
      .name('counts')
      .foreachRDD(() => {});
    await writeFile(join(dir, 'state'), 'not a directory'); // the log cannot create its file
    await ssc.start();
    clock.setTime(1000);
    await assert.rejects(ssc.awaitTermination(), (e: unknown) => e instanceof SluiceError && e.code === 'JOB_FAILED' && /state log/.test(e.message));
    const latest = await readLatestCheckpoint(dir, { debug() {}, info() {}, warn() {}, error() {} });
    assert.deepEqual(latest?.data.pendingTimes, [1000], 'the newest checkpoint still has the batch pending');
    assert.equal(latest?.data.lastCompletedTime, null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
