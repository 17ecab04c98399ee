/**
 * Peers for the socket tests: a line server that socketTextStream connects to (with the ability to
 * go away and come back on the same port), and senders that connect to socketServerStream.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ConformancePeer } from '../../../test/conformance/index.js';
import { waitUntil } from '../../../test/conformance/index.js';

function write(socket: Socket, data: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
}

/** A TCP server on 127.0.0.1 that writes lines to every client connected to it. */
export class LineServer implements ConformancePeer {
  port = 0;
  readonly clients = new Set<Socket>();
  private server: Server | undefined;
  /** Bytes of an over-long line sent by sendBad (the stream under test must use a smaller maxLineBytes). */
  badLineBytes = 4096;

  static async start(port = 0): Promise<LineServer> {
    const s = new LineServer();
    s.port = port;
    await s.comeBack();
    return s;
  }

  async comeBack(): Promise<void> {
    const server = createServer((socket) => {
      this.clients.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => this.clients.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: this.port }, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async goAway(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Waits (10 s) for a client unless `wait` is false, then writes the lines to every client. */
  async send(records: readonly string[], opts: { wait?: boolean } = {}): Promise<void> {
    await this.sendRaw(Buffer.from(records.map((r) => `${r}\n`).join('')), opts);
  }

  async sendRaw(data: Buffer, opts: { wait?: boolean } = {}): Promise<void> {
    if (opts.wait !== false) await waitUntil(() => this.clients.size > 0, 10_000, `a client to connect to 127.0.0.1:${this.port}`);
    await Promise.all([...this.clients].map((c) => write(c, data).catch((e) => { if (opts.wait !== false) throw e; })));
  }

  async sendBad(): Promise<number> {
    await this.sendRaw(Buffer.concat([Buffer.alloc(this.badLineBytes, 0x78), Buffer.from('\n'), Buffer.from([0xc3, 0x28, 0xff, 0x0a])]));
    return 2;
  }

  consumers(): number {
    return this.clients.size;
  }

  async close(): Promise<void> {
    await this.goAway();
  }
}

/** Senders to a socketServerStream: every send() is a new connection that writes and closes. */
export class Senders implements ConformancePeer {
  port = 0;
  private readonly open = new Set<Socket>();

  private async connect(): Promise<Socket> {
    const socket = connect({ host: '127.0.0.1', port: this.port });
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
    return socket;
  }

  async sendRaw(data: Buffer, opts: { wait?: boolean } = {}): Promise<void> {
    try {
      const socket = await this.connect();
      await write(socket, data);
      await new Promise<void>((resolve) => socket.end(resolve));
    } catch (e) {
      if (opts.wait !== false) throw e;
    }
  }

  send(records: readonly string[], opts: { wait?: boolean } = {}): Promise<void> {
    return this.sendRaw(Buffer.from(records.map((r) => `${r}\n`).join('')), opts);
  }

  async sendBad(): Promise<number> {
    await this.sendRaw(Buffer.concat([Buffer.alloc(4096, 0x78), Buffer.from('\n'), Buffer.from([0xc3, 0x28, 0xff, 0x0a])]));
    return 2;
  }

  async goAway(): Promise<void> {
    for (const s of this.open) s.destroy();
  }

  async comeBack(): Promise<void> {}

  async close(): Promise<void> {
    await this.goAway();
  }
}
