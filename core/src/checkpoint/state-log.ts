/**
 * The state log of one stateful operator: `<dir>/state/<operator>-<ms>.log` files (named by the
 * batch time of their first record) holding its state, the change of every batch after it, and
 * the slices it reads back (see state-log-format.ts and state-changes.ts). Every checkpoint
 * interval the log moves on to a new file while a worker thread folds the older ones into one full
 * state (see compaction.ts), which then replaces them. Every append is fsynced before it resolves,
 * and a metadata checkpoint then names the log's files and how many bytes of them it covers
 * ({@link StateLogRef}): that is the commit point. A recovery reads exactly those bytes, so what a
 * crash left after them (a torn record, the change of a batch whose checkpoint never got written)
 * is ignored, and cut off when the log is resumed.
 */
import { mkdir, open, readFile, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import diagnostics from 'node:diagnostics_channel';
import { syncDir, writeFileAtomic } from '../util/durable-fs.js';
import { encodeStateRecord, decodeStateRecords } from './state-log-format.js';
import { foldStateRecords, type StateRecord } from './state-changes.js';

/** What a checkpoint remembers of an operator's log: the times it reaches and the bytes that hold them. */
export interface StateLogRef {
  /** The batch time of the state the log holds; null before its first state. */
  time: number | null;
  /** The latest batch time whose slice is logged, if any. */
  slicesUpTo?: number;
  /** Files relative to the checkpoint directory, oldest first; `bytes` of each are committed. */
  files: Array<{ file: string; bytes: number }>;
}

/** One batch's partitions of a stream the state reads back (see StateRecord `slice`). */
export interface LoggedSlice {
  time: number;
  partitions: unknown[];
}

/** What `node:diagnostics_channel` 'sluice:state-log' publishes for every append (for benchmarks and monitoring). */
export interface StateLogAppend {
  operatorId: string;
  time: number;
  kind: StateRecord['kind'];
  bytes: number;
  /** Main-thread time spent encoding the record. */
  encodeMs: number;
  /** Time until the write was durable (waiting on the disk, the main thread free). */
  writeMs: number;
}

const stateLogChannel = diagnostics.channel('sluice:state-log');

function fileStem(operatorId: string): string {
  return encodeURIComponent(operatorId).replace(/%/g, '_');
}

export class StateLog {
  private fh: FileHandle | undefined;
  private files: Array<{ file: string; bytes: number }> = [];
  private time: number | null = null;
  private slicesUpTo: number | undefined;
  /** Set by {@link rotate}: the next record starts a new file. */
  private rotateNext = false;

  private constructor(
    private readonly dir: string,
    private readonly operatorId: string,
  ) {}

  /** A log with nothing in it yet: its first state must be a full one. */
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
    log.slicesUpTo = ref.slicesUpTo;
    return log;
  }

  /** What a checkpoint written now should remember, or undefined before the first append. */
  get ref(): StateLogRef | undefined {
    if (this.files.length === 0) return undefined;
    return { time: this.time, ...(this.slicesUpTo === undefined ? {} : { slicesUpTo: this.slicesUpTo }), files: this.files.map((f) => ({ ...f })) };
  }

  /**
   * Durably appends a record of batch `time` after the last one (in a new file after
   * {@link rotate}).
   * @throws Error when a change comes before any full state, or the write fails.
   */
  async append(time: number, record: StateRecord): Promise<void> {
    if (record.kind === 'change' && this.time === null) throw new Error(`the state log of ${this.operatorId} has no full state to apply a change to`);
    const started = performance.now();
    const data = encodeStateRecord(time, record);
    const encoded = performance.now();
    const last = this.files[this.files.length - 1];
    if (this.fh === undefined || last === undefined || this.rotateNext) {
      this.files = [...this.files, await this.createFile(time, data)];
      this.rotateNext = false;
    } else {
      await this.fh.write(data, 0, data.length, last.bytes);
      await this.fh.datasync();
      last.bytes += data.length;
    }
    if (record.kind === 'slice') this.slicesUpTo = Math.max(this.slicesUpTo ?? time, time);
    else this.time = time;
    if (stateLogChannel.hasSubscribers) {
      const event: StateLogAppend = { operatorId: this.operatorId, time, kind: record.kind, bytes: data.length, encodeMs: encoded - started, writeMs: performance.now() - encoded };
      stateLogChannel.publish(event);
    }
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
   * Ends the current file: the next record starts a new one. Returns what the log holds now, for
   * {@link compactStateLog} to fold into one file while records go on.
   */
  rotate(): StateLogRef | undefined {
    this.rotateNext = true;
    return this.ref;
  }

  /**
   * Replaces the files of `compacted` (a ref {@link rotate} returned) with the file that holds their
   * folded state. Returns false, changing nothing, when the log no longer starts with those files.
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

/** The file a compaction of `ref` writes (its state at `ref.time`). */
export function compactedFileName(operatorId: string, ref: StateLogRef): string {
  // Its own suffix: a file the log started at the same batch time may be among those it replaces.
  return `state/${fileStem(operatorId)}-${ref.time}-full.log`;
}

/**
 * Folds what `ref` names into one full state record at `ref.time`, followed by the slices after
 * `keepSlicesAfter`, written aside and renamed to {@link compactedFileName} (a crash never leaves
 * half a file under a name a checkpoint may name). Meant to run on a worker thread: it reads and
 * writes the whole state.
 * @throws Error when `ref` holds no state yet, or a file cannot be read.
 */
export async function compactStateLog(dir: string, operatorId: string, ref: StateLogRef, keepSlicesAfter: number): Promise<{ file: string; bytes: number }> {
  if (ref.time === null) throw new Error(`the state log of ${operatorId} holds no state to compact`);
  const { state, slices } = await readStateLog(dir, ref);
  const records = [encodeStateRecord(ref.time, { kind: 'full', partitions: state! })];
  for (const slice of slices) if (slice.time > keepSlicesAfter) records.push(encodeStateRecord(slice.time, { kind: 'slice', partitions: slice.partitions }));
  const data = Buffer.concat(records);
  const file = compactedFileName(operatorId, ref);
  await writeFileAtomic(join(dir, file), join(dir, 'state'), data);
  return { file, bytes: data.length };
}

/**
 * What a checkpoint's {@link StateLogRef} names: every partition's entries as of `ref.time`
 * (undefined before the first state), and the logged slices, oldest first.
 * @throws Error naming the file when a file is missing, shorter than committed, or corrupt.
 */
export async function readStateLog(dir: string, ref: StateLogRef): Promise<{ state: unknown[] | undefined; slices: LoggedSlice[] }> {
  const records: StateRecord[] = [];
  const slices: LoggedSlice[] = [];
  for (const { file, bytes } of ref.files) {
    const path = join(dir, file);
    const buf = await readFile(path);
    if (buf.length < bytes) throw new Error(`State log ${path} holds ${buf.length} bytes, the checkpoint covers ${bytes}`);
    try {
      for (const { time, record } of decodeStateRecords(buf.subarray(0, bytes))) {
        if (record.kind === 'slice') slices.push({ time, partitions: record.partitions });
        else records.push(record);
      }
    } catch (e) {
      throw new Error(`State log ${path} is corrupt: ${(e as Error).message}`);
    }
  }
  return { state: ref.time === null ? undefined : foldStateRecords(records), slices };
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
  const files = names.map((n) => ({ n, m: /^(.*)-(\d+)(-full)?\.(log|snap)$/.exec(n) })).filter(({ m }) => m !== null && m[1] === prefix);
  const kept = files.filter(({ n }) => keep.has(`state/${n}`)).map(({ m }) => Number(m![2]));
  if (kept.length === 0) return;
  const oldestKept = Math.min(...kept);
  for (const { n, m } of files) if (Number(m![2]) < oldestKept) await rm(join(dir, 'state', n), { force: true });
}
