/**
 * The write-ahead log: an append-only, segmented, checksummed log of records with group commit,
 * after Spark Streaming's FileBasedWriteAheadLog + BatchedWriteAheadLog. The engine logs received
 * blocks and batch allocations here before acting on them, replays them after a crash, and cleans
 * segments older than anything it still needs.
 *
 * - Durability: `append` resolves only after its bytes and every byte before them are on disk
 *   (writev + datasync; new segments and deletions also fsync the directory).
 * - Group commit: appends that arrive while a write is in flight go out together in the next
 *   single write + datasync, so N concurrent appends cost about two fsyncs, not N.
 * - Recovery: `open` returns every intact record in append order. A torn tail of the last segment
 *   is cut away with a warning; any other damage rejects with `WAL_CORRUPT` naming file and offset.
 * - One writer per directory: two logs open on the same directory corrupt each other.
 *
 * The file format is described in `wal-format.ts`.
 *
 * @example
 * const { wal, recovered } = await WriteAheadLog.open<BlockEvent>(join(checkpointDir, 'wal'));
 * for (const { time, data } of recovered) replay(time, data);
 * await wal.append({ time: batchTime, data: event }); // durable once this resolves
 * await wal.clean(oldestTimeStillNeeded);
 * await wal.close();
 */
import { mkdir, rm } from 'node:fs/promises';
import { serialize } from 'node:v8';
import { SluiceError } from '../errors.js';
import { defaultLogger } from '../util/logger.js';
import { frameHeader, FRAME_HEADER_BYTES, MAX_PAYLOAD_BYTES } from './wal-format.js';
import { recoverLog, type WalRecord } from './wal-recovery.js';
import { fsyncDir, Segment, type IoCounters } from './wal-segment.js';

export type { WalRecord } from './wal-recovery.js';

export interface WalOptions {
  /** Roll to a new segment before a write once the current one has reached this size (default 64 MiB). */
  segmentBytes?: number;
  /** ...or once it is this old (default 60 s, Spark's rollingIntervalSecs). */
  rollIntervalMs?: number;
  /** Where torn tails that were cut away and failed write attempts are reported (default: stderr). */
  logger?: { warn(m: string): void };
  /** For tests: the source of time for segment age and names (default `Date.now`). */
  now?: () => number;
}

/** Attempts per group write before its appends reject (Spark's maxFailures). */
const MAX_ATTEMPTS = 3;

interface Pending {
  time: number;
  payload: Buffer;
  resolve(): void;
  reject(e: unknown): void;
}

export class WriteAheadLog<T = unknown> {
  private readonly segments: Segment[];
  private readonly io: IoCounters = { bytesWritten: 0, fsyncs: 0 };
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private cleaning: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  /** The segment appends go to; created lazily, so an open log that gets no appends adds no file. */
  private active: Segment | undefined;

  private constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    private readonly rollIntervalMs: number,
    private readonly warn: (m: string) => void,
    private readonly now: () => number,
    segments: Segment[],
    private nextSeq: number,
    private nextWriteId: number,
  ) {
    this.segments = segments;
  }

  /**
   * Opens (creating) the log in `dir` and reads back every intact record in append order. A torn or
   * corrupt tail of the last segment (power loss mid-write) is logged with file and offset and
   * truncated away. Rejects with `WAL_CORRUPT` (naming file and offset) for corruption in the
   * middle of the log: a bad record followed by good ones, or any bad record in a segment that is
   * not the last. Rejects with `INVALID_OPTION` for a bad option.
   */
  static async open<T>(dir: string, opts: WalOptions = {}): Promise<{ wal: WriteAheadLog<T>; recovered: WalRecord<T>[] }> {
    const segmentBytes = positive('segmentBytes', opts.segmentBytes ?? 64 * 1024 * 1024);
    const rollIntervalMs = positive('rollIntervalMs', opts.rollIntervalMs ?? 60_000);
    const logger = opts.logger ?? defaultLogger();
    const warn = (m: string): void => logger.warn(m);
    await mkdir(dir, { recursive: true });
    const io: IoCounters = { bytesWritten: 0, fsyncs: 0 };
    const log = await recoverLog<T>(dir, warn, io);
    const wal = new WriteAheadLog<T>(dir, segmentBytes, rollIntervalMs, warn, opts.now ?? Date.now, log.segments, log.nextSeq, log.nextWriteId);
    wal.io.fsyncs += io.fsyncs;
    return { wal, recovered: log.records };
  }

  /**
   * Appends a record; resolves once it (and everything appended before it) is durable. Never
   * blocks the caller. Rejects with `STOPPED` after `close()`, with `BAD_RECORD` when `time` is not
   * a number or `data` cannot be serialized by node:v8 (functions, symbols; class instances come
   * back as plain objects), and with the file system's error when the write failed
   * {@link MAX_ATTEMPTS} times (each retry reopens the segment and rewrites the whole group). A
   * failed append leaves nothing behind and later appends try again.
   */
  append(record: WalRecord<T>): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new SluiceError('STOPPED', 'The write-ahead log is closed'));
    let payload: Buffer;
    try {
      if (typeof record.time !== 'number' || Number.isNaN(record.time)) throw new TypeError(`time must be a number, got ${String(record.time)}`);
      payload = serialize(record.data);
      if (payload.length > MAX_PAYLOAD_BYTES) throw new RangeError(`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
    } catch (e) {
      return Promise.reject(new SluiceError('BAD_RECORD', `Cannot log record: ${(e as Error).message}`, { cause: e }));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ time: record.time, payload, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  /**
   * Deletes every segment, except the active one, whose records all have `time < threshold` (and
   * segments holding no records), then fsyncs the directory. Resolves when the files are gone;
   * rejects with the file system's error if one could not be deleted (it stays in the log and a
   * later clean tries again), and with `STOPPED` after `close()`. Cleans run one after another.
   */
  clean(threshold: number): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new SluiceError('STOPPED', 'The write-ahead log is closed'));
    const doomed = this.segments.filter((s) => s !== this.active && s.maxTime < threshold);
    if (doomed.length === 0) return this.cleaning;
    for (const s of doomed) this.segments.splice(this.segments.indexOf(s), 1);
    const run = async (): Promise<void> => {
      try {
        for (const s of [...doomed]) {
          await rm(s.path, { force: true });
          doomed.shift();
        }
      } finally {
        // Segments that could not be deleted stay part of the log (and a later clean retries them).
        this.segments.push(...doomed);
        this.segments.sort((a, b) => a.seq - b.seq);
        await fsyncDir(this.dir, this.io);
      }
    };
    const done = this.cleaning.then(run, run);
    this.cleaning = done.catch(() => {});
    return done;
  }

  /**
   * Stops taking appends (later ones reject with `STOPPED`), waits until every pending append has
   * been written (or rejected) and any clean has finished, then closes the active segment.
   * Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.flushing !== undefined) await this.flushing;
      await this.cleaning;
      await this.active?.close();
      this.active = undefined;
    })();
    return this.closing;
  }

  /**
   * Counters for tests and benchmarks: `segments` and `records` describe the log on disk now
   * (recovered + appended - cleaned); `bytesWritten` and `fsyncs` count this instance's I/O
   * (fsyncs include directory fsyncs and the datasync of new segment headers).
   */
  get stats(): { segments: number; bytesWritten: number; fsyncs: number; records: number } {
    const records = this.segments.reduce((n, s) => n + s.records, 0);
    return { segments: this.segments.length, bytesWritten: this.io.bytesWritten, fsyncs: this.io.fsyncs, records };
  }

  /** Writes pending appends group after group until none are left. Runs while `flushing` is set. */
  private async flushLoop(): Promise<void> {
    try {
      await null; // let appends made in the same synchronous run join the first group
      while (this.pending.length > 0) {
        const group = this.pending;
        this.pending = [];
        try {
          await this.writeGroup(group);
          for (const p of group) p.resolve();
        } catch (e) {
          for (const p of group) p.reject(e);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** One write + datasync for the whole group, retried up to MAX_ATTEMPTS times. */
  private async writeGroup(group: Pending[]): Promise<void> {
    const writeId = this.nextWriteId;
    this.nextWriteId = (this.nextWriteId + 1) >>> 0;
    const buffers: Buffer[] = [];
    let bytes = 0;
    group.forEach((p, i) => {
      buffers.push(frameHeader(p.payload, p.time, writeId, i === group.length - 1), p.payload);
      bytes += FRAME_HEADER_BYTES + p.payload.length;
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const seg = await this.segmentForWrite();
        await seg.append(buffers, bytes, this.io);
        for (const p of group) seg.noteTime(p.time);
        seg.records += group.length;
        return;
      } catch (e) {
        const where = this.active?.path ?? this.dir;
        this.warn(`write-ahead log: write of ${group.length} record(s) to ${where} failed (attempt ${attempt}/${MAX_ATTEMPTS}): ${(e as Error).message}`);
        if (attempt >= MAX_ATTEMPTS) throw e;
      }
    }
  }

  /** The active segment, first rolling to a new one if it is full or too old. */
  private async segmentForWrite(): Promise<Segment> {
    const current = this.active;
    const now = this.now();
    if (current !== undefined && current.size < this.segmentBytes && now - current.startMs < this.rollIntervalMs) return current;
    if (current !== undefined) {
      await current.close();
      this.active = undefined;
    }
    const seq = this.nextSeq++; // never reused, even if creating this one fails
    const seg = await Segment.create(this.dir, seq, now, this.io);
    this.segments.push(seg);
    this.active = seg;
    return seg;
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new SluiceError('INVALID_OPTION', `WalOptions.${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}
