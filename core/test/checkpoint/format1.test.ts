/**
 * Checkpoints of the previous format (1: periodic state snapshots, no state logs) are still
 * restored; a checkpoint of a newer format is refused with CHECKPOINT_FORMAT, never skipped for an
 * older one (that would go back in time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamingContext, ManualClock, SluiceError, HashPartitioner } from '@sluice/core';
import { serialize } from 'node:v8';
import { mkdir } from 'node:fs/promises';
import { crc32 } from '../../src/storage/crc32.js';
import { quietLogger } from '../dstream/helpers.js';

/** A state snapshot as format 1 wrote it (`state/<operator>-<ms>.snap`); resolves with its name. */
async function writeSnapshot(dir: string, operatorId: string, time: number, partitions: unknown[]): Promise<string> {
  const body = serialize(partitions);
  const header = Buffer.from(`SLUICE-STATE 1 ${crc32(body).toString(16).padStart(8, '0')} ${body.length}\n`);
  await mkdir(join(dir, 'state'), { recursive: true });
  await writeFile(join(dir, 'state', `${operatorId}-${time}.snap`), Buffer.concat([header, body]));
  return `state/${operatorId}-${time}.snap`;
}

/** A checkpoint file as the given format wrote it. */
async function writeCheckpointFile(dir: string, format: number, body: object): Promise<void> {
  const data = Buffer.from(JSON.stringify(body));
  const header = `SLUICE-CHECKPOINT ${format} ${crc32(data).toString(16).padStart(8, '0')} ${data.length}\n`;
  await writeFile(join(dir, `checkpoint-${(body as { checkpointTime: number }).checkpointTime}`), Buffer.concat([Buffer.from(header), data]));
}

function app(dir: string, clock: ManualClock, out: Map<number, string[]>): Promise<StreamingContext> {
  return StreamingContext.getOrCreate(dir, () => {
    const ssc = new StreamingContext({ batchInterval: 1000, clock, logger: quietLogger(), parallelism: 2 });
    ssc
      .queueStream([['a', 'b'], ['a']])
      .name('words')
      .map((w) => [w, 1] as [string, number])
      .updateStateByKey<string, number, number>((vs, s) => (s ?? 0) + vs.length)
      .name('counts')
      .foreachRDD(async (rdd, t) => void out.set(t, (await rdd.collect()).map(String).sort()));
    return ssc;
  });
}

const operators = [
  { id: 'words', kind: 'queueStream', stateful: false, input: true },
  { id: '#1', kind: 'map', stateful: false, input: false },
  { id: 'counts', kind: 'updateStateByKey', stateful: true, input: false },
];

test('a format-1 checkpoint with a state snapshot restores the state', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-format1-'));
  try {
    // The snapshot places keys as the state's partitioner does (2 partitions here).
    const partitions: Array<Array<[string, number]>> = [[], []];
    const hash = new HashPartitioner(2);
    for (const entry of [['a', 5], ['b', 2]] as Array<[string, number]>) partitions[hash.getPartition(entry[0])]!.push(entry);
    const file = await writeSnapshot(dir, 'counts', 3000, partitions);
    await writeCheckpointFile(dir, 1, {
      format: 1, appName: 'sluice', batchInterval: 1000, zeroTime: 0, checkpointTime: 3000, pendingTimes: [], lastCompletedTime: 3000,
      operators, inputs: { words: { taken: 0, batches: [] } }, snapshots: { counts: { time: 3000, file } }, writtenAt: 0,
    });
    const out = new Map<number, string[]>();
    const clock = new ManualClock(3500);
    const ssc = await app(dir, clock, out);
    assert.equal(ssc.isRecovering, true);
    await ssc.start();
    clock.setTime(4000);
    await ssc.jobScheduler!.awaitBatch(4000);
    await ssc.stop();
    assert.deepEqual(out.get(4000), ['a,6', 'b,3']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a checkpoint of a newer format is refused, naming the file and what to do', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-format1-'));
  try {
    await writeCheckpointFile(dir, 1, { format: 1, appName: 'sluice', batchInterval: 1000, zeroTime: 0, checkpointTime: 2000, pendingTimes: [], lastCompletedTime: 2000, operators, inputs: {}, snapshots: {}, writtenAt: 0 });
    await writeCheckpointFile(dir, 99, { checkpointTime: 3000 });
    await assert.rejects(
      app(dir, new ManualClock(3500), new Map()),
      (e: unknown) => e instanceof SluiceError && e.code === 'CHECKPOINT_FORMAT' && /checkpoint-3000/.test(e.message) && /newer Sluice/.test(e.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
