/**
 * The client receiver behind socketTextStream, socketStream and rawSocketStream (Spark's
 * SocketReceiver): connects to host:port and stores every record the converter decodes. When the
 * connection is refused, times out, fails or is closed by the peer, it asks its supervisor for a
 * restart: the socket is closed, and after `reconnectDelayMs` (doubling over consecutive failures,
 * up to 60 s) `onStart` connects again. Delivery is at most once: records the peer had sent but
 * that were not yet stored when the connection dropped, or the process died, are lost.
 */
import { connect, type Socket } from 'node:net';
import { Receiver, type Logger, type SluiceError } from '@sluice/core';
import type { FrameDecoder, SocketConverter } from './decoder.js';
import { pumpTargetOf } from './pump-target.js';
import { BadRecordReporter } from './bad-record-reporter.js';
import { pumpSocket, type PumpTarget } from './socket-pump.js';
import { socketError } from './errors.js';
import { emptyStats, type SocketStats } from './stats.js';
import type { ClientSettings } from './config.js';

export class SocketReceiver<T> extends Receiver<T> {
  /** Counters since the context started (see {@link SocketStats}). */
  readonly stats: SocketStats = emptyStats();
  private socket: Socket | undefined;
  private readonly reporter: BadRecordReporter;
  private readonly target: PumpTarget<T>;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly converter: SocketConverter<T>,
    private readonly settings: ClientSettings,
    logger: Logger,
  ) {
    super({ name: settings.name ?? `socket-${host}:${port}` });
    this.reporter = new BadRecordReporter(this, logger);
    this.target = pumpTargetOf(this, this.stats, this.reporter, (source, error) => this.reconnect(`Converter failed on ${source}`, error));
  }

  private decoding: FrameDecoder<T> | undefined;

  /** Decodes the chunks of complete records the connection's decoder kept as bytes. */
  override decodeBytes(bytes: Uint8Array, emit: (record: T) => void): void {
    (this.decoding ??= this.converter()).decode!(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), emit);
  }

  /** Connects and returns at once; data, failures and the end of the stream arrive as events. */
  onStart(): void {
    const where = `${this.host}:${this.port}`;
    const socket = connect({ host: this.host, port: this.port });
    this.socket = socket;
    const current = (): boolean => this.socket === socket && !this.isStopped();
    const timer = setTimeout(() => {
      if (!current()) return;
      socket.destroy();
      this.reconnect(`Connecting to ${where} timed out`, socketError('SOCKET_CONNECT_FAILED', `Connecting to ${where} timed out after ${this.settings.connectTimeoutMs} ms`));
    }, this.settings.connectTimeoutMs);
    timer.unref();
    let connected = false;
    const ended = pumpSocket(socket, `socket ${where}`, this.converter(), this.target);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setKeepAlive(true, 30_000); // notice a peer that vanished without closing
      connected = true;
      this.stats.connections++;
      this.stats.openConnections++;
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (!current()) return;
      const code = connected ? 'SOCKET_CONNECTION_LOST' : 'SOCKET_CONNECT_FAILED';
      this.reconnect(connected ? `Connection to ${where} failed` : `Error connecting to ${where}`, socketError(code, `${connected ? 'Connection to' : 'Cannot connect to'} ${where}: ${err.message}`, err));
    });
    socket.on('end', () => {
      if (!current()) return;
      ended();
      this.reconnect(`Socket data stream from ${where} had no more data; reconnecting`);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (connected) this.stats.openConnections--;
      connected = false;
      if (current()) this.reconnect(`Connection to ${where} closed; reconnecting`);
    });
  }

  /** Closes the connection (pending data is discarded). */
  onStop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }

  private reconnect(message: string, error?: SluiceError): void {
    if (this.isStopped()) return;
    this.restart(message, error, this.settings.reconnectDelayMs);
  }
}
