/**
 * The receiver behind createFlumeStream: an Avro RPC server implementing Flume's
 * AvroSourceProtocol, which Flume's avro sink (or any Avro IPC client) sends events to. Spark's
 * FlumeReceiver, made reliable: each batch is stored with `storeBatch` and answered `OK` only once
 * that resolved (durable with the write-ahead log), `FAILED` if it rejected.
 *
 * Listens on 127.0.0.1 unless told otherwise, optionally with TLS and zlib (Flume's avro sink
 * `ssl` and `compression-type = deflate`). Connections are independent: one that sends garbage is
 * reported and closed, the others go on. If the server itself fails (port taken), the receiver
 * restarts with backoff and listens again, on the same port even when it was 0.
 */
import net, { type AddressInfo, type Server, type Socket } from 'node:net';
import tls from 'node:tls';
import { Receiver, type Logger, type SluiceError } from '@sluice/core';
import { KnownClientProtocols } from './avro-source-responder.js';
import { BadInputReporter } from './bad-input-reporter.js';
import type { ResolvedPushOptions } from './config.js';
import { flumeError } from './errors.js';
import type { FlumeEvent } from './event.js';
import { servePushConnection, type PushConnectionHost } from './push-connection.js';
import { emptyPushStats, type PushStats } from './stats.js';

export class FlumePushReceiver extends Receiver<FlumeEvent> {
  readonly stats: PushStats = emptyPushStats();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly connectionHost: PushConnectionHost;
  private readonly reporter: BadInputReporter;
  private bound: AddressInfo | undefined;
  private readonly listenWaiters: Array<(a: AddressInfo) => void> = [];
  private lastRefusalReport = 0;

  constructor(
    private readonly opts: ResolvedPushOptions,
    logger: Logger,
  ) {
    super({ name: opts.name ?? `flume-push-${opts.host}:${opts.port}` });
    this.reporter = new BadInputReporter(this, logger);
    const known = new KnownClientProtocols();
    this.connectionHost = {
      maxRequestBytes: opts.maxRequestBytes,
      maxBatchSize: opts.maxBatchSize,
      enableDecompression: opts.enableDecompression,
      known,
      stats: this.stats,
      store: (events) => this.storeBatch(events),
      bad: (source, error) => this.badInput(source, error),
      storeFailed: (source, n, error) => {
        if (this.isStopped()) return; // stopping: FAILED makes Flume keep the events for the next run
        this.reportError(`Storing ${n} events from ${source} failed; answered FAILED, Flume will send them again`, flumeError('FLUME_STORE_FAILED', String((error as Error)?.message ?? error), error));
      },
    };
  }

  /** The address the server listens on, once it has listened (kept across restarts). */
  address(): AddressInfo | undefined {
    return this.bound;
  }

  /** Resolves with the address once the server listens (at once if it already did). */
  listening(): Promise<AddressInfo> {
    if (this.bound) return Promise.resolve(this.bound);
    return new Promise((resolve) => this.listenWaiters.push(resolve));
  }

  /** Bad inputs rejected so far (as `stats.badInputs`). */
  get badInputs(): number {
    return this.reporter.count;
  }

  /** Listens; resolves once listening, or after scheduling a restart when it cannot. */
  async onStart(): Promise<void> {
    const { host, tls: tlsOptions } = this.opts;
    // Flume 1.9's Netty 3 SslHandler breaks TLS 1.3 sessions ("Tag mismatch", measured with Java
    // 17): offer TLS 1.2 at most unless the caller chose a maxVersion.
    const server = tlsOptions
      ? tls.createServer({ maxVersion: 'TLSv1.2', ...tlsOptions }, (s) => this.accept(s))
      : net.createServer((s) => this.accept(s));
    if (tlsOptions) {
      server.on('tlsClientError', (err, socket) => {
        socket.destroy();
        if (!this.isStopped()) this.badInput(`TLS client ${socket.remoteAddress}:${socket.remotePort}`, flumeError('FLUME_TRANSPORT_ERROR', `TLS handshake failed: ${err.message}`, err));
      });
    }
    this.server = server;
    const port = this.bound?.port ?? this.opts.port;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const message = `Cannot listen on ${host}:${port}`;
      if (this.server === server && !this.isStopped()) {
        this.restart(message, flumeError('FLUME_LISTEN_FAILED', `${message}: ${(err as Error).message}`, err), this.opts.restartDelayMs);
      }
      return;
    }
    server.on('error', (err) => {
      if (this.server === server && !this.isStopped()) {
        this.restart(`Flume server on ${host}:${port} failed`, flumeError('FLUME_LISTEN_FAILED', err.message, err), this.opts.restartDelayMs);
      }
    });
    this.bound = server.address() as AddressInfo;
    for (const w of this.listenWaiters.splice(0)) w(this.bound);
  }

  /**
   * Stops listening and closes every connection. A batch being stored meanwhile gets `FAILED`
   * (or nothing, if its connection is gone): Flume keeps those events and sends them again.
   */
  async onStop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.reporter.flush();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    if (this.isStopped() || this.server === undefined) {
      socket.destroy();
      return;
    }
    const source = `flume-push ${socket.remoteAddress}:${socket.remotePort} -> ${this.opts.host}:${this.bound?.port ?? this.opts.port}`;
    if (this.sockets.size >= this.opts.maxConnections) {
      this.stats.refusedConnections++;
      socket.destroy();
      const now = Date.now();
      if (now - this.lastRefusalReport >= 1000) {
        // At most one report a second: a connection flood must not flood the listeners too.
        this.lastRefusalReport = now;
        const total = `${this.stats.refusedConnections} refused so far`;
        this.reportError(`Refused ${source}: ${this.opts.maxConnections} connections are open (maxConnections; ${total})`, flumeError('FLUME_TOO_MANY_CONNECTIONS', `more than ${this.opts.maxConnections} connections`));
      }
      return;
    }
    socket.setNoDelay(true); // answers are single writes, but Nagle would still delay them behind delayed ACKs
    socket.setKeepAlive(true, 30_000);
    this.sockets.add(socket);
    this.stats.connections++;
    this.stats.openConnections++;
    void servePushConnection(socket, source, this.connectionHost).then(() => {
      this.stats.openConnections--;
      this.sockets.delete(socket);
    });
  }

  private badInput(source: string, error: SluiceError): void {
    this.stats.badInputs++;
    this.reporter.report(source, error);
  }
}
