/**
 * The searches: the highest sustainable offered rate at 1 s batches (short probes doubling or
 * halving the rate, then full runs confirming and bisecting in log space), and the smallest stable
 * batch interval at a fixed rate (a ladder of intervals, bisected from 100 ms).
 */
import type { Engine } from './engines.js';
import { runPoint, type PointResult, type PointSpec } from './run-point.js';

export interface SearchConfig {
  /** Measured batches of a full run (>= 60 in full mode). */
  batches: number;
  /** Measured batches of a probe in the doubling phase. */
  probeBatches: number;
  warmupBatches: number;
  warmupMs: number;
  /** Extra warm-up of the windowed job's interval points, so its 30 s window is full (inverse reduce active). */
  windowWarmupMs: number;
  /** Extra arguments of each engine's job program (e.g. Sluice's receiver buffer). */
  engineArgs: Partial<Record<Engine, string[]>>;
  /** Full-run bisection steps after the bracket is found. */
  bisectSteps: number;
  /** Least measured time of an interval-search point (and of two slides for the windowed job). */
  minMeasureMs: number;
  /** Least measured time of an interval-search point of the windowed job (two slides in full mode). */
  windowMeasureMs: number;
  /** Rate step of the probe phase (2 = doubling). */
  factor: number;
  /** Most probes of one rate search. */
  maxProbes: number;
  /** No bisection step of a rate search starts after it has run this long. */
  searchBudgetMs: number;
  /** Interval search: only 100 ms and one step (10 ms if 100 is stable, else 1000 ms). */
  shortIntervalSearch: boolean;
  maxRate: number;
  minRate: number;
  errorFraction: number;
  /** Milliseconds since the epoch after which no new point starts. */
  deadline: number;
  log: (s: string) => void;
}

export interface ThroughputResult {
  /** The highest rate that passed a full run. */
  best?: PointResult;
  /** True when `best` is at maxRate (the true maximum may be higher). */
  capped: boolean;
  points: PointResult[];
  note?: string;
  /** Set when a stable run's output was wrong (the engine did not do the job): no figure is given. */
  invalid?: string;
}

export interface IntervalResult {
  /** The smallest interval of the ladder that was stable. */
  best?: PointResult;
  /** The 100 ms point (latency goal). */
  at100?: PointResult;
  points: PointResult[];
  note?: string;
  /** Set when a stable run's output was wrong: no figure is given. */
  invalid?: string;
}

export const INTERVAL_LADDER = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

const roundRate = (r: number): number => {
  const p = 10 ** Math.max(0, Math.floor(Math.log10(r)) - 1);
  return Math.round(r / p) * p;
};

export function engineLabel(s: PointSpec): string {
  return s.engineArgs?.length ? `${s.engine} ${s.engineArgs.join(' ')}` : s.engine;
}

function describe(r: PointResult): string {
  const s = r.spec;
  const extra = [
    r.cpuPerMillion !== undefined ? `cpu ${r.cpuPerMillion.toFixed(2)} s/M` : '',
    r.peakRss !== undefined ? `rss ${(r.peakRss / 2 ** 20).toFixed(0)} MiB` : '',
    r.latency ? `lat p50 ${r.latency.p50} p99 ${r.latency.p99} ms` : '',
    r.check ? `CHECK: ${r.check}` : '',
  ].filter(Boolean).join(', ');
  return `${engineLabel(s)} job${s.job} ${s.rate.toLocaleString('en')}/s @${s.intervalMs} ms x${s.batches}: ${r.stable ? 'STABLE' : 'unstable'} - ${r.reason}${extra ? ` [${extra}]` : ''}`;
}

export async function point(cfg: SearchConfig, spec: Omit<PointSpec, 'warmupBatches' | 'warmupMs'>, into: PointResult[], extraWarmupMs = 0): Promise<PointResult | undefined> {
  if (Date.now() > cfg.deadline) return undefined;
  const engineArgs = cfg.engineArgs[spec.engine] ?? [];
  const r = await runPoint({ ...spec, warmupBatches: cfg.warmupBatches, warmupMs: cfg.warmupMs + extraWarmupMs, engineArgs }, cfg.errorFraction);
  into.push(r);
  cfg.log(`  ${describe(r)}`);
  return r;
}

/** Highest sustainable rate at 1 s batches. */
export async function maxThroughput(engine: Engine, job: number, startRate: number, cfg: SearchConfig): Promise<ThroughputResult> {
  const points: PointResult[] = [];
  const base = { engine, job, intervalMs: 1000, latency: false };
  const probe = (rate: number): Promise<PointResult | undefined> => point(cfg, { ...base, rate, batches: cfg.probeBatches, abortEarly: true }, points);
  const full = async (rate: number): Promise<PointResult | undefined> => {
    const probed = points.find((p) => p.spec.rate === rate && p.stable && p.spec.batches >= cfg.batches);
    return probed ?? point(cfg, { ...base, rate, batches: cfg.batches, abortEarly: true }, points);
  };
  let lo: number | undefined;
  let hi: number | undefined;
  let capped = false;
  const began = Date.now();
  let rate = roundRate(startRate);
  for (let i = 0; i < cfg.maxProbes; i++) {
    const r = await probe(rate);
    if (!r) return { capped, points, note: 'time budget exhausted' };
    // A wrong output while the server was behind means the engine had not read the lines yet (job
    // 3's bound lets the server lag up to a slide): that rate is too high, not a wrong engine.
    if (r.stable && r.check && r.serverLagSec <= 1) return { capped, points, invalid: r.check, note: `output check failed, search stopped: ${r.check}` };
    if (r.stable && !r.check) {
      lo = rate;
      if (hi !== undefined) break;
      if (rate >= cfg.maxRate) {
        capped = true;
        break;
      }
      rate = Math.min(cfg.maxRate, rate * cfg.factor);
    } else {
      hi = rate;
      if (lo !== undefined) break;
      rate = roundRate(rate / cfg.factor);
      if (rate < cfg.minRate) return { capped, points, note: `unstable even at ${cfg.minRate.toLocaleString('en')} lines/s` };
    }
  }
  let best: PointResult | undefined;
  while (lo !== undefined && !best) {
    const r = await full(lo);
    if (!r) return { capped, points, note: 'time budget exhausted' };
    if (r.stable && !r.check) best = r;
    else {
      capped = false;
      hi = lo;
      lo = lo / 2 >= cfg.minRate ? roundRate(lo / 2) : undefined;
    }
  }
  if (!best) return { capped, points, note: 'no rate passed a full run' };
  for (let i = 0; i < cfg.bisectSteps && hi !== undefined && !capped && Date.now() - began < cfg.searchBudgetMs; i++) {
    const mid = roundRate(Math.sqrt(best.spec.rate * hi));
    if (mid <= best.spec.rate || mid >= hi) break;
    const r = await full(mid);
    if (!r) break;
    if (r.stable && !r.check) best = r;
    else hi = mid;
  }
  return { best, capped, points };
}

/** Smallest stable batch interval of {@link INTERVAL_LADDER} at a fixed rate (latency tracked). */
export async function smallestInterval(engine: Engine, job: number, rate: number, cfg: SearchConfig): Promise<IntervalResult> {
  const points: PointResult[] = [];
  const at = async (intervalMs: number): Promise<PointResult | undefined> => {
    const minMs = job === 3 ? Math.max(cfg.minMeasureMs, cfg.windowMeasureMs) : cfg.minMeasureMs;
    const batches = Math.max(cfg.batches, Math.ceil(minMs / intervalMs));
    return point(cfg, { engine, job, rate, intervalMs, batches, latency: true, abortEarly: true }, points, job === 3 ? cfg.windowWarmupMs : 0);
  };
  const i100 = INTERVAL_LADDER.indexOf(100);
  const at100 = await at(100);
  if (!at100) return { points, note: 'time budget exhausted' };
  if (at100.stable && at100.check) return { points, at100, invalid: at100.check, note: `output check failed, search stopped: ${at100.check}` };
  let best: PointResult | undefined;
  if (cfg.shortIntervalSearch) {
    const next = await at(at100.stable ? 10 : 1000);
    best = at100.stable ? (next?.stable ? next : at100) : next?.stable ? next : undefined;
  } else if (at100.stable) {
    best = at100;
    // Smallest stable index in [0, i100): bisect, assuming shorter intervals only get harder.
    let lo = 0;
    let hi = i100; // hi is stable
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const r = await at(INTERVAL_LADDER[mid]!);
      if (!r) break;
      if (r.stable) {
        best = r;
        hi = mid;
      } else lo = mid + 1;
    }
  } else {
    for (let i = i100 + 1; i < INTERVAL_LADDER.length && !best; i++) {
      const r = await at(INTERVAL_LADDER[i]!);
      if (!r) break;
      if (r.stable) best = r;
    }
  }
  const result: IntervalResult = { points, at100 };
  if (best) result.best = best;
  else result.note = `no interval up to ${INTERVAL_LADDER[INTERVAL_LADDER.length - 1]} ms was stable at ${rate.toLocaleString('en')} lines/s`;
  return result;
}
