/**
 * UTF-8 lines, split on bytes. A line ends at `\n` (a `\r` before it is dropped) and is stored
 * without its terminator. Complete lines are decoded straight from the chunk they arrived in, with
 * one validity check per chunk (an all-ASCII chunk, the common case, takes a cheaper path) and no
 * string concatenation; only a line that spans chunks is assembled, from at most `maxLineBytes`
 * bytes. A longer line, or one that is not valid UTF-8, is reported through `out.bad` and skipped;
 * decoding resumes at the next line.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { DecoderOutput, FrameDecoder, SocketConverter } from './decoder.js';
import { socketError } from './errors.js';
import { asciiSlice, utf8Slice, type Slicer } from './string-slice.js';

const LF = 0x0a;
const CR = 0x0d;

export class LineDecoder implements FrameDecoder<string> {
  /** Bytes of the current, incomplete line (views of earlier chunks). */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** True while skipping the rest of an over-long line (already reported). */
  private discarding = false;

  /** @param maxLineBytes longest line accepted, in bytes without the terminator. */
  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Buffer, out: DecoderOutput<string>): void {
    let start = 0;
    const end = chunk.length;
    if (this.partBytes > 0 || this.discarding) {
      const nl = chunk.indexOf(LF);
      if (nl === -1) return this.keep(chunk, 0, end, out);
      if (this.discarding) this.discarding = false;
      else this.finishSpanning(chunk, nl, out);
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(LF);
    if (last >= start && out.chunk && this.allLinesFit(chunk, start, last)) {
      // Every complete line of the chunk is valid: keep them as bytes, decoded when the batch runs.
      const region = chunk.subarray(start, last + 1);
      if (isAscii(region) || isUtf8(region)) {
        out.chunk(region, this.lastCount);
        start = last + 1;
      }
    }
    if (last >= start) {
      // One check for every complete line of the chunk; per line only if it fails.
      const region = chunk.subarray(start, last);
      const ascii = isAscii(region);
      const clean = ascii || isUtf8(region);
      const slice = ascii ? asciiSlice : utf8Slice;
      while (start <= last) {
        const nl = chunk.indexOf(LF, start);
        this.emit(chunk, start, nl, clean, out, slice);
        start = nl + 1;
      }
    }
    if (start < end) this.keep(chunk, start, end, out);
  }

  private lastCount = 0;

  /** Counts the lines ending in `chunk[from..last]` into `lastCount`; false if one is too long. */
  private allLinesFit(chunk: Buffer, from: number, last: number): boolean {
    let count = 0;
    let start = from;
    const max = this.maxLineBytes + 1; // a trailing \r is not counted
    while (start <= last) {
      const nl = chunk.indexOf(LF, start);
      if (nl - start > max || (nl - start === max && chunk[nl - 1] !== CR)) return false;
      count++;
      start = nl + 1;
    }
    this.lastCount = count;
    return true;
  }

  /** Decodes a chunk passed to `out.chunk`: complete lines, each ending in `\n`. */
  decode(bytes: Buffer, emit: (line: string) => void): void {
    const slice = isAscii(bytes) ? asciiSlice : utf8Slice;
    let start = 0;
    while (start < bytes.length) {
      const nl = bytes.indexOf(LF, start);
      const end = nl > start && bytes[nl - 1] === CR ? nl - 1 : nl;
      emit(slice(bytes, start, end));
      start = nl + 1;
    }
  }

  end(out: DecoderOutput<string>): void {
    if (this.partBytes > 0 && !this.discarding) {
      const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partBytes);
      this.emit(line, 0, line.length, false, out);
    }
    this.parts = [];
    this.partBytes = 0;
    this.discarding = false;
  }

  /** Emits `buf[from, to)` as a line (dropping a final `\r`) unless it is too long or not UTF-8. */
  private emit(buf: Buffer, from: number, to: number, knownValid: boolean, out: DecoderOutput<string>, slice: Slicer = utf8Slice): void {
    if (to > from && buf[to - 1] === CR) to--;
    if (to - from > this.maxLineBytes) {
      out.bad(`line of ${to - from} bytes exceeds maxLineBytes (${this.maxLineBytes})`, socketError('SOCKET_LINE_TOO_LONG', `A line of ${to - from} bytes exceeds maxLineBytes (${this.maxLineBytes}); it was skipped`));
      return;
    }
    if (!knownValid && !isUtf8(buf.subarray(from, to))) {
      out.bad('line is not valid UTF-8', socketError('SOCKET_INVALID_UTF8', `A line of ${to - from} bytes is not valid UTF-8; it was skipped`));
      return;
    }
    out.record(slice(buf, from, to));
  }

  /** The line that started in earlier chunks ends at `chunk[nl]`. */
  private finishSpanning(chunk: Buffer, nl: number, out: DecoderOutput<string>): void {
    const total = this.partBytes + nl;
    if (total > this.maxLineBytes + 1) {
      this.reportTooLong(total, out); // +1: a trailing \r is not counted
    } else {
      this.parts.push(chunk.subarray(0, nl));
      const line = Buffer.concat(this.parts, total);
      this.emit(line, 0, line.length, false, out);
    }
    this.parts = [];
    this.partBytes = 0;
  }

  /** Keeps `chunk[from, to)` as the start of a line, or starts discarding when it grows too long. */
  private keep(chunk: Buffer, from: number, to: number, out: DecoderOutput<string>): void {
    if (this.discarding) return;
    const total = this.partBytes + (to - from);
    if (total > this.maxLineBytes + 1) {
      this.reportTooLong(total, out);
      this.parts = [];
      this.partBytes = 0;
      this.discarding = true;
      return;
    }
    this.parts.push(chunk.subarray(from, to));
    this.partBytes = total;
  }

  private reportTooLong(atLeast: number, out: DecoderOutput<string>): void {
    out.bad(
      `line exceeds maxLineBytes (${this.maxLineBytes})`,
      socketError('SOCKET_LINE_TOO_LONG', `A line of at least ${atLeast} bytes exceeds maxLineBytes (${this.maxLineBytes}); it was skipped`),
    );
  }
}

/** A converter of UTF-8 lines (the framing of socketTextStream). */
export function lineConverter(maxLineBytes: number): SocketConverter<string> {
  return () => new LineDecoder(maxLineBytes);
}
