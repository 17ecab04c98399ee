/**
 * One segment file of the write-ahead log: its name, the time range of its records, and (for the
 * active segment) the open file that group-commit writes go to. The format is in `wal-format.ts`.
 *
 * Writes are positional: each goes to `size`, the length of what is known to be durable, so a
 * retry after a failed write or fsync overwrites whatever the failed attempt left behind.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { SEGMENT_HEADER_BYTES, segmentHeader } from './wal-format.js';

/** The slice of `fs.promises.FileHandle` a segment uses. */
export interface SegmentFile {
  writev(buffers: readonly NodeJS.ArrayBufferView[], position?: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(len?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * How segments open files. Internal seam: tests replace `open` to inject write and fsync failures.
 * @internal
 */
export const walIo = {
  open: (path: string, flags: string): Promise<SegmentFile> => fsp.open(path, flags),
};

/** Counters shared by a log's segments. */
export interface IoCounters {
  bytesWritten: number;
  fsyncs: number;
}

const NAME = /^log-(\d{12})-(\d{13,})$/;

/** The file name of segment `seq` started at `startMs`; lexical order of names is append order. */
export function segmentName(seq: number, startMs: number): string {
  return `log-${String(seq).padStart(12, '0')}-${String(Math.max(0, Math.floor(startMs))).padStart(13, '0')}`;
}

/** The sequence number and start time in a segment file name, or undefined if it is not one. */
export function parseSegmentName(name: string): { seq: number; startMs: number } | undefined {
  const m = NAME.exec(name);
  return m ? { seq: Number(m[1]), startMs: Number(m[2]) } : undefined;
}

/** Makes the directory's entries (created, deleted files) durable. A no-op where unsupported. */
export async function fsyncDir(dir: string, io: IoCounters): Promise<void> {
  let h: fsp.FileHandle | undefined;
  try {
    h = await fsp.open(dir, 'r');
    await h.sync();
    io.fsyncs++;
  } catch (e) {
    // Windows cannot open a directory; there renames and creates are durable through the journal.
    if (process.platform !== 'win32') throw e;
  } finally {
    await h?.close();
  }
}

export class Segment {
  /** Bytes known durable (header included); the next write goes here. */
  size: number;
  records: number;
  minTime = Infinity;
  maxTime = -Infinity;
  private file: SegmentFile | undefined;
  /** True after a failed write: the file may hold bytes past `size` that must be cut first. */
  private dirty = false;

  constructor(
    readonly dir: string,
    readonly seq: number,
    readonly startMs: number,
    size: number,
    records: number,
  ) {
    this.size = size;
    this.records = records;
  }

  get name(): string {
    return segmentName(this.seq, this.startMs);
  }

  get path(): string {
    return join(this.dir, this.name);
  }

  /** Widens the time range with records just written or read back. */
  noteTime(time: number): void {
    if (time < this.minTime) this.minTime = time;
    if (time > this.maxTime) this.maxTime = time;
  }

  /**
   * Creates a new segment file, writes its header and makes file and directory entry durable before
   * resolving, so no record is ever acknowledged in a segment a crash could lose.
   */
  static async create(dir: string, seq: number, startMs: number, io: IoCounters): Promise<Segment> {
    const seg = new Segment(dir, seq, startMs, 0, 0);
    const file = await walIo.open(seg.path, 'wx');
    try {
      const header = segmentHeader();
      await writeFully(file, [header], 0, header.length);
      await file.datasync();
      io.fsyncs++;
      io.bytesWritten += header.length;
      await fsyncDir(dir, io);
    } catch (e) {
      await file.close().catch(() => {});
      await fsp.rm(seg.path, { force: true }).catch(() => {});
      throw e;
    }
    seg.file = file;
    seg.size = SEGMENT_HEADER_BYTES;
    return seg;
  }

  /**
   * Writes `buffers` (`bytes` long in all) at the end of the durable data and datasyncs. On success
   * `size` grows; on failure the file is closed and marked dirty, and the next call reopens it and
   * cuts it back to `size` first.
   */
  async append(buffers: readonly Buffer[], bytes: number, io: IoCounters): Promise<void> {
    try {
      this.file ??= await walIo.open(this.path, 'r+');
      if (this.dirty) {
        await this.file.truncate(this.size);
        this.dirty = false;
      }
      await writeFully(this.file, buffers, this.size, bytes);
      io.bytesWritten += bytes;
      await this.file.datasync();
      io.fsyncs++;
      this.size += bytes;
    } catch (e) {
      const file = this.file;
      this.file = undefined;
      this.dirty = true;
      await file?.close().catch(() => {});
      throw e;
    }
  }

  /**
   * Closes the file, first cutting off any bytes a failed write left past `size` (reopening the
   * file for that if needed). Rejects if that cut fails: the segment must not be left behind with
   * garbage in it. Idempotent.
   */
  async close(): Promise<void> {
    let file = this.file;
    this.file = undefined;
    try {
      if (this.dirty) {
        file ??= await walIo.open(this.path, 'r+');
        await file.truncate(this.size);
        await file.datasync();
        this.dirty = false;
      }
    } finally {
      await file?.close();
    }
  }
}

/** writev that insists on writing everything (a short write is an error). */
async function writeFully(file: SegmentFile, buffers: readonly Buffer[], position: number, bytes: number): Promise<void> {
  const { bytesWritten } = await file.writev(buffers, position);
  if (bytesWritten !== bytes) throw new Error(`short write: ${bytesWritten} of ${bytes} bytes at offset ${position}`);
}
