/**
 * One connection to a Spark SparkSink inside a Flume agent, speaking SparkFlumeProtocol with an
 * avsc client over Java's Netty framing. The avsc traps are handled here:
 * - the protocol is parsed with `ackVoidMessages: true`, so ack/nack are two-way as Java expects;
 * - calls carry `timeout: 0` (getEventBatch blocks on the Java side while the channel is empty;
 *   avsc's default 10 s timeout would abandon a call whose transaction the sink keeps open) and
 *   this class bounds ack/nack itself;
 * - as a client, avsc's 16-bit request ids wrap and Java echoes them, so long-lived connections
 *   are fine.
 * Every pending call rejects with `FLUME_CONNECTION_LOST` when the connection goes away.
 */
import net from 'node:net';
import type avro from 'avsc';
import { sparkFlumeService, type SparkEventBatch } from './avro-protocols.js';
import type { ResolvedSink } from './config.js';
import { flumeError } from './errors.js';
import type { FlumeEvent } from './event.js';

export class SparkSinkConnection {
  private readonly pending = new Set<(e: Error) => void>();
  private lost: Error | undefined;

  private constructor(
    readonly sink: ResolvedSink,
    private readonly socket: net.Socket,
    private readonly client: avro.Service.Client,
  ) {
    const onGone = (why: string) => {
      if (this.lost) return;
      this.lost = flumeError('FLUME_CONNECTION_LOST', `connection to SparkSink ${sink.id} ${why}`);
      for (const reject of this.pending) reject(this.lost);
      this.pending.clear();
      this.close();
    };
    socket.on('close', () => onGone('closed'));
    socket.on('error', (e) => onGone(`failed: ${e.message}`));
  }

  /**
   * Connects and completes the Avro handshake within `timeoutMs`.
   * @throws SluiceError `FLUME_CONNECT_FAILED` (retriable).
   */
  static async connect(sink: ResolvedSink, timeoutMs: number, signal?: AbortSignal): Promise<SparkSinkConnection> {
    const socket = net.connect({ host: sink.host, port: sink.port });
    const onAbort = () => socket.destroy(new Error('connect abandoned: stopping'));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    socket.setNoDelay(true); // avsc writes header, lengths and payloads separately: Nagle would stall every call
    socket.setKeepAlive(true, 10_000);
    let timer: NodeJS.Timeout | undefined;
    let onError: (e: Error) => void = () => undefined;
    let onClose: () => void = () => undefined;
    try {
      const client = sparkFlumeService().createClient({ timeout: 0 });
      const channel = client.createChannel(socket);
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection and handshake within ${timeoutMs} ms`)), timeoutMs);
        onError = reject;
        onClose = () => reject(new Error('closed during the handshake'));
        socket.on('error', onError);
        socket.on('close', onClose);
        // The first attempt is answered NONE (our protocol text differs from Java's by its doc),
        // then avsc retries with the protocol: wait for the answer that is not NONE.
        channel.on('handshake', (_req: unknown, res: { match: string }) => {
          if (res.match !== 'NONE') resolve();
        });
        channel.once('eot', (_pending: number, err?: Error) => reject(err ?? new Error('channel closed during the handshake')));
      });
      return new SparkSinkConnection(sink, socket, client);
    } catch (e) {
      socket.on('error', () => undefined); // late errors of a socket given up on
      socket.destroy();
      throw flumeError('FLUME_CONNECT_FAILED', `Cannot connect to SparkSink ${sink.id}: ${(e as Error).message}`, e);
    } finally {
      socket.off('error', onError);
      socket.off('close', onClose);
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Whether the connection is gone (then every call rejects). */
  get isLost(): boolean {
    return this.lost !== undefined;
  }

  /**
   * getEventBatch(n): waits as long as the sink's channel is empty (no timeout: it ends when events
   * come or the connection goes). Events are returned as plain {@link FlumeEvent}s.
   */
  async getEventBatch(n: number): Promise<SparkEventBatch> {
    const batch = await this.call<SparkEventBatch>('getEventBatch', { n }, 0);
    const events: FlumeEvent[] = batch.events.map((e) => ({ headers: e.headers, body: e.body }));
    return { errorMsg: batch.errorMsg, sequenceNumber: batch.sequenceNumber, events };
  }

  /** ack(sequenceNumber): commits the batch's transaction. Rejects after `timeoutMs` (the connection is then dropped). */
  async ack(sequenceNumber: string, timeoutMs: number): Promise<void> {
    await this.call('ack', { sequenceNumber }, timeoutMs);
  }

  /** nack(sequenceNumber): rolls the batch back at once, so its events come again. */
  async nack(sequenceNumber: string, timeoutMs: number): Promise<void> {
    await this.call('nack', { sequenceNumber }, timeoutMs);
  }

  /** Lets the process exit while this connection is open (used for a batch drained after stop). */
  unref(): void {
    this.socket.unref();
  }

  /** Closes the connection; pending calls reject. Idempotent. */
  close(): void {
    this.client.destroyChannels({ noWait: true });
    this.socket.destroy();
  }

  private call<T>(message: string, request: object, timeoutMs: number): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (err: Error | undefined, res?: T) => {
        if (!this.pending.delete(onLost)) return;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(res as T);
      };
      const onLost = (e: Error) => {
        clearTimeout(timer);
        reject(e);
      };
      this.pending.add(onLost);
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          settle(flumeError('FLUME_CONNECTION_LOST', `${message} to SparkSink ${this.sink.id} got no answer within ${timeoutMs} ms`));
          this.close(); // a late answer must not be matched to a later call
        }, timeoutMs);
      }
      this.client.emitMessage<T>(message, request, { timeout: 0 }, (err, res) => {
        settle(err ? flumeError('FLUME_CONNECTION_LOST', `${message} to SparkSink ${this.sink.id} failed: ${String((err as Error)?.message ?? err)}`, err) : undefined, res);
      });
    });
  }
}
