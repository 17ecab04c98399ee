/**
 * Records/s consumed by Sluice's direct Kafka stream (filter + count per batch) against Kafka's own
 * Java consumer performance tool (`ConsumerPerformance`, kafka-tools) on the same topic, in the
 * same run, on a real single-node broker started here. The topic is filled once by Kafka's
 * `ProducerPerformance` with Apache-style log lines (about 100 bytes, 1 in 10 with status 500).
 * Each run then times, each in its own process:
 * - `ConsumerPerformance` (a consumer group; counts messages and bytes, no deserialization);
 * - `sluice`: createDirectKafkaStream(...).filter(value includes " 500 ").count() per batch;
 * - `fetch`: the direct stream's range reads alone (Fetch + kafkajs record decoding);
 * - `decode`: `fetch` + KafkaRecord building (UTF-8 check, decode) + the filter, without the engine;
 * - `kafkajs`: a kafkajs consumer group (eachBatch, same filter), for reference.
 * A CPU profile of one more (untimed) Sluice run says where the time goes. Every consumer must see
 * all records and (except ConsumerPerformance) the same number of matches. The ratio is taken per
 * run (each run's consumers run back to back), then the median.
 *
 *   node --import tsx --conditions=sluice-source bench/kafka/kafka-bench.ts [--records 2000000] [--partitions 4] [--runs 3] [--json out.json]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createTopic, startKafka, type KafkaBroker } from '../../test/infra/kafka.js';
import { loggingArg } from '../../test/infra/kafka/jars.js';
import { summarizeProfile } from './cpu-profile.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '2000000' },
    partitions: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    'batch-ms': { type: 'string', default: '500' },
    'max-rate': { type: 'string', default: '200000' },
    json: { type: 'string' },
  },
});
const N = Number(args.records);
const P = Number(args.partitions);
const MATCH = ' 500 ';
const JVM = ['-Xmx1g', '-XX:+UseParallelGC'];
const TIMEOUT_MS = 10 * 60_000;
const here = new URL('.', import.meta.url).pathname;

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs a command; resolves with its stdout and the CPU seconds (user + system) it used, if measurable. */
function exec(cmd: string, argv: string[]): Promise<{ out: string; cpu: number | undefined }> {
  const [file, all] = TIME ? [TIME, ['-f', '__cpu__ %U %S', cmd, ...argv]] : [cmd, argv];
  return new Promise((resolve, reject) => {
    const child = spawn(file, all, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const m = /__cpu__ ([\d.]+) ([\d.]+)/.exec(err);
      if (code === 0) resolve({ out, cpu: m ? Number(m[1]) + Number(m[2]) : undefined });
      else reject(new Error(`${cmd} ${argv.slice(-12).join(' ')} exited ${code}:\n${err.slice(-4000)}\n${out.slice(-2000)}`));
    });
  });
}

function logLines(n: number): string[] {
  const paths = ['/index.html', '/api/v1/items?id=', '/static/app.js', '/login', '/search?q=kafka+streams'];
  return Array.from({ length: n }, (_, i) => {
    const status = i % 10 === 0 ? 500 : i % 7 === 0 ? 404 : 200;
    return `10.0.${i % 256}.${(i * 7) % 256} - - [25/Nov/2026:01:${String(i % 60).padStart(2, '0')}:00 +0000] "GET ${paths[i % 5]}${i} HTTP/1.1" ${status} ${1000 + i}`;
  });
}

async function fill(broker: KafkaBroker, topic: string, dir: string): Promise<void> {
  const payload = join(dir, 'payload.txt');
  await writeFile(payload, logLines(1000).join('\n'));
  await exec('java', [...JVM, '-cp', `${broker.libDir}/*`, loggingArg(broker.version), 'org.apache.kafka.tools.ProducerPerformance',
    '--topic', topic, '--num-records', String(N), '--payload-file', payload, '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'acks=1', 'linger.ms=10', 'batch.size=262144']);
}

interface Result {
  mode: string;
  records: number;
  matched: number;
  seconds: number;
  /** CPU seconds of the whole consumer process (startup included). */
  cpu?: number | undefined;
}

async function consumerPerformance(broker: KafkaBroker, topic: string, run: number): Promise<Result & { withJoin: number }> {
  const { out, cpu } = await exec('java', [...JVM, '-cp', `${broker.libDir}/*`, loggingArg(broker.version), 'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server', broker.bootstrap, '--topic', topic, '--messages', String(N), '--group', `perf-${run}-${Date.now()}`, '--timeout', '60000']);
  const lines = out.trim().split('\n');
  const header = lines.findIndex((l) => l.startsWith('start.time'));
  const cols = lines[header]!.split(',').map((s) => s.trim());
  const vals = lines[header + 1]!.split(',').map((s) => s.trim());
  const get = (name: string): number => Number(vals[cols.indexOf(name)]);
  const records = get('data.consumed.in.nMsg');
  // fetch.nMsg.sec excludes the group join (as Sluice's figure excludes startup).
  return { mode: 'ConsumerPerformance', records, matched: -1, seconds: records / get('fetch.nMsg.sec'), withJoin: records / get('nMsg.sec'), cpu };
}

async function sluiceConsumer(mode: string, broker: KafkaBroker, topic: string, profileDir?: string): Promise<Result> {
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const { out, cpu } = await exec(process.execPath, [...prof, '--import', 'tsx', '--conditions=sluice-source', join(here, 'sluice-consumer.ts'), mode, broker.bootstrap, topic, String(N), MATCH, args['batch-ms'], args['max-rate']]);
  return { ...(JSON.parse(out.trim().split('\n').pop()!) as Result), cpu };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = await mkdtemp(join(tmpdir(), 'sluice-kafka-bench-'));
const broker = await startKafka({ serverProperties: { 'num.io.threads': 4, 'num.network.threads': 2 } });
try {
  const topic = `bench-${Date.now()}`;
  await createTopic(broker, topic, P);
  const t0 = performance.now();
  await fill(broker, topic, dir);
  console.log(`Kafka ${broker.version} at ${broker.bootstrap}; topic ${topic}: ${N} records in ${P} partitions, produced by ProducerPerformance in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const modes = ['sluice', 'fetch', 'decode', 'kafkajs'];
  const rates = new Map<string, number[]>();
  const add = (mode: string, rate: number): void => void rates.set(mode, [...(rates.get(mode) ?? []), rate]);
  const cpus = new Map<string, number[]>();
  const addCpu = (mode: string, r: Result): void => void (r.cpu !== undefined && cpus.set(mode, [...(cpus.get(mode) ?? []), (r.cpu * 1e6) / r.records]));
  for (let run = 0; run < Number(args.runs); run++) {
    const cp = await consumerPerformance(broker, topic, run);
    add('ConsumerPerformance', cp.records / cp.seconds);
    add('ConsumerPerformance (incl. group join)', cp.records / cp.withJoin);
    addCpu('ConsumerPerformance', cp);
    const matched = new Set<number>();
    for (const mode of modes) {
      const r = await sluiceConsumer(mode, broker, topic);
      if (r.records !== N) throw new Error(`${mode} consumed ${r.records} records, expected ${N}`);
      if (mode !== 'fetch') matched.add(r.matched);
      add(mode, r.records / r.seconds);
      addCpu(mode, r);
    }
    if (matched.size !== 1) throw new Error(`consumers disagree on the number of matches: ${[...matched].join(', ')}`);
    if (cp.records !== N) throw new Error(`ConsumerPerformance consumed ${cp.records}, expected ${N}`);
    console.log(`run ${run + 1}: ${[...rates].map(([m, rs]) => `${m} ${Math.round(rs[rs.length - 1]!)}`).join(', ')} records/s; ${[...matched][0]} matches`);
  }
  const med = new Map([...rates].map(([m, rs]) => [m, median(rs)]));
  const ratios = rates.get('sluice')!.map((r, i) => r / rates.get('ConsumerPerformance')![i]!);
  console.log(`\nMedian of ${args.runs} runs, records/s (ratio of medians to ConsumerPerformance):`);
  for (const [m, r] of med) console.log(`  ${m.padEnd(40)} ${String(Math.round(r)).padStart(10)}  ${(r / med.get('ConsumerPerformance')!).toFixed(3)}`);
  if (cpus.size > 0) {
    console.log('CPU seconds per million records (median; whole process, startup included; robust to a busy machine):');
    for (const [m, xs] of cpus) console.log(`  ${m.padEnd(40)} ${median(xs).toFixed(2).padStart(10)}`);
  }
  console.log(`sluice / ConsumerPerformance per run: ${ratios.map((r) => r.toFixed(3)).join(', ')}; median ${median(ratios).toFixed(3)}`);
  // One more, profiled run of the Sluice pipeline (not timed: profiling slows it down).
  const profiles = join(dir, 'profiles');
  await sluiceConsumer('sluice', broker, topic, profiles);
  const file = (await readdir(profiles)).find((f) => f.endsWith('.cpuprofile'))!;
  const summary = summarizeProfile(join(profiles, file));
  console.log(`\nCPU profile of one sluice run (${(summary.totalMs / 1000).toFixed(1)} s sampled), self time by area:`);
  for (const c of summary.categories) console.log(`  ${c.category.padEnd(58)} ${c.pct.toFixed(1).padStart(5)} %`);
  console.log('Top functions (self time):');
  for (const f of summary.functions) console.log(`  ${f.pct.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}`);
  if (args.json) await writeFile(args.json, JSON.stringify({ records: N, partitions: P, runs: Number(args.runs), median: Object.fromEntries(med), all: Object.fromEntries(rates), cpuSecondsPerMillion: Object.fromEntries(cpus), sluiceToJavaRatios: ratios, profile: summary }, null, 2));
} finally {
  await broker.stop();
  await rm(dir, { recursive: true, force: true });
}
