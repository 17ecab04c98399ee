/**
 * The state log of one stateful operator: `<dir>/state/<operator>-<ms>.log` files (named by the
 * batch time of their first record) holding a full state and the changes of every later batch (see
 * state-log-format.ts). Every checkpoint interval the log moves on to a new file while a worker
 * thread folds the older ones into one full state (see compaction.ts), which then replaces them. Every
 * append is fsynced before it resolves, and a metadata checkpoint then names the log's files and
 * how many bytes of them it covers ({@link StateLogRef}): that is the commit point. A recovery
 * reads exactly those bytes, so what a crash left after them (a torn record, the change of a batch
 * whose checkpoint never got written) is ignored, and cut off when the log is resumed.
 */
import { mkdir, open, readFile, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir, writeFileAtomic } from '../util/durable-fs.js';
import { encodeStateRecord, decodeStateRecords } from './state-log-format.js';
import { foldStateRecords, type StateRecord } from './state-changes.js';

/** What a checkpoint remembers of an operator's state: the batch time it reaches and the log bytes that hold it. */
export interface StateLogRef {
  time: number;
  /** Files relative to the checkpoint directory, oldest first; `bytes` of each are committed. */
  files: Array<{ file: string; bytes: number }>;
}

function fileStem(operatorId: string): string {
  return encodeURIComponent(operatorId).replace(/%/g, '_');
}

export class StateLog {
  private fh: FileHandle | undefined;
  private files: Array<{ file: string; bytes: number }> = [];
  private time: number | undefined;
  /** Set by {@link rotate}: the next change starts a new file. */
  private rotateNext = false;

  private constructor(
    private readonly dir: string,
    private readonly operatorId: string,
  ) {}

  /** A log with nothing in it yet: its first append must be a full state. */
  static empty(dir: string, operatorId: string): StateLog {
    return new StateLog(dir, operatorId);
  }

  /** Continues the log `ref` names, cutting off whatever its last file holds past the committed bytes. */
  static async resume(dir: string, operatorId: string, ref: StateLogRef): Promise<StateLog> {
    const log = new StateLog(dir, operatorId);
    const last = ref.files[ref.files.length - 1];
    if (last === undefined) return log;
    const fh = await open(join(dir, last.file), 'r+');
    await fh.truncate(last.bytes);
    await fh.sync();
    log.fh = fh;
    log.files = ref.files.map((f) => ({ ...f }));
    log.time = ref.time;
    return log;
  }

  /** True once the log holds a full state, so changes can follow. */
  get hasState(): boolean {
    return this.fh !== undefined;
  }

  /** What a checkpoint written now should remember, or undefined before the first append. */
  get ref(): StateLogRef | undefined {
    return this.time === undefined ? undefined : { time: this.time, files: this.files.map((f) => ({ ...f })) };
  }

  /**
   * Durably appends the state of batch `time`. A full state starts a new file (the older files are
   * then no longer needed once a checkpoint names the new one); a change goes after the last record,
   * or opens a new file after {@link rotate}.
   * @throws Error when a change comes before any full state, or the write fails.
   */
  async append(time: number, record: StateRecord): Promise<void> {
    const data = encodeStateRecord(time, record);
    if (record.kind === 'full' || this.rotateNext) {
      if (record.kind === 'change' && this.fh === undefined) throw new Error(`the state log of ${this.operatorId} has no full state to apply a change to`);
      const file = await this.createFile(time, data);
      this.files = record.kind === 'full' ? [file] : [...this.files, file];
      this.rotateNext = false;
    } else {
      const fh = this.fh;
      const last = this.files[this.files.length - 1];
      if (fh === undefined || last === undefined) throw new Error(`the state log of ${this.operatorId} has no full state to apply a change to`);
      await fh.write(data, 0, data.length, last.bytes);
      await fh.datasync();
      last.bytes += data.length;
    }
    this.time = time;
  }

  /** Creates `<operator>-<time>.log` holding `data`, durably, and appends to it from now on. */
  private async createFile(time: number, data: Buffer): Promise<{ file: string; bytes: number }> {
    const stateDir = join(this.dir, 'state');
    await mkdir(stateDir, { recursive: true });
    const file = `state/${fileStem(this.operatorId)}-${time}.log`;
    const fh = await open(join(this.dir, file), 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
      await syncDir(stateDir);
    } catch (e) {
      await fh.close();
      throw e;
    }
    await this.fh?.close();
    this.fh = fh;
    return { file, bytes: data.length };
  }

  /**
   * Ends the current file: the next change starts a new one. Resolves nothing; returns what the log
   * holds now, for {@link compactStateLog} to fold into one full state while changes go on.
   */
  rotate(): StateLogRef | undefined {
    this.rotateNext = true;
    return this.ref;
  }

  /**
   * Replaces the files of `compacted` (a ref {@link rotate} returned) with the file that holds their
   * folded state. Returns false, changing nothing, when the log no longer starts with those files
   * (a full state was logged meanwhile).
   */
  adopt(compacted: StateLogRef, file: { file: string; bytes: number }): boolean {
    const n = compacted.files.length;
    if (n > this.files.length || compacted.files.some((f, i) => this.files[i]!.file !== f.file || this.files[i]!.bytes !== f.bytes)) return false;
    this.files = [file, ...this.files.slice(n)];
    return true;
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }
}

/** The file a compaction of `ref` writes (the full state at `ref.time`). */
export function compactedFileName(operatorId: string, ref: StateLogRef): string {
  return `state/${fileStem(operatorId)}-${ref.time}.log`;
}

/**
 * Folds what `ref` names into one full state record at `ref.time`, written aside and renamed to
 * {@link compactedFileName} (a crash never leaves half a file under a name a checkpoint may name).
 * Meant to run on a worker thread: it reads and writes the whole state.
 */
export async function compactStateLog(dir: string, operatorId: string, ref: StateLogRef): Promise<{ file: string; bytes: number }> {
  const partitions = await readStateLog(dir, ref);
  const data = encodeStateRecord(ref.time, { kind: 'full', partitions });
  const file = compactedFileName(operatorId, ref);
  await writeFileAtomic(join(dir, file), join(dir, 'state'), data);
  return { file, bytes: data.length };
}

/**
 * The state a checkpoint's {@link StateLogRef} names: every partition's entries as of `ref.time`.
 * @throws Error naming the file when a file is missing, shorter than committed, or corrupt.
 */
export async function readStateLog(dir: string, ref: StateLogRef): Promise<unknown[]> {
  const records: StateRecord[] = [];
  for (const { file, bytes } of ref.files) {
    const path = join(dir, file);
    const buf = await readFile(path);
    if (buf.length < bytes) throw new Error(`State log ${path} holds ${buf.length} bytes, the checkpoint covers ${bytes}`);
    try {
      for (const r of decodeStateRecords(buf.subarray(0, bytes))) records.push(r.record);
    } catch (e) {
      throw new Error(`State log ${path} is corrupt: ${(e as Error).message}`);
    }
  }
  return foldStateRecords(records);
}

/**
 * Deletes the state files (logs, and snapshots of the previous format) of `operatorId` that are
 * older than every one in `keep`. Newer ones are left alone: a log may be starting one right now.
 */
export async function pruneStateFiles(dir: string, operatorId: string, keep: ReadonlySet<string>): Promise<void> {
  const prefix = fileStem(operatorId);
  let names: string[];
  try {
    names = await readdir(join(dir, 'state'));
  } catch {
    return;
  }
  const files = names.map((n) => ({ n, m: /^(.*)-(\d+)\.(log|snap)$/.exec(n) })).filter(({ m }) => m !== null && m[1] === prefix);
  const kept = files.filter(({ n }) => keep.has(`state/${n}`)).map(({ m }) => Number(m![2]));
  if (kept.length === 0) return;
  const oldestKept = Math.min(...kept);
  for (const { n, m } of files) if (Number(m![2]) < oldestKept) await rm(join(dir, 'state', n), { force: true });
}
