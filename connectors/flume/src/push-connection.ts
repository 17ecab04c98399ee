/**
 * One connection to the push server (a Flume avro sink, or anything else that connects): Netty
 * framing, optionally under zlib, requests handled one at a time in arrival order. While a batch is
 * being stored the connection stops reading, so TCP pushes back on the sender.
 *
 * A batch is answered `OK` only after `store` resolved (durable when the write-ahead log is on),
 * `FAILED` if it rejected: Flume then rolls its transaction back and sends the same events again.
 * Bad input (framing, handshake, request) is reported once, answered with an Avro error when
 * there is a request to answer, and closes this connection only.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { SluiceError } from '@sluice/core';
import { AvroSourceResponder, encodeErrorResponse, encodeStatusResponse, type KnownClientProtocols } from './avro-source-responder.js';
import { flumeError } from './errors.js';
import type { FlumeEvent } from './event.js';
import { encodeNettyPack, NettyPackDecoder, type NettyPack } from './netty-codec.js';
import type { PushStats } from './stats.js';

/** What a connection needs from its receiver. */
export interface PushConnectionHost {
  readonly maxRequestBytes: number;
  readonly maxBatchSize: number;
  readonly enableDecompression: boolean;
  readonly known: KnownClientProtocols;
  readonly stats: PushStats;
  /** storeBatch: resolves once stored (durably with the WAL). */
  store(events: FlumeEvent[]): Promise<void>;
  /** The connection sent bad input (counted and reported by the host). */
  bad(source: string, error: SluiceError): void;
  /** Storing a batch failed; it was answered FAILED. */
  storeFailed(source: string, events: number, error: unknown): void;
}

/** Serves `socket` until it closes; the returned promise resolves then (never rejects). */
export function servePushConnection(socket: Socket, source: string, host: PushConnectionHost): Promise<void> {
  const decoder = new NettyPackDecoder({ maxPackBytes: host.maxRequestBytes });
  const responder = new AvroSourceResponder(host.known, host.maxBatchSize);
  const queue: NettyPack[] = [];
  let busy = false;
  let failed = false;
  let ended = false;

  let input: Readable = socket;
  let write = (b: Buffer): void => void socket.write(b);
  let endOutput = (): void => void socket.end();
  if (host.enableDecompression) {
    const inflate = zlib.createInflate();
    const deflate = zlib.createDeflate({ level: 6 });
    socket.pipe(inflate);
    deflate.pipe(socket);
    inflate.on('error', (e) => fail(flumeError('FLUME_TRANSPORT_ERROR', `zlib stream does not inflate: ${e.message}`, e)));
    deflate.on('error', () => socket.destroy());
    socket.on('close', () => {
      inflate.destroy();
      deflate.destroy();
    });
    input = inflate;
    write = (b) => {
      deflate.write(b);
      deflate.flush(zlib.constants.Z_SYNC_FLUSH);
    };
    endOutput = () => void deflate.end(); // ends the socket once the last answer is out
  }

  const fail = (error: SluiceError, answer?: Buffer[] | undefined, serial?: number): void => {
    if (failed) return;
    failed = true;
    queue.length = 0;
    host.bad(source, error);
    if (answer !== undefined && serial !== undefined && !socket.destroyed) {
      write(encodeNettyPack(serial, answer));
      endOutput();
      setTimeout(() => socket.destroy(), 1000).unref();
    } else socket.destroy();
  };

  const finish = (): void => {
    if (ended && !busy && queue.length === 0 && !failed) endOutput();
  };

  const handle = async (pack: NettyPack): Promise<void> => {
    const message = pack.frames.length === 1 ? pack.frames[0]! : Buffer.concat(pack.frames);
    let decoded;
    try {
      decoded = responder.decode(message);
    } catch (e) {
      const err = e as SluiceError;
      // After a handshake a client can read an Avro error; before it, only closing is understood.
      const canAnswer = err.code !== 'FLUME_BAD_HANDSHAKE' && err.code !== 'FLUME_INCOMPATIBLE_PROTOCOL';
      fail(err, canAnswer ? encodeErrorResponse(undefined, `${err.code}: ${err.message}`) : undefined, pack.serial);
      return;
    }
    const { handshake, request } = decoded;
    host.stats.requests++;
    if (request.kind !== 'events') {
      write(encodeNettyPack(pack.serial, [handshake ?? Buffer.alloc(0)]));
      return;
    }
    const events = request.events;
    host.stats.batches++;
    let status: 'OK' | 'FAILED' = 'OK';
    if (events.length > 0) {
      const t0 = performance.now();
      try {
        await host.store(events);
        host.stats.events += events.length;
      } catch (e) {
        status = 'FAILED';
        host.storeFailed(source, events.length, e);
      }
      host.stats.storeMs += performance.now() - t0;
    }
    if (status === 'OK') host.stats.okAnswers++;
    else host.stats.failedAnswers++;
    if (!socket.destroyed) write(encodeNettyPack(pack.serial, encodeStatusResponse(handshake, status)));
  };

  const drain = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    input.pause();
    try {
      while (queue.length > 0 && !failed) await handle(queue.shift()!);
    } finally {
      busy = false;
    }
    if (!failed && !socket.destroyed) input.resume();
    finish();
  };

  socket.on('data', (chunk: Buffer) => void (host.stats.bytesReceived += chunk.length));
  input.on('data', (chunk: Buffer) => {
    if (failed) return;
    try {
      queue.push(...decoder.push(chunk));
    } catch (e) {
      fail(e as SluiceError);
      return;
    }
    if (queue.length > 0) void drain();
  });
  input.on('end', () => {
    ended = true;
    if (!decoder.idle && !failed) {
      fail(flumeError('FLUME_BAD_FRAME', `connection ended inside a Netty pack (${decoder.bufferedBytes} bytes of it received)`));
      return;
    }
    finish();
  });
  socket.on('error', () => socket.destroy()); // resets and timeouts: the sender reconnects and resends

  return new Promise<void>((resolve) => socket.once('close', () => resolve()));
}
