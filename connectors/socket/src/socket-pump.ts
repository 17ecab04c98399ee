/**
 * Connects one socket to a decoder and a receiver: every chunk goes through the decoder, every
 * record to `store`. When `store` answers false (rate limit or buffer bound reached) the socket is
 * paused after the current chunk until `ready()` resolves, so the kernel's receive buffer fills and
 * TCP slows the sender down: what is held per connection is one chunk plus one partial record.
 */
import type { Socket } from 'node:net';
import type { SluiceError } from '@sluice/core';
import type { DecoderOutput, FrameDecoder } from './decoder.js';
import { socketError } from './errors.js';

/** What a pump needs from its receiver. */
export interface PumpTarget<T> {
  store(record: T): boolean;
  /** Stores `count` records kept as bytes (see DecoderOutput.chunk). */
  storeChunk(bytes: Buffer, count: number): boolean;
  ready(): Promise<void>;
  isStopped(): boolean;
  /** A record the decoder skipped (counted and reported by the receiver). */
  bad(source: string, reason: string, error: SluiceError): void;
  /** Bytes read from any connection. */
  countBytes(n: number): void;
  /** The decoder threw: the connection is unusable. */
  decoderFailed(source: string, error: SluiceError): void;
}

/**
 * Starts pumping `socket` (which must not be flowing yet). Returns a function that feeds the
 * decoder's `end` (call it on the socket's 'end' event).
 */
export function pumpSocket<T>(socket: Socket, source: string, decoder: FrameDecoder<T>, target: PumpTarget<T>): () => void {
  let full = false;
  let paused = false;
  const out: DecoderOutput<T> = {
    record(value) {
      if (target.isStopped()) return;
      if (!target.store(value)) full = true;
    },
    bad(reason, error) {
      target.bad(source, reason, error);
    },
  };
  if (decoder.decode) {
    out.chunk = (bytes, count) => {
      if (target.isStopped()) return;
      if (!target.storeChunk(bytes, count)) full = true;
    };
  }
  const decode = (step: () => void): boolean => {
    try {
      step();
      return true;
    } catch (e) {
      socket.destroy();
      target.decoderFailed(source, socketError('SOCKET_DECODER_FAILED', `The converter of ${source} threw: ${(e as Error)?.message ?? String(e)}`, e));
      return false;
    }
  };
  socket.on('data', (chunk: Buffer) => {
    target.countBytes(chunk.length);
    if (!decode(() => decoder.push(chunk, out))) return;
    if (!full || paused || target.isStopped()) return;
    paused = true;
    socket.pause();
    void target.ready().then(() => {
      paused = false;
      full = false;
      if (!target.isStopped() && !socket.destroyed) socket.resume();
    });
  });
  return () => {
    decode(() => decoder.end(out));
  };
}
