// One real single-node Kafka broker (KRaft: broker and controller in one JVM) on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { DEFAULT_KAFKA_VERSION, ensureKafkaJars, kafkaMajor, loggingArg } from './jars.js';
import { freePorts, run, sleep, tailFile, withTimeout } from './proc.js';

/** A running (or stopped, restartable) broker started by {@link startKafka}. */
export interface KafkaBroker {
  /** `127.0.0.1:<port>`, the PLAINTEXT listener (also the advertised one). */
  readonly bootstrap: string;
  readonly port: number;
  /** The KRaft controller listener's port (not for clients). */
  readonly controllerPort: number;
  /** Kafka's `log.dirs`: the broker's data. Kept across restart(). */
  readonly logDir: string;
  /** Working folder: server.properties, broker.log (the JVM's output), broker.pid and logDir. */
  readonly dir: string;
  readonly version: string;
  /** Folder of the jars (`-cp "<libDir>/*"`), shared with Kafka's tools. */
  readonly libDir: string;
  /** PID of the broker JVM while it runs. */
  readonly pid: number | undefined;
  /** What startKafka() spent: storage format, and launch until describeCluster() answered. */
  readonly timings: { formatMs: number; readyMs: number };
  /** SIGTERM, then SIGKILL if still alive after 10 s; resolves once the JVM is gone. Keeps dir. */
  stop(): Promise<void>;
  /** SIGKILL now, without waiting (for crash/restart tests); restart() or stop() wait for exit. */
  kill(): void;
  /**
   * Stops the broker if it runs (after kill(): waits for the exit), then starts it again on the
   * same ports and logDir and waits until ready (60 s). After a kill -9 this takes about 5 s: the
   * controller first expires the old registration (broker.session.timeout.ms=3000 here).
   */
  restart(): Promise<void>;
  /** The last `lines` (default 50) lines of the broker's output (WARN and above, plus "started"). */
  logTail(lines?: number): string;
}

export interface StartKafkaOptions {
  /** Kafka version (a 3.x or 4.x release on Maven Central). Default 3.9.1. */
  version?: string;
  /** Extra or overriding server.properties entries. */
  serverProperties?: Record<string, string | number | boolean>;
  /**
   * Leave the broker running when this process exits (the CLI uses this; stop it by PID).
   * Default false: the broker is SIGKILLed when this process exits, however it exits, and its
   * folder is removed then (unless SLUICE_KAFKA_KEEP=1).
   */
  detached?: boolean;
}

const READY_TIMEOUT_MS = 60_000;
const FORMAT_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
/** JVM flags for Kafka's short-lived command-line tools: fast start, small heap. */
export const TOOL_JVM_ARGS = ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];
const BROKER_JVM_ARGS = ['-Xmx512m', '-Djava.awt.headless=true'];

/** A KRaft cluster id: 16 random bytes, base64url without padding, never starting with '-'. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Brokers of this process that must not outlive it. */
const owned = new Set<Broker>();
let exitHooked = false;

class Broker implements KafkaBroker {
  readonly bootstrap: string;
  readonly logDir: string;
  readonly timings = { formatMs: 0, readyMs: 0 };
  private child: ChildProcess | undefined;
  private watchdog: ChildProcess | undefined; // referenced for the process lifetime: its pipe must stay open
  private exited: Promise<void> = Promise.resolve();
  private readonly logFile: string;

  constructor(
    readonly version: string,
    readonly libDir: string,
    readonly dir: string,
    readonly port: number,
    readonly controllerPort: number,
    private readonly detached: boolean,
  ) {
    this.bootstrap = `127.0.0.1:${port}`;
    this.logDir = join(dir, 'data');
    this.logFile = join(dir, 'broker.log');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get javaMarker(): string {
    return `-Dsluice.kafka.dir=${this.dir}`;
  }

  /** Spawns the broker JVM; its stdout and stderr append to broker.log. */
  launch(): void {
    const out = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn('java', [...BROKER_JVM_ARGS, '-cp', `${this.libDir}/*`, loggingArg(this.version),
        this.javaMarker, 'kafka.Kafka', join(this.dir, 'server.properties')],
      { cwd: this.dir, stdio: ['ignore', out, out], detached: true });
    } finally {
      closeSync(out);
    }
    child.unref(); // a forgotten broker must not keep the test process alive (the exit hook kills it)
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        writeFileSync(this.logFile, `[kafka-infra] cannot run java: ${err.message}\n`, { flag: 'a' });
        resolve();
      });
      child.once('exit', () => resolve());
    }).then(() => {
      if (this.child === child) this.child = undefined;
    });
    if (child.pid !== undefined) writeFileSync(join(this.dir, 'broker.pid'), `${child.pid}\n`);
  }

  /** Polls describeCluster() until it answers, the JVM exits, or `timeoutMs` passes. */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const kafka = new Kafka({ clientId: 'sluice-kafka-probe', brokers: [this.bootstrap], logLevel: logLevel.NOTHING,
      connectionTimeout: 1000, requestTimeout: 3000, retry: { retries: 0 } });
    let last = 'no attempt';
    while (Date.now() < deadline) {
      if (this.child === undefined) throw this.failure('the broker JVM exited before it was ready');
      const admin = kafka.admin();
      try {
        await withTimeout((async () => {
          await admin.connect();
          await admin.describeCluster();
          // Also wait for the group coordinator (creates __consumer_offsets on a new broker), so
          // the first consumer group of a test does not meet "group coordinator is not available".
          await admin.describeGroups(['sluice-kafka-probe']);
        })(), 5000, 'describeCluster()/describeGroups() took over 5 s');
        return;
      } catch (err) {
        last = (err as Error).message;
      } finally {
        await withTimeout(admin.disconnect(), 2000, 'disconnect').catch(() => {});
      }
      await sleep(200);
    }
    throw this.failure(`not ready within ${timeoutMs / 1000} s (last error: ${last})`);
  }

  failure(why: string): Error {
    return new Error(`Kafka ${this.version} broker at ${this.bootstrap} (${this.dir}): ${why}\n` +
      `--- broker.log tail ---\n${this.logTail(80)}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill('SIGTERM');
    const gone = await withTimeout(this.exited, STOP_GRACE_MS, 'grace').then(() => true, () => false);
    if (!gone) {
      child.kill('SIGKILL');
      await withTimeout(this.exited, 10_000, `Kafka broker PID ${child.pid} survived SIGKILL for 10 s`);
    }
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    this.launch();
    try {
      await this.waitReady(READY_TIMEOUT_MS);
    } catch (err) {
      this.kill();
      throw err;
    }
  }

  logTail(lines = 50): string {
    return tailFile(this.logFile, lines);
  }

  /**
   * Guards a non-detached broker: a watchdog shell holds a pipe from this process and, at EOF
   * (this process died, even by SIGKILL), kills the broker JVM whose PID is in broker.pid (if its
   * command line still is ours) and removes the folder. The exit hook kills at once on normal exit.
   */
  guard(): void {
    if (this.detached) return;
    const script = 'read _ignored; pid=$(cat "$1/broker.pid" 2>/dev/null); ' +
      'if [ -n "$pid" ] && grep -qaF -e "$2" "/proc/$pid/cmdline" 2>/dev/null; then kill -9 "$pid"; fi; ' +
      'i=0; while [ -n "$pid" ] && [ -e "/proc/$pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; ' +
      '[ "$3" = 1 ] || rm -rf -- "$1"';
    const keep = process.env.SLUICE_KAFKA_KEEP === '1' ? '1' : '0';
    const dog = spawn('sh', ['-c', script, 'sluice-kafka-watchdog', this.dir, this.javaMarker, keep],
      { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    dog.on('error', () => {});
    dog.unref();
    this.watchdog = dog;
    (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    owned.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', () => {
        for (const b of owned) b.kill();
      });
    }
  }
}

/**
 * Starts a fresh single-node KRaft Kafka broker on 127.0.0.1 and resolves once a kafkajs admin
 * client's describeCluster() succeeds and the group coordinator answers (describeGroups), at most
 * 60 s; on failure the broker is killed and the error carries the tail of its log.
 *
 * Fetches the jars if needed ({@link ensureKafkaJars}), picks two free loopback ports (client and
 * controller), writes server.properties into a new temp folder (`log.dirs` is its `data/`), formats
 * the storage with kafka.tools.StorageTool in its own JVM (60 s timeout) and runs
 * `java -Xmx512m -cp "<lib>/*" kafka.Kafka server.properties`. Call stop() when done.
 */
export async function startKafka(opts: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const version = opts.version ?? DEFAULT_KAFKA_VERSION;
  const libDir = await ensureKafkaJars(version);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-kafka-'));
  const [port, controllerPort] = await freePorts(2) as [number, number];
  const broker = new Broker(version, libDir, dir, port, controllerPort, opts.detached ?? false);
  broker.guard();
  await mkdir(broker.logDir);

  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    'listeners': `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': broker.logDir,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'group.initial.rebalance.delay.ms': 0,
    // After a kill -9 the restarted broker waits for its old registration to expire (default 9 s).
    'broker.session.timeout.ms': 3000,
    'broker.heartbeat.interval.ms': 500,
    ...(kafkaMajor(version) >= 4
      ? { 'share.coordinator.state.topic.replication.factor': 1, 'share.coordinator.state.topic.min.isr': 1 }
      : {}),
    ...opts.serverProperties,
  };
  const propsFile = join(dir, 'server.properties');
  writeFileSync(propsFile, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');

  let t0 = Date.now();
  const fmt = await run('java', [...TOOL_JVM_ARGS, '-cp', `${libDir}/*`, loggingArg(version),
    'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', propsFile, '--ignore-formatted'],
  { cwd: dir, timeoutMs: FORMAT_TIMEOUT_MS });
  broker.timings.formatMs = Date.now() - t0;
  if (fmt.code !== 0) {
    throw new Error(`Kafka ${version} StorageTool format failed (${fmt.timedOut ? 'timed out' : `exit ${fmt.code ?? fmt.signal}`}) ` +
      `in ${dir}:\n${fmt.stdout}${fmt.stderr}`);
  }

  t0 = Date.now();
  broker.launch();
  try {
    await broker.waitReady(READY_TIMEOUT_MS);
  } catch (err) {
    broker.kill();
    throw err;
  }
  broker.timings.readyMs = Date.now() - t0;
  return broker;
}
