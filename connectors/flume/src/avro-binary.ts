/**
 * A bounded reader and a few writers for the Avro binary encoding, just what the push server needs
 * to decode untrusted requests without letting a declared length or count allocate or loop more
 * than the bytes actually present justify. (avsc's decoders trust counts: an array or map that
 * claims 2^62 items makes them loop that often.) Every read throws {@link AvroDecodeError} on bad
 * or truncated input.
 */
import { setHeader, type FlumeEvent } from './event.js';

export class AvroDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AvroDecodeError';
  }
}

/** Reads Avro binary values from `buf`, starting at `pos`, never past the end. */
export class AvroReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** A zig-zag varint long; at most 8 bytes (|value| < 2^55), enough for any length or count here. */
  long(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.buf.length) throw new AvroDecodeError('truncated varint');
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
      scale *= 128;
    }
    throw new AvroDecodeError('varint longer than 8 bytes');
  }

  boolean(): boolean {
    if (this.pos >= this.buf.length) throw new AvroDecodeError('truncated boolean');
    const b = this.buf[this.pos++]!;
    if (b > 1) throw new AvroDecodeError(`bad boolean byte ${b}`);
    return b === 1;
  }

  /** A length in [0, remaining]; `what` names it in errors. */
  private length(what: string): number {
    const len = this.long();
    if (len < 0) throw new AvroDecodeError(`negative ${what} length ${len}`);
    if (len > this.remaining) throw new AvroDecodeError(`${what} of ${len} bytes but only ${this.remaining} left`);
    return len;
  }

  /** Bytes as a view into the request buffer (no copy). */
  bytes(): Buffer {
    const len = this.length('bytes');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(maxBytes = Number.MAX_SAFE_INTEGER): string {
    const len = this.length('string');
    if (len > maxBytes) throw new AvroDecodeError(`string of ${len} bytes exceeds ${maxBytes}`);
    const out = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  fixed(size: number): Buffer {
    if (size > this.remaining) throw new AvroDecodeError(`truncated fixed(${size})`);
    const out = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }

  /** A union branch index in [0, branches). */
  unionIndex(branches: number): number {
    const i = this.long();
    if (i < 0 || i >= branches) throw new AvroDecodeError(`union index ${i} out of range (${branches} branches)`);
    return i;
  }

  /**
   * Reads the block counts of an array or map, calling `item` once per item. Each item takes at
   * least `minItemBytes`, so a count larger than what the remaining bytes can hold is rejected
   * before looping; `maxItems` bounds the total (the error says so with `tooMany`).
   */
  blocks(minItemBytes: number, maxItems: number, item: () => void, tooMany?: (count: number) => Error): number {
    let total = 0;
    for (;;) {
      let count = this.long();
      if (count === 0) return total;
      if (count < 0) {
        count = -count;
        const size = this.long();
        if (size < 0) throw new AvroDecodeError(`negative block size ${size}`);
      }
      total += count;
      if (total > maxItems) throw tooMany ? tooMany(total) : new AvroDecodeError(`more than ${maxItems} items`);
      if (count * minItemBytes > this.remaining) throw new AvroDecodeError(`block of ${count} items cannot fit in ${this.remaining} bytes`);
      for (let i = 0; i < count; i++) item();
    }
  }

  /** A `map<string>` into a plain object. */
  stringMap(): Record<string, string> {
    const out: Record<string, string> = {};
    this.blocks(2, Number.MAX_SAFE_INTEGER, () => {
      const key = this.string();
      setHeader(out, key, this.string());
    });
    return out;
  }

  /** A `map<bytes>` (call metadata); keys and values are checked but dropped. */
  skipBytesMap(): void {
    this.blocks(2, Number.MAX_SAFE_INTEGER, () => {
      this.string();
      this.bytes();
    });
  }

  /** One `AvroFlumeEvent {map<string> headers; bytes body}`. */
  flumeEvent(): FlumeEvent {
    const headers = this.stringMap();
    return { headers, body: this.bytes() };
  }
}

/** The zig-zag varint encoding of `n` (a safe integer). */
export function encodeLong(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 128) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return Buffer.from(out);
}

/** An Avro `string`. */
export function encodeString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([encodeLong(bytes.length), bytes]);
}
