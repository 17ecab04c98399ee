// A Kafka broker for humans and benchmarks, outliving this command; stopped by PID.
//
//   node --import tsx test/infra/kafka/cli.ts start [--version 3.9.1] [--state FILE]
//       prints the bootstrap address (127.0.0.1:<port>) on stdout, details on stderr;
//       if the broker of FILE still runs, prints its address again.
//   node --import tsx test/infra/kafka/cli.ts stop [--state FILE]
//       SIGTERM, SIGKILL after 10 s, then removes the broker's folder and FILE.
//   node --import tsx test/infra/kafka/cli.ts status [--state FILE]
//       prints the bootstrap address and exits 0 if it runs, exits 1 otherwise.
//
// FILE (default test/infra/.cache/kafka-broker.json) records pid, bootstrap, dir and version.
// A PID is signalled only if its command line still carries the broker's -Dsluice.kafka.dir marker.
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startKafka } from './broker.js';
import { CACHE_DIR, DEFAULT_KAFKA_VERSION } from './jars.js';
import { commandLine, isAlive, sleep } from './proc.js';

interface State {
  pid: number;
  bootstrap: string;
  dir: string;
  version: string;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { version: { type: 'string' }, state: { type: 'string' } },
});
const command = positionals[0];
const stateFile = resolve(values.state ?? join(CACHE_DIR, 'kafka-broker.json'));

function readState(): State | undefined {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

/** True if `s.pid` is alive and is the broker JVM of `s.dir` (guards against PID reuse). */
function running(s: State | undefined): boolean {
  return s !== undefined && isAlive(s.pid) && commandLine(s.pid).includes(`-Dsluice.kafka.dir=${s.dir} `);
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

async function main(): Promise<number> {
  const state = readState();
  switch (command) {
    case 'start': {
      if (state !== undefined && running(state)) {
        process.stderr.write(`Kafka ${state.version} already running: PID ${state.pid}, ${state.dir}\n`);
        process.stdout.write(`${state.bootstrap}\n`);
        return 0;
      }
      const t0 = Date.now();
      const broker = await startKafka({ version: values.version ?? DEFAULT_KAFKA_VERSION, detached: true });
      const s: State = { pid: broker.pid!, bootstrap: broker.bootstrap, dir: broker.dir, version: broker.version };
      await mkdir(dirname(stateFile), { recursive: true });
      await writeFile(stateFile, JSON.stringify(s, null, 2) + '\n');
      process.stderr.write(`Kafka ${s.version} started in ${Date.now() - t0} ms (format ${broker.timings.formatMs} ms, ` +
        `ready ${broker.timings.readyMs} ms): PID ${s.pid}, log ${join(s.dir, 'broker.log')}, state ${stateFile}\n`);
      process.stdout.write(`${s.bootstrap}\n`);
      return 0;
    }
    case 'stop': {
      if (state === undefined) {
        process.stderr.write(`no Kafka state file ${stateFile}: nothing to stop\n`);
        return 0;
      }
      if (running(state)) {
        process.kill(state.pid, 'SIGTERM');
        if (!(await waitGone(state.pid, 10_000))) {
          process.kill(state.pid, 'SIGKILL');
          if (!(await waitGone(state.pid, 5_000))) throw new Error(`Kafka PID ${state.pid} survived SIGKILL`);
        }
        process.stderr.write(`Kafka ${state.version} at ${state.bootstrap} stopped (PID ${state.pid})\n`);
      } else {
        process.stderr.write(`Kafka PID ${state.pid} was not running\n`);
      }
      if (state.dir.includes('sluice-kafka-')) await rm(state.dir, { recursive: true, force: true });
      await rm(stateFile, { force: true });
      return 0;
    }
    case 'status': {
      if (state === undefined || !running(state)) {
        process.stderr.write('Kafka is not running\n');
        return 1;
      }
      process.stdout.write(`${state.bootstrap}\n`);
      return 0;
    }
    default:
      process.stderr.write('usage: cli.ts start [--version V] [--state FILE] | stop [--state FILE] | status [--state FILE]\n');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
