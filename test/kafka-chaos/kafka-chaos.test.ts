/**
 * Kill -9 a Sluice application repeatedly while it consumes Kafka, restart it with getOrCreate each
 * time, and check the outputs against an uninterrupted run:
 * - direct stream into saveAsTextFiles: with every record produced up front and a rate cap, an
 *   uninterrupted run's batch k holds offsets [(k-1)m, km) of each partition; so must every batch
 *   after the kills (ranges are checkpointed, missed batches re-run): exactly once, same batches.
 * - receiver stream with the write-ahead log, records produced while the kills go on: every
 *   acknowledged record is in the output at least once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createTopic, startKafka, type KafkaBroker } from '../infra/kafka.js';
import { multiset, produce, savedBatches, sleep, uniqueTopic, waitUntil } from '../../connectors/kafka/test/helpers.js';

const BATCH = 200;
const app = new URL('./kafka-chaos-app.ts', import.meta.url).pathname;
let broker: KafkaBroker;
let root: string;

before(async () => {
  broker = await startKafka({ version: process.env['SLUICE_KAFKA_VERSION'], serverProperties: { 'group.min.session.timeout.ms': 1000 } });
  root = await mkdtemp(join(tmpdir(), 'sluice-kafka-chaos-'));
});
after(async () => {
  await broker?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  exited: Promise<number | null>;
  log: string[];
}

function startApp(args: string[]): Run {
  const log: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=sluice-source', app, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, log };
}

async function hasCheckpoint(dir: string): Promise<boolean> {
  return existsSync(dir) && (await readdir(dir)).some((f) => /^checkpoint-\d+$/.test(f));
}

/** Runs the app `kills` times, each SIGKILLed at a random moment after it made progress, then once more until `done`. */
async function chaos(args: string[], out: string, name: string, kills: number, done: () => Promise<boolean>): Promise<void> {
  const checkpointDir = args[1]!;
  for (let i = 0; i < kills; i++) {
    const run = startApp(args);
    const before = (await savedBatches(out, name)).size;
    await waitUntil(async () => (await savedBatches(out, name)).size > before && (await hasCheckpoint(checkpointDir)), 20_000, `run ${i} to make progress`, () => run.log.join(''));
    await sleep(Math.random() * 5 * BATCH);
    run.child.kill('SIGKILL');
    await run.exited;
  }
  const last = startApp(args);
  await waitUntil(done, 60_000, 'the last run to finish the input', () => last.log.join('').slice(-3000));
  last.child.kill('SIGTERM');
  const code = await Promise.race([last.exited, delay(30_000, 'still running after 30 s', { ref: false })]);
  if (code !== 0) last.child.kill('SIGKILL');
  assert.equal(code, 0, `graceful stop on SIGTERM; log:\n${last.log.join('').slice(-3000)}`);
}

test('direct stream, SIGKILL x6, getOrCreate: every batch equals an uninterrupted run, each record exactly once', { timeout: 240_000 }, async () => {
  const topic = uniqueTopic('chaos-direct');
  const partitions = 3;
  const perPartition = 1500;
  const rate = 100; // records/s per partition: m = 20 per 200 ms batch, 75 batches of data
  const m = (rate * BATCH) / 1000;
  await createTopic(broker, topic, partitions);
  const value = (p: number, i: number): string => `p${p}-${i}`;
  const messages = Array.from({ length: partitions * perPartition }, (_, j) => ({ partition: j % partitions, value: value(j % partitions, Math.floor(j / partitions)) }));
  await produce(broker, topic, messages, 1500);
  const dir = join(root, 'direct-checkpoint');
  const out = join(root, 'direct-out');
  const lastK = perPartition / m;
  const args = ['direct', dir, out, broker.bootstrap, topic, String(BATCH), String(rate)];
  await chaos(args, out, 'direct', 6, async () => (await savedBatches(out, 'direct')).size >= lastK + 2);

  const batches = await savedBatches(out, 'direct');
  const times = [...batches.keys()].sort((a, b) => a - b);
  const zero = times[0]! - BATCH;
  assert.deepEqual(times.map((t) => (t - zero) / BATCH), times.map((_, i) => i + 1), 'no batch missing');
  for (const t of times) {
    const k = (t - zero) / BATCH;
    const expected: string[] = [];
    for (let p = 0; p < partitions; p++) for (let i = (k - 1) * m; i < Math.min(k * m, perPartition); i++) expected.push(value(p, i));
    assert.deepEqual([...batches.get(t)!].sort(), expected.sort(), `batch ${k} holds exactly offsets [${(k - 1) * m}, ${k * m}) of each partition`);
  }
  const all = [...batches.values()].flat();
  assert.equal(all.length, messages.length, 'each record exactly once');
});

test('receiver stream with the write-ahead log, SIGKILL x5 while records arrive: no record missing', { timeout: 240_000 }, async () => {
  const topic = uniqueTopic('chaos-receiver');
  await createTopic(broker, topic, 2);
  const dir = join(root, 'receiver-checkpoint');
  const out = join(root, 'receiver-out');
  const produced: string[] = [];
  let producing = true;
  const producer = (async () => {
    for (let i = 0; producing && i < 200; i++) {
      const chunk = Array.from({ length: 20 }, (_, j) => `r-${i * 20 + j}`);
      await produce(broker, topic, chunk.map((value) => ({ value })));
      produced.push(...chunk);
      await sleep(100);
    }
  })();
  const args = ['receiver', dir, out, broker.bootstrap, topic, String(BATCH), '0'];
  const seenAll = async (): Promise<boolean> => {
    if (producing) return false;
    const got = multiset([...(await savedBatches(out, 'recv')).values()].flat());
    return produced.every((x) => got.has(x));
  };
  const stopProducing = (async () => {
    await sleep(12_000);
    producing = false;
    await producer;
  })();
  await chaos(args, out, 'recv', 5, seenAll);
  await stopProducing;
  const got = multiset([...(await savedBatches(out, 'recv')).values()].flat());
  const missing = produced.filter((x) => !got.has(x));
  assert.equal(missing.length, 0, `${missing.length} of ${produced.length} acknowledged records missing, e.g. ${missing.slice(0, 5).join(', ')}`);
  const duplicates = [...got.values()].filter((n) => n > 1).length;
  console.log(`receiver chaos: ${produced.length} records, ${duplicates} delivered more than once (at least once)`);
});
