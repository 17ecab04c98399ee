/**
 * File formats: how the bytes of one file become records. Every built-in decoder decodes the whole
 * file or throws (`FILE_DECODE_FAILED`), so a file is taken entirely or not at all. gzip is
 * recognised by its magic bytes (or forced/disabled with `compression`) and applies to every
 * format, custom decoders included.
 */
import { isUtf8 } from 'node:buffer';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import avro from 'avsc';
import { fileError } from './errors.js';

/** What a decoder is told about the file it decodes. */
export interface FileInfo {
  /** Absolute path. */
  path: string;
  /** Path relative to the watched directory, with `/` separators. */
  relativePath: string;
  /** Size on disk in bytes (before decompression). */
  size: number;
  mtimeMs: number;
}

/**
 * A custom format: decodes the (decompressed) bytes of a whole file. Throw to reject the file; it is
 * then reported and skipped (or moved to `errorDir`) and the stream goes on.
 */
export type FileDecoder<T> = (bytes: Buffer, file: FileInfo) => Iterable<T> | Promise<Iterable<T>>;

/** `text`: UTF-8 lines; `jsonl`: one JSON value per non-blank line; `avro`: Avro object container files. */
export type BuiltinFormat = 'text' | 'jsonl' | 'avro';

export type Compression = 'auto' | 'gzip' | 'none';

const gunzipAsync = promisify(gunzip);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** True when `bytes` start with the gzip magic number. */
export function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses when the file is gzip (by magic or by setting); the output is capped at `maxBytes`. */
export async function decompress(bytes: Buffer, compression: Compression, maxBytes: number, file: FileInfo): Promise<Buffer> {
  if (compression === 'none' || (compression === 'auto' && !isGzip(bytes))) return bytes;
  try {
    return await gunzipAsync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    const tooLarge = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw fileError(tooLarge ? 'FILE_TOO_LARGE' : 'FILE_DECODE_FAILED', tooLarge ? `${file.relativePath} decompresses to more than maxFileBytes (${maxBytes})` : `${file.relativePath} is not valid gzip: ${(e as Error).message}`, e);
  }
}

/** The UTF-8 lines of a file (`\n` or `\r\n`; a leading BOM is dropped; a last line may lack its terminator). */
export function decodeText(bytes: Buffer, file: FileInfo): string[] {
  if (!isUtf8(bytes)) throw fileError('FILE_DECODE_FAILED', `${file.relativePath} is not valid UTF-8 text`);
  let start = bytes.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0;
  const lines: string[] = [];
  while (start < bytes.length) {
    let nl = bytes.indexOf(0x0a, start);
    if (nl === -1) nl = bytes.length;
    const end = nl > start && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
    lines.push(bytes.toString('utf8', start, end));
    start = nl + 1;
  }
  return lines;
}

/** One JSON value per line; blank lines are skipped. A line that is not JSON rejects the file, naming the line. */
export function decodeJsonLines(bytes: Buffer, file: FileInfo): unknown[] {
  const out: unknown[] = [];
  const lines = decodeText(bytes, file);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line));
    } catch (e) {
      throw fileError('FILE_DECODE_FAILED', `${file.relativePath} line ${i + 1} is not JSON: ${(e as Error).message}`, e);
    }
  }
  return out;
}

/** The records of an Avro object container file (null and deflate codecs), decoded with its writer schema. */
export function decodeAvro(bytes: Buffer, file: FileInfo): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const records: unknown[] = [];
    const decoder = new avro.streams.BlockDecoder();
    decoder.on('data', (r: unknown) => records.push(r));
    decoder.on('error', (e: Error) => reject(fileError('FILE_DECODE_FAILED', `${file.relativePath} is not a valid Avro container file: ${e.message}`, e)));
    decoder.on('end', () => resolve(records));
    decoder.end(bytes);
  });
}

/** The decoder of a format (built-in name or custom function), returning an array. */
export function decoderFor<T>(format: BuiltinFormat | FileDecoder<T>): (bytes: Buffer, file: FileInfo) => Promise<T[]> {
  switch (format) {
    case 'text':
      return async (b, f) => decodeText(b, f) as T[];
    case 'jsonl':
      return async (b, f) => decodeJsonLines(b, f) as T[];
    case 'avro':
      return async (b, f) => (await decodeAvro(b, f)) as T[];
    default:
      return async (b, f) => {
        try {
          return Array.from(await format(b, f));
        } catch (e) {
          if (e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('FILE_')) throw e;
          throw fileError('FILE_DECODE_FAILED', `The decoder rejected ${f.relativePath}: ${(e as Error)?.message ?? String(e)}`, e);
        }
      };
  }
}
