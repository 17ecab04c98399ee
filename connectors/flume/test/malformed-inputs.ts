/**
 * Malformed inputs for the push server: Netty framing errors, broken Avro IPC handshakes and broken
 * AvroSourceProtocol requests, each malformed by construction (randomised where it stays
 * malformed), so the server must reject and report every one. One input = the bytes one
 * connection sends before it ends its side.
 */
import net from 'node:net';
import { encodeNettyPack, flumeAvroSourceService } from '@sluice/flume';

/** A small deterministic PRNG (mulberry32), so a failing case can be reproduced from its index. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function varint(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 128) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return Buffer.from(out);
}

function str(s: string): Buffer {
  const b = Buffer.from(s);
  return Buffer.concat([varint(b.length), b]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
}

const ourHash = flumeAvroSourceService().hash;
/** A handshake the server accepts (our own protocol's hash, no protocol text). */
export const GOOD_HANDSHAKE = Buffer.concat([ourHash, Buffer.from([0]), ourHash, Buffer.from([0])]);
/** Empty call metadata + message name. */
const call = (name: string) => Buffer.concat([Buffer.from([0]), str(name)]);
const event = (body: Buffer) => Buffer.concat([Buffer.from([0]), varint(body.length), body]);

function pack(...frames: Buffer[]): Buffer {
  return encodeNettyPack(1, frames);
}

/** The cases; each takes a random source and returns the bytes of one connection. */
const CASES: Array<(r: () => number) => Buffer> = [
  (r) => Buffer.concat([int32(1), int32(-1 - Math.floor(r() * 1e9))]), // negative frame count
  () => Buffer.concat([int32(1), int32(0)]), // zero frames
  (r) => Buffer.concat([int32(1), int32(2_000_000 + Math.floor(r() * 1e9))]), // too many frames
  (r) => Buffer.concat([int32(1), int32(1), int32(-1 - Math.floor(r() * 1e9))]), // negative frame length
  (r) => Buffer.concat([int32(1), int32(1), int32(64 * 1024 * 1024 + Math.floor(r() * 1e9))]), // frame too large: never allocated
  (r) => Buffer.concat([int32(1), int32(1), int32(100 + Math.floor(r() * 1000)), Buffer.alloc(Math.floor(r() * 50), 7)]), // truncated pack
  (r) => Buffer.concat([int32(1), int32(3), int32(2), Buffer.from('ab')]).subarray(0, 8 + Math.floor(r() * 6)), // ends inside the header
  (r) => pack(Buffer.alloc(1 + Math.floor(r() * 30), Math.floor(r() * 256))), // handshake truncated
  (r) => pack(Buffer.concat([ourHash, Buffer.from([4 + 2 * Math.floor(r() * 60)]), ourHash, Buffer.from([0])])), // bad union index
  (r) => pack(Buffer.concat([ourHash, Buffer.from([2]), varint(1000 + Math.floor(r() * 1e6)), Buffer.from('{"pro')])), // protocol longer than the frame
  (r) => pack(Buffer.concat([randomHash(r), Buffer.from([2]), str(`not json ${r()}`), ourHash, Buffer.from([0])])), // protocol not JSON
  (r) => pack(Buffer.concat([randomHash(r), Buffer.from([2]), str(incompatible(r)), ourHash, Buffer.from([0])])), // incompatible protocol
  (r) => pack(Buffer.concat([ourHash, Buffer.from([0]), ourHash, Buffer.from([2]), varint(1e9 + Math.floor(r() * 1e9))])), // meta map claims 1e9 entries
  (r) => pack(GOOD_HANDSHAKE, call(`evil${Math.floor(r() * 1e6)}`)), // unknown message
  (r) => pack(GOOD_HANDSHAKE, call('appendBatch'), varint(20_000 + Math.floor(r() * 2 ** 40))), // batch count over maxBatchSize
  (r) => pack(GOOD_HANDSHAKE, call('appendBatch'), varint(10 + Math.floor(r() * 100)), event(Buffer.from('x'))), // count larger than the bytes
  (r) => pack(GOOD_HANDSHAKE, call('appendBatch'), varint(1), varint(1e6 + Math.floor(r() * 1e12)), Buffer.from([0])), // headers map claims too many
  (r) => pack(GOOD_HANDSHAKE, call('append'), Buffer.from([0]), varint(50 + Math.floor(r() * 1e6)), Buffer.from('short')), // body longer than the frame
  (r) => pack(GOOD_HANDSHAKE, call('append'), event(Buffer.from('ok')), Buffer.alloc(1 + Math.floor(r() * 20), 1)), // trailing bytes
  (r) => pack(GOOD_HANDSHAKE, Buffer.from([0]), varint(-5 - Math.floor(r() * 100))), // negative name length
  (r) => Buffer.concat([int32(Math.floor(r() * 2 ** 31)), int32(-(1 + Math.floor(r() * 2 ** 30))), randomBytes(r, 64)]), // random bytes, bad count
];

function randomHash(r: () => number): Buffer {
  return randomBytes(r, 16);
}

function randomBytes(r: () => number, max: number): Buffer {
  return Buffer.from(Array.from({ length: Math.floor(r() * max) }, () => Math.floor(r() * 256)));
}

function incompatible(r: () => number): string {
  const type = ['int', 'string', 'long', 'boolean'][Math.floor(r() * 4)];
  return JSON.stringify({ protocol: 'AvroSourceProtocol', namespace: 'x', messages: { appendBatch: { request: [{ name: 'events', type }], response: 'string' } } });
}

/** How many kinds of malformed input there are. */
export const MALFORMED_KINDS = CASES.length;

/** Malformed input number `i` (deterministic). */
export function malformedInput(i: number): Buffer {
  return CASES[i % CASES.length]!(prng(i + 1));
}

/**
 * Sends `bytes` on a new connection to 127.0.0.1:port, ends its side and waits (bounded) until the
 * server closes the connection. Resolves with what the server answered.
 */
export function sendRaw(port: number, bytes: Buffer, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.end(bytes);
    });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`server did not close the connection within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => {}); // a reset after our end is fine
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}
