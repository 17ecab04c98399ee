/**
 * The input stream behind textFileStream and fileStream (Spark's FileInputDStream). Before each
 * batch it scans the directory (chokidar watches in between), takes the new, settled files (at
 * most `maxFilesPerBatch`, oldest first), reads and decodes them, and records which files the
 * batch took. The batch's RDD has one partition per file, in that order.
 *
 * Exactly once, also across restarts: the files taken (and the files skipped on purpose) are the
 * stream's checkpoint state (`checkpointState()` / `restoreCheckpointState()`), with the files of
 * every batch within the remember duration (Spark's batchTimeToSelectedFiles), so a restored
 * stream re-forms a pending batch from the same files, a window reads a batch of before the
 * restart back from its files, a file is never taken twice, and every file that arrived meanwhile
 * is taken. A file that cannot be read or decoded is reported and skipped (or moved to
 * `errorDir`); the stream goes on.
 */
import { join } from 'node:path';
import { InputDStream, RDD, SluiceError, type StreamInputInfo, type StreamingContext, type Time } from '@sluice/core';
import type { ResolvedFileOptions } from './config.js';
import { decoderFor } from './decoders.js';
import { fileError } from './errors.js';
import { accepts } from './file-rules.js';
import { FileTracker, type FileRef } from './file-tracker.js';
import { scanDirectory } from './directory-scanner.js';
import { DirectoryWatcher } from './directory-watcher.js';
import { readFileRecords, type ReadOutcome, type ReadSettings } from './file-reader.js';
import { moveToErrorDir } from './error-directory.js';
import { ProgressBar } from './progress-bar.js';

/** Counters of a file stream since it started. */
export interface FileStreamStats {
  filesRead: number;
  records: number;
  bytesRead: number;
  /** Files reported and skipped. */
  badFiles: number;
  /** Settled new files left for later batches by `maxFilesPerBatch`, as of the last batch. */
  backlog: number;
}

const READ_CONCURRENCY = 4;
const PROGRESS_MIN_FILES = 20;

export class FileInputDStream<T> extends InputDStream<T> {
  readonly stats: FileStreamStats = { filesRead: 0, records: 0, bytesRead: 0, badFiles: 0, backlog: 0 };
  private tracker = new FileTracker();
  private restored = false;
  private started = false;
  private dirMissing = false;
  private readonly watcher: DirectoryWatcher;
  private readonly reading: ReadSettings<T>;
  private readonly progress: ProgressBar | undefined;
  private readonly prepared = new Map<Time, T[][]>();
  private readonly infos = new Map<Time, { numRecords: number; files: string[] }>();

  constructor(
    ssc: StreamingContext,
    private readonly opts: ResolvedFileOptions<T>,
    private readonly kindName: string,
  ) {
    super(ssc);
    this.watcher = new DirectoryWatcher(opts.dir, opts.recursive, (e) => ssc.logger.warn(fileError('FILE_WATCH_FAILED', `${this.source}: watcher failed (batches still scan): ${e.message}`, e).message));
    this.reading = { dir: opts.dir, decode: decoderFor(opts.format), compression: opts.compression, maxFileBytes: opts.maxFileBytes };
    const draw = opts.progress === true || (opts.progress === 'auto' && process.stderr.isTTY === true);
    this.progress = draw ? new ProgressBar(`${kindName} ${opts.dir}`, process.stderr, opts.progress === true) : undefined;
  }

  override get kind(): string {
    return this.kindName;
  }

  /** The watched directory (absolute). */
  get directory(): string {
    return this.opts.dir;
  }

  private get source(): string {
    return `${this.kindName} ${this.opts.dir}`;
  }

  /** Called by the context at start: marks the files present as old (newFilesOnly, unless restored) and starts watching. */
  override async start(): Promise<void> {
    this.started = true;
    if (!this.restored && this.opts.newFilesOnly) {
      const scan = await this.scan(() => true);
      for (const f of scan?.files ?? []) this.tracker.markSeen(f);
    }
    if (!this.dirMissing) await this.watcher.start();
  }

  override async stop(): Promise<void> {
    await this.watcher.close();
    this.progress?.finish();
  }

  /** Reads the files of the batch at `time`: the remembered ones when re-forming a recovered batch, else the new ones. */
  override async prepareBatch(time: Time): Promise<void> {
    // compute() takes a batch's records right after this; drop any a batch never took (an input
    // no output reaches is prepared but never computed).
    for (const t of this.prepared.keys()) if (t < time) this.prepared.delete(t);
    for (const t of this.infos.keys()) if (t < time - 100 * this.slideDuration) this.infos.delete(t);
    const again = this.tracker.filesOf(time);
    const files = again ?? (await this.selectNewFiles());
    const records: T[][] = [];
    const taken: FileRef[] = [];
    for (let i = 0; i < files.length; i += READ_CONCURRENCY) {
      const group = files.slice(i, i + READ_CONCURRENCY);
      const outcomes = await Promise.all(group.map((f) => readFileRecords(f, this.reading)));
      for (let k = 0; k < group.length; k++) await this.handle(group[k]!, outcomes[k]!, again !== undefined, records, taken);
    }
    if (this.stats.backlog === 0) this.progress?.finish();
    if (again === undefined && taken.length > 0) this.tracker.take(time, taken);
    this.prepared.set(time, records);
    this.infos.set(time, { numRecords: records.reduce((n, r) => n + r.length, 0), files: taken.map((f) => f.path) });
  }

  override compute(time: Time): RDD<T> | undefined {
    const parts = this.prepared.get(time);
    this.prepared.delete(time);
    if (parts === undefined) {
      // A remembered batch whose records are not in memory (restored from a checkpoint: a window
      // reads a batch of before the restart back): its files are read again, lazily, one partition
      // per file in the batch's order. Cached, as the records of a batch read by this process are
      // kept in its RDD, so each file is read (and a missing one reported) once, and dropped with
      // the RDD when the batch leaves the remember duration.
      const files = this.tracker.filesOf(time);
      if (files !== undefined && files.length > 0) {
        const taken = files.map((f) => ({ ...f }));
        return RDD.fromSource<T>(this.ssc.rddContext, taken.length, (p) => this.readAgain(time, taken[p]!), 'FileRDD (read again)').cache();
      }
    }
    if (parts === undefined || parts.length === 0) return this.ssc.emptyRDD<T>();
    return this.ssc.parallelize(parts, parts.length).flatMap((records) => records);
  }

  /**
   * The records of a file a remembered batch took. A file that cannot be read again (deleted,
   * changed, unreadable) is counted, logged and reported as a bad file, and gives none: the batch
   * runs without it. Never rejects.
   */
  private async readAgain(time: Time, f: FileRef): Promise<T[]> {
    const outcome = await readFileRecords(f, this.reading);
    if (outcome.kind === 'ok') return outcome.records;
    const why = outcome.kind === 'bad' ? outcome.error.message : outcome.why;
    const error = outcome.kind === 'bad' ? outcome.error : fileError('FILE_READ_FAILED', `${f.path} of the batch at ${time} ms cannot be read again: ${why}`);
    this.stats.badFiles++;
    const source = `${this.source}/${f.path}`;
    this.ssc.logger.warn(`Bad file skipped from ${source}: the batch at ${time} ms cannot read it again (${why}); that batch is read back without it`);
    this.reportBadRecord(source, `the batch at ${time} ms cannot read it again: ${why}`, error);
    return [];
  }

  override inputInfo(time: Time): StreamInputInfo | undefined {
    const info = this.infos.get(time);
    return info && { streamId: this.id, numRecords: info.numRecords, metadata: { files: info.files, directory: this.opts.dir } };
  }

  override clearMetadata(time: Time): void {
    super.clearMetadata(time);
    const before = time - Math.max(this.rememberDuration, this.slideDuration);
    for (const t of this.infos.keys()) if (t <= time) this.infos.delete(t);
    for (const t of this.prepared.keys()) if (t <= before) this.prepared.delete(t);
    // Windows and recovery read a batch back for the remember duration (after a restart too, from
    // the checkpoint state): keep its files that long, and no longer.
    this.tracker.forgetBatchesUpTo(before);
  }

  /** JSON: the files taken or skipped, and the files of recent batches (see FileStreamCheckpoint). */
  override checkpointState(): unknown {
    return this.tracker.toState();
  }

  /**
   * Restores what {@link checkpointState} returned, before the context starts. `undefined` restores
   * nothing.
   * @throws SluiceError `INVALID_STATE` after start; `FILE_CHECKPOINT_INVALID` for a foreign state.
   */
  override restoreCheckpointState(state: unknown): void {
    if (state === undefined) return;
    if (this.started) throw new SluiceError('INVALID_STATE', `${this.source}: restoreCheckpointState must be called before the context starts`);
    this.tracker = FileTracker.fromState(state);
    this.restored = true;
  }

  private async scan(needStat: (rel: string) => boolean): Promise<Awaited<ReturnType<typeof scanDirectory>> | undefined> {
    try {
      const result = await scanDirectory(this.opts.dir, this.opts.recursive, needStat);
      if (this.dirMissing) {
        this.dirMissing = false;
        this.ssc.logger.warn(`${this.source}: the directory is back; watching it again`);
        if (this.started) await this.watcher.start();
      }
      return result;
    } catch (e) {
      if (!this.dirMissing) {
        this.dirMissing = true;
        this.ssc.logger.warn(fileError('FILE_DIRECTORY_MISSING', `${this.source}: cannot list the directory (${(e as Error).message}); retrying every batch`, e).message);
        await this.watcher.close();
      }
      return undefined;
    }
  }

  /** Scans, and picks the new settled files, oldest first, at most maxFilesPerBatch. */
  private async selectNewFiles(): Promise<FileRef[]> {
    const { filter, settleMs, maxFilesPerBatch, dir } = this.opts;
    const scan = await this.scan((rel) => !this.tracker.knows(rel) || this.watcher.hasEvent(rel));
    if (scan === undefined) return [];
    this.tracker.prune(scan.names);
    for (const rel of this.watcher.eventPaths()) if (!scan.names.has(rel)) this.watcher.consume(rel);
    const now = Date.now();
    const settled: FileRef[] = [];
    for (const f of scan.files) {
      if (!this.tracker.isNew(f)) {
        this.watcher.consume(f.path);
      } else if (!accepts(join(dir, f.path), filter)) {
        this.tracker.markSeen(f); // filtered out for good: never stat it again
        this.watcher.consume(f.path);
      } else if (now - Math.max(f.mtimeMs, this.watcher.lastChange(f.path) ?? 0) >= settleMs) {
        settled.push(f);
      }
    }
    settled.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const selected = settled.slice(0, maxFilesPerBatch);
    this.stats.backlog = settled.length - selected.length;
    if (this.progress && (this.progress.active || settled.length >= PROGRESS_MIN_FILES)) this.progress.setTotal(this.progress.completed + settled.length);
    return selected;
  }

  private async handle(f: FileRef, outcome: ReadOutcome<T>, rerun: boolean, records: T[][], taken: FileRef[]): Promise<void> {
    if (outcome.kind === 'ok') {
      records.push(outcome.records);
      taken.push(f);
      this.watcher.consume(f.path);
      this.stats.filesRead++;
      this.stats.records += outcome.records.length;
      this.stats.bytesRead += outcome.bytes;
      this.progress?.tick(outcome.bytes);
      return;
    }
    if (outcome.kind === 'retry' && !rerun) {
      this.ssc.logger.debug(`${this.source}: ${outcome.why}; trying again next batch`);
      return;
    }
    const error = outcome.kind === 'bad' ? outcome.error : fileError('FILE_READ_FAILED', `${f.path} of a recovered batch cannot be read again: ${outcome.why}`);
    this.tracker.markSeen(f);
    this.watcher.consume(f.path);
    this.stats.badFiles++;
    const source = `${this.source}/${f.path}`;
    this.ssc.logger.warn(`Bad file skipped from ${source}: ${error.message}`);
    this.reportBadRecord(source, error.message, error);
    if (this.opts.errorDir === undefined || outcome.kind !== 'bad') return;
    try {
      await moveToErrorDir(this.opts.dir, f.path, this.opts.errorDir);
    } catch (e) {
      this.ssc.logger.warn(fileError('FILE_MOVE_FAILED', `${this.source}: cannot move ${f.path} to ${this.opts.errorDir}: ${(e as Error).message}`, e).message);
    }
  }
}
