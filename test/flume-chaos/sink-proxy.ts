/**
 * A TCP proxy between a Sluice app and a SparkSink that reads the SparkFlumeProtocol calls going
 * through it (Netty packs, decoded with @sluice/flume's codec), so a chaos test can kill the app at
 * an exact point of a transaction:
 * - `onBatch`: a getEventBatch answer with events is about to be forwarded to the app (the sink has
 *   opened its transaction; the app cannot have stored the batch);
 * - `holdAck`: the app sent ack(seq), which it does only once storeBatch resolved (durable in the
 *   write-ahead log); return true to swallow it, so the agent never sees it.
 * Every call the app makes is recorded in `calls`, per connection.
 */
import net from 'node:net';
import { encodeNettyPack, NettyPackDecoder } from '@sluice/flume';

export interface ProxyCall {
  connection: number;
  message: string;
  /** ack/nack: the sequence number. */
  sequenceNumber?: string;
}

export interface ProxyHooks {
  onBatch?(sequenceNumber: string, events: number): void;
  holdAck?(sequenceNumber: string): boolean;
}

/** A tiny reader of the Avro bits the proxy needs. */
class Reader {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  long(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const x = this.b[this.pos++];
      if (x === undefined) throw new Error('truncated');
      n += (x & 0x7f) * scale;
      if ((x & 0x80) === 0) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
      scale *= 128;
    }
  }
  string(): string {
    const len = this.long();
    if (len < 0 || this.pos + len > this.b.length) throw new Error('bad string');
    const s = this.b.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  skipMap(): void {
    for (let n = this.long(); n !== 0; n = this.long()) {
      if (n < 0) {
        n = -n;
        this.long();
      }
      for (let i = 0; i < n; i++) {
        this.string();
        this.string();
      }
    }
  }
}

/** A call's name and ack/nack argument, or undefined for a handshake/ping pack. */
function parseCall(message: Buffer): { message: string; sequenceNumber?: string } | undefined {
  try {
    const r = new Reader(message);
    r.skipMap();
    const name = r.string();
    if (name === 'ack' || name === 'nack') return { message: name, sequenceNumber: r.string() };
    if (name === 'getEventBatch') return { message: name };
  } catch {
    // a handshake: not a call
  }
  return undefined;
}

/** From a getEventBatch answer (no handshake in it): its sequence number and event count. */
function parseBatch(message: Buffer): { sequenceNumber: string; events: number } | undefined {
  try {
    const r = new Reader(message);
    r.skipMap();
    if (r.long() !== 0) return undefined; // error flag (a boolean byte reads as 0 or -1)
    const errorMsg = r.string();
    const sequenceNumber = r.string();
    const events = Math.abs(r.long());
    return errorMsg === '' ? { sequenceNumber, events } : undefined;
  } catch {
    return undefined;
  }
}

export class SinkProxy {
  readonly calls: ProxyCall[] = [];
  hooks: ProxyHooks = {};
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private connections = 0;

  constructor(private readonly sinkPort: number) {}

  async listen(): Promise<number> {
    this.server = net.createServer((app) => this.accept(app));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }

  private accept(app: net.Socket): void {
    const id = ++this.connections;
    const sink = net.connect({ host: '127.0.0.1', port: this.sinkPort });
    app.setNoDelay(true);
    sink.setNoDelay(true);
    for (const s of [app, sink]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        this.sockets.delete(s);
        app.destroy();
        sink.destroy();
      });
    }
    const up = new NettyPackDecoder();
    const down = new NettyPackDecoder();
    const getSerials = new Set<number>();
    app.on('data', (chunk: Buffer) => {
      for (const p of up.push(chunk)) {
        const call = parseCall(Buffer.concat(p.frames));
        if (call) {
          this.calls.push({ connection: id, ...call });
          if (call.message === 'getEventBatch') getSerials.add(p.serial);
          if (call.message === 'ack' && this.hooks.holdAck?.(call.sequenceNumber!)) continue;
        }
        sink.write(encodeNettyPack(p.serial, p.frames));
      }
    });
    sink.on('data', (chunk: Buffer) => {
      for (const p of down.push(chunk)) {
        // The hook runs before the answer is forwarded: a kill there can never lose the race to the
        // app storing the batch (under load, the app could otherwise store it before the signal lands).
        if (getSerials.delete(p.serial)) {
          const batch = parseBatch(Buffer.concat(p.frames));
          if (batch && batch.events > 0) this.hooks.onBatch?.(batch.sequenceNumber, batch.events);
        }
        app.write(encodeNettyPack(p.serial, p.frames));
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
