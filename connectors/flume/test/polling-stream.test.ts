// createFlumePollingStream against REAL Flume agents running Spark's SparkSink: exactly the injected
// events, several sinks, nack on a failed store, error batches never acked, and an agent restart
// in the middle of a stream (durable file channel: nothing lost).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SluiceError } from '@sluice/core';
import { createFlumePollingStream, type FlumeEvent } from '@sluice/flume';
import { resolvePollingOptions } from '../src/config.js';
import { SinkPoller, type PollerHost } from '../src/sink-poller.js';
import { emptyPollingStats } from '../src/stats.js';
import { freePort, sendEventsToAvroSource } from '../../../test/infra/flume.js';
import { injectWithRetry, sparkSinkLines, startFileChannelAgent, startPullAgent, type PullAgent } from './agent-helpers.js';
import { bodies, collectEvents, compareBodies, listenForReports, makeEvents, newContext, plain, sleep, waitUntil } from './helpers.js';

/** A poller outside any context, storing into `stored` through `store`. */
function poller(address: string, store: (events: FlumeEvent[]) => Promise<void>, opts: object = {}) {
  const reports: string[] = [];
  const host: PollerHost = {
    opts: resolvePollingOptions([address], { reconnectDelayMs: 100, ...opts }),
    stats: emptyPollingStats(),
    isStopped: () => false,
    store: (events) => store(events),
    report: (m) => void reports.push(m),
  };
  const p = new SinkPoller(host.opts.sinks[0]!, host);
  const run = p.run();
  return { p, host, reports, stop: async () => (p.stop(), await run) };
}

describe('createFlumePollingStream (real SparkSink)', { timeout: 120_000 }, () => {
  let a: PullAgent;
  let b: PullAgent;
  before(async () => {
    [a, b] = await Promise.all([startPullAgent({ timeoutSec: 2, transactionCapacity: 1000 }), startPullAgent({ timeoutSec: 2, transactionCapacity: 10 })]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('delivers exactly the injected events, acking every batch (nothing comes back after the sink timeout)', async (t) => {
    const ssc = newContext();
    const stream = createFlumePollingStream(ssc, [a.address], { maxBatchSize: 500 });
    const out = collectEvents(stream);
    await ssc.start();
    try {
      const events = makeEvents('pull', 3000);
      const t0 = Date.now();
      await sendEventsToAvroSource(a.sourcePort, events, 1000);
      await waitUntil(() => out.length >= events.length, 30_000, '3000 events', () => JSON.stringify(stream.stats));
      t.diagnostic(`3000 events injected and received in ${Date.now() - t0} ms: ${JSON.stringify(stream.stats)}`);
      assert.deepEqual(plain(out), plain(events));
      assert.equal(stream.stats.acks, stream.stats.batches);
      await sleep(2_500); // past the sink's 2 s timeout: an un-acked batch would come back now
      assert.equal(out.length, events.length, 'events came back: a batch was not acked');
    } finally {
      await ssc.stop();
    }
  });

  it('polls several sinks at once', async () => {
    // Fresh agents: a stream stopped earlier leaves a getEventBatch waiting in agent a, which takes
    // (and then gives back) the next events, so their order there would not be the injected one.
    const [d, c] = await Promise.all([startPullAgent({ timeoutSec: 10 }), startPullAgent({ timeoutSec: 10 })]);
    const ssc = newContext();
    const stream = createFlumePollingStream(ssc, [d.address, { host: '127.0.0.1', port: c.sinkPort }], { maxBatchSize: 100 });
    const out = collectEvents(stream);
    await ssc.start();
    try {
      const ea = makeEvents('sink-a', 1000);
      const ec = makeEvents('sink-c', 1000);
      await Promise.all([sendEventsToAvroSource(d.sourcePort, ea, 500), sendEventsToAvroSource(c.sourcePort, ec, 500)]);
      await waitUntil(() => out.length >= 2000, 30_000, '2000 events from two sinks');
      await sleep(300);
      assert.deepEqual(compareBodies(bodies(out), [...bodies(ea), ...bodies(ec)]), { missing: [], duplicated: 0, unexpected: [] });
      // Each sink's events keep their order.
      assert.deepEqual(bodies(out).filter((x) => x.startsWith('sink-a')), bodies(ea));
      assert.deepEqual(bodies(out).filter((x) => x.startsWith('sink-c')), bodies(ec));
    } finally {
      await ssc.stop();
      await Promise.all([c.stop(), d.stop()]);
    }
  });

  it('sends nack when storing fails; the same events come again and are stored once', async () => {
    let failures = 1;
    const stored: FlumeEvent[] = [];
    const { host, reports, stop } = poller(a.address, async (events) => {
      if (failures-- > 0) throw new SluiceError('STOPPED', 'store failed on purpose');
      stored.push(...events);
    });
    try {
      const events = makeEvents('nack', 20);
      await sendEventsToAvroSource(a.sourcePort, events);
      await waitUntil(() => stored.length >= 20, 15_000, 'the events after the nack');
      assert.deepEqual(plain(stored), plain(events));
      assert.equal(host.stats.nacks, 1);
      assert.equal(host.stats.acks, 1);
      assert.match(reports[0] ?? '', /nack sent, they come again/);
    } finally {
      await stop();
    }
  });

  it('never acks an error batch (n > transactionCapacity): the events stay in the channel', async () => {
    const stored: FlumeEvent[] = [];
    const bad = poller(b.address, async (events) => void stored.push(...events), { maxBatchSize: 20 });
    const events = makeEvents('errbatch', 10);
    try {
      await sendEventsToAvroSource(b.sourcePort, events, 10);
      await sendEventsToAvroSource(b.sourcePort, makeEvents('errbatch', 5, 10), 10);
      await waitUntil(() => bad.host.stats.errorBatches >= 1, 15_000, 'an error batch');
      assert.equal(bad.host.stats.acks, 0);
      assert.equal(stored.length, 0);
      assert.match(bad.reports[0] ?? '', /error batch: Take list for MemoryTransaction, capacity 10 full/);
    } finally {
      await bad.stop();
    }
    const good = poller(b.address, async (ev) => void stored.push(...ev), { maxBatchSize: 10 });
    try {
      await waitUntil(() => stored.length >= 15, 15_000, 'all 15 events through a poller with n = 10');
      assert.deepEqual(bodies(stored), bodies(makeEvents('errbatch', 15)));
    } finally {
      await good.stop();
    }
  });
});

describe('createFlumePollingStream across an agent restart', { timeout: 120_000 }, () => {
  it('an agent restart in the middle of a stream loses nothing (durable file channel)', async (t) => {
    const sinkPort = await freePort();
    const agent = await startFileChannelAgent(sparkSinkLines(sinkPort, 10), [sinkPort]);
    const ssc = newContext();
    const stream = createFlumePollingStream(ssc, [`127.0.0.1:${sinkPort}`], { maxBatchSize: 100, reconnectDelayMs: 100, maxReconnectDelayMs: 500 });
    const out = collectEvents(stream);
    const reports = listenForReports(ssc);
    await ssc.start();
    try {
      const events = makeEvents('restart-pull', 3000);
      const injecting = injectWithRetry(agent.sourcePort, events, 100, 60_000, 10);
      await waitUntil(() => out.length >= 600, 30_000, 'the first events');
      await agent.agent.restart();
      await injecting;
      const expected = bodies(events);
      await waitUntil(() => compareBodies(bodies(out), expected).missing.length === 0, 40_000, 'every event after the restart', () => JSON.stringify(stream.stats));
      const cmp = compareBodies(bodies(out), expected);
      t.diagnostic(`received ${out.length} for ${events.length}: ${cmp.duplicated} duplicated (rolled back and redelivered across the restart); stats ${JSON.stringify(stream.stats)}`);
      assert.deepEqual(cmp.missing, []);
      assert.deepEqual(cmp.unexpected, []);
      assert.ok(stream.stats.connections >= 2, 'reconnected');
      assert.ok(reports.receiverErrors.length >= 1, 'the lost connection was reported');
    } finally {
      await ssc.stop();
      await agent.stop();
    }
  });
});
