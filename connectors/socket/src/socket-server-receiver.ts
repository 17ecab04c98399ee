/**
 * The receiver behind socketServerStream: listens on host:port and accepts many senders at once
 * (what `nc host port` users expect), each connection decoded on its own. A sender that closes or
 * fails only ends its own connection. If the server itself fails (for example the port is taken)
 * the receiver restarts with backoff and listens again, on the same port even when it was 0.
 * Delivery is at most once (see SocketReceiver).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Receiver, type Logger } from '@sluice/core';
import type { SocketConverter } from './decoder.js';
import { BadRecordReporter } from './bad-record-reporter.js';
import { pumpTargetOf } from './pump-target.js';
import type { FrameDecoder } from './decoder.js';
import { pumpSocket, type PumpTarget } from './socket-pump.js';
import { socketError } from './errors.js';
import { emptyStats, type SocketStats } from './stats.js';

export interface ServerSettings<T> {
  host: string;
  port: number;
  converter: SocketConverter<T>;
  maxConnections: number;
  name: string | undefined;
  restartDelayMs: number;
}

export class SocketServerReceiver<T> extends Receiver<T> {
  readonly stats: SocketStats = emptyStats();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly reporter: BadRecordReporter;
  private readonly target: PumpTarget<T>;
  private bound: AddressInfo | undefined;
  private readonly listenWaiters: Array<(a: AddressInfo) => void> = [];

  constructor(
    private readonly settings: ServerSettings<T>,
    logger: Logger,
  ) {
    super({ name: settings.name ?? `socket-server-${settings.host}:${settings.port}` });
    this.reporter = new BadRecordReporter(this, logger);
    this.target = pumpTargetOf(this, this.stats, this.reporter, (source, error) => this.reportError(`Converter failed on ${source}; connection closed`, error));
  }

  private decoding: FrameDecoder<T> | undefined;

  /** Decodes the chunks of complete records the connections' decoders kept as bytes. */
  override decodeBytes(bytes: Uint8Array, emit: (record: T) => void): void {
    (this.decoding ??= this.settings.converter()).decode!(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), emit);
  }

  /** The address the server listens on, once it has listened (it keeps it across restarts). */
  address(): AddressInfo | undefined {
    return this.bound;
  }

  /** Resolves with the address once the server listens (at once if it already did). */
  listening(): Promise<AddressInfo> {
    if (this.bound) return Promise.resolve(this.bound);
    return new Promise((resolve) => this.listenWaiters.push(resolve));
  }

  /**
   * Listens; resolves once listening. When it cannot listen (port taken, address unavailable) it
   * reports the error and restarts after `restartDelayMs`, with backoff.
   */
  async onStart(): Promise<void> {
    const server = createServer({ pauseOnConnect: false }, (socket) => this.accept(socket));
    server.maxConnections = this.settings.maxConnections;
    this.server = server;
    const port = this.bound?.port ?? this.settings.port;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: this.settings.host, port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const message = `Cannot listen on ${this.settings.host}:${port}`;
      if (this.server === server && !this.isStopped()) {
        this.restart(message, socketError('SOCKET_LISTEN_FAILED', `${message}: ${(err as Error).message}`, err), this.settings.restartDelayMs);
      }
      return;
    }
    server.on('error', (err) => {
      if (this.server === server && !this.isStopped()) {
        this.restart(`Server on ${this.settings.host}:${port} failed`, socketError('SOCKET_LISTEN_FAILED', err.message, err), this.settings.restartDelayMs);
      }
    });
    this.bound = server.address() as AddressInfo;
    for (const w of this.listenWaiters.splice(0)) w(this.bound);
  }

  /** Stops listening and closes every connection. */
  async onStop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.isStopped() || this.server === undefined) {
      socket.destroy();
      return;
    }
    const source = `socket ${socket.remoteAddress}:${socket.remotePort} -> ${this.settings.host}:${this.bound?.port ?? this.settings.port}`;
    this.sockets.add(socket);
    this.stats.connections++;
    this.stats.openConnections++;
    const ended = pumpSocket(socket, source, this.settings.converter(), this.target);
    socket.on('end', () => {
      ended();
      socket.end();
    });
    socket.on('error', (err) => {
      if (!this.isStopped()) this.reportError(`Connection ${source} failed`, socketError('SOCKET_CONNECTION_LOST', `${source}: ${err.message}`, err));
    });
    socket.on('close', () => {
      this.stats.openConnections--;
      this.sockets.delete(socket);
    });
  }
}
