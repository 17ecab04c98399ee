/**
 * One consumer of the Flume benchmark, in its own process. Modes:
 * - `push`: createFlumeStream(...).map(bodyToString), then per batch one pass counting the lines and
 *   those with status 500;
 * - `pull`: the same with createFlumePollingStream;
 * - `push-floor`: @sluice/flume's connection handler (Netty framing, Avro IPC, decoding) answering
 *   OK without storing: the protocol's cost without the engine;
 * - `pull-floor`: getEventBatch + ack on one SparkSink connection, without storing.
 * It counts until `--events` arrived (and, for the Sluice modes, were counted by batches), then
 * prints one JSON line: events, seconds from the first event to the last, events/s.
 *
 *   consumer.ts --mode push|pull|push-floor|pull-floor --port <listen or sink port> --events N [--wal]
 */
import net from 'node:net';
import { Session } from 'node:inspector/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { StreamingContext, type DStream } from '@sluice/core';
import { bodyToString, createFlumePollingStream, createFlumeStream, type FlumeEvent } from '@sluice/flume';
import { KnownClientProtocols } from '../../connectors/flume/src/avro-source-responder.js';
import { resolvePollingOptions } from '../../connectors/flume/src/config.js';
import { servePushConnection } from '../../connectors/flume/src/push-connection.js';
import { SparkSinkConnection } from '../../connectors/flume/src/spark-sink-client.js';
import { emptyPushStats } from '../../connectors/flume/src/stats.js';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string' },
    port: { type: 'string' },
    events: { type: 'string' },
    wal: { type: 'boolean', default: false },
    'batch-ms': { type: 'string', default: '500' },
    'max-batch': { type: 'string', default: '1000' },
    'profile-out': { type: 'string' },
  },
});
const mode = args.mode!;
const port = Number(args.port);
const N = Number(args.events);
const MATCH = ' 500 ';
const TIMEOUT_MS = Number(process.env.CONSUMER_TIMEOUT_MS ?? 10 * 60_000);

let first = 0;
let profiler: Session | undefined;
/** Marks the first event; with --profile-out, the CPU profile covers from here to done(). */
function seen(): void {
  if (first !== 0) return;
  first = performance.now();
  if (args['profile-out']) {
    profiler = new Session();
    profiler.connect();
    void profiler.post('Profiler.enable').then(() => profiler!.post('Profiler.start'));
  }
}

async function done(events: number, extra: Record<string, unknown> = {}): Promise<void> {
  const seconds = (performance.now() - first) / 1000;
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(args['profile-out']!, JSON.stringify(profile));
  }
  process.stdout.write(`${JSON.stringify({ mode, wal: args.wal, events, seconds, perSecond: Math.round(events / seconds), ...extra })}\n`);
}

async function sluice(): Promise<void> {
  const dir = args.wal ? await mkdtemp(join(tmpdir(), 'sluice-flume-bench-')) : undefined;
  const ssc = new StreamingContext({ batchInterval: Number(args['batch-ms']), ...(dir ? { checkpointDir: dir, writeAheadLog: true } : {}) });
  const maxBatchSize = Number(args['max-batch']);
  const input =
    mode === 'push'
      ? createFlumeStream(ssc, '127.0.0.1', port, { maxBatchSize: Math.max(maxBatchSize, 10_000) })
      : createFlumePollingStream(ssc, [`127.0.0.1:${port}`], { maxBatchSize });
  let counted = 0;
  let matched = 0;
  const lines: DStream<string> = input.map(bodyToString);
  // One pass per batch: count the lines and those with status 500.
  lines.foreachRDD(async (rdd) => {
    const [n, m] = await rdd.aggregate<[number, number]>(
      () => [0, 0],
      (acc, l) => [acc[0] + 1, acc[1] + (l.includes(MATCH) ? 1 : 0)],
      (a, b) => [a[0] + b[0], a[1] + b[1]],
    );
    matched += m;
    counted += n;
  });
  await ssc.start();
  if (mode === 'push') process.stderr.write(`listening ${(await (input as ReturnType<typeof createFlumeStream>).listening()).port}\n`);
  const deadline = Date.now() + TIMEOUT_MS;
  while (counted < N && Date.now() < deadline) {
    if (input.stats.events > 0) seen();
    await new Promise((r) => setTimeout(r, 5));
  }
  await done(counted, { matched, stats: input.stats });
  await ssc.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}

async function pushFloor(): Promise<void> {
  const stats = emptyPushStats();
  let events = 0;
  let matched = 0;
  let resolveAll: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const host = {
    maxRequestBytes: 64 << 20,
    maxBatchSize: 100_000,
    enableDecompression: false,
    known: new KnownClientProtocols(),
    stats,
    store: async (batch: FlumeEvent[]) => {
      seen();
      for (const e of batch) if (bodyToString(e).includes(MATCH)) matched++;
      events += batch.length;
      if (events >= N) resolveAll();
    },
    bad: () => undefined,
    storeFailed: () => undefined,
  };
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    void servePushConnection(s, 'bench', host);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  process.stderr.write(`listening ${port}\n`);
  await Promise.race([all, new Promise((r) => setTimeout(r, TIMEOUT_MS))]);
  await done(events, { matched, stats: { storeMs: 0 } });
  server.close();
  process.exit(0);
}

async function pullFloor(): Promise<void> {
  const sink = resolvePollingOptions([`127.0.0.1:${port}`], {}).sinks[0]!;
  const c = await SparkSinkConnection.connect(sink, 10_000);
  let events = 0;
  let matched = 0;
  let pollMs = 0;
  let ackMs = 0;
  while (events < N) {
    const t0 = performance.now();
    const b = await c.getEventBatch(Number(args['max-batch']));
    const t1 = performance.now();
    if (first !== 0) pollMs += t1 - t0;
    seen();
    for (const e of b.events) if (bodyToString(e).includes(MATCH)) matched++;
    events += b.events.length;
    const t2 = performance.now();
    await c.ack(b.sequenceNumber, 30_000);
    ackMs += performance.now() - t2;
  }
  await done(events, { matched, stats: { pollMs, storeMs: 0, ackMs } });
  c.close();
}

await (mode === 'push-floor' ? pushFloor() : mode === 'pull-floor' ? pullFloor() : sluice());
