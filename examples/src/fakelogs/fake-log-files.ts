/**
 * Drops files of fake Apache log lines into a directory, atomically: each file is written under a
 * hidden name in the same directory and renamed into place, as Spark's (and Sluice's) file streams
 * require.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeLogLines } from './fake-log-lines.js';

export interface FakeLogFilesOptions {
  dir: string;
  /** Milliseconds between files. Default 1000. */
  everyMs?: number;
  /** Lines per file. Default 100. */
  linesPerFile?: number;
  seed?: number;
}

export interface FakeLogFiles {
  readonly filesWritten: number;
  /** Stops dropping files; resolves once a file being written is in place. */
  close(): Promise<void>;
}

/** Writes one file now: `dir/access-<ms>-<n>.log`. Resolves with its path. */
export async function dropLogFile(dir: string, lines: readonly string[], n: number): Promise<string> {
  const name = `access-${Date.now()}-${String(n).padStart(6, '0')}.log`;
  const tmp = join(dir, `.${name}.tmp`);
  await writeFile(tmp, lines.join('\n') + '\n');
  const target = join(dir, name);
  await rename(tmp, target);
  return target;
}

export async function startFakeLogFiles(opts: FakeLogFilesOptions): Promise<FakeLogFiles> {
  await mkdir(opts.dir, { recursive: true });
  const lines = new FakeLogLines(opts.seed ?? 42);
  const perFile = opts.linesPerFile ?? 100;
  let written = 0;
  let current: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    current = current.then(() => dropLogFile(opts.dir, lines.take(perFile), written + 1)).then(() => written++, (e: Error) => console.error(`sluice-fakelogs: ${e.message}`));
  }, opts.everyMs ?? 1000);
  return {
    get filesWritten() {
      return written;
    },
    close: async () => {
      clearInterval(timer);
      await current;
    },
  };
}
