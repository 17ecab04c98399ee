/**
 * The server side of Flume's AvroSourceProtocol over Avro IPC, without I/O: decodes one request
 * message (with the handshake on a connection's first request) and encodes the answers, the way
 * Java's `org.apache.avro.ipc.Responder` does. One instance per connection.
 *
 * Decoding is bounded by what arrived: counts and lengths are checked before anything is
 * allocated for them, and an appendBatch of more than `maxBatchSize` events is refused from its
 * first block count. Bad input throws a SluiceError (`FLUME_BAD_HANDSHAKE`, `FLUME_BAD_REQUEST`,
 * `FLUME_BATCH_TOO_LARGE`, `FLUME_INCOMPATIBLE_PROTOCOL`).
 */
import { createHash } from 'node:crypto';
import { AvroDecodeError, AvroReader, encodeString } from './avro-binary.js';
import { avroSourceServerProtocol, checkClientProtocol, type FlumeStatus } from './avro-protocols.js';
import { flumeError, type FlumeErrorCode } from './errors.js';
import type { FlumeEvent } from './event.js';

/** Hashes of client protocols already found compatible, shared by one server's connections (bounded). */
export class KnownClientProtocols {
  private readonly hashes = new Set<string>();
  constructor(private readonly max = 64) {}
  has(hash: string): boolean {
    return this.hashes.has(hash);
  }
  add(hash: string): void {
    if (this.hashes.size >= this.max) this.hashes.delete(this.hashes.values().next().value!);
    this.hashes.add(hash);
  }
}

/** What one request asks for. */
export type SourceRequest =
  | { kind: 'handshake-retry' } // handshake answered NONE: the client retries with its protocol
  | { kind: 'ping' } // handshake only (empty message name)
  | { kind: 'events'; message: 'append' | 'appendBatch'; events: FlumeEvent[] };

export interface DecodedRequest {
  /** The encoded handshake response to put first in the answer (first request of a connection). */
  handshake: Buffer | undefined;
  request: SourceRequest;
}

const MAX_PROTOCOL_BYTES = 256 * 1024;
const MAX_MESSAGE_NAME_BYTES = 256;
const STATUS_INDEX: Record<FlumeStatus, number> = { OK: 0, FAILED: 1, UNKNOWN: 2 };

function md5Hex(b: Buffer): string {
  return b.toString('hex');
}

export class AvroSourceResponder {
  private connected = false;

  constructor(
    private readonly known: KnownClientProtocols,
    private readonly maxBatchSize: number,
  ) {}

  /** Decodes the Avro IPC message `message` (the frames of one pack, joined). */
  decode(message: Buffer): DecodedRequest {
    const r = new AvroReader(message);
    let handshake: Buffer | undefined;
    if (!this.connected) {
      const hs = this.handshake(r);
      handshake = hs.response;
      if (!hs.ok) return { handshake, request: { kind: 'handshake-retry' } };
      this.connected = true;
    }
    return { handshake, request: this.request(r) };
  }

  private handshake(r: AvroReader): { ok: boolean; response: Buffer } {
    const ours = avroSourceServerProtocol();
    let clientHash: Buffer;
    let clientProtocol: string | null;
    let serverHash: Buffer;
    try {
      clientHash = r.fixed(16);
      clientProtocol = r.unionIndex(2) === 1 ? r.string(MAX_PROTOCOL_BYTES) : null;
      serverHash = r.fixed(16);
      if (r.unionIndex(2) === 1) r.skipBytesMap();
    } catch (e) {
      throw wrap('FLUME_BAD_HANDSHAKE', 'Avro IPC handshake does not decode', e);
    }
    const hash = md5Hex(clientHash);
    let known = this.known.has(hash) || clientHash.equals(ours.hash);
    if (!known && clientProtocol !== null) {
      const why = checkClientProtocol(clientProtocol);
      if (why !== undefined) {
        const code: FlumeErrorCode = why.startsWith('client protocol does not parse') ? 'FLUME_BAD_HANDSHAKE' : 'FLUME_INCOMPATIBLE_PROTOCOL';
        throw flumeError(code, `Client protocol is not Flume's AvroSourceProtocol: ${why}`);
      }
      known = true;
      // Cache only what the client proved: its hash is the MD5 of the text it sent (Java and avsc do this).
      if (createHash('md5').update(clientProtocol, 'utf8').digest().equals(clientHash)) this.known.add(hash);
    }
    const match = !known ? 'NONE' : serverHash.equals(ours.hash) ? 'BOTH' : 'CLIENT';
    return { ok: known, response: encodeHandshakeResponse(match, ours.text, ours.hash) };
  }

  private request(r: AvroReader): SourceRequest {
    let name: string;
    try {
      r.skipBytesMap(); // call metadata
      name = r.string(MAX_MESSAGE_NAME_BYTES);
    } catch (e) {
      throw wrap('FLUME_BAD_REQUEST', 'Avro IPC request header does not decode', e);
    }
    if (name === '') return { kind: 'ping' };
    if (name !== 'append' && name !== 'appendBatch') {
      throw flumeError('FLUME_BAD_REQUEST', `Unknown message ${JSON.stringify(name.slice(0, 64))}: AvroSourceProtocol has append and appendBatch`);
    }
    const events: FlumeEvent[] = [];
    try {
      if (name === 'append') events.push(r.flumeEvent());
      else {
        const tooMany = (n: number) => flumeError('FLUME_BATCH_TOO_LARGE', `appendBatch of at least ${n} events exceeds maxBatchSize ${this.maxBatchSize}: lower the Flume sink's batch-size`);
        r.blocks(2, this.maxBatchSize, () => void events.push(r.flumeEvent()), tooMany);
      }
    } catch (e) {
      if ((e as { code?: string }).code === 'FLUME_BATCH_TOO_LARGE') throw e;
      throw wrap('FLUME_BAD_REQUEST', `${name} request does not decode`, e);
    }
    if (r.remaining !== 0) throw flumeError('FLUME_BAD_REQUEST', `${name} request has ${r.remaining} bytes after its end`);
    return { kind: 'events', message: name, events };
  }
}

function wrap(code: FlumeErrorCode, what: string, e: unknown): Error {
  if (e instanceof AvroDecodeError) return flumeError(code, `${what}: ${e.message}`, e);
  return e as Error;
}

/** HandshakeResponse {match; union{null,string} serverProtocol; union{null,MD5} serverHash; union{null,map} meta}. */
function encodeHandshakeResponse(match: 'BOTH' | 'CLIENT' | 'NONE', protocolText: string, hash: Buffer): Buffer {
  const matchIndex = { BOTH: 0, CLIENT: 1, NONE: 2 }[match];
  if (match === 'BOTH') return Buffer.from([matchIndex * 2, 0, 0, 0]);
  return Buffer.concat([Buffer.from([matchIndex * 2, 2]), encodeString(protocolText), Buffer.from([2]), hash, Buffer.from([0])]);
}

/** The answer to append/appendBatch: [handshake] + empty metadata + no-error flag + Status. */
export function encodeStatusResponse(handshake: Buffer | undefined, status: FlumeStatus): Buffer[] {
  const body = Buffer.from([0, 0, STATUS_INDEX[status] * 2]);
  return handshake ? [handshake, body] : [body];
}

/** An error answer: [handshake] + empty metadata + error flag + union{string} branch 0 + message. */
export function encodeErrorResponse(handshake: Buffer | undefined, message: string): Buffer[] {
  const body = Buffer.concat([Buffer.from([0, 1, 0]), encodeString(message)]);
  return handshake ? [handshake, body] : [body];
}
