/**
 * The line server: a separate process that serves the seeded log lines over TCP (127.0.0.1, a free
 * port) at a fixed offered rate, so both engines read the same bytes. The schedule starts when the
 * first client connects: line i is due at t0 + i/rate and carries that due time (ms) as its last
 * field, so time a line waits in the server because the reader is slow counts as latency
 * (no coordinated omission). When the reader does not keep up (TCP pushes back), the server falls
 * behind its schedule; `lag` in its reports is how many due lines are not yet sent.
 *
 * stdout, one JSON object per line: {"type":"listening","port":P} first, then every 250 ms
 * {"type":"stats","t0":..,"due":..,"sent":..,"lag":..,"bytes":..,"cpuMs":..} (t0: when the schedule started, ms).
 * Usage: node line-server.js --rate LINES_PER_S [--seed N] [--max-seconds S]
 */
import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { makeRing, STAMP_DIGITS } from './log-lines.js';

const { values } = parseArgs({ options: { rate: { type: 'string' }, seed: { type: 'string' }, 'max-seconds': { type: 'string' } } });
const rate = Number(values.rate);
if (!(rate > 0)) throw new Error('--rate must be a number of lines per second > 0');
const maxSeconds = Number(values['max-seconds'] ?? 3600);
const ring = makeRing(Number(values.seed ?? 7));

/** Bytes queued in user space before the server stops generating and waits for 'drain'. */
const HIGH_WATER = 512 * 1024;
/** Most lines per write. */
const MAX_LINES_PER_CHUNK = 8192;

let client: Socket | undefined;
let t0 = 0;
let t0Wall = 0;
let sent = 0;
let bytes = 0;
let ringPos = 0;
let waitingDrain = false;
let timer: NodeJS.Timeout | undefined;
const digits = new Uint8Array(STAMP_DIGITS);
let digitsMs = -1;

function stamp(ms: number): void {
  if (ms === digitsMs) return;
  digitsMs = ms;
  let v = ms;
  for (let i = STAMP_DIGITS - 1; i >= 0; i--) {
    digits[i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
}

/** The next `n` lines of the ring, stamped with their due times. */
function chunk(n: number): Buffer {
  const { starts } = ring;
  let size = 0;
  for (let left = n, p = ringPos; left > 0; ) {
    const take = Math.min(left, ring.lines - p);
    size += starts[p + take]! - starts[p]!;
    left -= take;
    p = (p + take) % ring.lines;
  }
  const out = Buffer.allocUnsafe(size);
  const msPerLine = 1000 / rate;
  let off = 0;
  let k = 0;
  while (k < n) {
    // Copy a run of whole lines at once (up to the end of the ring), then stamp each line's end.
    const take = Math.min(n - k, ring.lines - ringPos);
    const base = starts[ringPos]!;
    ring.bytes.copy(out, off, base, starts[ringPos + take]!);
    for (let i = 1; i <= take; i++) {
      stamp(Math.floor(t0Wall + (sent + k) * msPerLine));
      const at = off + (starts[ringPos + i]! - base) - 1 - STAMP_DIGITS;
      for (let d = 0; d < STAMP_DIGITS; d++) out[at + d] = digits[d]!;
      k++;
    }
    off += starts[ringPos + take]! - base;
    ringPos = (ringPos + take) % ring.lines;
  }
  return out;
}

function pump(): void {
  timer = undefined;
  const sock = client;
  if (!sock || sock.destroyed || waitingDrain) return;
  const due = Math.floor(((performance.now() - t0) * rate) / 1000);
  let n = due - sent;
  while (n > 0 && sock.writableLength < HIGH_WATER) {
    const take = Math.min(n, MAX_LINES_PER_CHUNK);
    const buf = chunk(take);
    sent += take;
    bytes += buf.length;
    n -= take;
    if (!sock.write(buf)) break;
  }
  if (sock.writableLength >= HIGH_WATER) {
    waitingDrain = true;
    sock.once('drain', () => {
      waitingDrain = false;
      pump();
    });
    return;
  }
  timer = setTimeout(pump, n > 0 ? 0 : 1);
}

const server = createServer((sock) => {
  if (client && !client.destroyed) client.destroy();
  client = sock;
  waitingDrain = false;
  sock.setNoDelay(true);
  sock.on('error', () => sock.destroy());
  sock.on('close', () => {
    if (client === sock) client = undefined;
  });
  if (t0 === 0) {
    t0 = performance.now();
    t0Wall = Date.now();
    setInterval(report, 250).unref();
  }
  if (timer === undefined) pump();
});

function report(): void {
  const due = t0 === 0 ? 0 : Math.floor(((performance.now() - t0) * rate) / 1000);
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ type: 'stats', t0: t0Wall, due, sent, lag: Math.max(0, due - sent), bytes, cpuMs: Math.round((cpu.user + cpu.system) / 1000) })}\n`);
}

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  process.stdout.write(`${JSON.stringify({ type: 'listening', port, ringLines: ring.lines, errorLines: ring.errorLines })}\n`);
});
setTimeout(() => process.exit(0), maxSeconds * 1000).unref();
process.on('SIGTERM', () => process.exit(0));
