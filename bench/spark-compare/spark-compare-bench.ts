/**
 * Sluice vs Spark Streaming 3.5 on one machine: the same four jobs over the same bytes, measured in
 * one run, written to bench/RESULTS.md. Never part of the tests.
 *
 *   npm run bench -- spark                                    full run (about 70 min), writes bench/RESULTS.md
 *   SPARK_COMPARE_ARGS=--quick npm run bench -- spark         quick check (~10 min), writes bench/.cache/spark-compare/RESULTS-quick.md
 *   node --import tsx --conditions=sluice-source bench/spark-compare/spark-compare-bench.ts --quick --jobs=1
 *
 * Options (argv or SPARK_COMPARE_ARGS): --quick, --jobs=1,2,3,4, --engines=sluice,spark,
 * --fixed-rate=LINES_PER_S (interval and latency runs, default 20000), --max-minutes=N (no new
 * point starts after this; default 90, quick 20), --out=FILE, --no-profile,
 * --render=RESULTS_JSON (no measuring: re-render a saved run, e.g. after editing closing-note.md).
 * Needs: Java 17 and Maven (Spark's jars come from Maven Central into bench/.cache/spark-lib).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepare, repoRoot, SPARK_HEAP } from './engines.js';
import { makeRing } from './log-lines.js';
import { runPoint } from './run-point.js';
import { maxThroughput, point, smallestInterval, type SearchConfig } from './search.js';
import { renderResults, JOB_NAMES, type JobResults, type RunInfo } from './results-md.js';
import { summarizeProfile } from './cpu-profile.js';

const argv = [...process.argv.slice(2), ...(process.env['SPARK_COMPARE_ARGS'] ?? '').split(/\s+/).filter(Boolean)];
const { values } = parseArgs({
  args: argv,
  options: {
    quick: { type: 'boolean', default: process.env['BENCH_QUICK'] === '1' },
    jobs: { type: 'string', default: '1,2,3,4' },
    engines: { type: 'string', default: 'sluice,spark' },
    'fixed-rate': { type: 'string', default: '20000' },
    'max-minutes': { type: 'string' },
    out: { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    render: { type: 'string' },
  },
});
if (values.render) renderOnly(values.render, values.out);
const quick = values.quick!;
const jobs = values.jobs!.split(',').map(Number).filter((j) => j >= 1 && j <= 4);
const engines = values.engines!.split(',') as Array<'sluice' | 'spark'>;
const fixedRate = Number(values['fixed-rate']);
const cacheDir = join(repoRoot, 'bench', '.cache', 'spark-compare');
const complete = !quick && jobs.length === 4 && engines.includes('sluice') && engines.includes('spark');
const outFile = values.out ?? (complete ? join(repoRoot, 'bench', 'RESULTS.md') : join(cacheDir, `RESULTS-${quick ? 'quick' : 'partial'}.md`));
const startedAt = new Date();
const loadStart = loadavg();
const log = (s: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

const ring = makeRing();
const common = { maxRate: 8_000_000, minRate: 1000, errorFraction: ring.errorLines / ring.lines, deadline: 0, log, engineArgs: {} };
const cfg: SearchConfig = quick
  ? { ...common, batches: 10, probeBatches: 10, warmupBatches: 3, warmupMs: 3000, windowWarmupMs: 0, bisectSteps: 0, minMeasureMs: 2000, windowMeasureMs: 10_000, factor: 4, maxProbes: 3, searchBudgetMs: 0, shortIntervalSearch: true }
  : { ...common, batches: 60, probeBatches: 15, warmupBatches: 5, warmupMs: 5000, windowWarmupMs: 30_000, bisectSteps: 3, minMeasureMs: 6000, windowMeasureMs: 20_000, factor: 2, maxProbes: 8, searchBudgetMs: 6 * 60_000, shortIntervalSearch: false };
cfg.deadline = startedAt.getTime() + Number(values['max-minutes'] ?? (quick ? 20 : 90)) * 60_000;

log(`Sluice vs Spark Streaming, ${quick ? 'quick' : 'full'} mode; jobs ${jobs.join(',')}; engines ${engines.join(',')}; load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);
const versions = await prepare(log, engines.includes('spark'));
const results: JobResults[] = [];
const skipped: string[] = [];
const bestOf: Record<string, number> = {};
const startRate = (engine: string, job: number): number => {
  if (engine === 'floor') return 1_000_000;
  if (job === 1) return engine === 'sluice' ? 400_000 : 200_000;
  const j1 = bestOf[`${engine}1`];
  return j1 ? Math.max(10_000, j1 / 8) : 50_000;
};

for (const job of jobs) {
  log(JOB_NAMES[job]!);
  const r: JobResults = { job, throughput: {}, interval: {} };
  results.push(r);
  for (const engine of engines) {
    log(` max throughput, ${engine}`);
    const t = await maxThroughput(engine, job, startRate(engine, job), cfg);
    r.throughput[engine] = t;
    if (t.best) {
      bestOf[`${engine}${job}`] = t.best.spec.rate;
      if (engine === 'spark' && t.best.versions['spark']) versions.spark = t.best.versions['spark'];
    }
    if (t.note) skipped.push(`job ${job} ${engine} max throughput: ${t.note}`);
  }
  // RSS and CPU at equal load: both engines at the lower of their two maxima.
  const ts = r.throughput.sluice?.best;
  const tp = r.throughput.spark?.best;
  if (ts && tp) {
    const rate = Math.min(ts.spec.rate, tp.spec.rate);
    r.equalLoad = {};
    for (const [engine, best] of [['sluice', ts], ['spark', tp]] as const) {
      if (best.spec.rate === rate) r.equalLoad[engine] = best;
      else {
        log(` equal load (${rate.toLocaleString('en')} lines/s), ${engine}`);
        const p = await point(cfg, { engine, job, rate, intervalMs: 1000, batches: cfg.batches, latency: false, abortEarly: false }, []);
        if (p) r.equalLoad[engine] = p;
      }
    }
  }
  if (job === 1 && engines.includes('sluice')) {
    log(' max throughput, bare-Node floor');
    r.floor = await maxThroughput('floor', 1, startRate('floor', 1), cfg);
    if (r.floor.note) skipped.push(`bare-Node floor: ${r.floor.note}`);
  }
  for (const engine of engines) {
    log(` smallest stable interval at ${fixedRate.toLocaleString('en')} lines/s, ${engine}`);
    const i = await smallestInterval(engine, job, fixedRate, cfg);
    r.interval[engine] = i;
    if (i.note) skipped.push(`job ${job} ${engine} interval search: ${i.note}`);
    if (engine === 'spark' && !versions.spark) versions.spark = i.points.find((p) => p.versions['spark'])?.versions['spark'];
  }
}

// Profiles of the Sluice process where it falls short of a goal.
const profiles: RunInfo['profiles'] = [];
if (!values['no-profile'] && engines.includes('sluice')) {
  for (const r of results) {
    const s = r.throughput.sluice?.best;
    const p = r.throughput.spark?.best;
    const interval = r.interval.sluice;
    const short =
      (s && p && s.spec.rate < 2 * p.spec.rate) ||
      (r.floor?.best && s && s.spec.rate < r.floor.best.spec.rate / 2) ||
      (interval && (!interval.best || interval.best.spec.intervalMs > 20)) ||
      (r.job !== 3 && interval?.at100?.latency && interval.at100.latency.p99 > 250);
    if (!short || !s || r.throughput.sluice?.invalid || Date.now() > cfg.deadline) continue;
    const dir = join(cacheDir, 'profiles', `job${r.job}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    log(` CPU profile of Sluice, job ${r.job} at ${s.spec.rate.toLocaleString('en')} lines/s`);
    const pr = await runPoint(
      { engine: 'sluice', job: r.job, rate: s.spec.rate, intervalMs: 1000, warmupBatches: cfg.warmupBatches, warmupMs: cfg.warmupMs, batches: quick ? 5 : 20, latency: false, abortEarly: false, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`], engineArgs: cfg.engineArgs.sluice ?? [] },
      cfg.errorFraction,
    );
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
    if (!file) {
      skipped.push(`CPU profile of job ${r.job}: no profile written (${pr.reason})`);
      continue;
    }
    profiles.push({ job: r.job, rate: s.spec.rate, summary: summarizeProfile(join(dir, file), join(cacheDir, 'sluice-job.mjs')) });
    log(`  profile: ${join(dir, file)}`);
  }
}

const notePath = join(repoRoot, 'bench', 'spark-compare', 'closing-note.md');
const info: RunInfo = {
  mode: quick ? 'quick' : 'full',
  startedAt,
  finishedAt: new Date(),
  loadStart,
  loadEnd: loadavg(),
  versions,
  fixedRate,
  batches: cfg.batches,
  probeBatches: cfg.probeBatches,
  command: `npm run bench -- spark${argv.length ? ` (args: ${argv.join(' ')})` : ''}`,
  sparkHeap: SPARK_HEAP,
  profiles,
  skipped,
};
if (complete && existsSync(notePath)) info.closingNote = readFileSync(notePath, 'utf8');
const md = renderResults(info, results);
mkdirSync(cacheDir, { recursive: true });
writeFileSync(outFile, md);
writeFileSync(join(cacheDir, `results-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ info, results }, (k, v) => (k === 'created' ? undefined : v), 1));
console.log(`\n${md}`);
log(`wrote ${outFile} (${((Date.now() - startedAt.getTime()) / 60_000).toFixed(1)} min)`);

/** Re-renders a saved run (bench/.cache/spark-compare/results-*.json) with the current closing note. */
function renderOnly(file: string, out: string | undefined): never {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { info: RunInfo; results: JobResults[] };
  const info: RunInfo = { ...saved.info, startedAt: new Date(saved.info.startedAt), finishedAt: new Date(saved.info.finishedAt) };
  const notePath = join(repoRoot, 'bench', 'spark-compare', 'closing-note.md');
  if (info.mode === 'full' && existsSync(notePath)) info.closingNote = readFileSync(notePath, 'utf8');
  const target = out ?? (info.mode === 'full' ? join(repoRoot, 'bench', 'RESULTS.md') : join(repoRoot, 'bench', '.cache', 'spark-compare', `RESULTS-${info.mode}.md`));
  writeFileSync(target, renderResults(info, saved.results));
  console.log(`re-rendered ${file} into ${target}`);
  process.exit(0);
}
