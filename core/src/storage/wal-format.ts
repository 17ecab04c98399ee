/**
 * The on-disk format of the write-ahead log. Pure functions over Buffers; no I/O.
 *
 * A log is a directory of segment files, `log-<sequence, 12 digits>-<start ms, 13 digits>`, so that
 * lexical order is append order. Every segment starts with an 8-byte header and holds whole frames:
 *
 * ```text
 * segment header  0 "SLWAL" (ASCII)  5 u8 format version (1)  6 u16 reserved (0)
 * frame           0 u32 header CRC   CRC-32 of frame bytes 4..25
 *                 4 u8  version      format version of this frame (1)
 *                 5 u8  flags        bit 0: last frame of its write; other bits 0
 *                 6 u32 writeId      which group-commit write carried the frame (+1 per write)
 *                10 f64 time         the record's time
 *                18 u32 length       byte length of the payload
 *                22 u32 payload CRC  CRC-32 of the payload
 *                26 payload          node:v8 serialize(record.data)
 * ```
 * All integers are little-endian. The header CRC lets a reader tell a real frame from random bytes
 * cheaply, so after a bad frame it can look for valid frames further on (see {@link scanSegment}):
 * that is how a torn tail (nothing valid after it) is told apart from corruption in the middle.
 * The write id and the last-of-write flag let recovery accept a hole inside the final, never
 * acknowledged write (its pages may reach the disk out of order before a crash).
 */
import { crc32 } from './crc32.js';

export const SEGMENT_MAGIC = Buffer.from('SLWAL', 'latin1');
export const FORMAT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 8;
export const FRAME_HEADER_BYTES = 26;
export const MAX_PAYLOAD_BYTES = 0xffff_ffff;
const FLAG_LAST_OF_WRITE = 1;

/** A frame read back from a segment. `offset`/`end` are byte positions in the segment file. */
export interface Frame {
  offset: number;
  end: number;
  writeId: number;
  lastOfWrite: boolean;
  time: number;
  payload: Buffer;
}

/** The 8 bytes every segment starts with. */
export function segmentHeader(): Buffer {
  const b = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(b, 0);
  b.writeUInt8(FORMAT_VERSION, SEGMENT_MAGIC.length);
  return b;
}

/**
 * Checks a segment's header: 'ok'; 'torn' when the file is shorter than a header or the header is
 * all zeros (a crash while the segment was being created); otherwise a message saying what is wrong.
 */
export function checkSegmentHeader(buf: Buffer): 'ok' | 'torn' | string {
  if (buf.length < SEGMENT_HEADER_BYTES) return 'torn';
  const head = buf.subarray(0, SEGMENT_HEADER_BYTES);
  if (head.every((x) => x === 0)) return 'torn';
  if (!head.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) return 'bad segment magic (not a Sluice WAL segment)';
  const version = head.readUInt8(SEGMENT_MAGIC.length);
  if (version !== FORMAT_VERSION) return `unsupported segment format version ${version}`;
  return 'ok';
}

/** The header of one frame; the payload follows it unchanged. */
export function frameHeader(payload: Buffer, time: number, writeId: number, lastOfWrite: boolean): Buffer {
  const h = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  h.writeUInt8(FORMAT_VERSION, 4);
  h.writeUInt8(lastOfWrite ? FLAG_LAST_OF_WRITE : 0, 5);
  h.writeUInt32LE(writeId >>> 0, 6);
  h.writeDoubleLE(time, 10);
  h.writeUInt32LE(payload.length, 18);
  h.writeUInt32LE(crc32(payload), 22);
  h.writeUInt32LE(crc32(h.subarray(4)), 0);
  return h;
}

/**
 * Reads the frame at `offset`, or says why there is no valid frame there. When the frame's header
 * is intact (only its payload is short or damaged), `next` is where the frame claims to end.
 */
export function readFrame(buf: Buffer, offset: number): Frame | { error: string; next?: number } {
  if (buf.length - offset < FRAME_HEADER_BYTES) return { error: 'incomplete frame header' };
  if (buf.readUInt32LE(offset) !== crc32(buf.subarray(offset + 4, offset + FRAME_HEADER_BYTES))) {
    return { error: 'frame header checksum mismatch' };
  }
  const version = buf.readUInt8(offset + 4);
  const flags = buf.readUInt8(offset + 5);
  if (version !== FORMAT_VERSION || (flags & ~FLAG_LAST_OF_WRITE) !== 0) {
    return { error: `unsupported frame version ${version} / flags ${flags}` };
  }
  const length = buf.readUInt32LE(offset + 18);
  const start = offset + FRAME_HEADER_BYTES;
  if (buf.length - start < length) return { error: `incomplete payload (${length} bytes declared)`, next: start + length };
  const payload = buf.subarray(start, start + length);
  if (buf.readUInt32LE(offset + 22) !== crc32(payload)) return { error: 'payload checksum mismatch', next: start + length };
  return {
    offset,
    end: start + length,
    writeId: buf.readUInt32LE(offset + 6),
    lastOfWrite: (flags & FLAG_LAST_OF_WRITE) !== 0,
    time: buf.readDoubleLE(offset + 10),
    payload,
  };
}

/** The first valid frame that starts at or after `from`, if any (a resynchronising scan). */
export function findNextFrame(buf: Buffer, from: number): Frame | undefined {
  for (let at = from; at + FRAME_HEADER_BYTES <= buf.length; at++) {
    // Cheap filter before any checksum: the version byte and the flags must be plausible.
    if (buf[at + 4] !== FORMAT_VERSION || (buf[at + 5]! & ~FLAG_LAST_OF_WRITE) !== 0) continue;
    const f = readFrame(buf, at);
    if (!('error' in f)) return f;
  }
  return undefined;
}

/** What a segment holds: the frames before the first bad byte, and what follows that byte. */
export interface SegmentScan {
  /** Every valid frame before the first invalid position, in order. */
  frames: Frame[];
  /** Where the first invalid frame starts and why it is invalid; absent if the segment is clean. */
  bad?: { offset: number; reason: string };
  /** Valid frames found anywhere after `bad` (empty for a plain torn tail). */
  after: Frame[];
}

/** Reads a segment's frames (the header must have been checked). */
export function scanSegment(buf: Buffer): SegmentScan {
  const frames: Frame[] = [];
  let offset = SEGMENT_HEADER_BYTES;
  while (offset < buf.length) {
    const f = readFrame(buf, offset);
    if ('error' in f) {
      // Look past the bad frame's payload if its header says where that ends, so bytes inside
      // a user's payload are never taken for frames.
      const after: Frame[] = [];
      for (let g = findNextFrame(buf, f.next ?? offset + 1); g !== undefined; ) {
        after.push(g);
        const next = readFrame(buf, g.end);
        g = 'error' in next ? findNextFrame(buf, next.next ?? g.end + 1) : next;
      }
      return { frames, bad: { offset, reason: f.error }, after };
    }
    frames.push(f);
    offset = f.end;
  }
  return { frames, after: [] };
}

/**
 * Decides whether the invalid bytes of a LAST segment are a torn tail that may be cut away: true
 * when nothing valid follows them, or when everything valid that follows belongs to the one write
 * that was in progress at that point (its frames before the hole, if any, are not marked last),
 * which cannot have been acknowledged since its bytes never all reached the disk.
 */
export function isTornTail(scan: SegmentScan): boolean {
  if (scan.bad === undefined || scan.after.length === 0) return true;
  const writeId = scan.after[0]!.writeId;
  if (scan.after.some((f) => f.writeId !== writeId)) return false;
  const prev = scan.frames.at(-1);
  if (prev === undefined) return true;
  return prev.lastOfWrite ? writeId === ((prev.writeId + 1) >>> 0) : writeId === prev.writeId;
}
