/**
 * Options of the file streams, with defaults and validation: unknown keys are rejected and every
 * message names the option and what it accepts (SluiceError `INVALID_OPTION`).
 */
import { resolve } from 'node:path';
import { SluiceError, optionError } from '@sluice/core';
import type { BuiltinFormat, Compression, FileDecoder } from './decoders.js';
import type { FileFilter } from './file-rules.js';

export interface FileStreamOptions {
  /** Only files that appear after the stream starts (default true); false also reads the files present at start. */
  newFilesOnly?: boolean;
  /** Also watch sub-directories (hidden ones excluded). Default false. */
  recursive?: boolean;
  /** Which files to read: a RegExp tested on the file name, or a function of the absolute path. */
  filter?: FileFilter;
  /** gzip detection: `auto` (by magic bytes, default), `gzip` (always), `none`. */
  compression?: Compression;
  /** Move files that cannot be read or decoded here (created if needed) instead of leaving them. */
  errorDir?: string;
  /** Most files taken by one batch; the rest wait for the next batches (a backlog). Default 1000. */
  maxFilesPerBatch?: number;
  /** Largest file accepted, and largest decompressed content, in bytes. Default 256 MiB. */
  maxFileBytes?: number;
  /**
   * A file modified (by mtime, or by a watcher change event) less than this many ms ago is left for
   * a later batch: a guard against files written in place. Default 1000; 0 disables it.
   */
  settleMs?: number;
  /** Show a progress bar on stderr while a backlog of many files is read: `auto` (default: when stderr is a TTY), true, false. */
  progress?: boolean | 'auto';
}

export interface FileStreamFormatOptions<T> extends FileStreamOptions {
  /** `text` lines, `jsonl`, `avro` container files, or a custom decoder. gzip applies to all. */
  format: BuiltinFormat | FileDecoder<T>;
}

export interface ResolvedFileOptions<T> {
  dir: string;
  format: BuiltinFormat | FileDecoder<T>;
  newFilesOnly: boolean;
  recursive: boolean;
  filter: FileFilter | undefined;
  compression: Compression;
  errorDir: string | undefined;
  maxFilesPerBatch: number;
  maxFileBytes: number;
  settleMs: number;
  progress: boolean | 'auto';
}

const KEYS = ['format', 'newFilesOnly', 'recursive', 'filter', 'compression', 'errorDir', 'maxFilesPerBatch', 'maxFileBytes', 'settleMs', 'progress'] as const;

const bad = optionError;

function whole(where: string, o: Record<string, unknown>, key: string, min: number, dflt: number): number {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(where, key, `a whole number >= ${min}`, v);
  return v;
}

function bool(where: string, o: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw bad(where, key, 'true or false', v);
  return v;
}

/** @throws SluiceError `INVALID_OPTION` naming the first bad argument or option. */
export function resolveFileOptions<T>(where: string, dir: unknown, opts: unknown): ResolvedFileOptions<T> {
  if (typeof dir !== 'string' || dir.length === 0) throw bad(where, 'dir', 'a directory path', dir);
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw bad(where, 'opts', 'an object', opts);
  const o = opts as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new SluiceError('INVALID_OPTION', `${where}: unknown option(s) ${unknown.join(', ')}; accepted: ${KEYS.join(', ')}`);
  const format = o['format'];
  if (format !== 'text' && format !== 'jsonl' && format !== 'avro' && typeof format !== 'function') {
    throw bad(where, 'format', "'text', 'jsonl', 'avro' or a decoder function (bytes, file) => records", format);
  }
  const filter = o['filter'];
  if (filter !== undefined && !(filter instanceof RegExp) && typeof filter !== 'function') throw bad(where, 'filter', 'a RegExp or a function (path) => boolean', filter);
  const compression = o['compression'] ?? 'auto';
  if (compression !== 'auto' && compression !== 'gzip' && compression !== 'none') throw bad(where, 'compression', "'auto', 'gzip' or 'none'", compression);
  const errorDir = o['errorDir'];
  if (errorDir !== undefined && (typeof errorDir !== 'string' || errorDir.length === 0)) throw bad(where, 'errorDir', 'a directory path', errorDir);
  const progress = o['progress'] ?? 'auto';
  if (progress !== 'auto' && typeof progress !== 'boolean') throw bad(where, 'progress', "true, false or 'auto'", progress);
  const absDir = resolve(dir);
  const absErrorDir = errorDir === undefined ? undefined : resolve(errorDir as string);
  if (absErrorDir !== undefined && (absErrorDir === absDir || (absErrorDir.startsWith(absDir + '/') && bool(where, o, 'recursive', false)))) {
    throw bad(where, 'errorDir', 'a directory other than the watched one (and outside it when recursive is true)', errorDir);
  }
  return {
    dir: absDir,
    format: format as BuiltinFormat | FileDecoder<T>,
    newFilesOnly: bool(where, o, 'newFilesOnly', true),
    recursive: bool(where, o, 'recursive', false),
    filter: filter as FileFilter | undefined,
    compression: compression as Compression,
    errorDir: absErrorDir,
    maxFilesPerBatch: whole(where, o, 'maxFilesPerBatch', 1, 1000),
    maxFileBytes: whole(where, o, 'maxFileBytes', 1, 256 * 1024 * 1024),
    settleMs: whole(where, o, 'settleMs', 0, 1000),
    progress: progress as boolean | 'auto',
  };
}
