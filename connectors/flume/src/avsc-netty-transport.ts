/**
 * An object-mode transport for avsc's stateful *server* channels that speaks Java's Netty framing
 * and fixes avsc's 16-bit request ids: avsc only answers requests whose id has 0 in its upper 16
 * bits, so a Java client's 65,536th call on one connection would get no answer. Incoming serials
 * are mapped to `serial & 0xffff` and back on the way out (Java clients have one call in flight per
 * connection, so the low bits are unique among pending calls).
 *
 * createFlumeStream does not need this (its responder echoes serials itself); it is for code that
 * serves an Avro protocol to Java clients with avsc, such as test doubles.
 *
 * @example
 * ```ts
 * import net from 'node:net';
 * import { avscNettyTransport, flumeAvroSourceService } from '@sluice/flume';
 * const server = flumeAvroSourceService().createServer();
 * server.onMessage('appendBatch', (req, cb) => cb(null, 'OK'));
 * net.createServer((socket) => {
 *   socket.setNoDelay(true);
 *   server.createChannel(avscNettyTransport(socket) as never, { objectMode: true });
 * }).listen(41414, '127.0.0.1');
 * ```
 */
import type { Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { encodeNettyPack, NettyPackDecoder, type NettyLimits } from './netty-codec.js';

/** avsc's object-mode message: an id and the frames. */
export interface AvscNettyMessage {
  id: number;
  payload: Buffer[];
}

/**
 * `{ readable, writable }` for `service.createServer().createChannel(transport, { objectMode: true })`
 * over `socket`. A framing error destroys the socket (with the error).
 */
export function avscNettyTransport(socket: Socket, limits: Partial<NettyLimits> = {}): { readable: Readable; writable: Writable } {
  const serials = new Map<number, number>();
  const decoder = new NettyPackDecoder(limits);
  const readable = new Readable({ objectMode: true, read: () => socket.resume() });
  socket.on('data', (chunk: Buffer) => {
    let packs;
    try {
      packs = decoder.push(chunk);
    } catch (e) {
      socket.destroy(e as Error);
      return;
    }
    for (const p of packs) {
      const id = p.serial & 0xffff;
      serials.set(id, p.serial);
      if (!readable.push({ id, payload: p.frames } satisfies AvscNettyMessage)) socket.pause();
    }
  });
  socket.on('end', () => readable.push(null));
  socket.on('close', () => readable.destroy());
  const writable = new Writable({
    objectMode: true,
    write(msg: AvscNettyMessage, _enc, cb) {
      const serial = serials.get(msg.id) ?? msg.id;
      serials.delete(msg.id);
      if (socket.destroyed) return cb();
      socket.write(encodeNettyPack(serial, msg.payload), () => cb());
    },
    final(cb) {
      socket.end();
      cb();
    },
  });
  return { readable, writable };
}
