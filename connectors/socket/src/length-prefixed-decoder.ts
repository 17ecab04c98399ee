/**
 * Length-prefixed frames (the framing of rawSocketStream): each frame is a 4-byte big-endian
 * unsigned length followed by that many bytes; each frame becomes one record, a Buffer that owns
 * its bytes. A frame longer than `maxFrameBytes` is reported through `out.bad` and its bytes are
 * skipped without being buffered, so the connection stays in sync and memory stays bounded. Bytes
 * of an incomplete frame at the end of the connection are dropped.
 */
import type { DecoderOutput, FrameDecoder, SocketConverter } from './decoder.js';
import { socketError } from './errors.js';

const HEADER_BYTES = 4;

export class LengthPrefixedDecoder implements FrameDecoder<Buffer> {
  private header = Buffer.alloc(HEADER_BYTES);
  private headerFill = 0;
  /** The frame being filled (undefined while reading a header or skipping). */
  private frame: Buffer | undefined;
  private frameFill = 0;
  /** Bytes still to skip of an over-long frame. */
  private skip = 0;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Buffer, out: DecoderOutput<Buffer>): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, n - i);
        this.skip -= k;
        i += k;
      } else if (this.frame !== undefined) {
        const k = Math.min(this.frame.length - this.frameFill, n - i);
        chunk.copy(this.frame, this.frameFill, i, i + k);
        this.frameFill += k;
        i += k;
        if (this.frameFill === this.frame.length) this.complete(out);
      } else if (this.headerFill === 0 && n - i >= HEADER_BYTES) {
        // Fast path: the header is whole in this chunk, and often the frame is too.
        const len = chunk.readUInt32BE(i);
        i += HEADER_BYTES;
        if (len <= this.maxFrameBytes && n - i >= len) {
          out.record(Buffer.from(chunk.subarray(i, i + len)));
          i += len;
        } else {
          this.startFrame(len, out);
        }
      } else {
        const k = Math.min(HEADER_BYTES - this.headerFill, n - i);
        chunk.copy(this.header, this.headerFill, i, i + k);
        this.headerFill += k;
        i += k;
        if (this.headerFill === HEADER_BYTES) {
          this.headerFill = 0;
          this.startFrame(this.header.readUInt32BE(0), out);
        }
      }
    }
  }

  end(): void {
    this.frame = undefined;
    this.frameFill = 0;
    this.headerFill = 0;
    this.skip = 0;
  }

  private startFrame(len: number, out: DecoderOutput<Buffer>): void {
    if (len > this.maxFrameBytes) {
      out.bad(
        `frame of ${len} bytes exceeds maxFrameBytes (${this.maxFrameBytes})`,
        socketError('SOCKET_FRAME_TOO_LARGE', `A frame of ${len} bytes exceeds maxFrameBytes (${this.maxFrameBytes}); its bytes were skipped`),
      );
      this.skip = len;
      return;
    }
    this.frame = Buffer.allocUnsafe(len);
    this.frameFill = 0;
    if (len === 0) this.complete(out);
  }

  private complete(out: DecoderOutput<Buffer>): void {
    const frame = this.frame!;
    this.frame = undefined;
    this.frameFill = 0;
    out.record(frame);
  }
}

/** A converter of length-prefixed frames. */
export function lengthPrefixedConverter(maxFrameBytes: number): SocketConverter<Buffer> {
  return () => new LengthPrefixedDecoder(maxFrameBytes);
}

/** Encodes `payload` as one frame (for senders and tests). */
export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, HEADER_BYTES);
  return frame;
}
