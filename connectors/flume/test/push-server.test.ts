// createFlumeStream's Avro RPC server without a Flume agent: an avsc client (what Flume's avro sink
// is, protocol-wise), the size caps, FAILED answers, and a fuzz of 10,000 malformed frames and
// handshakes. The real agent's sink is in push-stream.test.ts.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { SluiceError } from '@sluice/core';
import { bodyToString, createFlumeStream, encodeNettyPack, type FlumeEvent } from '@sluice/flume';
import { KnownClientProtocols } from '../src/avro-source-responder.js';
import { servePushConnection, type PushConnectionHost } from '../src/push-connection.js';
import { emptyPushStats } from '../src/stats.js';
import { AvroSourceClient, collectEvents, listenForReports, makeEvents, newContext, plain, waitUntil } from './helpers.js';
import { GOOD_HANDSHAKE, MALFORMED_KINDS, malformedInput, sendRaw } from './malformed-inputs.js';

async function startServer(opts: Parameters<typeof createFlumeStream>[3] = {}) {
  const ssc = newContext();
  const stream = createFlumeStream(ssc, '127.0.0.1', 0, opts);
  const out = collectEvents(stream);
  const reports = listenForReports(ssc);
  await ssc.start();
  const { port } = await stream.listening();
  return { ssc, stream, out, reports, port };
}

describe('createFlumeStream server (avsc client)', { timeout: 60_000 }, () => {
  it('answers OK only after storing, and delivers exactly what was sent, in order', async () => {
    const { ssc, stream, out, port } = await startServer();
    const client = await AvroSourceClient.connect(port);
    try {
      const events = makeEvents('avsc', 300);
      assert.equal(await client.appendBatch(events.slice(0, 299)), 'OK');
      assert.equal(await client.append(events[299]!), 'OK');
      assert.equal(await client.appendBatch([]), 'OK');
      await waitUntil(() => out.length >= 300, 10_000, '300 events');
      assert.deepEqual(plain(out), plain(events));
      assert.equal(stream.stats.events, 300);
      assert.equal(stream.stats.okAnswers, 3);
      assert.equal(bodyToString(out[0]!), 'avsc-event-0');
    } finally {
      client.close();
      await ssc.stop();
    }
  });

  it('refuses a batch over maxBatchSize from its count and a request over maxRequestBytes from its length', async () => {
    const { ssc, stream, out, reports, port } = await startServer({ maxBatchSize: 10, maxRequestBytes: 4096 });
    const client = await AvroSourceClient.connect(port);
    try {
      await assert.rejects(client.appendBatch(makeEvents('big', 11)), /FLUME_BATCH_TOO_LARGE/);
      const huge: FlumeEvent = { headers: {}, body: Buffer.alloc(5000, 1) };
      const answer = await sendRaw(port, encodeNettyPack(1, [GOOD_HANDSHAKE, Buffer.from([0, 12]), Buffer.from('append'), huge.body]));
      assert.equal(answer.length, 0, 'no answer to a request over the cap: the connection is closed');
      await waitUntil(() => stream.stats.badInputs === 2, 5_000, 'two bad inputs');
      await waitUntil(() => reports.badRecords.length === 2, 5_000, 'two bad-record reports');
      assert.ok(reports.badRecords.some((m) => /exceeds maxBatchSize 10/.test(m)), JSON.stringify(reports.badRecords));
      assert.ok(reports.badRecords.some((m) => /more than 4096 bytes \(maxRequestBytes\)/.test(m)));
      const ok = await AvroSourceClient.connect(port);
      assert.equal(await ok.appendBatch(makeEvents('small', 10)), 'OK');
      ok.close();
      await waitUntil(() => out.length === 10, 5_000, 'the good batch');
    } finally {
      client.close();
      await ssc.stop();
    }
  });

  it('answers FAILED when storing rejects, and OK again once it works', async () => {
    let fail = true;
    const stored: FlumeEvent[] = [];
    const failures: string[] = [];
    const host: PushConnectionHost = {
      maxRequestBytes: 1 << 20,
      maxBatchSize: 100,
      enableDecompression: false,
      known: new KnownClientProtocols(),
      stats: emptyPushStats(),
      store: async (events) => {
        if (fail) throw new SluiceError('WAL_CORRUPT', 'disk on fire');
        stored.push(...events);
      },
      bad: (_s, e) => assert.fail(`unexpected bad input: ${e.message}`),
      storeFailed: (_s, n, e) => void failures.push(`${n}: ${(e as Error).message}`),
    };
    const server = net.createServer((s) => void servePushConnection(s, 'test', host));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = await AvroSourceClient.connect((server.address() as net.AddressInfo).port);
    try {
      const events = makeEvents('fail', 5);
      assert.equal(await client.appendBatch(events), 'FAILED');
      assert.deepEqual(failures, ['5: disk on fire']);
      fail = false;
      assert.equal(await client.appendBatch(events), 'OK');
      assert.deepEqual(plain(stored), plain(events));
      assert.equal(host.stats.failedAnswers, 1);
      assert.equal(host.stats.okAnswers, 1);
    } finally {
      client.close();
      server.close();
    }
  });

  it('a connection that sends garbage is closed and reported; another connection is unaffected', async () => {
    const { ssc, stream, out, reports, port } = await startServer();
    const good = await AvroSourceClient.connect(port);
    try {
      assert.equal(await good.appendBatch(makeEvents('before', 3)), 'OK');
      await sendRaw(port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      assert.equal(await good.appendBatch(makeEvents('after', 3)), 'OK');
      await waitUntil(() => out.length === 6, 5_000, 'both good batches');
      assert.equal(stream.stats.badInputs, 1);
      await waitUntil(() => reports.badReports === 1, 5_000, 'one bad-record report');
    } finally {
      good.close();
      await ssc.stop();
    }
  });
});

describe('createFlumeStream server fuzz', { timeout: 120_000 }, () => {
  it('10,000 malformed frames and handshakes: no crash, bounded memory, each rejected and reported, a good client still served', async (t) => {
    const { ssc, stream, out, reports, port } = await startServer();
    const total = 10_000;
    const heapBefore = process.memoryUsage().heapUsed;
    let maxHeap = heapBefore;
    const t0 = Date.now();
    try {
      let next = 0;
      const worker = async () => {
        while (next < total) {
          const i = next++;
          await sendRaw(port, malformedInput(i));
          if (i % 500 === 0) maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      await waitUntil(() => stream.stats.badInputs === total, 10_000, `${total} bad inputs`, () => JSON.stringify(stream.stats));
      t.diagnostic(`${total} malformed inputs (${MALFORMED_KINDS} kinds) in ${Date.now() - t0} ms; heap ${(heapBefore / 2 ** 20).toFixed(0)} -> max ${(maxHeap / 2 ** 20).toFixed(0)} MiB`);
      assert.equal(stream.stats.badInputs, total);
      assert.equal(stream.stats.events, 0);
      assert.ok(maxHeap - heapBefore < 128 * 2 ** 20, `heap grew by ${((maxHeap - heapBefore) / 2 ** 20).toFixed(0)} MiB`);
      await waitUntil(() => reports.badRecords.length === total, 10_000, 'a bad-record report for every bad input', () => `${reports.badRecords.length} reports`);
      assert.equal(reports.receiverErrors.length, 0, 'bad input is not a receiver error');
      const client = await AvroSourceClient.connect(port);
      assert.equal(await client.appendBatch(makeEvents('survivor', 50)), 'OK');
      client.close();
      await waitUntil(() => out.length === 50, 5_000, 'the good client');
      assert.equal(ssc.state, 'active');
    } finally {
      await ssc.stop();
    }
  });
});
