/**
 * Serves fake Apache log lines on a TCP port at a steady rate to every connected client: what the
 * book does with `tail -f /tmp/logdata | nc -lk 7777`. Listens on 127.0.0.1 unless told otherwise.
 * A client that does not keep up has lines dropped once 1 MiB is queued for it (the generator
 * never buffers without bound).
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { FakeLogLines } from './fake-log-lines.js';

export interface FakeLogServerOptions {
  host?: string;
  /** 0 picks a free port. Default 7777, the book's. */
  port?: number;
  /** Lines per second (across the whole server; every client gets every line). Default 100. */
  rate?: number;
  seed?: number;
}

export interface FakeLogServer {
  readonly host: string;
  readonly port: number;
  /** Lines generated so far. */
  readonly linesSent: number;
  /** Lines dropped for clients that did not keep up. */
  readonly linesDropped: number;
  readonly clients: number;
  close(): Promise<void>;
}

const MAX_QUEUED_BYTES = 1024 * 1024;
const TICK_MS = 50;

/** Starts the server; resolves once it listens. Rejects when it cannot listen. */
export async function startFakeLogServer(opts: FakeLogServerOptions = {}): Promise<FakeLogServer> {
  const host = opts.host ?? '127.0.0.1';
  const rate = opts.rate ?? 100;
  if (!(rate > 0)) throw new RangeError(`rate must be > 0 lines per second, got ${rate}`);
  const lines = new FakeLogLines(opts.seed ?? 42);
  const clients = new Set<Socket>();
  const server = createServer((socket) => {
    clients.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => clients.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: opts.port ?? 7777 }, () => resolve());
  });
  let sent = 0;
  let dropped = 0;
  let owed = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    // From the real elapsed time, so a late timer does not lower the rate.
    const now = performance.now();
    owed += (rate * (now - last)) / 1000;
    last = now;
    const n = Math.floor(owed);
    owed -= n;
    if (n === 0) return;
    const text = lines.take(n).join('\n') + '\n';
    sent += n;
    for (const c of clients) {
      if (c.writableLength > MAX_QUEUED_BYTES) dropped += n;
      else c.write(text);
    }
  }, TICK_MS);
  const port = (server.address() as AddressInfo).port;
  return {
    host,
    port,
    get linesSent() {
      return sent;
    },
    get linesDropped() {
      return dropped;
    },
    get clients() {
      return clients.size;
    },
    close: async () => {
      clearInterval(timer);
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
