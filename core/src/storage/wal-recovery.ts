/**
 * Reading a write-ahead log back at open: every intact record in append order, the torn tail of
 * the last segment cut away, and corruption anywhere else reported as `WAL_CORRUPT`.
 */
import { promises as fsp } from 'node:fs';
import { deserialize } from 'node:v8';
import { SluiceError } from '../errors.js';
import { checkSegmentHeader, isTornTail, scanSegment, type Frame } from './wal-format.js';
import { fsyncDir, parseSegmentName, Segment, type IoCounters } from './wal-segment.js';

/** One record of the log: the time it belongs to (used by `clean`) and the user's data. */
export interface WalRecord<T = unknown> {
  time: number;
  data: T;
}

export interface RecoveredLog<T> {
  /** The segments left after recovery, oldest first, with their record counts and time ranges. */
  segments: Segment[];
  records: WalRecord<T>[];
  /** The sequence number for the next segment. */
  nextSeq: number;
  /** The write id for the next group-commit write. */
  nextWriteId: number;
}

function corrupt(path: string, offset: number, reason: string, cause?: unknown): SluiceError {
  return new SluiceError('WAL_CORRUPT', `Write-ahead log segment ${path} is corrupt at offset ${offset}: ${reason}`, { cause });
}

/**
 * Reads every segment of the log in `dir`, oldest first. In the LAST segment only, a torn tail
 * (see `isTornTail`) is logged with file and offset and truncated away (file datasynced), and a
 * segment whose header never got written is deleted. Rejects with `WAL_CORRUPT` naming the file
 * and offset for anything else that does not check out. Files whose names are not segment names
 * are ignored.
 */
export async function recoverLog<T>(dir: string, warn: (m: string) => void, io: IoCounters): Promise<RecoveredLog<T>> {
  const names = (await fsp.readdir(dir)).filter((n) => parseSegmentName(n) !== undefined).sort();
  const segments: Segment[] = [];
  const records: WalRecord<T>[] = [];
  let nextSeq = 0;
  let nextWriteId = 0;
  for (let i = 0; i < names.length; i++) {
    const { seq, startMs } = parseSegmentName(names[i]!)!;
    nextSeq = seq + 1;
    const seg = new Segment(dir, seq, startMs, 0, 0);
    const isLast = i === names.length - 1;
    const buf = await fsp.readFile(seg.path);
    const header = checkSegmentHeader(buf);
    if (header === 'torn' && isLast) {
      warn(`write-ahead log: removing ${seg.path}: its header was never completely written (${buf.length} bytes)`);
      await fsp.rm(seg.path, { force: true });
      await fsyncDir(dir, io);
      continue;
    }
    if (header !== 'ok') throw corrupt(seg.path, 0, header === 'torn' ? 'incomplete segment header' : header);
    const scan = scanSegment(buf);
    seg.size = buf.length;
    if (scan.bad !== undefined) {
      const { offset, reason } = scan.bad;
      if (!isLast) throw corrupt(seg.path, offset, `${reason} (in a segment that is not the last)`);
      if (!isTornTail(scan)) {
        throw corrupt(seg.path, offset, `${reason}, followed by ${scan.after.length} valid record(s) from offset ${scan.after[0]!.offset}`);
      }
      const dropped = scan.after.length > 0 ? `, dropping ${scan.after.length} record(s) of the unfinished write after it` : '';
      warn(
        `write-ahead log: torn tail in ${seg.path} at offset ${offset} (${reason}); truncating ${buf.length - offset} byte(s)${dropped}`,
      );
      await truncateFile(seg.path, offset, io);
      seg.size = offset;
    }
    for (const f of [...scan.frames, ...scan.after]) nextWriteId = Math.max(nextWriteId, f.writeId + 1);
    for (const f of scan.frames) {
      records.push({ time: f.time, data: decode<T>(seg.path, f) });
      seg.records++;
      seg.noteTime(f.time);
    }
    segments.push(seg);
  }
  return { segments, records, nextSeq, nextWriteId: nextWriteId >>> 0 };
}

function decode<T>(path: string, f: Frame): T {
  try {
    return deserialize(f.payload) as T;
  } catch (e) {
    throw corrupt(path, f.offset, `payload does not deserialize: ${(e as Error).message}`, e);
  }
}

async function truncateFile(path: string, length: number, io: IoCounters): Promise<void> {
  const h = await fsp.open(path, 'r+');
  try {
    await h.truncate(length);
    await h.datasync();
    io.fsyncs++;
  } finally {
    await h.close();
  }
}
