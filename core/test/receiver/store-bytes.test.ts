/**
 * Receiver.storeBytes: records kept as bytes until the batch runs, decoded by the receiver's
 * decodeBytes in order with records stored one by one, counted as records, and recovered from the
 * write-ahead log as bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamingContext, Receiver } from '@sluice/core';
import { ReceivedBlockLog } from '../../src/storage/received-block-log.js';
import { EncodedRecords } from '../../src/receiver/encoded-records.js';

class LinesReceiver extends Receiver<string> {
  onStart(): void {
    this.store('first');
    this.storeBytes(Buffer.from('a\nb\nc\n'), 3);
    this.store('middle');
    this.storeBytes(Buffer.from('d\ne\n'), 2);
  }
  onStop(): void {}
  override decodeBytes(bytes: Uint8Array, emit: (line: string) => void): void {
    for (const line of Buffer.from(bytes).toString('utf8').split('\n')) if (line) emit(line);
  }
}

test('storeBytes records are decoded in order with stored records, and counted as records', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bytes-'));
  const ssc = new StreamingContext({ batchInterval: 100, blockInterval: 20, checkpointDir: dir });
  const seen: string[] = [];
  let counted = 0;
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => void (counted += batchInfo.numRecords) });
  ssc.receiverStream(new LinesReceiver()).map((l) => l.toUpperCase()).foreachRDD(async (rdd) => void seen.push(...(await rdd.collect())));
  await ssc.start();
  const deadline = Date.now() + 5000;
  while (seen.length < 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await ssc.stop();
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(seen, ['FIRST', 'A', 'B', 'C', 'MIDDLE', 'D', 'E']);
  assert.equal(counted, 7);
});

test('encoded records survive the write-ahead log as bytes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bytes-wal-'));
  const warn = (): void => {};
  try {
    const { log } = await ReceivedBlockLog.open(dir, false, { warn });
    await log.persistBlock({
      streamId: 0,
      blockId: 'input-0-100',
      items: ['x', new EncodedRecords(Buffer.from('y\nz\n'), 2)],
      numRecords: 3,
      bytes: 80,
      time: 100,
      reliable: false,
      encoded: true,
    });
    await log.close();
    const { log: again, recovered } = await ReceivedBlockLog.open(dir, true, { warn });
    await again.close();
    assert.equal(recovered.unallocated.length, 1);
    const block = recovered.unallocated[0]!;
    assert.equal(block.encoded, true);
    const items = (await block.read()) as unknown[];
    assert.equal(items[0], 'x');
    assert.ok(items[1] instanceof EncodedRecords);
    assert.equal(Buffer.from((items[1] as EncodedRecords).bytes).toString(), 'y\nz\n');
    assert.equal((items[1] as EncodedRecords).numRecords, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
