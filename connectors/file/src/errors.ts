/**
 * Error codes of @sluice/file. Problems with one file never stop the stream: the file is reported
 * (with one of these codes) and skipped, or moved to the error directory.
 */
import { SluiceError } from '@sluice/core';

export const FileErrorCodes = [
  /** The file could not be read (permissions, I/O error, vanished while reading). */
  'FILE_READ_FAILED',
  /** The file's bytes could not be decoded in its format (invalid UTF-8, bad JSON line, corrupt Avro or gzip). */
  'FILE_DECODE_FAILED',
  /** The file, or its decompressed content, is larger than `maxFileBytes`. */
  'FILE_TOO_LARGE',
  /** The watched directory does not exist (yet, or any more); retried every batch. */
  'FILE_DIRECTORY_MISSING',
  /** A bad file could not be moved to the error directory (it is still skipped). */
  'FILE_MOVE_FAILED',
  /** The directory watcher failed; batches still scan the directory. */
  'FILE_WATCH_FAILED',
  /** `restoreCheckpointState` was given something this version did not write. */
  'FILE_CHECKPOINT_INVALID',
] as const;

export type FileErrorCode = (typeof FileErrorCodes)[number];

export function fileError(code: FileErrorCode, message: string, cause?: unknown): SluiceError {
  const retriable = code === 'FILE_READ_FAILED' || code === 'FILE_DIRECTORY_MISSING' || code === 'FILE_WATCH_FAILED';
  return new SluiceError(code, message, { cause, retriable });
}
