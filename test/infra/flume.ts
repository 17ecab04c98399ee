// Test infrastructure: a REAL Apache Flume agent (Maven Central jars, Java 17) on 127.0.0.1.
//
// - ensureFlumeJars(): copies Flume 1.9.0 + Spark's SparkSink (and their runtime closure) into
//   test/infra/.cache/flume-1.9.0/lib with Maven (test/infra/flume/pom.xml), once.
// - startFlumeAgent(conf, { waitPorts }): runs agent `a1` from a config text, waits until its ports
//   accept TCP connections, and gives back stop/kill/restart/logTail.
// - pushAgentConfig / pullAgentConfig: avro source -> memory channel -> avro sink (push to our
//   server) or -> SparkSink (our client polls).
// - FLUME_AVRO_SOURCE_PROTOCOL / SPARK_FLUME_PROTOCOL (+ services parsed the right way) and
//   sendEventsToAvroSource(): inject known events into the agent through its avro source.
//
// Protocol details and measured timings: test/infra/flume/README.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type avro from 'avsc';
import { flumeAvroSourceService, type FlumeEvent } from '@sluice/flume';

export const FLUME_VERSION = '1.9.0';

const INFRA_DIR = dirname(fileURLToPath(import.meta.url));
/** Folder with pom.xml, log4j.properties and README.md. */
export const FLUME_INFRA_DIR = join(INFRA_DIR, 'flume');
const CACHE_DIR = join(INFRA_DIR, '.cache');
/** test/infra/.cache/flume-1.9.0 (git-ignored). */
export const FLUME_HOME = join(CACHE_DIR, `flume-${FLUME_VERSION}`);
/** Where ensureFlumeJars() puts the jars; the agent runs with `-cp "<this>/*"`. */
export const FLUME_LIB_DIR = join(FLUME_HOME, 'lib');
const LOCK_DIR = join(CACHE_DIR, `flume-${FLUME_VERSION}.lock`);
const LOG4J_PROPERTIES = join(FLUME_INFRA_DIR, 'log4j.properties');

/** Jars whose presence proves the lib dir is the complete closure we need. */
const REQUIRED_JARS = [
  `flume-ng-node-${FLUME_VERSION}.jar`,
  `flume-ng-core-${FLUME_VERSION}.jar`,
  'avro-1.8.2.jar',
  'avro-ipc-1.8.2.jar',
  'scala-library-2.11.12.jar',
  'slf4j-reload4j-1.7.36.jar',
];
const REQUIRED_JAR_PREFIXES = ['spark-streaming-flume-sink_2.11-'];

const MVN_TIMEOUT_MS = Number(process.env['FLUME_MVN_TIMEOUT_MS'] ?? 10 * 60_000);
const DEFAULT_START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const LOG_RING_LINES = 5_000;

// ---------------------------------------------------------------------------------------------
// small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** For a bound raced against something else: an unref'd timer, so it never keeps the process alive
 * after the race is won (a plain 10 s sleep here kept every test file alive 10 s after agent.stop()). */
const timeLimit = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One TCP connect attempt to 127.0.0.1:port; true when accepted within timeoutMs. */
function canConnect(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.removeAllListeners();
      sock.on('error', () => {});
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** A port that was free on 127.0.0.1 a moment ago (listen(0), then close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('freePort: no TCP address'));
        return;
      }
      srv.close((err) => (err ? reject(err) : resolve(addr.port)));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// jars

async function libDirComplete(dir: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return false;
  }
  const set = new Set(names);
  return (
    REQUIRED_JARS.every((j) => set.has(j)) &&
    REQUIRED_JAR_PREFIXES.every((p) => names.some((n) => n.startsWith(p) && n.endsWith('.jar')))
  );
}

interface LockOwner {
  pid: number;
  host: string;
  startedAt: number;
}

/** mkdir is atomic: whoever creates LOCK_DIR owns the download. */
async function tryLock(): Promise<boolean> {
  await mkdir(CACHE_DIR, { recursive: true });
  try {
    await mkdir(LOCK_DIR);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: Date.now() };
  await writeFile(join(LOCK_DIR, 'owner.json'), JSON.stringify(owner));
  return true;
}

/** A lock is stale when its owner died, or it is far older than any download may take. */
async function lockIsStale(): Promise<boolean> {
  try {
    const owner = JSON.parse(await readFile(join(LOCK_DIR, 'owner.json'), 'utf8')) as LockOwner;
    if (owner.host === hostname() && !isAlive(owner.pid)) return true;
    return Date.now() - owner.startedAt > MVN_TIMEOUT_MS + 60_000;
  } catch {
    // Lock dir without owner file: the owner is between mkdir and writeFile, or died there.
    try {
      const st = await stat(LOCK_DIR);
      return Date.now() - st.mtimeMs > 30_000;
    } catch {
      return false; // lock vanished: not stale, just gone
    }
  }
}

function runMaven(args: string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    // Own process group, so a timeout kills mvn's JVM too.
    const child = spawn('mvn', args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => {
      out.push(b.toString());
      if (out.length > 400) out.splice(0, out.length - 400);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    process.once('exit', killGroup);
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`mvn ${args.join(' ')} timed out after ${timeoutMs} ms\n${out.join('').slice(-4000)}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      process.removeListener('exit', killGroup);
      reject(new Error(`cannot run mvn (is Maven installed?): ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', killGroup);
      if (code === 0) resolve();
      else reject(new Error(`mvn ${args.join(' ')} failed (code ${code}, signal ${signal})\n${out.join('').slice(-4000)}`));
    });
  });
}

/**
 * Makes sure test/infra/.cache/flume-1.9.0/lib holds the agent's jars and returns that path.
 * Runs `mvn -q -B package` (bounded by FLUME_MVN_TIMEOUT_MS, default 10 min) only when the lib dir
 * is missing. Safe when several processes call it at once: one takes a mkdir lock and downloads
 * into a temp dir that is renamed into place; the others wait for the lib dir.
 */
export async function ensureFlumeJars(): Promise<string> {
  if (await libDirComplete(FLUME_LIB_DIR)) return FLUME_LIB_DIR;
  const deadline = Date.now() + MVN_TIMEOUT_MS + 120_000;
  while (Date.now() < deadline) {
    if (await libDirComplete(FLUME_LIB_DIR)) return FLUME_LIB_DIR;
    if (await tryLock()) {
      try {
        if (await libDirComplete(FLUME_LIB_DIR)) return FLUME_LIB_DIR;
        await mkdir(FLUME_HOME, { recursive: true });
        // Leftovers of a download whose process died (we hold the lock: nobody else writes here).
        for (const name of await readdir(FLUME_HOME)) {
          if (name.startsWith('lib.tmp-')) await rm(join(FLUME_HOME, name), { recursive: true, force: true });
        }
        const tmp = join(FLUME_HOME, `lib.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
        try {
          await runMaven(['-q', '-B', 'package', `-Dflume.lib.dir=${tmp}`], FLUME_INFRA_DIR, MVN_TIMEOUT_MS);
          if (!(await libDirComplete(tmp))) {
            throw new Error(`mvn package finished but ${tmp} lacks required jars (${REQUIRED_JARS.join(', ')})`);
          }
          // Never replace a complete lib dir (an agent may be running from it); that can only
          // happen if a stale lock was broken by two waiters at once.
          if (await libDirComplete(FLUME_LIB_DIR)) return FLUME_LIB_DIR;
          await rm(FLUME_LIB_DIR, { recursive: true, force: true }); // incomplete leftover
          try {
            await rename(tmp, FLUME_LIB_DIR);
          } catch (e) {
            if (!(await libDirComplete(FLUME_LIB_DIR))) throw e;
          }
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
        return FLUME_LIB_DIR;
      } finally {
        await rm(LOCK_DIR, { recursive: true, force: true });
      }
    }
    if (await lockIsStale()) {
      await rm(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    await sleep(500);
  }
  throw new Error(`ensureFlumeJars: timed out waiting for ${FLUME_LIB_DIR} (lock ${LOCK_DIR})`);
}

// ---------------------------------------------------------------------------------------------
// agent process

export interface FlumeAgent {
  /** SIGTERM, then SIGKILL after 10 s; resolves when the JVM is gone. */
  stop(): Promise<void>;
  /** SIGKILL now (chaos tests); does not wait. */
  kill(): void;
  /** stop(), then start the same config again and wait for the same ports. */
  restart(): Promise<void>;
  /** Last n lines (default 60) of the agent's stdout+stderr. */
  logTail(n?: number): string;
  /** PID of the current JVM (changes on restart). */
  readonly pid: number;
  /** Temp dir with agent.conf and agent.log (the full log); removed by stop() unless
   * SLUICE_KEEP_FLUME_LOGS=1. */
  readonly workDir: string;
  /** Milliseconds from spawn to all waitPorts accepting, for the latest (re)start. */
  readonly startupMs: number;
}

export interface StartFlumeAgentOptions {
  /** Ports that must accept a TCP connection before the agent counts as started. */
  waitPorts: number[];
  /** Bound for the wait (default 60 s). */
  startTimeoutMs?: number;
  /** Extra JVM flags. */
  jvmArgs?: string[];
}

/** `setpriv --pdeathsig KILL` (util-linux) makes the kernel SIGKILL the JVM as soon as this Node
 * process dies, however it dies (even by SIGKILL); setpriv execs java, so the PID is the JVM's. */
const SETPRIV: string | undefined = (() => {
  try {
    const r = spawnSync('setpriv', ['--help'], { encoding: 'utf8', timeout: 5_000 });
    return r.status === 0 && r.stdout.includes('pdeathsig') ? 'setpriv' : undefined;
  } catch {
    return undefined;
  }
})();

const liveAgents = new Set<ChildProcess>();
let exitHooksInstalled = false;

function killAllAgentsSync(): void {
  for (const child of liveAgents) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  liveAgents.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllAgentsSync);
  if (SETPRIV) return; // the kernel takes care of every other way to die
  // Fallback without setpriv: kill the agents on the usual signals, then keep the default
  // behaviour (die by that signal) unless someone else handles it.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAllAgentsSync();
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

/**
 * Starts `org.apache.flume.node.Application -n a1 -f agent.conf --no-reload-conf` with `conf` (the
 * text of a properties config for agent `a1`) and waits until every port in `opts.waitPorts`
 * accepts a TCP connection (bounded; on failure the error carries the log tail and the JVM is
 * killed). Start any server the agent's sinks push to BEFORE this (the avro sink retries, but only
 * every 5 s or so).
 */
export async function startFlumeAgent(conf: string, opts: StartFlumeAgentOptions): Promise<FlumeAgent> {
  const libDir = await ensureFlumeJars();
  installExitHooks();
  const workDir = await mkdtemp(join(tmpdir(), 'sluice-flume-'));
  const confFile = join(workDir, 'agent.conf');
  await writeFile(confFile, conf);
  const startTimeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;

  const ring: string[] = [];
  let partial = '';
  let logFile: WriteStream | undefined;
  const pushLog = (chunk: Buffer) => {
    logFile?.write(chunk);
    const text = partial + chunk.toString();
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    ring.push(...lines);
    if (ring.length > LOG_RING_LINES) ring.splice(0, ring.length - LOG_RING_LINES);
  };
  const logTail = (n = 60) => [...ring, ...(partial ? [partial] : [])].slice(-n).join('\n');

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let hasExited = true;
  let startupMs = 0;

  const spawnOnce = async (): Promise<void> => {
    for (const port of opts.waitPorts) {
      if (await canConnect(port, 500)) {
        throw new Error(`startFlumeAgent: port ${port} already accepts connections before the agent started (taken by another process?)`);
      }
    }
    logFile = createWriteStream(join(workDir, 'agent.log'), { flags: 'a' });
    const java = [
      'java',
      '-Xms32m',
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-Djava.net.preferIPv4Stack=true',
      `-Dlog4j.configuration=file:${LOG4J_PROPERTIES}`,
      ...(opts.jvmArgs ?? []),
      '-cp',
      `${libDir}/*`,
      'org.apache.flume.node.Application',
      '-n',
      'a1',
      '-f',
      confFile,
      '--no-reload-conf',
    ];
    const [cmd, ...args] = SETPRIV ? [SETPRIV, '--pdeathsig', 'KILL', ...java] : java;
    const t0 = Date.now();
    const c = spawn(cmd!, args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    hasExited = false;
    liveAgents.add(c);
    c.stdout!.on('data', pushLog);
    c.stderr!.on('data', pushLog);
    const lf = logFile;
    lf.on('error', () => {}); // a broken log file must not crash the tests; the ring still has it
    exited = new Promise<void>((resolve) => {
      let settled = false;
      const settle = (line: string) => {
        if (settled) return;
        settled = true;
        hasExited = true;
        liveAgents.delete(c);
        pushLog(Buffer.from(`\n[flume.ts] ${line}\n`));
        lf.end();
        resolve();
      };
      // 'close' (not 'exit'): fires after the last stdout/stderr bytes were read.
      c.once('close', (code, signal) => settle(`agent pid ${c.pid} exited (code ${code}, signal ${signal})`));
      c.once('error', (err) => settle(`cannot spawn java: ${err.message}`));
    });

    const deadline = t0 + startTimeoutMs;
    const pending = new Set(opts.waitPorts);
    while (pending.size > 0) {
      if (hasExited) {
        throw new Error(
          `Flume agent exited before its ports ${[...pending].join(',')} opened (full log: ${workDir}/agent.log if SLUICE_KEEP_FLUME_LOGS=1). Log tail:\n${logTail(80)}`,
        );
      }
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        await Promise.race([exited, timeLimit(5_000)]);
        throw new Error(
          `Flume agent: ports ${[...pending].join(',')} not accepting after ${startTimeoutMs} ms (full log: ${workDir}/agent.log if SLUICE_KEEP_FLUME_LOGS=1). Log tail:\n${logTail(80)}`,
        );
      }
      for (const port of [...pending]) {
        if (await canConnect(port, 1_000)) pending.delete(port);
      }
      if (pending.size > 0) await sleep(100);
    }
    startupMs = Date.now() - t0;
  };

  const stopProcess = async (): Promise<void> => {
    const c = child;
    if (!c || hasExited) return;
    c.kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), timeLimit(STOP_GRACE_MS).then(() => true)]);
    if (timedOut && !hasExited) {
      pushLog(Buffer.from(`\n[flume.ts] no exit ${STOP_GRACE_MS} ms after SIGTERM: SIGKILL\n`));
      c.kill('SIGKILL');
      await Promise.race([exited, timeLimit(5_000)]);
    }
  };

  const keepLogs = process.env['SLUICE_KEEP_FLUME_LOGS'] === '1';
  try {
    await spawnOnce();
  } catch (e) {
    if (!keepLogs) await rm(workDir, { recursive: true, force: true });
    throw e;
  }

  return {
    async stop() {
      await stopProcess();
      // The work dir (config + full log) is kept when SLUICE_KEEP_FLUME_LOGS=1.
      if (!keepLogs) await rm(workDir, { recursive: true, force: true });
    },
    kill() {
      if (child && !hasExited) child.kill('SIGKILL');
    },
    async restart() {
      await stopProcess();
      await spawnOnce();
    },
    logTail,
    get pid() {
      return child?.pid ?? -1;
    },
    workDir,
    get startupMs() {
      return startupMs;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// agent configs

export interface PushAgentConfigOptions {
  /** Port of the agent's avro source (inject events here with sendEventsToAvroSource). */
  avroSourcePort: number;
  /** Our Avro RPC server (AvroSourceProtocol) that Flume's avro sink pushes to. */
  sinkHost: string;
  sinkPort: number;
  /** Avro sink `batch-size` (events per appendBatch call; default 100). */
  batchSize?: number;
  /** Memory channel size (default 10000) and transactionCapacity (default max(1000, batchSize)). */
  channelCapacity?: number;
  transactionCapacity?: number;
  /** Memory channel `keep-alive` seconds (default here 0; Flume's default 3): how long the sink's
   * take() waits on an empty channel, i.e. the extra delay of every partial batch. */
  keepAliveSec?: number;
  /** Avro sink connect-timeout / request-timeout in ms (Flume defaults are 20000 each). */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

function memoryChannel(capacity: number, transactionCapacity: number, keepAliveSec: number): string[] {
  if (transactionCapacity > capacity) throw new Error('transactionCapacity must be <= channel capacity');
  return [
    'a1.channels.ch.type = memory',
    `a1.channels.ch.capacity = ${capacity}`,
    `a1.channels.ch.transactionCapacity = ${transactionCapacity}`,
    // How long a take() on an empty channel blocks (Flume default 3 s). Every partial batch
    // (fewer events than asked for) waits this long: 0 makes batches return as soon as the
    // channel runs dry.
    `a1.channels.ch.keep-alive = ${keepAliveSec}`,
  ];
}

function avroSource(port: number): string[] {
  return [
    'a1.sources.src.type = avro',
    'a1.sources.src.bind = 127.0.0.1',
    `a1.sources.src.port = ${port}`,
    'a1.sources.src.channels = ch',
  ];
}

/** avro source (127.0.0.1:avroSourcePort) -> memory channel -> avro sink -> sinkHost:sinkPort. */
export function pushAgentConfig(o: PushAgentConfigOptions): string {
  const batchSize = o.batchSize ?? 100;
  const txCap = o.transactionCapacity ?? Math.max(1000, batchSize);
  if (batchSize > txCap) throw new Error(`batchSize ${batchSize} > transactionCapacity ${txCap}`);
  return [
    '# push: avro source -> memory channel -> avro sink (our AvroSourceProtocol server)',
    'a1.sources = src',
    'a1.channels = ch',
    'a1.sinks = out',
    ...avroSource(o.avroSourcePort),
    ...memoryChannel(o.channelCapacity ?? 10_000, txCap, o.keepAliveSec ?? 0),
    'a1.sinks.out.type = avro',
    'a1.sinks.out.channel = ch',
    `a1.sinks.out.hostname = ${o.sinkHost}`,
    `a1.sinks.out.port = ${o.sinkPort}`,
    `a1.sinks.out.batch-size = ${batchSize}`,
    `a1.sinks.out.connect-timeout = ${o.connectTimeoutMs ?? 5_000}`,
    `a1.sinks.out.request-timeout = ${o.requestTimeoutMs ?? 10_000}`,
    '',
  ].join('\n');
}

export interface PullAgentConfigOptions {
  avroSourcePort: number;
  /** Port SparkSink's Avro server listens on (127.0.0.1). */
  sparkSinkPort: number;
  /** Memory channel transactionCapacity (default 1000): the largest getEventBatch(n) and the largest
   * appendBatch the channel can take in one transaction. */
  transactionCapacity?: number;
  /** The largest n the poller will ask for (and injector batch); checked against transactionCapacity. */
  batchSize?: number;
  channelCapacity?: number;
  /** SparkSink `threads` (default here 4; Spark's default 10): concurrent un-acked batches. */
  threads?: number;
  /** SparkSink `timeout` in SECONDS (Spark default 60): ack wait before rollback. */
  timeoutSec?: number;
  /** SparkSink `backoffInterval` ms (default 200): sleep between polls of an empty channel. */
  backoffIntervalMs?: number;
  /** Memory channel `keep-alive` seconds (default here 0; Flume's default 3): getEventBatch(n) with
   * fewer than n events available returns only after this much idle wait. */
  keepAliveSec?: number;
}

/** avro source (127.0.0.1:avroSourcePort) -> memory channel -> SparkSink on 127.0.0.1:sparkSinkPort. */
export function pullAgentConfig(o: PullAgentConfigOptions): string {
  const txCap = o.transactionCapacity ?? 1000;
  if (o.batchSize !== undefined && o.batchSize > txCap) {
    throw new Error(`batchSize ${o.batchSize} > transactionCapacity ${txCap}: getEventBatch(n) must fit in one channel transaction`);
  }
  return [
    '# pull: avro source -> memory channel -> SparkSink (our SparkFlumeProtocol client polls it)',
    'a1.sources = src',
    'a1.channels = ch',
    'a1.sinks = spark',
    ...avroSource(o.avroSourcePort),
    ...memoryChannel(o.channelCapacity ?? 10_000, txCap, o.keepAliveSec ?? 0),
    'a1.sinks.spark.type = org.apache.spark.streaming.flume.sink.SparkSink',
    'a1.sinks.spark.channel = ch',
    'a1.sinks.spark.hostname = 127.0.0.1',
    `a1.sinks.spark.port = ${o.sparkSinkPort}`,
    `a1.sinks.spark.threads = ${o.threads ?? 4}`,
    `a1.sinks.spark.timeout = ${o.timeoutSec ?? 60}`,
    `a1.sinks.spark.backoffInterval = ${o.backoffIntervalMs ?? 200}`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// protocols (the texts and avsc services live in @sluice/flume; re-exported for the tests)

export { FLUME_AVRO_SOURCE_PROTOCOL, SPARK_FLUME_PROTOCOL, flumeAvroSourceService, sparkFlumeService, type FlumeEvent } from '@sluice/flume';

/** Opens a TCP connection to 127.0.0.1:port (bounded), with TCP_NODELAY set. */
export function connectTcp(port: number, timeoutMs = 5_000, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`connect ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      // avsc's Netty encoder writes each frame as several small buffers; with Nagle on, every
      // call then waits for the peer's delayed ACK (~40 ms per round trip on Linux).
      sock.setNoDelay(true);
      resolve(sock);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Promise wrapper around an avsc client call (emitMessage) with an explicit per-call timeout
 * (0 = none). */
export function callAvro<T>(client: avro.Service.Client, message: string, request: object, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    client.emitMessage<T>(message, request, { timeout: timeoutMs }, (err, res) => {
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(res as T);
    });
  });
}

/**
 * Injects events into a Flume avro source on 127.0.0.1:port: one stateful avsc channel (Netty
 * framing + Avro IPC handshake over a net.Socket), appendBatch in chunks of batchSize (default 100;
 * must be <= the channel's transactionCapacity), each waited for; throws unless every answer is OK.
 */
export async function sendEventsToAvroSource(
  port: number,
  events: FlumeEvent[],
  batchSize = 100,
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const socket = await connectTcp(port, Math.min(timeoutMs, 10_000));
  socket.on('error', () => {}); // surfaced through the channel / calls
  const client = flumeAvroSourceService().createClient({ timeout: timeoutMs });
  const channel = client.createChannel(socket);
  let channelError: Error | undefined;
  channel.on('eot', (_pending: number, err?: Error) => {
    if (err) channelError = err;
  });
  try {
    for (let i = 0; i < events.length; i += batchSize) {
      const chunk = events.slice(i, i + batchSize);
      const status = await callAvro<string>(client, 'appendBatch', { events: chunk }, timeoutMs);
      if (status !== 'OK') {
        throw new Error(`avro source 127.0.0.1:${port} answered ${status} to appendBatch of ${chunk.length} (events ${i}..)`);
      }
    }
  } catch (e) {
    if (channelError) throw new Error(`${(e as Error).message} (channel: ${channelError.message})`);
    throw e;
  } finally {
    channel.destroy(true);
    socket.destroy();
  }
}
