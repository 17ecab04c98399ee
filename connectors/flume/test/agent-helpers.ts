/**
 * Real Flume agents for the @sluice/flume tests (through test/infra/flume.ts): agents with a
 * SparkSink or an avro sink, and an injector that keeps retrying while an agent restarts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlumeEvent } from '@sluice/flume';
import { freePort, pullAgentConfig, sendEventsToAvroSource, startFlumeAgent, type FlumeAgent, type PullAgentConfigOptions } from '../../../test/infra/flume.js';
import { fileChannelAgentConfig, sleep } from './helpers.js';

export interface PullAgent {
  agent: FlumeAgent;
  sourcePort: number;
  sinkPort: number;
  address: string;
  stop(): Promise<void>;
}

/** avro source -> memory channel -> SparkSink, on fresh ports. */
export async function startPullAgent(o: Omit<PullAgentConfigOptions, 'avroSourcePort' | 'sparkSinkPort'> = {}): Promise<PullAgent> {
  const sourcePort = await freePort();
  const sinkPort = await freePort();
  const agent = await startFlumeAgent(pullAgentConfig({ channelCapacity: 100_000, timeoutSec: 10, ...o, avroSourcePort: sourcePort, sparkSinkPort: sinkPort }), {
    waitPorts: [sourcePort, sinkPort],
  });
  return { agent, sourcePort, sinkPort, address: `127.0.0.1:${sinkPort}`, stop: () => agent.stop() };
}

/** avro source -> durable file channel -> `sink` lines (`type = ...` etc. of sink `out`); waits for `waitPorts` too. */
export async function startFileChannelAgent(sink: string[], waitPorts: number[] = []): Promise<{ agent: FlumeAgent; sourcePort: number; stop(): Promise<void> }> {
  const sourcePort = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'sluice-flume-filechannel-'));
  const agent = await startFlumeAgent(fileChannelAgentConfig({ avroSourcePort: sourcePort, dir, sink }), { waitPorts: [sourcePort, ...waitPorts] });
  return {
    agent,
    sourcePort,
    stop: async () => {
      await agent.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The lines of a SparkSink named `out` on 127.0.0.1:port. */
export function sparkSinkLines(port: number, timeoutSec = 10): string[] {
  return ['type = org.apache.spark.streaming.flume.sink.SparkSink', 'hostname = 127.0.0.1', `port = ${port}`, 'threads = 4', `timeout = ${timeoutSec}`, 'backoffInterval = 100'];
}

/** The lines of an avro sink named `out` pushing to 127.0.0.1:port. */
export function avroSinkLines(port: number, batchSize = 100): string[] {
  return ['type = avro', 'hostname = 127.0.0.1', `port = ${port}`, `batch-size = ${batchSize}`, 'connect-timeout = 5000', 'request-timeout = 10000'];
}

/**
 * Injects `events` into the avro source on `port` in chunks, retrying a chunk (bounded by
 * `deadlineMs`) while the agent is down. A chunk whose OK was lost may be injected twice.
 */
export async function injectWithRetry(port: number, events: FlumeEvent[], chunk = 100, deadlineMs = 60_000, pauseMs = 0): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (let i = 0; i < events.length; i += chunk) {
    for (;;) {
      try {
        await sendEventsToAvroSource(port, events.slice(i, i + chunk), chunk, { timeoutMs: 5_000 });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`injection of events ${i}.. failed until the deadline: ${(e as Error).message}`);
        await sleep(200);
      }
    }
    if (pauseMs > 0) await sleep(pauseMs);
  }
}
