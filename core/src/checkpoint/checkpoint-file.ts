/**
 * Metadata checkpoint files: `<dir>/checkpoint-<batch ms>`, each a header line
 * `SLUICE-CHECKPOINT <format> <crc32 hex> <body bytes>` followed by a JSON body. Written atomically
 * (temp file, fsync, rename, directory fsync); the newest few are kept. Reading tries files newest
 * first and skips, with a warning naming the file, any that is truncated or fails its checksum.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../util/durable-fs.js';
import { join } from 'node:path';
import { crc32 } from '../storage/crc32.js';
import { SluiceError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import type { StateLogRef } from './state-log.js';

/** Format 2 logs state with every batch (`stateLogs`); format 1 (before 0.2) had only periodic `snapshots`, still read. */
export const CHECKPOINT_FORMAT = 2;
const READABLE_FORMATS = [1, 2];
const MAGIC = 'SLUICE-CHECKPOINT';
const NAME = /^checkpoint-(\d+)$/;

/** One operator of the graph as a checkpoint remembers it. */
export interface CheckpointedOperator {
  id: string;
  kind: string;
  stateful: boolean;
  input: boolean;
}

/** A state snapshot file of one stateful operator (format 1). */
export interface SnapshotRef {
  time: number;
  file: string;
}

export interface CheckpointData {
  format: number;
  appName: string;
  batchInterval: number;
  zeroTime: number;
  /** The latest batch time this checkpoint covers (generated). */
  checkpointTime: number;
  /** Generated batches whose jobs had not all completed. */
  pendingTimes: number[];
  lastCompletedTime: number | null;
  operators: CheckpointedOperator[];
  /** Input stream positions by operator id (what InputDStream.checkpointState returned). */
  inputs: Record<string, unknown>;
  /** Each stateful operator's state, by operator id: the log bytes holding it and the batch time it reaches. */
  stateLogs?: Record<string, StateLogRef>;
  /** Format 1 only: the newest periodic state snapshot of each stateful operator. */
  snapshots?: Record<string, SnapshotRef>;
  /** True when written by a graceful stop after the last batch completed: nothing is left to re-run. */
  stoppedGracefully?: boolean;
  writtenAt: number;
}

export function encodeCheckpoint(data: CheckpointData): Buffer {
  const body = Buffer.from(JSON.stringify(data));
  const header = `${MAGIC} ${CHECKPOINT_FORMAT} ${crc32(body).toString(16).padStart(8, '0')} ${body.length}\n`;
  return Buffer.concat([Buffer.from(header), body]);
}

/**
 * Parses a checkpoint file.
 * @throws SluiceError CHECKPOINT_FORMAT for a format this version cannot read; Error saying what
 *   else is wrong (truncated, checksum).
 */
export function decodeCheckpoint(buf: Buffer): CheckpointData {
  const nl = buf.indexOf(0x0a);
  if (nl < 0) throw new Error('no header line (truncated?)');
  const [magic, format, crc, len] = buf.subarray(0, nl).toString('utf8').split(' ');
  if (magic !== MAGIC) throw new Error('not a Sluice checkpoint');
  if (!READABLE_FORMATS.includes(Number(format))) {
    throw new SluiceError(
      'CHECKPOINT_FORMAT',
      Number(format) > CHECKPOINT_FORMAT
        ? `checkpoint format ${format} was written by a newer Sluice (this version reads formats ${READABLE_FORMATS.join(' and ')}): run the newer version, or start from an empty checkpoint directory`
        : `unsupported checkpoint format ${format} (this version reads formats ${READABLE_FORMATS.join(' and ')})`,
    );
  }
  const body = buf.subarray(nl + 1);
  if (body.length !== Number(len)) throw new Error(`truncated: ${body.length} of ${len} body bytes`);
  if (crc32(body).toString(16).padStart(8, '0') !== crc) throw new Error('checksum mismatch');
  return JSON.parse(body.toString('utf8')) as CheckpointData;
}

/** Checkpoint files in `dir`, newest first. */
export async function listCheckpoints(dir: string): Promise<Array<{ time: number; path: string }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .map((n) => [n, NAME.exec(n)] as const)
    .filter((x): x is readonly [string, RegExpExecArray] => x[1] !== null)
    .map(([n, m]) => ({ time: Number(m[1]), path: join(dir, n) }))
    .sort((a, b) => b.time - a.time);
}

/**
 * The newest readable checkpoint in `dir`, or undefined if there is none.
 * @throws SluiceError CHECKPOINT_FORMAT when the newest one is of a format this version cannot read.
 */
export async function readLatestCheckpoint(dir: string, logger: Logger): Promise<{ data: CheckpointData; path: string } | undefined> {
  for (const { path } of await listCheckpoints(dir)) {
    try {
      return { data: decodeCheckpoint(await readFile(path)), path };
    } catch (e) {
      // A newer format is no damage to skip: restoring an older checkpoint would go back in time.
      if (e instanceof SluiceError && e.code === 'CHECKPOINT_FORMAT') throw new SluiceError('CHECKPOINT_FORMAT', `${path}: ${e.message}`);
      logger.warn(`Skipping checkpoint file ${path}: ${(e as Error).message}; trying the one before it`);
    }
  }
  return undefined;
}

/** Writes the checkpoint for `data.checkpointTime` and keeps only the newest `retain` files. */
export async function writeCheckpoint(dir: string, data: CheckpointData, retain = 10): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `checkpoint-${data.checkpointTime}`);
  await writeFileAtomic(path, dir, encodeCheckpoint(data));
  const all = await listCheckpoints(dir);
  for (const old of all.slice(retain)) await rm(old.path, { force: true });
  return path;
}
