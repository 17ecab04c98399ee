/**
 * Helpers of the @sluice/flume tests: known events, collectors, an avsc client for the push server,
 * agent configs with a durable file channel, and bounded waits.
 */
import net from 'node:net';
import { join } from 'node:path';
import type avro from 'avsc';
import { StreamingContext, type DStream, type StreamingContextOptions } from '@sluice/core';
import { flumeAvroSourceService, type FlumeEvent, type FlumeStatus } from '@sluice/flume';
import { callAvro, connectTcp } from '../../../test/infra/flume.js';

export { waitUntil, sleep, listenForReports } from '../../../test/conformance/index.js';

export function makeEvents(tag: string, n: number, from = 0): FlumeEvent[] {
  return Array.from({ length: n }, (_, i) => ({ headers: { test: tag, seq: String(from + i) }, body: Buffer.from(`${tag}-event-${from + i}`) }));
}

/** Comparable form of events (headers copied, body as text). */
export function plain(events: readonly FlumeEvent[]): { headers: Record<string, string>; body: string }[] {
  return events.map((e) => ({ headers: { ...e.headers }, body: Buffer.from(e.body).toString() }));
}

export function bodies(events: readonly FlumeEvent[]): string[] {
  return events.map((e) => Buffer.from(e.body).toString());
}

/** Appends every event of every batch to the returned array. */
export function collectEvents<T>(stream: DStream<T>): T[] {
  const out: T[] = [];
  stream.foreachRDD(async (rdd) => {
    out.push(...(await rdd.collect()));
  }, 'test.collect');
  return out;
}

export function newContext(opts: Partial<StreamingContextOptions> = {}): StreamingContext {
  return new StreamingContext({ batchInterval: 200, blockInterval: 50, ...opts });
}

/** Multiset difference report: missing and duplicated bodies. */
export function compareBodies(got: readonly string[], expected: readonly string[]): { missing: string[]; duplicated: number; unexpected: string[] } {
  const counts = new Map<string, number>();
  for (const g of got) counts.set(g, (counts.get(g) ?? 0) + 1);
  const want = new Set(expected);
  return {
    missing: expected.filter((e) => !counts.has(e)),
    duplicated: [...counts.values()].filter((n) => n > 1).length,
    unexpected: [...counts.keys()].filter((k) => !want.has(k)),
  };
}

/** An avsc AvroSourceProtocol client on one connection to 127.0.0.1:port (what Flume's avro sink is). */
export class AvroSourceClient {
  private constructor(
    readonly socket: net.Socket,
    private readonly client: avro.Service.Client,
  ) {}

  static async connect(port: number): Promise<AvroSourceClient> {
    const socket = await connectTcp(port);
    socket.on('error', () => {});
    const client = flumeAvroSourceService().createClient({ timeout: 10_000 });
    client.createChannel(socket);
    return new AvroSourceClient(socket, client);
  }

  appendBatch(events: FlumeEvent[], timeoutMs = 10_000): Promise<FlumeStatus> {
    return callAvro<FlumeStatus>(this.client, 'appendBatch', { events }, timeoutMs);
  }

  append(event: FlumeEvent, timeoutMs = 10_000): Promise<FlumeStatus> {
    return callAvro<FlumeStatus>(this.client, 'append', { event }, timeoutMs);
  }

  close(): void {
    this.client.destroyChannels({ noWait: true });
    this.socket.destroy();
  }
}

/**
 * avro source -> durable FILE channel (in `dir`) -> `sink` lines (avro sink or SparkSink, named
 * `out`). Events committed to the channel survive an agent restart, so "no loss" can be asserted
 * across one.
 */
export function fileChannelAgentConfig(o: { avroSourcePort: number; dir: string; sink: string[]; transactionCapacity?: number }): string {
  return [
    'a1.sources = src',
    'a1.channels = ch',
    'a1.sinks = out',
    'a1.sources.src.type = avro',
    'a1.sources.src.bind = 127.0.0.1',
    `a1.sources.src.port = ${o.avroSourcePort}`,
    'a1.sources.src.channels = ch',
    'a1.channels.ch.type = file',
    `a1.channels.ch.checkpointDir = ${join(o.dir, 'checkpoint')}`,
    `a1.channels.ch.dataDirs = ${join(o.dir, 'data')}`,
    `a1.channels.ch.transactionCapacity = ${o.transactionCapacity ?? 1000}`,
    'a1.channels.ch.keep-alive = 0',
    'a1.sinks.out.channel = ch',
    ...o.sink.map((l) => `a1.sinks.out.${l}`),
    '',
  ].join('\n');
}
