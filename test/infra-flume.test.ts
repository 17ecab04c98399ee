// Proves test/infra/flume.ts against a REAL Flume 1.9.0 agent (with Spark's SparkSink), both ways:
// push (Flume's avro sink -> an Avro RPC server here) and pull (a client here polls SparkSink).
// The tiny server/client below are throwaway proofs of the protocols; the real connectors live in
// connectors/. Protocol notes: test/infra/flume/README.md.
//
//   node --import tsx --conditions=sluice-source --test test/infra-flume.test.ts
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type avro from 'avsc';
import { avscNettyTransport } from '@sluice/flume';
import {
  callAvro,
  connectTcp,
  flumeAvroSourceService,
  freePort,
  pullAgentConfig,
  pushAgentConfig,
  sendEventsToAvroSource,
  sparkFlumeService,
  startFlumeAgent,
  type FlumeAgent,
  type FlumeEvent,
} from './infra/flume.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

function makeEvents(tag: string, n: number): FlumeEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    headers: { test: tag, seq: String(i) },
    body: Buffer.from(`${tag}-event-${i}`),
  }));
}

/** Comparable form of events decoded by avsc (headers object, body Buffer). */
function plain(events: { headers: Record<string, string>; body: Buffer }[]): { headers: Record<string, string>; body: string }[] {
  return events.map((e) => ({ headers: { ...e.headers }, body: Buffer.from(e.body).toString() }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Throwaway AvroSourceProtocol server (what Flume's avro sink talks to).

interface PushServer {
  port: number;
  /** Events of calls we answered OK, in arrival order. */
  accepted: FlumeEvent[];
  /** Events of calls we answered FAILED. */
  rejected: FlumeEvent[];
  calls: number;
  connections: number;
  /** Answer FAILED to this many upcoming appendBatch calls. */
  failNext: number;
  close(): Promise<void>;
}

/**
 * codec 'avsc': avsc's built-in stateful channel (its own Netty codec) on the socket: fine below
 * 65,536 calls per connection. codec 'remap': @sluice/flume's avscNettyTransport, which maps Java's
 * 32-bit serials into avsc's 16-bit ids and back, so a long-lived Flume connection keeps getting
 * answers.
 */
async function startPushServer(codec: 'avsc' | 'remap'): Promise<PushServer> {
  const server = flumeAvroSourceService().createServer({ silent: true } as Partial<avro.Service.ServerOptions>);
  const sockets = new Set<net.Socket>();
  const state: PushServer = {
    port: 0,
    accepted: [],
    rejected: [],
    calls: 0,
    connections: 0,
    failNext: 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
  const handle = (events: FlumeEvent[]): 'OK' | 'FAILED' => {
    state.calls++;
    if (state.failNext > 0) {
      state.failNext--;
      state.rejected.push(...events);
      return 'FAILED';
    }
    state.accepted.push(...events);
    return 'OK';
  };
  server.onMessage<string>('appendBatch', (req: { events: FlumeEvent[] }, cb) => cb(null, handle(req.events)));
  server.onMessage<string>('append', (req: { event: FlumeEvent }, cb) => cb(null, handle([req.event])));

  const tcp = net.createServer((sock) => {
    state.connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.setNoDelay(true);
    if (codec === 'avsc') {
      server.createChannel(sock);
    } else {
      // @sluice/flume's Netty codec maps Java's 32-bit serials into avsc's 16-bit ids and back.
      server.createChannel(avscNettyTransport(sock) as unknown as avro.Service.Transport, { objectMode: true });
    }
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(0, '127.0.0.1', () => resolve());
  });
  state.port = (tcp.address() as net.AddressInfo).port;
  return state;
}

// ---------------------------------------------------------------------------------------------
// Throwaway SparkFlumeProtocol client (what our polling stream does against SparkSink).

interface EventBatch {
  errorMsg: string;
  sequenceNumber: string;
  events: { headers: Record<string, string>; body: Buffer }[];
}

class SparkSinkClient {
  private constructor(
    private readonly socket: net.Socket,
    private readonly client: avro.Service.Client,
  ) {}

  static async connect(port: number): Promise<SparkSinkClient> {
    const socket = await connectTcp(port);
    socket.on('error', () => {});
    // timeout 0: getEventBatch blocks on the Java side while the channel is empty; avsc's default
    // 10 s call timeout would abandon the call while the sink still holds the transaction.
    const client = sparkFlumeService().createClient({ timeout: 0 });
    client.createChannel(socket);
    return new SparkSinkClient(socket, client);
  }

  getEventBatch(n: number, ms = 30_000): Promise<EventBatch> {
    return withTimeout(callAvro<EventBatch>(this.client, 'getEventBatch', { n }, 0), ms, `getEventBatch(${n})`);
  }
  ack(seq: string): Promise<unknown> {
    return withTimeout(callAvro(this.client, 'ack', { sequenceNumber: seq }, 0), 10_000, `ack(${seq})`);
  }
  nack(seq: string): Promise<unknown> {
    return withTimeout(callAvro(this.client, 'nack', { sequenceNumber: seq }, 0), 10_000, `nack(${seq})`);
  }
  close(): void {
    this.client.destroyChannels({ noWait: true });
    this.socket.destroy();
  }
}

/** Polls until `n` events came in, acking each batch; fails on an error batch. */
async function pollAndAck(c: SparkSinkClient, n: number, batch: number): Promise<FlumeEvent[]> {
  const got: FlumeEvent[] = [];
  const deadline = Date.now() + 60_000;
  while (got.length < n) {
    assert.ok(Date.now() < deadline, `only ${got.length}/${n} events within 60 s`);
    const b = await c.getEventBatch(batch);
    assert.equal(b.errorMsg, '', `error batch: ${b.errorMsg}`);
    got.push(...b.events);
    assert.equal(await c.ack(b.sequenceNumber), null);
  }
  return got;
}

/** The channel is empty (as far as this client can tell): a sentinel is the only thing left. */
async function assertOnlySentinelLeft(c: SparkSinkClient, sourcePort: number): Promise<void> {
  const sentinel = makeEvents('sentinel', 1);
  await sendEventsToAvroSource(sourcePort, sentinel);
  const b = await c.getEventBatch(100);
  assert.equal(b.errorMsg, '');
  assert.deepEqual(plain(b.events), plain(sentinel), 'events other than the sentinel were still in the channel');
  await c.ack(b.sequenceNumber);
}

// ---------------------------------------------------------------------------------------------

describe('Flume agent, push: avro sink -> our AvroSourceProtocol server', { timeout: 180_000 }, () => {
  let server: PushServer;
  let agent: FlumeAgent;
  let sourcePort: number;

  before(async () => {
    server = await startPushServer('avsc'); // our server is up before the agent's sink connects
    sourcePort = await freePort();
    agent = await startFlumeAgent(
      pushAgentConfig({ avroSourcePort: sourcePort, sinkHost: '127.0.0.1', sinkPort: server.port, batchSize: 50 }),
      { waitPorts: [sourcePort] },
    );
  });
  after(async () => {
    const pid = agent?.pid;
    await agent?.stop();
    await server?.close();
    if (pid !== undefined && pid > 0) assert.equal(isAlive(pid), false, 'agent JVM still alive after stop()');
  });

  it('delivers exactly the injected events, in order', async (t) => {
    t.diagnostic(`agent started in ${agent.startupMs} ms (pid ${agent.pid})`);
    const events = makeEvents('push', 250);
    const t0 = Date.now();
    await sendEventsToAvroSource(sourcePort, events, 100);
    await waitFor(() => server.accepted.length >= events.length, 30_000, `${events.length} pushed events`);
    t.diagnostic(`250 events: inject -> all received in ${Date.now() - t0} ms, ${server.calls} appendBatch calls`);
    await sleep(1_000); // nothing extra may trickle in
    assert.deepEqual(plain(server.accepted), plain(events));
    assert.equal(server.rejected.length, 0);
  });

  it('a FAILED answer makes the sink send the same events again', async (t) => {
    server.accepted.length = 0;
    server.failNext = 1;
    const connectionsBefore = server.connections;
    const events = makeEvents('push-failed', 20);
    const t0 = Date.now();
    await sendEventsToAvroSource(sourcePort, events);
    await waitFor(() => server.accepted.length >= events.length, 30_000, 'redelivery after FAILED');
    t.diagnostic(`FAILED -> redelivered after ${Date.now() - t0} ms, new connections: ${server.connections - connectionsBefore}`);
    await sleep(500);
    assert.deepEqual(plain(server.accepted), plain(events));
    assert.ok(server.rejected.length > 0);
    assert.deepEqual(plain(server.rejected), plain(events.slice(0, server.rejected.length)));
    // Flume drops the connection after a failed call and reconnects (with a fresh handshake).
    assert.ok(server.connections > connectionsBefore, 'expected the sink to reconnect after FAILED');
  });
});

describe('Flume agent, push: more than 65,535 calls on one connection', { timeout: 240_000 }, () => {
  let server: PushServer;
  let agent: FlumeAgent;
  let sourcePort: number;

  before(async () => {
    server = await startPushServer('remap');
    sourcePort = await freePort();
    agent = await startFlumeAgent(
      pushAgentConfig({
        avroSourcePort: sourcePort,
        sinkHost: '127.0.0.1',
        sinkPort: server.port,
        batchSize: 1, // one appendBatch call per event
        channelCapacity: 100_000,
      }),
      { waitPorts: [sourcePort] },
    );
  });
  after(async () => {
    await agent?.stop();
    await server?.close();
  });

  it('keeps answering after Java serial 65,535 when ids are remapped', async (t) => {
    const n = 65_600;
    const events = makeEvents('serial', n);
    const t0 = Date.now();
    await sendEventsToAvroSource(sourcePort, events, 1_000);
    // Without the remap the sink stalls at ~65,534 calls until its request-timeout (10 s here),
    // reconnects and goes on: a connection count of 1 proves there was no stall.
    await waitFor(() => server.accepted.length >= n, 120_000, `${n} single-event calls`);
    t.diagnostic(`${n} single-event appendBatch calls in ${Date.now() - t0} ms over ${server.connections} connection(s)`);
    assert.equal(server.connections, 1);
    assert.equal(server.calls, n);
    assert.equal(server.accepted.length, n);
    for (let i = 0; i < n; i += 1) {
      if (Buffer.from(server.accepted[i]!.body).toString() !== `serial-event-${i}`) {
        assert.fail(`event ${i} out of order or wrong: ${Buffer.from(server.accepted[i]!.body).toString()}`);
      }
    }
  });
});

describe('Flume agent, pull: our client polls SparkSink', { timeout: 180_000 }, () => {
  let agent: FlumeAgent;
  let sourcePort: number;
  let sinkPort: number;
  const ackTimeoutSec = 2;

  before(async () => {
    sourcePort = await freePort();
    sinkPort = await freePort();
    agent = await startFlumeAgent(
      pullAgentConfig({ avroSourcePort: sourcePort, sparkSinkPort: sinkPort, timeoutSec: ackTimeoutSec, batchSize: 100 }),
      { waitPorts: [sourcePort, sinkPort] },
    );
  });
  after(async () => {
    const pid = agent?.pid;
    await agent?.stop();
    if (pid !== undefined && pid > 0) assert.equal(isAlive(pid), false, 'agent JVM still alive after stop()');
  });

  it('getEventBatch + ack return exactly the injected events', async (t) => {
    t.diagnostic(`agent started in ${agent.startupMs} ms (pid ${agent.pid})`);
    const c = await SparkSinkClient.connect(sinkPort);
    try {
      const events = makeEvents('pull', 300);
      await sendEventsToAvroSource(sourcePort, events, 100);
      const t0 = Date.now();
      const got = await pollAndAck(c, events.length, 100);
      t.diagnostic(`300 events pulled and acked in ${Date.now() - t0} ms`);
      assert.deepEqual(plain(got), plain(events));
      await assertOnlySentinelLeft(c, sourcePort);
    } finally {
      c.close();
    }
  });

  it('nack makes the same events come again', async () => {
    const c = await SparkSinkClient.connect(sinkPort);
    try {
      const events = makeEvents('nack', 10);
      await sendEventsToAvroSource(sourcePort, events);
      const first = await c.getEventBatch(100);
      assert.equal(first.errorMsg, '');
      assert.deepEqual(plain(first.events), plain(events));
      assert.equal(await c.nack(first.sequenceNumber), null);
      const again = await c.getEventBatch(100);
      assert.equal(again.errorMsg, '');
      assert.notEqual(again.sequenceNumber, first.sequenceNumber);
      assert.deepEqual(plain(again.events), plain(events));
      await c.ack(again.sequenceNumber);
      await assertOnlySentinelLeft(c, sourcePort);
    } finally {
      c.close();
    }
  });

  it('no ack within the sink timeout makes the same events come again', async (t) => {
    const c = await SparkSinkClient.connect(sinkPort);
    try {
      const events = makeEvents('noack', 10);
      await sendEventsToAvroSource(sourcePort, events);
      const first = await c.getEventBatch(100);
      assert.deepEqual(plain(first.events), plain(events));
      const t0 = Date.now();
      // Blocks (channel empty) until the sink rolls the un-acked transaction back.
      const again = await c.getEventBatch(100, (ackTimeoutSec + 20) * 1000);
      const waited = Date.now() - t0;
      t.diagnostic(`un-acked batch came back after ${waited} ms (sink timeout ${ackTimeoutSec} s)`);
      assert.ok(waited >= ackTimeoutSec * 1000 - 500, `came back too early (${waited} ms)`);
      assert.deepEqual(plain(again.events), plain(events));
      // A late ack of the rolled-back batch is answered and does nothing.
      assert.equal(await c.ack(first.sequenceNumber), null);
      await c.ack(again.sequenceNumber);
      await assertOnlySentinelLeft(c, sourcePort);
    } finally {
      c.close();
    }
  });

  it('restart() brings the agent back on the same ports', async (t) => {
    const oldPid = agent.pid;
    await agent.restart();
    t.diagnostic(`restarted in ${agent.startupMs} ms`);
    assert.notEqual(agent.pid, oldPid);
    assert.equal(isAlive(oldPid), false);
    const c = await SparkSinkClient.connect(sinkPort);
    try {
      const events = makeEvents('restart', 3);
      await sendEventsToAvroSource(sourcePort, events);
      assert.deepEqual(plain(await pollAndAck(c, 3, 100)), plain(events));
    } finally {
      c.close();
    }
  });

  it('kill() is a SIGKILL; restart() afterwards works', async () => {
    const oldPid = agent.pid;
    agent.kill();
    await waitFor(() => /exited \(code null, signal SIGKILL\)/.test(agent.logTail(5)), 10_000, 'JVM exit after kill()');
    assert.equal(isAlive(oldPid), false);
    await agent.restart();
    assert.notEqual(agent.pid, oldPid);
    const c = await SparkSinkClient.connect(sinkPort);
    try {
      const events = makeEvents('after-kill', 2);
      await sendEventsToAvroSource(sourcePort, events);
      assert.deepEqual(plain(await pollAndAck(c, 2, 100)), plain(events));
    } finally {
      c.close();
    }
  });
});

describe('startFlumeAgent failures', { timeout: 60_000 }, () => {
  it('fails with the log tail when the agent dies on a bad config', async () => {
    const port = await freePort();
    const conf = [
      'a1.sources = src',
      'a1.channels = ch',
      'a1.sinks = k',
      'a1.sources.src.type = com.example.NoSuchSource',
      'a1.sources.src.channels = ch',
      'a1.channels.ch.type = memory',
      'a1.sinks.k.type = null',
      'a1.sinks.k.channel = ch',
      '',
    ].join('\n');
    // Flume logs "A fatal error occurred while running" and exits with status 0.
    await assert.rejects(startFlumeAgent(conf, { waitPorts: [port], startTimeoutMs: 20_000 }), (err: Error) => {
      assert.match(err.message, /exited before its ports/);
      assert.match(err.message, /Unable to load source type: com\.example\.NoSuchSource/);
      return true;
    });
  });

  it('fails with the log tail (and kills the JVM) when a port never opens', async () => {
    const sourcePort = await freePort();
    const neverOpened = await freePort();
    const conf = pullAgentConfig({ avroSourcePort: sourcePort, sparkSinkPort: await freePort() });
    await assert.rejects(startFlumeAgent(conf, { waitPorts: [sourcePort, neverOpened], startTimeoutMs: 4_000 }), (err: Error) => {
      assert.match(err.message, new RegExp(`ports ${neverOpened} not accepting after 4000 ms`));
      assert.match(err.message, /Log tail:[\s\S]*agent pid \d+ exited \(code null, signal SIGKILL\)/);
      return true;
    });
    assert.equal(await canConnectOnce(sourcePort), false, 'agent still listening after a failed start');
  });
});

function canConnectOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
