/**
 * Reads and decodes one file for a batch. The file must be the one the scan saw: if its size or
 * mtime changed while it was read, it is still being written and is left for a later batch.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SluiceError } from '@sluice/core';
import { decompress, type Compression, type FileInfo } from './decoders.js';
import { fileError } from './errors.js';
import type { FileRef } from './file-tracker.js';

export type ReadOutcome<T> =
  | { kind: 'ok'; records: T[]; bytes: number }
  /** Changed while being read, or vanished: not taken now, looked at again next batch. */
  | { kind: 'retry'; why: string }
  /** Cannot be read or decoded: report it and skip it for good. */
  | { kind: 'bad'; error: SluiceError };

export interface ReadSettings<T> {
  dir: string;
  decode: (bytes: Buffer, file: FileInfo) => Promise<T[]>;
  compression: Compression;
  maxFileBytes: number;
}

function isCode(e: unknown, code: string): boolean {
  return (e as NodeJS.ErrnoException)?.code === code;
}

/** Reads `ref` entirely and decodes it. Never rejects. */
export async function readFileRecords<T>(ref: FileRef, s: ReadSettings<T>): Promise<ReadOutcome<T>> {
  const path = join(s.dir, ref.path);
  if (ref.size > s.maxFileBytes) {
    return { kind: 'bad', error: fileError('FILE_TOO_LARGE', `${ref.path} has ${ref.size} bytes, more than maxFileBytes (${s.maxFileBytes})`) };
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
    const after = await stat(path);
    if (after.size !== ref.size || Math.floor(after.mtimeMs) !== ref.mtimeMs || bytes.length !== ref.size) {
      return { kind: 'retry', why: `${ref.path} changed while it was read (still being written?)` };
    }
  } catch (e) {
    if (isCode(e, 'ENOENT')) return { kind: 'retry', why: `${ref.path} vanished before it was read` };
    return { kind: 'bad', error: fileError('FILE_READ_FAILED', `Cannot read ${ref.path}: ${(e as Error).message}`, e) };
  }
  const info: FileInfo = { path, relativePath: ref.path, size: ref.size, mtimeMs: ref.mtimeMs };
  try {
    const content = await decompress(bytes, s.compression, s.maxFileBytes, info);
    return { kind: 'ok', records: await s.decode(content, info), bytes: bytes.length };
  } catch (e) {
    const error = (e as SluiceError)?.code?.startsWith?.('FILE_') ? (e as SluiceError) : fileError('FILE_DECODE_FAILED', `Cannot decode ${ref.path}: ${(e as Error)?.message ?? String(e)}`, e);
    return { kind: 'bad', error };
  }
}
