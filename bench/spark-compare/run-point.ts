/**
 * One measurement point: a fresh line server at a fixed offered rate, a fresh engine process, a
 * warm-up, then a run of N batches, judged stable or not by {@link judge}. Every wait is bounded;
 * both processes are stopped by PID afterwards.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnEngine, spawnServer, type Engine } from './engines.js';
import { cpuSeconds, peakRssBytes } from './proc-stats.js';
import { DISTINCT_IPS } from './log-lines.js';

export const SLIDE_MS = 10_000;
/** How long past its warm-up a run may take to catch up (scheduling delay under the bound). */
const WARMUP_GRACE_MS = 20_000;
/** Longest wait for an engine's first report, and for the next batch once it runs. */
const STARTUP_LIMIT_MS = 60_000;
const STALL_LIMIT_MS = 20_000;

export interface PointSpec {
  engine: Engine;
  job: number;
  /** Offered lines per second. */
  rate: number;
  intervalMs: number;
  /** Warm-up: at least this many batch intervals after the first data and this long, and caught up. */
  warmupBatches: number;
  warmupMs: number;
  /** Measured batches. */
  batches: number;
  /** Track record creation -> output latency (adds one pass over each batch's input). */
  latency: boolean;
  /** Stop as soon as the run is clearly overloaded (rate search). */
  abortEarly: boolean;
  nodeFlags?: string[];
  /** Extra arguments of the engine's job program. */
  engineArgs?: string[];
}

export interface BatchLine {
  batchTime: number;
  records: number;
  submissionTime: number;
  schedulingDelay: number;
  processingDelay: number;
  processingEnd: number;
  outputAt?: number;
  result?: number;
  created?: Array<[number, number]>;
}

export interface PointResult {
  spec: PointSpec;
  stable: boolean;
  /** Why it is not stable, or a summary when it is. */
  reason: string;
  measured: BatchLine[];
  records: number;
  /** records / (rate x measured time). */
  intake: number;
  meanProcMs: number;
  p95ProcMs: number;
  maxSchedLastThirdMs: number;
  serverLagSec: number;
  cpuSeconds?: number;
  cpuPerMillion?: number;
  peakRss?: number;
  serverCpuMs?: number;
  latency?: { p50: number; p99: number; max: number; records: number };
  startupMs?: number;
  versions: Record<string, string>;
  check?: string;
}

/** Blocks get cut at most every 200 ms and at least twice per batch (same rule for both engines). */
export function blockIntervalFor(intervalMs: number): number {
  return intervalMs >= 400 ? 200 : Math.max(1, Math.floor(intervalMs / 2));
}

/** The start delay ({@link startDelay}) a stable run stays under: two output periods, at least 100 ms. */
export function schedBoundMs(job: number, intervalMs: number): number {
  return Math.max(2 * intervalMs, 100, job === 3 ? SLIDE_MS : 0);
}

/**
 * How late a batch started, relative to its batch time: generation plus scheduling delay. (Sluice
 * generates batch t+1 only after t is submitted, so a slow generation does not show up as
 * scheduling delay; this does, for both engines.)
 */
export const startDelay = (b: BatchLine): number => b.processingEnd - b.processingDelay - b.batchTime;

const quantile = (sorted: number[], q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN);

/** Where the measured run sits in time. */
export interface Window {
  /** Batch time of the last warm-up batch: measured batches cover (start, last batch time]. */
  start: number;
  /** Batch time of the first batch with data. */
  firstData: number;
}

/**
 * Stable when: the measured batches cover the run (a batch without output jobs is not reported by
 * either engine, so coverage is counted in time: the windowed job reports only its slides);
 * processing keeps up (p95 of processing time below the interval; for the windowed job, whose work
 * lands on the slide batches, total processing time below the time covered); batches start on time
 * (max {@link startDelay} over the last third <= {@link schedBoundMs}); the engine took what was offered
 * (>= 97% of rate x time where every batch is reported, and the server less than max(1 s, bound)
 * behind).
 */
export function judge(spec: PointSpec, measured: BatchLine[], serverLagLines: number, w: Window | undefined): Omit<PointResult, 'spec' | 'versions'> {
  const { intervalMs, rate, job } = spec;
  const procs = measured.map((b) => b.processingDelay).sort((a, b) => a - b);
  const totalProc = procs.reduce((a, b) => a + b, 0);
  const meanProcMs = totalProc / Math.max(1, procs.length);
  const p95ProcMs = quantile(procs, 0.95);
  const lastThird = measured.slice(Math.floor((measured.length * 2) / 3));
  const maxSchedLastThirdMs = Math.max(0, ...lastThird.map(startDelay));
  const records = measured.reduce((a, b) => a + b.records, 0);
  const spanMs = w && measured.length ? measured[measured.length - 1]!.batchTime - w.start : 0;
  const covered = Math.round(spanMs / intervalMs);
  const everyBatch = measured.length > 0 && measured.length >= covered;
  const offered = (rate * spanMs) / 1000;
  const intake = everyBatch && offered > 0 ? records / offered : NaN;
  const serverLagSec = serverLagLines / rate;
  const bound = schedBoundMs(job, intervalMs);
  const reasons: string[] = [];
  if (covered < spec.batches) reasons.push(`only ${covered}/${spec.batches} batch intervals completed`);
  const utilization = spanMs > 0 ? totalProc / spanMs : NaN;
  if (job === 3) {
    if (!(utilization < 1)) reasons.push(`processing took ${(utilization * 100).toFixed(0)}% of the time`);
  } else if (!(p95ProcMs < intervalMs)) reasons.push(`p95 processing ${p95ProcMs} ms >= interval ${intervalMs} ms`);
  if (maxSchedLastThirdMs > bound) reasons.push(`batches started up to ${maxSchedLastThirdMs} ms late (bound ${bound} ms)`);
  if (intake < 0.97) reasons.push(`took ${(intake * 100).toFixed(1)}% of the offered lines`);
  if (serverLagSec > Math.max(1, bound / 1000)) reasons.push(`server ${serverLagSec.toFixed(1)} s behind`);
  const stable = reasons.length === 0;
  const summary = [
    job === 3 ? `processing ${(utilization * 100).toFixed(0)}% of the time` : `proc mean ${meanProcMs.toFixed(1)} / p95 ${p95ProcMs} ms`,
    `start delay max(last 1/3) ${maxSchedLastThirdMs} ms`,
    Number.isNaN(intake) ? `server lag ${serverLagSec.toFixed(2)} s` : `intake ${(intake * 100).toFixed(1)}%`,
  ].join(', ');
  return { stable, reason: stable ? summary : `${reasons.join('; ')} (${summary})`, measured, records, intake, meanProcMs, p95ProcMs, maxSchedLastThirdMs, serverLagSec };
}

/** Record creation -> output latency over the measured batches (records wait for the next output). */
export function latencyOf(measured: BatchLine[]): PointResult['latency'] {
  const pending = new Map<number, number>();
  const lat = new Map<number, number>();
  let n = 0;
  for (const b of measured) {
    for (const [ms, c] of b.created ?? []) pending.set(ms, (pending.get(ms) ?? 0) + c);
    if (b.outputAt === undefined) continue;
    for (const [ms, c] of pending) {
      const l = b.outputAt - ms;
      lat.set(l, (lat.get(l) ?? 0) + c);
      n += c;
    }
    pending.clear();
  }
  if (n === 0) return undefined;
  const sorted = [...lat].sort((a, b) => a[0] - b[0]);
  const at = (q: number): number => {
    let seen = 0;
    for (const [l, c] of sorted) {
      seen += c;
      if (seen >= q * n) return l;
    }
    return sorted[sorted.length - 1]![0];
  };
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]![0], records: n };
}

function lines(child: ChildProcess, onLine: (o: Record<string, unknown>) => void, tail: string[]): void {
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (!l.startsWith('{')) return void push(tail, l);
    try {
      onLine(JSON.parse(l) as Record<string, unknown>);
    } catch {
      push(tail, l);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (l) => push(tail, l));
}

function push(tail: string[], l: string): void {
  tail.push(l);
  if (tail.length > 40) tail.shift();
}

/** Processes of the point being measured, stopped by PID if the benchmark itself is interrupted. */
const live = new Set<ChildProcess>();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const c of live) c.kill('SIGKILL');
    process.exit(130);
  });
}

async function stop(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs + 2000))]);
  clearTimeout(t);
}

/** Runs one point. Never throws for engine trouble: an engine that fails makes the point unstable. */
export async function runPoint(spec: PointSpec, errorFraction: number): Promise<PointResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-spark-compare-'));
  const startupBudgetMs = 90_000;
  const runMs = spec.warmupMs + (spec.warmupBatches + spec.batches) * spec.intervalMs;
  const deadlineMs = startupBudgetMs + runMs * 2 + 30_000;
  const server = spawnServer(spec.rate, Math.ceil(deadlineMs / 1000) + 60);
  live.add(server);
  const serverTail: string[] = [];
  const engineTail: string[] = [];
  let serverStats = { t0: 0, due: 0, sent: 0, lag: 0, cpuMs: 0 };
  let engine: ChildProcess | undefined;
  const versions: Record<string, string> = {};
  const measured: BatchLine[] = [];
  const t0 = Date.now();
  let startupMs: number | undefined;
  let cpu0: number | undefined;
  let serverCpu0 = 0;
  let lagAtStart = 0;
  let sentAtStart = 0;
  let outcome: string | undefined;
  let window: Window | undefined;
  const bound = schedBoundMs(spec.job, spec.intervalMs);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`line server did not listen within 15 s: ${serverTail.join('\n')}`)), 15_000);
      lines(server, (o) => {
        if (o['type'] === 'listening') {
          clearTimeout(timer);
          resolve(o['port'] as number);
        } else if (o['type'] === 'stats') serverStats = o as typeof serverStats;
      }, serverTail);
      server.once('exit', (c) => reject(new Error(`line server exited (${c}): ${serverTail.join('\n')}`)));
    });
    engine = spawnEngine(spec.engine, {
      job: spec.job,
      port,
      intervalMs: spec.intervalMs,
      blockMs: blockIntervalFor(spec.intervalMs),
      latency: spec.latency,
      checkpointDir: join(dir, 'checkpoint'),
      localDir: join(dir, 'local'),
    }, spec.nodeFlags, spec.engineArgs);
    live.add(engine);
    const pid = engine.pid!;
    outcome = await new Promise<string | undefined>((resolve) => {
      let firstData: number | undefined;
      // Warm-up is counted in time (the windowed job reports only its slide batches).
      const warmupSpan = Math.max(spec.warmupMs, spec.warmupBatches * spec.intervalMs);
      const grace = Math.max(WARMUP_GRACE_MS, spec.job === 3 ? 2 * SLIDE_MS : 0);
      const deadline = setTimeout(() => resolve(`timed out after ${Math.round(deadlineMs / 1000)} s (${measured.length} measured batches)`), deadlineMs);
      let finished = false;
      const done = (why?: string): void => {
        finished = true;
        clearTimeout(deadline);
        resolve(why);
      };
      engine!.once('exit', (code, sig) => done(`engine exited (${code ?? sig}): ${engineTail.slice(-8).join(' | ')}`));
      // A run that reports nothing for long (a JVM drowning in queued batches) is not waited for.
      let lastReport = Date.now();
      const watchdog = setInterval(() => {
        if (finished) return clearInterval(watchdog);
        const quiet = Date.now() - lastReport;
        const limit = startupMs === undefined ? STARTUP_LIMIT_MS : Math.max(STALL_LIMIT_MS, 3 * bound, spec.intervalMs * 3);
        if (spec.abortEarly && quiet > limit + (cpu0 === undefined ? spec.warmupMs : 0)) {
          clearInterval(watchdog);
          done(`aborted: no batch completed for ${Math.round(quiet / 1000)} s`);
        }
      }, 1000);
      lines(engine!, (o) => {
        if (o['type'] === 'started') {
          startupMs = Date.now() - t0;
          lastReport = Date.now();
          for (const [k, v] of Object.entries(o)) if (typeof v === 'string' && k !== 'type') versions[k] = v;
          return;
        }
        if (o['type'] !== 'batch' || finished) return;
        lastReport = Date.now();
        const b = o as unknown as BatchLine;
        if (cpu0 === undefined) {
          if (firstData === undefined && b.records > 0) firstData = b.batchTime;
          if (firstData === undefined) return;
          if (spec.abortEarly && b.batchTime - firstData > warmupSpan + grace) {
            return done(`aborted: batches still start ${startDelay(b)} ms late ${Math.round((b.batchTime - firstData) / 1000)} s after the first data (never caught up)`);
          }
          if (b.batchTime - firstData >= warmupSpan && startDelay(b) <= bound) {
            window = { start: b.batchTime, firstData };
            cpu0 = cpuSeconds(pid);
            serverCpu0 = serverStats.cpuMs;
            lagAtStart = serverStats.lag;
            sentAtStart = serverStats.sent;
          }
          return;
        }
        measured.push(b);
        const covered = (b.batchTime - window!.start) / spec.intervalMs;
        if (covered >= spec.batches) return done();
        if (spec.abortEarly && covered >= 3) {
          if (startDelay(b) > 3 * bound) return done(`aborted: a batch started ${startDelay(b)} ms late (> ${3 * bound} ms)`);
          const lagSec = serverStats.lag / spec.rate;
          if (lagSec > Math.max(3, (3 * bound) / 1000) && serverStats.lag > lagAtStart) return done(`aborted: server ${lagSec.toFixed(1)} s behind`);
        }
      }, engineTail);
    });
    const cpu1 = cpuSeconds(pid);
    const peakRss = peakRssBytes(pid);
    const j = judge(spec, measured, serverStats.lag, window);
    const stable = j.stable && outcome === undefined;
    const cpuUsed = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
    const result: PointResult = {
      ...j,
      spec,
      stable,
      reason: outcome === undefined ? j.reason : `${outcome}; ${j.reason}`,
      versions,
      serverCpuMs: serverStats.cpuMs - serverCpu0,
    };
    if (cpuUsed !== undefined) {
      result.cpuSeconds = cpuUsed;
      // Records the engine handled in the measured time: its own counts when it reports every
      // batch, else (the windowed job reports slides only) what the server sent meanwhile.
      const handled = Number.isNaN(j.intake) ? serverStats.sent - sentAtStart : j.records;
      if (handled > 0) result.cpuPerMillion = (cpuUsed / handled) * 1e6;
    }
    if (peakRss !== undefined) result.peakRss = peakRss;
    if (startupMs !== undefined) result.startupMs = startupMs;
    if (spec.latency) {
      const l = latencyOf(measured);
      if (l) result.latency = l;
    }
    result.check = sanity(spec, measured, errorFraction, window, serverStats.t0);
    return result;
  } catch (e) {
    return { ...judge(spec, measured, 0, window), spec, stable: false, reason: `failed: ${(e as Error).message}`, versions };
  } finally {
    if (engine) await stop(engine, spec.engine === 'spark' ? 8000 : 3000);
    await stop(server, 2000);
    if (engine) live.delete(engine);
    live.delete(server);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Cross-checks the jobs' outputs against what the input must give. Undefined when all is well. */
function sanity(spec: PointSpec, measured: BatchLine[], errorFraction: number, w: Window | undefined, serverT0: number): string | undefined {
  const withOut = measured.filter((b) => b.result !== undefined);
  if (withOut.length === 0) return 'no output';
  const records = measured.reduce((a, b) => a + b.records, 0);
  const last = withOut[withOut.length - 1]!;
  // Lines offered since the first data: every IP appears once in any 100,000 consecutive lines.
  const linesSoFar = w ? (spec.rate * (last.batchTime - w.firstData)) / 1000 : 0;
  if (spec.job === 1) {
    const errors = withOut.reduce((a, b) => a + b.result!, 0);
    const f = errors / Math.max(1, records);
    if (records > 100_000 && Math.abs(f - errorFraction) > 0.01) return `error fraction ${f.toFixed(4)}, input has ${errorFraction.toFixed(4)}`;
  }
  if (spec.job === 3 && serverT0 > 0) {
    // The window's sum is the lines of its last 30 s (fewer near the start, when lines began at
    // the server's t0); allow 10% for block and batch edges.
    const expected = (b: BatchLine): number => (spec.rate * Math.max(0, Math.min(30_000, b.batchTime - serverT0))) / 1000;
    const bad = withOut.filter((b) => Math.abs(b.result! - expected(b)) > 0.1 * expected(b) + spec.rate * 0.2);
    if (bad.length) return `window sums ${bad.slice(0, 3).map((b) => b.result).join(', ')} lines, expected about ${bad.slice(0, 3).map((b) => Math.round(expected(b))).join(', ')}`;
  }
  if (spec.job === 4) {
    if (last.result! > DISTINCT_IPS || (linesSoFar >= 150_000 && last.result !== DISTINCT_IPS)) return `state has ${last.result} keys, input has ${DISTINCT_IPS} IPs`;
  }
  return undefined;
}
