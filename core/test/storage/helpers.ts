/** Shared fixtures of the storage tests: temp directories, a logger that records, segment files. */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteAheadLog, type WalOptions, type WalRecord } from '../../src/storage/write-ahead-log.js';

/** Runs `fn` with a fresh temp directory that is removed afterwards, pass or fail. */
export async function withTempDir<R>(fn: (dir: string) => Promise<R>): Promise<R> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-wal-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A logger that keeps its warnings for assertions instead of printing them. */
export function recordingLogger(): { warn(m: string): void; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (m) => warnings.push(m) };
}

/** The segment files of a log directory, oldest first, with their sizes. */
export async function segmentFiles(dir: string): Promise<{ name: string; path: string; size: number }[]> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('log-')).sort();
  return Promise.all(names.map(async (name) => ({ name, path: join(dir, name), size: (await stat(join(dir, name))).size })));
}

/** Opens the log, closes it again, and returns what it recovered (and the warnings it logged). */
export async function reopen<T>(dir: string, opts: WalOptions = {}): Promise<{ recovered: WalRecord<T>[]; warnings: string[] }> {
  const logger = recordingLogger();
  const { wal, recovered } = await WriteAheadLog.open<T>(dir, { logger, ...opts });
  await wal.close();
  return { recovered, warnings: logger.warnings };
}

/** Appends the records one after another, each durable before the next is sent (one write each). */
export async function appendInOrder<T>(wal: WriteAheadLog<T>, records: WalRecord<T>[]): Promise<void> {
  for (const r of records) await wal.append(r);
}

/** `n` records with times 0..n-1 and string payloads of about `size` bytes. */
export function records(n: number, size = 16, from = 0): WalRecord<string>[] {
  return Array.from({ length: n }, (_, i) => ({ time: from + i, data: `r${from + i}:`.padEnd(size, 'x') }));
}
