// The shared connector conformance suite, run against both Flume streams with REAL Flume agents as
// peers: push (the agent's avro sink sends to createFlumeStream) and pull (createFlumePollingStream
// polls the agent's SparkSink). Records are event bodies.
import type { DStream } from '@sluice/core';
import { bodyToString, createFlumePollingStream, createFlumeStream, type FlumeInputDStream } from '@sluice/flume';
import { connectorConformance, type ConformancePeer } from '../../../test/conformance/index.js';
import { freePort, pullAgentConfig, pushAgentConfig, sendEventsToAvroSource, startFlumeAgent, type FlumeAgent } from '../../../test/infra/flume.js';
import { malformedInput, sendRaw } from './malformed-inputs.js';

/** An agent started from `conf` (waiting for `waitPorts`), which can go away and come back on the same ports. */
class AgentPeer implements ConformancePeer {
  agent: FlumeAgent | undefined;
  conf = '';
  waitPorts: number[] = [];
  sourcePort = 0;

  async start(): Promise<void> {
    this.agent = await startFlumeAgent(this.conf, { waitPorts: this.waitPorts });
  }

  async send(records: readonly string[], opts: { wait?: boolean } = {}): Promise<void> {
    const events = records.map((r) => ({ headers: {}, body: Buffer.from(r) }));
    const sending = sendEventsToAvroSource(this.sourcePort, events, 100, { timeoutMs: 15_000 });
    if (opts.wait === false) return void sending.catch(() => undefined);
    await sending;
  }

  async sendBad(): Promise<number> {
    return 0;
  }

  async goAway(): Promise<void> {
    await this.agent?.stop();
    this.agent = undefined;
  }

  async comeBack(): Promise<void> {
    await this.start();
  }

  async close(): Promise<void> {
    await this.agent?.stop();
    this.agent = undefined;
  }
}

/** Push: the agent is started once our server listens (its avro sink connects to it). */
class PushPeer extends AgentPeer {
  input: FlumeInputDStream | undefined;
  serverPort = 0;

  /** Malformed frames and handshakes from other connections: each is reported, the agent's is unaffected. */
  override async sendBad(): Promise<number> {
    for (let i = 0; i < 3; i++) await sendRaw(this.serverPort, malformedInput(i * 7));
    return 3;
  }
}

connectorConformance<DStream<string>, PushPeer>({
  name: 'createFlumeStream (push, real Flume avro sink)',
  guarantee: 'at-least-once',
  ordered: false,
  loadRecords: 20_000,
  startPeer: async () => {
    const peer = new PushPeer();
    peer.sourcePort = await freePort();
    peer.waitPorts = [peer.sourcePort];
    return peer;
  },
  createStream: (ssc, peer) => {
    peer.input = createFlumeStream(ssc, '127.0.0.1', 0);
    return peer.input.map(bodyToString);
  },
  ready: async (peer) => {
    peer.serverPort = (await peer.input!.listening()).port;
    peer.conf = pushAgentConfig({ avroSourcePort: peer.sourcePort, sinkHost: '127.0.0.1', sinkPort: peer.serverPort, batchSize: 100, channelCapacity: 100_000 });
    await peer.start();
  },
});

connectorConformance<DStream<string>, AgentPeer>({
  name: 'createFlumePollingStream (pull, real SparkSink)',
  guarantee: 'at-least-once',
  ordered: false,
  loadRecords: 20_000,
  startPeer: async () => {
    const peer = new AgentPeer();
    peer.sourcePort = await freePort();
    const sinkPort = await freePort();
    peer.waitPorts = [peer.sourcePort, sinkPort];
    peer.conf = pullAgentConfig({ avroSourcePort: peer.sourcePort, sparkSinkPort: sinkPort, channelCapacity: 100_000, timeoutSec: 10 });
    await peer.start();
    return peer;
  },
  // Every SparkSink event is a valid event (opaque headers and bytes): the pull path has no bad
  // records to report. An undecodable answer would be a broken connection (reported, reconnected).
  createStream: (ssc, peer) => createFlumePollingStream(ssc, [`127.0.0.1:${peer.waitPorts[1]}`], { reconnectDelayMs: 100, maxReconnectDelayMs: 500 }).map(bodyToString),
});
