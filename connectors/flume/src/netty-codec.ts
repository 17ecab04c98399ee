/**
 * The Netty framing of Avro IPC, as Java's NettyTransceiver and NettyServer write it: one "pack"
 * per message, big-endian `int32 serial`, `int32 frame count`, then per frame `int32 length` and
 * the bytes. The frames joined are the Avro IPC message. The responder echoes the serial.
 *
 * The decoder checks every declared count and length against its limits as soon as the 4 bytes
 * that declare it arrive, so a peer can never make it buffer more than `maxPackBytes` (plus one
 * chunk), and it never copies a large frame more than once.
 */
import { flumeError } from './errors.js';

/** One Netty pack: the serial and the (non-empty) frames of one Avro IPC message. */
export interface NettyPack {
  serial: number;
  frames: Buffer[];
}

export interface NettyLimits {
  /** Largest sum of frame lengths in one pack (default 32 MiB). */
  maxPackBytes: number;
  /** Most frames in one pack (default 65,536). */
  maxFrames: number;
}

export const DEFAULT_NETTY_LIMITS: NettyLimits = { maxPackBytes: 32 * 1024 * 1024, maxFrames: 65_536 };

/** A FIFO of byte chunks that hands out exactly n bytes at a time. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0; // offset into chunks[0]
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Removes and returns the next `n` bytes (n <= length); copies only when they span chunks. */
  take(n: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const k = Math.min(n - filled, c.length - this.head);
      c.copy(out, filled, this.head, this.head + k);
      filled += k;
      this.advance(k);
    }
    return out;
  }

  private advance(n: number): void {
    this.length -= n;
    this.head += n;
    while (this.chunks.length > 0 && this.head >= this.chunks[0]!.length) {
      this.head -= this.chunks[0]!.length;
      this.chunks.shift();
    }
  }
}

/**
 * Incremental decoder of Netty packs. Feed it bytes with {@link push}; it returns the packs
 * completed so far. Throws a SluiceError `FLUME_BAD_FRAME` (negative or zero frame count, negative
 * length) or `FLUME_FRAME_TOO_LARGE` (limits) at the first bad declaration; the decoder is then
 * unusable (close the connection).
 */
export class NettyPackDecoder {
  private readonly queue = new ByteQueue();
  private serial = 0;
  private framesLeft = -1; // -1: waiting for a pack header
  private frameLength = -1; // -1: waiting for a frame length
  private frames: Buffer[] = [];
  private packBytes = 0; // declared lengths of this pack's frames so far
  private framesBytes = 0; // bytes of this pack's complete frames
  private readonly limits: NettyLimits;

  constructor(limits: Partial<NettyLimits> = {}) {
    this.limits = { ...DEFAULT_NETTY_LIMITS, ...limits };
  }

  /** Bytes received and not yet returned as part of a pack. */
  get bufferedBytes(): number {
    return this.queue.length + this.framesBytes;
  }

  /** True when no partial pack is buffered (a clean place for the peer to stop). */
  get idle(): boolean {
    return this.framesLeft === -1 && this.queue.length === 0;
  }

  push(chunk: Buffer): NettyPack[] {
    this.queue.push(chunk);
    const out: NettyPack[] = [];
    for (;;) {
      if (this.framesLeft === -1) {
        if (this.queue.length < 8) return out;
        const head = this.queue.take(8);
        this.serial = head.readInt32BE(0);
        const count = head.readInt32BE(4);
        if (count <= 0) throw flumeError('FLUME_BAD_FRAME', `Netty pack with ${count} frames (serial ${this.serial})`);
        if (count > this.limits.maxFrames) throw flumeError('FLUME_FRAME_TOO_LARGE', `Netty pack with ${count} frames exceeds ${this.limits.maxFrames}`);
        this.framesLeft = count;
        this.frames = [];
        this.packBytes = 0;
        this.framesBytes = 0;
      }
      if (this.frameLength === -1) {
        if (this.queue.length < 4) return out;
        const len = this.queue.take(4).readInt32BE(0);
        if (len < 0) throw flumeError('FLUME_BAD_FRAME', `Netty frame with negative length ${len} (serial ${this.serial})`);
        if (this.packBytes + len > this.limits.maxPackBytes) {
          throw flumeError('FLUME_FRAME_TOO_LARGE', `request of more than ${this.limits.maxPackBytes} bytes (maxRequestBytes); frame of ${len} bytes declared (serial ${this.serial})`);
        }
        this.frameLength = len;
        this.packBytes += len;
      }
      if (this.queue.length < this.frameLength) return out;
      // Empty frames carry nothing; not keeping them means 4 bytes on the wire never cost a Buffer object.
      if (this.frameLength > 0) this.frames.push(this.queue.take(this.frameLength));
      this.framesBytes += this.frameLength;
      this.frameLength = -1;
      if (--this.framesLeft === 0) {
        out.push({ serial: this.serial, frames: this.frames });
        this.framesLeft = -1;
        this.frames = [];
        this.packBytes = 0;
        this.framesBytes = 0;
      }
    }
  }
}

/** Encodes one pack as a single Buffer (one socket write per message also avoids Nagle stalls). */
export function encodeNettyPack(serial: number, frames: readonly Buffer[]): Buffer {
  let size = 8;
  for (const f of frames) size += 4 + f.length;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(serial | 0, 0);
  out.writeInt32BE(frames.length, 4);
  let off = 8;
  for (const f of frames) {
    out.writeInt32BE(f.length, off);
    f.copy(out, off + 4);
    off += 4 + f.length;
  }
  return out;
}
