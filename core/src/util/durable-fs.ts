/** File writes that survive a crash: fsync the data, rename into place, fsync the directory. */
import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Fsyncs a directory, so a rename or create in it is durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes `data` to `path` and fsyncs it (not atomic: use {@link writeFileAtomic} for that). */
export async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `path` (in directory `dir`) with `data` atomically and durably: temp file, fsync, rename, directory fsync. */
export async function writeFileAtomic(path: string, dir: string, data: Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFileSynced(temp, data);
  await rename(temp, path);
  await syncDir(dir);
}

/**
 * Deletes what {@link writeFileAtomic} left in `dir` and `dir/state` when a crash came before the
 * rename (`*.tmp-<pid>-<ms>`). Call it only while no other process writes there.
 */
export async function removeTempFiles(dir: string): Promise<void> {
  for (const d of [dir, join(dir, 'state')]) {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    for (const n of names) if (/\.tmp-\d+-\d+$/.test(n)) await rm(join(d, n), { force: true });
  }
}
