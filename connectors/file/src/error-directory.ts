/**
 * Moves a file that cannot be read or decoded into the error directory, keeping its relative path
 * (and adding `.<epoch ms>` when a file of that name is already there). Falls back to copy and
 * delete across file systems.
 */
import { copyFile, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Moves `dir/rel` to `errorDir/rel`; resolves with the new path. Rejects with the fs error. */
export async function moveToErrorDir(dir: string, rel: string, errorDir: string): Promise<string> {
  let target = join(errorDir, rel);
  await mkdir(dirname(target), { recursive: true });
  try {
    await stat(target);
    target = `${target}.${Date.now()}`;
  } catch {
    // free
  }
  const source = join(dir, rel);
  try {
    await rename(source, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(source, target);
    await unlink(source);
  }
  return target;
}
