/**
 * The exactly-once bookkeeping of a file stream: which files were already taken (or skipped) and
 * which files each batch within the stream's remember duration took (Spark's
 * batchTimeToSelectedFiles). A file is identified by its path relative to the directory,
 * its size and its mtime: a path that shows up again with another size or mtime is a new file.
 * Entries of files that left the directory are forgotten, so the state is bounded by the
 * directory's size. The state is JSON (see {@link FileStreamCheckpoint}) and is what a checkpoint
 * stores for the stream: restoring it makes a new stream skip what was taken, read what was not,
 * re-form pending batches from the same files, and read remembered batches back for windows.
 */
import { fileError } from './errors.js';

/** A file as seen by a scan. `path` is relative to the watched directory, with `/` separators. */
export interface FileRef {
  path: string;
  size: number;
  mtimeMs: number;
}

type Entry = [path: string, size: number, mtimeMs: number];

/** The JSON checkpoint state of a file stream (version 1). */
export interface FileStreamCheckpoint {
  version: 1;
  /** Files taken or deliberately skipped (present at start with newFilesOnly, bad files). */
  seen: Entry[];
  /** Batch time -> the files that batch took, in the batch's order, for the batches within the remember duration. */
  batches: Array<[time: number, files: Entry[]]>;
}

function toEntry(f: FileRef): Entry {
  return [f.path, f.size, f.mtimeMs];
}

function fromEntry(e: unknown, where: string): FileRef {
  if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== 'string' || typeof e[1] !== 'number' || typeof e[2] !== 'number') {
    throw fileError('FILE_CHECKPOINT_INVALID', `File stream checkpoint: ${where} holds ${JSON.stringify(e)}, expected [path, size, mtimeMs]`);
  }
  return { path: e[0], size: e[1], mtimeMs: e[2] };
}

export class FileTracker {
  private readonly seen = new Map<string, FileRef>();
  private readonly batches = new Map<number, FileRef[]>();

  /** True unless this exact file (path, size, mtime) was taken or skipped before. */
  isNew(f: FileRef): boolean {
    const s = this.seen.get(f.path);
    return s === undefined || s.size !== f.size || s.mtimeMs !== f.mtimeMs;
  }

  /** True when some version of `path` was taken or skipped before (its content may have changed since). */
  knows(path: string): boolean {
    return this.seen.has(path);
  }

  /** Marks a file as handled without a batch (present at start, or bad). */
  markSeen(f: FileRef): void {
    this.seen.set(f.path, { ...f });
  }

  /** Records that the batch at `time` took `files` (and marks them seen). */
  take(time: number, files: readonly FileRef[]): void {
    for (const f of files) this.markSeen(f);
    this.batches.set(time, files.map((f) => ({ ...f })));
  }

  /** The files the batch at `time` took, if it is remembered (a batch re-run after recovery, or read back by a window). */
  filesOf(time: number): FileRef[] | undefined {
    return this.batches.get(time);
  }

  /** Forgets the file lists of batches at or before `time` (they left the remember duration). */
  forgetBatchesUpTo(time: number): void {
    for (const t of this.batches.keys()) if (t <= time) this.batches.delete(t);
  }

  /** Forgets seen files whose path is no longer in the directory (`present`), except files of remembered batches. */
  prune(present: ReadonlySet<string>): void {
    const pinned = new Set<string>();
    for (const files of this.batches.values()) for (const f of files) pinned.add(f.path);
    for (const path of this.seen.keys()) if (!present.has(path) && !pinned.has(path)) this.seen.delete(path);
  }

  get seenCount(): number {
    return this.seen.size;
  }

  toState(): FileStreamCheckpoint {
    return {
      version: 1,
      seen: [...this.seen.values()].map(toEntry),
      batches: [...this.batches].sort((a, b) => a[0] - b[0]).map(([t, files]) => [t, files.map(toEntry)]),
    };
  }

  /** @throws SluiceError `FILE_CHECKPOINT_INVALID` when `state` is not a version-1 state. */
  static fromState(state: unknown): FileTracker {
    const s = state as Partial<FileStreamCheckpoint> | null;
    if (typeof s !== 'object' || s === null || s.version !== 1 || !Array.isArray(s.seen) || !Array.isArray(s.batches)) {
      throw fileError('FILE_CHECKPOINT_INVALID', `File stream checkpoint state must be { version: 1, seen: [...], batches: [...] }, got ${JSON.stringify(state)?.slice(0, 200)}`);
    }
    const t = new FileTracker();
    for (const e of s.seen) t.markSeen(fromEntry(e, 'seen'));
    for (const b of s.batches as unknown[]) {
      if (!Array.isArray(b) || b.length !== 2 || typeof b[0] !== 'number' || !Array.isArray(b[1])) {
        throw fileError('FILE_CHECKPOINT_INVALID', `File stream checkpoint: batches holds ${JSON.stringify(b)?.slice(0, 200)}, expected [time, files]`);
      }
      t.take(b[0], (b[1] as unknown[]).map((e) => fromEntry(e, `batch ${b[0]}`)));
    }
    return t;
  }
}
