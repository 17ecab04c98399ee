// createFlumeStream against a REAL Flume agent: its avro sink pushes the injected events to our
// server, over plain TCP and over TLS + deflate (Flume's `ssl` and `compression-type`), and keeps
// delivering across an agent restart (durable file channel: nothing lost).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFlumeStream, type FlumeStreamOptions } from '@sluice/flume';
import { freePort, pushAgentConfig, sendEventsToAvroSource, startFlumeAgent } from '../../../test/infra/flume.js';
import { avroSinkLines, injectWithRetry, startFileChannelAgent } from './agent-helpers.js';
import { bodies, collectEvents, compareBodies, makeEvents, newContext, plain, sleep, waitUntil } from './helpers.js';

/** A self-signed certificate for 127.0.0.1 (openssl), as node:tls server options. */
async function selfSignedTls(): Promise<{ key: Buffer; cert: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-flume-tls-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore', timeout: 30_000 });
    return { key: await readFile(key), cert: await readFile(cert) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Our server first, then an agent whose avro sink (with `sinkExtra` lines) pushes to it; inject; wait for all. */
async function pushThroughAgent(n: number, opts: FlumeStreamOptions, sinkExtra: string[] = []) {
  const ssc = newContext();
  const stream = createFlumeStream(ssc, '127.0.0.1', 0, opts);
  const out = collectEvents(stream);
  await ssc.start();
  const { port } = await stream.listening();
  const sourcePort = await freePort();
  const conf = pushAgentConfig({ avroSourcePort: sourcePort, sinkHost: '127.0.0.1', sinkPort: port, batchSize: 100, channelCapacity: 50_000 });
  const agent = await startFlumeAgent(conf + sinkExtra.map((l) => `a1.sinks.out.${l}\n`).join(''), { waitPorts: [sourcePort] });
  try {
    const events = makeEvents('push', n);
    const t0 = Date.now();
    await sendEventsToAvroSource(sourcePort, events, 1000);
    await waitUntil(() => out.length >= n, 30_000, `${n} pushed events`, () => `${out.length}; ${JSON.stringify(stream.stats)}; agent log:\n${agent.logTail(20)}`);
    const ms = Date.now() - t0;
    await sleep(500); // nothing more may trickle in
    return { events, out, stats: stream.stats, ms };
  } finally {
    await agent.stop();
    await ssc.stop();
  }
}

describe('createFlumeStream with a real Flume avro sink', { timeout: 120_000 }, () => {
  it('delivers exactly the injected events, in order', async (t) => {
    const { events, out, stats, ms } = await pushThroughAgent(5000, {});
    t.diagnostic(`5000 events through the agent in ${ms} ms: ${JSON.stringify(stats)}`);
    assert.deepEqual(plain(out), plain(events));
    assert.equal(stats.failedAnswers, 0);
    assert.equal(stats.badInputs, 0);
  });

  it('speaks TLS and deflate with Flume (ssl = true, compression-type = deflate)', async (t) => {
    const tls = await selfSignedTls();
    const { events, out, stats, ms } = await pushThroughAgent(2000, { tls, enableDecompression: true }, [
      'ssl = true',
      'trust-all-certs = true',
      'compression-type = deflate',
      'compression-level = 6',
    ]);
    t.diagnostic(`2000 events over TLS + deflate in ${ms} ms (${stats.bytesReceived} bytes on the wire)`);
    assert.deepEqual(plain(out), plain(events));
    assert.ok(stats.bytesReceived < 2000 * 30, 'the stream was compressed');
  });

  it('an agent restart in the middle of a stream loses nothing (durable file channel)', async (t) => {
    const ssc = newContext();
    const stream = createFlumeStream(ssc, '127.0.0.1', 0);
    const out = collectEvents(stream);
    await ssc.start();
    const { port } = await stream.listening();
    const agent = await startFileChannelAgent(avroSinkLines(port, 100));
    try {
      const events = makeEvents('restart-push', 3000);
      const injecting = injectWithRetry(agent.sourcePort, events, 100, 60_000, 10);
      await waitUntil(() => out.length >= 600, 30_000, 'the first events');
      await agent.agent.restart();
      await injecting;
      const expected = bodies(events);
      await waitUntil(() => compareBodies(bodies(out), expected).missing.length === 0, 40_000, 'every event after the restart', () => JSON.stringify(stream.stats));
      const cmp = compareBodies(bodies(out), expected);
      t.diagnostic(`received ${out.length} for ${events.length}: ${cmp.duplicated} duplicated; ${stream.stats.connections} sink connections`);
      assert.deepEqual(cmp.missing, []);
      assert.deepEqual(cmp.unexpected, []);
      assert.ok(stream.stats.connections >= 2, 'the sink reconnected after the restart');
    } finally {
      await agent.stop();
      await ssc.stop();
    }
  });
});
