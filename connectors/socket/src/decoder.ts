/**
 * The framing contract: a {@link FrameDecoder} turns the bytes of one connection into records.
 * `socketStream(ssc, host, port, converter)` takes a {@link SocketConverter}, which makes a fresh
 * decoder for every connection (so a partial record never leaks from one connection into the next).
 */
import type { SluiceError } from '@sluice/core';

/** Where a decoder puts what it decodes. Both methods are synchronous and never throw. */
export interface DecoderOutput<T> {
  /** A complete record, in connection order. */
  record(value: T): void;
  /**
   * A malformed record the decoder skipped; it has resynchronised and decoding goes on. The
   * receiver counts it and reports it to listeners. `error.code` says what was wrong.
   */
  bad(reason: string, error: SluiceError): void;
  /**
   * Optional: `count` complete, valid records kept as their bytes, stored as one chunk and decoded
   * with the decoder's `decode` only when the batch is computed. Offered only to decoders that
   * implement `decode`.
   */
  chunk?(bytes: Buffer, count: number): void;
}

/**
 * Decodes one connection. `push` is called with every chunk read, in order; `end` once when the
 * peer closes its side. Both are synchronous, must not keep `chunk` (or views of it) beyond what
 * an incomplete record needs, and must bound what they buffer: skip an over-long record through
 * `out.bad` instead of growing. A throw is treated as an unrecoverable framing error: the
 * connection is dropped (a client reconnects with backoff).
 *
 * @example
 * ```ts
 * // Fixed 8-byte records, each read as a big-endian float64.
 * const float64s: SocketConverter<number> = () => {
 *   let rest = Buffer.alloc(0);
 *   return {
 *     push(chunk, out) {
 *       const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
 *       let i = 0;
 *       for (; i + 8 <= data.length; i += 8) out.record(data.readDoubleBE(i));
 *       rest = Buffer.from(data.subarray(i));
 *     },
 *     end() {},
 *   };
 * };
 * const values = socketStream(ssc, '127.0.0.1', 9999, float64s);
 * ```
 */
export interface FrameDecoder<T> {
  push(chunk: Buffer, out: DecoderOutput<T>): void;
  /** The peer ended the connection: emit a last record that had no terminator, if the framing allows it. */
  end(out: DecoderOutput<T>): void;
  /**
   * Optional: decodes bytes this decoder passed to `out.chunk`, passing each record to `emit`.
   * Must be deterministic and independent of the decoder's state (it runs later, on any instance).
   */
  decode?(bytes: Buffer, emit: (record: T) => void): void;
}

/** Makes the decoder of one connection (Spark's `converter: InputStream => Iterator[T]`, push-style). */
export type SocketConverter<T> = () => FrameDecoder<T>;
