// Back-pressure: a sender far faster than the pipeline is slowed down by TCP, and the receiver's
// memory stays bounded by receiverBufferBytes (plus one socket chunk), whatever the sender's rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamingContext } from '@sluice/core';
import { socketTextStream } from '@sluice/socket';
import { sleep, waitUntil } from '../../../test/conformance/index.js';
import { LineServer } from './peers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

test('a fast sender is paused by TCP; received-but-unprocessed bytes stay bounded', async () => {
  const bufferBytes = 1024 * 1024;
  const server = await LineServer.start();
  const ssc = new StreamingContext({ batchInterval: 100, blockInterval: 20, receiverBufferBytes: bufferBytes, logger: quiet });
  const stream = socketTextStream(ssc, '127.0.0.1', server.port);
  let processedBytes = 0;
  stream.foreachRDD(async (rdd) => {
    const lines = await rdd.collect();
    for (const l of lines) processedBytes += l.length + 1;
    await sleep(300); // the pipeline is slow: 300 ms per 100 ms batch
  });
  const line = Buffer.from(`${'x'.repeat(99)}\n`);
  const burst = Buffer.concat(Array.from({ length: 640 }, () => line)); // 64 KiB
  let written = 0;
  let sending = true;
  let maxOutstanding = 0;
  let maxHeap = 0;
  try {
    await ssc.start();
    await waitUntil(() => server.clients.size === 1, 10_000, 'the receiver to connect');
    const [client] = [...server.clients];
    const heapBefore = process.memoryUsage().heapUsed;
    const sender = (async () => {
      const deadline = Date.now() + 3000;
      while (sending && Date.now() < deadline) {
        written += burst.length;
        if (!client!.write(burst)) {
          // Wait for the socket to drain, but never past the deadline (the pipeline is slow on purpose).
          await new Promise<void>((r) => {
            const t = setTimeout(r, Math.max(0, deadline - Date.now()));
            client!.once('drain', () => {
              clearTimeout(t);
              r();
            });
          });
        }
      }
    })();
    const sampler = setInterval(() => {
      maxOutstanding = Math.max(maxOutstanding, stream.stats.bytesReceived - processedBytes);
      maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed - heapBefore);
    }, 10);
    await sender;
    clearInterval(sampler);
    const rate = written / 3 / 1e6;
    console.log(`sender ${rate.toFixed(2)} MB/s; received ${stream.stats.bytesReceived} B, processed ${processedBytes} B; max outstanding ${maxOutstanding} B; ${stream.stats.pauses} pauses; heap +${(maxHeap / 1e6).toFixed(1)} MB`);
    // Lines are charged 2 bytes per character, so the bound holds about bufferBytes / 2 of wire bytes;
    // allow one 64 KiB chunk per pause and the batch being processed.
    assert.ok(maxOutstanding < 2 * bufferBytes, `outstanding bytes reached ${maxOutstanding}`);
    assert.ok(stream.stats.pauses > 0, 'the socket was paused');
    assert.ok(rate < 20, `the sender was slowed down (${rate.toFixed(1)} MB/s)`);
    assert.ok(maxHeap < 64 * 1024 * 1024, `heap grew by ${(maxHeap / 1e6).toFixed(1)} MB`);
    assert.ok(stream.stats.bytesReceived <= written);
  } finally {
    sending = false;
    await ssc.stop();
    await server.close();
  }
});
