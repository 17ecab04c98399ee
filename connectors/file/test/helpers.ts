/** Test helpers for the file stream: atomic drops, temp directories, quiet contexts. */
import { mkdtemp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { StreamingContext, type Logger } from '@sluice/core';

export const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface Dirs {
  root: string;
  /** The watched directory. */
  dir: string;
  /** Where files are written before being moved in. */
  staging: string;
  cleanup(): Promise<void>;
}

export async function dirs(): Promise<Dirs> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-file-test-'));
  const dir = join(root, 'in');
  const staging = join(root, 'staging');
  await mkdir(dir);
  await mkdir(staging);
  return { root, dir, staging, cleanup: () => rm(root, { recursive: true, force: true }) };
}

let seq = 0;

/** Writes `content` in staging, then renames it to `dir/name` (atomic, as Spark expects). */
export async function drop(d: Dirs, name: string, content: string | Buffer, into = d.dir): Promise<string> {
  const tmp = join(d.staging, `f${++seq}`);
  await writeFile(tmp, content);
  const target = join(into, name);
  await mkdir(dirname(target), { recursive: true });
  await rename(tmp, target);
  return target;
}

export function context(batchInterval = 100): StreamingContext {
  return new StreamingContext({ batchInterval, logger: quiet });
}
