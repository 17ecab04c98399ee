/**
 * saveAsTextFiles: one directory per batch, `prefix-<ms>[.suffix]`, holding `part-NNNNN` per
 * partition and `_SUCCESS`. Files are written and fsynced in a hidden temporary directory beside
 * the target, which is then renamed into place: a reader sees the whole batch or none of it, and a
 * re-run of the same batch (after recovery) replaces the earlier directory.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { syncDir, writeFileSynced } from '../../util/durable-fs.js';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RDD } from '../../rdd/rdd.js';
import type { Time } from '../../time.js';
import { formatElement } from './format.js';

/** Spark's rddToFileName: `prefix-<ms>` plus `.suffix` when a suffix is given. */
export function batchDirName(prefix: string, suffix: string | undefined, time: Time): string {
  return suffix ? `${prefix}-${time}.${suffix}` : `${prefix}-${time}`;
}

/** Writes `rdd` as the batch directory for `time` atomically (see the file comment). */
export async function saveBatchAsTextFiles<T>(rdd: RDD<T>, target: string): Promise<void> {
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  // Starts with '.' so directory watchers (ours and Spark's) ignore it while it is incomplete.
  const temp = join(parent, `.${basename(target)}.tmp-${randomBytes(4).toString('hex')}`);
  await mkdir(temp);
  try {
    await rdd.runJob(async (items, p) => {
      const text = items.length === 0 ? '' : items.map(formatElement).join('\n') + '\n';
      await writeFileSynced(join(temp, `part-${String(p).padStart(5, '0')}`), text);
    });
    await writeFileSynced(join(temp, '_SUCCESS'), '');
    await syncDir(temp);
    const old = `${join(parent, `.${basename(target)}.old-${randomBytes(4).toString('hex')}`)}`;
    let replaced = false;
    try {
      await rename(target, old);
      replaced = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    await rename(temp, target);
    await syncDir(parent);
    if (replaced) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw e;
  }
}

export function saveAsTextFilesOutput<T>(prefix: string, suffix: string | undefined): (rdd: RDD<T>, time: Time) => Promise<void> {
  return (rdd, time) => saveBatchAsTextFiles(rdd, batchDirName(prefix, suffix, time));
}
