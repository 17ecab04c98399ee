/**
 * Debian's netcat (`nc`, package netcat-openbsd) for end-to-end tests that serve lines the way
 * "Learning Spark" does (`nc -lk 7777`). `ensureNetcat()` installs it when it is missing and the
 * tests run as root (or with password-less sudo), as on CI: `apt-get update` then
 * `apt-get install -y netcat-openbsd`, each bounded to 5 minutes; otherwise it fails saying how to
 * install it. `startNetcatServer()` runs `nc -lk 127.0.0.1 <port>` and feeds its stdin.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';

const APT_TIMEOUT_MS = 5 * 60_000;

function which(cmd: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

function isOpenBsdNetcat(path: string): boolean {
  const r = spawnSync(path, ['-h'], { encoding: 'utf8', timeout: 10_000 });
  return `${r.stdout}${r.stderr}`.includes('OpenBSD netcat');
}

function apt(args: string[], sudo: boolean): void {
  const cmd = sudo ? 'sudo' : 'apt-get';
  const full = sudo ? ['-n', 'apt-get', ...args] : args;
  const r = spawnSync(cmd, full, { encoding: 'utf8', timeout: APT_TIMEOUT_MS, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) throw new Error(`${cmd} ${full.join(' ')} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}):\n${(r.stderr ?? '').slice(-4000)}`);
}

let ensured: string | undefined;

/**
 * The path of an OpenBSD `nc`, installing Debian's netcat-openbsd first if needed.
 * @throws Error saying how to install it when it is missing and cannot be installed here.
 */
export function ensureNetcat(): string {
  if (ensured) return ensured;
  const found = which('nc');
  if (found && isOpenBsdNetcat(found)) return (ensured = found);
  const root = process.getuid?.() === 0;
  const sudo = !root && which('sudo') !== undefined && spawnSync('sudo', ['-n', 'true'], { timeout: 10_000 }).status === 0;
  if ((!root && !sudo) || which('apt-get') === undefined) {
    throw new Error(`This test needs Debian's netcat (OpenBSD nc)${found ? `; ${found} is another netcat` : ''}. Install it: sudo apt-get install -y netcat-openbsd`);
  }
  apt(['update', '-qq'], sudo);
  apt(['install', '-y', '-qq', '--no-install-recommends', 'netcat-openbsd'], sudo);
  const installed = which('nc') ?? '/usr/bin/nc';
  if (!isOpenBsdNetcat(installed)) throw new Error(`Installed netcat-openbsd, but ${installed} is not OpenBSD netcat`);
  return (ensured = installed);
}

/** A free TCP port on 127.0.0.1 (asked from the OS; a small race remains until nc binds it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True when something listens on 127.0.0.1:port (read from /proc/net/tcp, without connecting). */
export function isListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const table = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
  return table.some((row) => {
    const cols = row.trim().split(/\s+/);
    return cols[1] === `0100007F:${hexPort}` && cols[3] === '0A';
  });
}

export interface NetcatServer {
  readonly port: number;
  readonly process: ChildProcess;
  /** Writes to nc's stdin: nc sends it to the client once one is connected. */
  write(text: string): Promise<void>;
  /** What nc wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** Runs `nc -lk 127.0.0.1 <port>` and waits (10 s) until it listens. */
export async function startNetcatServer(port?: number): Promise<NetcatServer> {
  const nc = ensureNetcat();
  const p = port ?? (await freePort());
  const child = spawn(nc, ['-lk', '127.0.0.1', String(p)], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  child.stdin!.on('error', () => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!isListening(p)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nc -lk 127.0.0.1 ${p} did not listen within 10 s (exit ${child.exitCode}): ${err}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port: p,
    process: child,
    write: (text) => new Promise((resolve, reject) => child.stdin!.write(text, (e) => (e ? reject(e) : resolve()))),
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
