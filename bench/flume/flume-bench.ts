/**
 * Events/s that Sluice's two Flume streams take from a REAL Flume 1.9 agent whose channel is full,
 * with the write-ahead log on and off, next to floors that speak the same protocol without the
 * engine. Per case, a fresh agent's memory channel is filled first (avro source, N Apache-style log
 * lines of about 100 bytes with one header, 1 in 10 with status 500), then the consumer process
 * starts and drains it; events/s counts from its first event to its last.
 * - `push-floor`: the agent's avro sink (batch-size 1000) -> @sluice/flume's connection handler
 *   answering OK without storing;
 * - `push`: avro sink -> createFlumeStream -> map -> filter/count per 500 ms batch;
 * - `pull-floor`: getEventBatch(1000) + ack on one SparkSink connection, without storing;
 * - `pull`: SparkSink -> createFlumePollingStream(maxBatchSize 1000) -> the same pipeline.
 * Each case prints where the consumer's wall time went (its own counters: storing, waiting for the
 * agent, acking); with `--profile`, each Sluice case is CPU-profiled from its first event to its last
 * and the CPU time is split by where it went.
 *
 *   node --import tsx --conditions=sluice-source bench/flume/flume-bench.ts [--events 300000] [--runs 1] [--profile] [--json out.json]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, pullAgentConfig, pushAgentConfig, sendEventsToAvroSource, startFlumeAgent, type FlumeEvent } from '../../test/infra/flume.js';
import { summarizeProfile, type ProfileSummary } from './cpu-profile.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    runs: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const N = Number(args.events);
const RUNS = Number(args.runs);
const consumer = new URL('./consumer.ts', import.meta.url).pathname;

interface Case {
  name: string;
  mode: 'push' | 'pull' | 'push-floor' | 'pull-floor';
  wal: boolean;
}
const CASES: Case[] = [
  { name: 'push floor (protocol only)', mode: 'push-floor', wal: false },
  { name: 'push, WAL off', mode: 'push', wal: false },
  { name: 'push, WAL on', mode: 'push', wal: true },
  { name: 'pull floor (protocol only)', mode: 'pull-floor', wal: false },
  { name: 'pull, WAL off', mode: 'pull', wal: false },
  { name: 'pull, WAL on', mode: 'pull', wal: true },
];

function logEvents(n: number): FlumeEvent[] {
  const paths = ['/index.html', '/api/v1/items?id=', '/static/app.js', '/login', '/search?q=flume'];
  return Array.from({ length: n }, (_, i) => {
    const status = i % 10 === 0 ? 500 : i % 7 === 0 ? 404 : 200;
    const line = `10.0.${i % 256}.${(i * 7) % 256} - - [25/Nov/2026:01:${String(i % 60).padStart(2, '0')}:00 +0000] "GET ${paths[i % 5]}${i} HTTP/1.1" ${status} ${1000 + i}`;
    return { headers: { host: `web-${i % 4}` }, body: Buffer.from(line) };
  });
}

interface Result {
  events: number;
  matched: number;
  seconds: number;
  perSecond: number;
  stats: { batches?: number; storeMs: number; pollMs?: number; ackMs?: number };
}

/** Where the consumer's wall time went, from its own counters. */
function breakdown(c: Case, r: Result): string {
  const wall = r.seconds * 1000;
  const pct = (ms = 0) => `${((100 * ms) / wall).toFixed(0)}%`;
  const batches = r.stats.batches ?? Math.ceil(r.events / 1000);
  const per = (ms = 0) => `${(ms / batches).toFixed(1)} ms/batch`;
  if (c.mode.startsWith('push')) return `storeBatch ${pct(r.stats.storeMs)} (${per(r.stats.storeMs)}), waiting for the sink's next batch ${pct(wall - r.stats.storeMs)}`;
  return `getEventBatch ${pct(r.stats.pollMs)} (${per(r.stats.pollMs)}), storeBatch ${pct(r.stats.storeMs)} (${per(r.stats.storeMs)}), ack ${pct(r.stats.ackMs)} (${per(r.stats.ackMs)})`;
}

function runConsumer(c: Case, port: number, profileOut: string | undefined): Promise<Result> {
  return new Promise((resolve, reject) => {
    const prof = profileOut ? ['--profile-out', profileOut] : [];
    const argv = ['--import', 'tsx', '--conditions=sluice-source', consumer, '--mode', c.mode, '--port', String(port), '--events', String(N), ...(c.wal ? ['--wal'] : []), ...prof];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 11 * 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`consumer ${c.mode} exited ${code}:\n${err.slice(-3000)}\n${out.slice(-1000)}`));
      else resolve(JSON.parse(line) as Result);
    });
  });
}

async function runCase(c: Case, events: FlumeEvent[], expectedMatches: number): Promise<{ result: Result; fillPerSecond: number; profile?: ProfileSummary | undefined }> {
  const sourcePort = await freePort();
  const port = await freePort();
  const push = c.mode.startsWith('push');
  const conf = push
    ? pushAgentConfig({ avroSourcePort: sourcePort, sinkHost: '127.0.0.1', sinkPort: port, batchSize: 1000, channelCapacity: N + 10_000, transactionCapacity: 1000 })
    : pullAgentConfig({ avroSourcePort: sourcePort, sparkSinkPort: port, batchSize: 1000, channelCapacity: N + 10_000, transactionCapacity: 1000 });
  const agent = await startFlumeAgent(conf, { waitPorts: push ? [sourcePort] : [sourcePort, port], jvmArgs: ['-Xmx1g'] });
  const profileDir = args.profile && !c.mode.endsWith('floor') ? await mkdtemp(join(tmpdir(), 'sluice-flume-prof-')) : undefined;
  try {
    const t0 = performance.now();
    await sendEventsToAvroSource(sourcePort, events, 1000, { timeoutMs: 60_000 });
    const fillPerSecond = Math.round(N / ((performance.now() - t0) / 1000));
    const result = await runConsumer(c, port, profileDir && join(profileDir, 'consumer.cpuprofile'));
    if (result.events !== N) throw new Error(`${c.name}: ${result.events} events, expected ${N}`);
    if (result.matched !== expectedMatches) throw new Error(`${c.name}: ${result.matched} matches, expected ${expectedMatches}`);
    const profile = profileDir ? summarizeProfile(join(profileDir, 'consumer.cpuprofile')) : undefined;
    return { result, fillPerSecond, profile };
  } finally {
    await agent.stop();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const events = logEvents(N);
const expectedMatches = events.filter((e) => e.body.toString().includes(' 500 ')).length;
const report: Record<string, { perSecond: number[]; fillPerSecond: number[]; breakdown: string[]; profile?: ProfileSummary }> = {};
for (let run = 0; run < RUNS; run++) {
  for (const c of CASES) {
    const r = await runCase(c, events, expectedMatches);
    const entry = (report[c.name] ??= { perSecond: [], fillPerSecond: [], breakdown: [] });
    entry.perSecond.push(r.result.perSecond);
    entry.fillPerSecond.push(r.fillPerSecond);
    entry.breakdown.push(breakdown(c, r.result));
    if (r.profile) entry.profile = r.profile;
    console.log(`${c.name.padEnd(28)} ${String(r.result.perSecond).padStart(8)} events/s  (${r.result.seconds.toFixed(2)} s; channel filled at ${r.fillPerSecond} events/s)`);
    console.log(`${''.padEnd(28)} ${breakdown(c, r.result)}`);
  }
}

console.log(`\nFlume 1.9.0 agent, ${N} events of ~100 bytes, median of ${RUNS} run(s), ${process.version}:`);
const floorOf = (name: string): number => median(report[name.startsWith('push') ? 'push floor (protocol only)' : 'pull floor (protocol only)']!.perSecond);
for (const c of CASES) {
  const ps = median(report[c.name]!.perSecond);
  const ratio = c.mode.endsWith('floor') ? '' : `  ${((100 * ps) / floorOf(c.name)).toFixed(0)}% of the floor`;
  console.log(`  ${c.name.padEnd(28)} ${String(ps).padStart(8)} events/s${ratio}`);
}
for (const c of CASES) {
  const p = report[c.name]!.profile;
  if (!p) continue;
  console.log(`\nWhere the CPU goes, ${c.name} (${(p.totalMs / 1000).toFixed(1)} s profiled, first event to last; idle = waiting on the agent or the disk):`);
  for (const x of p.categories) console.log(`  ${x.pct.toFixed(1).padStart(5)}%  ${x.category}`);
  console.log('  top functions (self time):');
  for (const f of p.functions) console.log(`  ${f.pct.toFixed(1).padStart(5)}%  ${f.name} ${f.where}`);
}
if (args.json) await writeFile(args.json, JSON.stringify({ events: N, runs: RUNS, node: process.version, report }, null, 2));
