/**
 * Builds and starts the processes of a measurement: the line server, the Sluice job, the Spark job
 * (JVM) and the bare-Node floor. Node programs are bundled from the TypeScript sources (workspace
 * packages resolved to their sources, as the tests do) into plain JavaScript under
 * bench/.cache/spark-compare/, so the measured processes run with plain `node`, as users run
 * Sluice, without a TypeScript loader inside. The Spark program is built by Maven from Maven Central
 * (bench/spark/pom.xml); its jars go to bench/.cache/spark-lib/ (ignored).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Engine = 'sluice' | 'spark' | 'floor';

const benchDir = new URL('..', import.meta.url).pathname;
export const repoRoot = join(benchDir, '..');
const cacheDir = join(benchDir, '.cache', 'spark-compare');
const sparkDir = join(benchDir, 'spark');
const sparkLib = join(benchDir, '.cache', 'spark-lib');

/** Heap of the Spark driver JVM: spark-submit's default driver memory (spark.driver.memory=1g). */
export const SPARK_HEAP = '1g';

/** What spark-submit adds on Java 17 (../shared/TESTING.md, "Spark Streaming as a benchmark peer"). */
const JAVA17_FLAGS = [
  '-XX:+IgnoreUnrecognizedVMOptions',
  ...[
    'java.lang', 'java.lang.invoke', 'java.lang.reflect', 'java.io', 'java.net', 'java.nio', 'java.util',
    'java.util.concurrent', 'java.util.concurrent.atomic', 'jdk.internal.ref', 'sun.nio.ch', 'sun.nio.cs',
    'sun.security.action', 'sun.util.calendar',
  ].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`),
  '--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  '-Djdk.reflect.useDirectMethodHandle=false',
  '-Dio.netty.tryReflectionSetAccessible=true',
];

export interface Versions {
  node: string;
  java: string;
  sluice: string;
  spark?: string;
}

/** Bundles the Node programs and builds the Spark program (Maven, bounded). */
export async function prepare(log: (s: string) => void, withSpark: boolean): Promise<Versions> {
  mkdirSync(cacheDir, { recursive: true });
  const { build } = await import('esbuild');
  await build({
    entryPoints: ['line-server', 'sluice-job', 'floor-job'].map((n) => join(benchDir, 'spark-compare', `${n}.ts`)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['sluice-source'],
    outdir: cacheDir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  log(`bundled line-server, sluice-job, floor-job into ${cacheDir}`);
  if (withSpark) {
    log('building bench/spark with Maven (first run downloads ~180 MB of Spark jars from Maven Central)...');
    execFileSync('mvn', ['-q', '-B', 'package', '-Dstyle.color=never'], { cwd: sparkDir, stdio: ['ignore', 'inherit', 'inherit'], timeout: 20 * 60_000 });
    if (!existsSync(join(sparkDir, 'target', 'spark-bench.jar')) || !existsSync(sparkLib)) throw new Error('Maven build of bench/spark did not produce target/spark-bench.jar and bench/.cache/spark-lib');
  }
  // `java -version` writes to stderr.
  const java = withSpark ? /version "([^"]+)"/.exec(spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr)?.[1] ?? '?' : '-';
  const core = JSON.parse(readFileSync(join(repoRoot, 'core', 'package.json'), 'utf8')) as { version: string };
  let rev = '';
  try {
    rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'core/src', 'connectors/socket/src'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    if (dirty) rev += ' + uncommitted changes in core/connectors';
  } catch {
    rev = 'unknown revision';
  }
  return { node: process.version, java, sluice: `@sluice/core ${core.version} (git ${rev})` };
}

export interface JobArgs {
  job: number;
  port: number;
  intervalMs: number;
  blockMs: number;
  latency: boolean;
  checkpointDir: string;
  localDir: string;
}

/** Starts the line server; it prints its port first. */
export function spawnServer(rate: number, maxSeconds: number): ChildProcess {
  return spawn(process.execPath, [join(cacheDir, 'line-server.mjs'), '--rate', String(rate), '--max-seconds', String(maxSeconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts one engine's job process (the measured process is the child itself, not a shell). */
export function spawnEngine(engine: Engine, a: JobArgs, extraNodeFlags: string[] = [], extraArgs: string[] = []): ChildProcess {
  const common = ['--job', String(a.job), '--port', String(a.port), '--interval-ms', String(a.intervalMs), '--block-ms', String(a.blockMs)];
  if (engine === 'floor') {
    return spawn(process.execPath, [join(cacheDir, 'floor-job.mjs'), '--port', String(a.port), '--interval-ms', String(a.intervalMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  if (engine === 'sluice') {
    const args = [...extraNodeFlags, join(cacheDir, 'sluice-job.mjs'), ...common, '--checkpoint', a.checkpointDir];
    if (a.latency) args.push('--latency');
    args.push(...extraArgs);
    return spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  const cp = `${join(sparkDir, 'target', 'spark-bench.jar')}:${sparkLib}/*`;
  const args = [`-Xmx${SPARK_HEAP}`, ...JAVA17_FLAGS, '-cp', cp, 'dev.sluice.bench.StreamingBench', ...common, '--checkpoint', a.checkpointDir, '--local-dir', a.localDir];
  if (a.latency) args.push('--latency');
  return spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}
