/**
 * A receiver far faster than a slow pipeline: store() returns false once the receiver's
 * received-but-unprocessed bytes reach receiverBufferBytes, a well-behaved receiver waits on
 * ready(), and what sits in memory stays bounded however long it runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamingContext, Receiver } from '@sluice/core';

const ITEM = 'x'.repeat(1000);
const BOUND = 512 * 1024;

class FastReceiver extends Receiver<string> {
  stored = 0;
  refusals = 0;
  private running = false;
  onStart(): void {
    this.running = true;
    void this.loop();
  }
  private async loop(): Promise<void> {
    while (this.running && !this.isStopped()) {
      this.stored++;
      if (!this.store(ITEM)) {
        this.refusals++;
        await this.ready();
      } else if (this.stored % 100 === 0) {
        await new Promise((r) => setImmediate(r));
      }
    }
  }
  onStop(): void {
    this.running = false;
  }
}

test('a slow output makes store() return false and bounds what is buffered', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bp-'));
  const receiver = new FastReceiver();
  const ssc = new StreamingContext({ batchInterval: 100, blockInterval: 20, receiverBufferBytes: BOUND, checkpointDir: dir });
  let processed = 0;
  let maxInFlight = 0;
  ssc.receiverStream(receiver).foreachRDD(async (rdd) => {
    processed += await rdd.count();
    await new Promise((r) => setTimeout(r, 250)); // a slow sink
  });
  await ssc.start();
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    maxInFlight = Math.max(maxInFlight, receiver.stored - processed);
    await new Promise((r) => setTimeout(r, 10));
  }
  await ssc.stop();
  await rm(dir, { recursive: true, force: true });
  assert.ok(receiver.refusals > 0, 'store() returned false');
  assert.ok(processed > 0, 'batches were processed');
  // Unprocessed records never exceed the bound by more than one block's worth (items are ~2 KB
  // each in the estimate: UTF-16), plus what the running batch holds.
  const perItem = ITEM.length * 2;
  assert.ok(maxInFlight * perItem <= 3 * BOUND, `at most ${maxInFlight} records (${(maxInFlight * perItem) / 1024} KiB) in flight for a ${BOUND / 1024} KiB bound`);
});
