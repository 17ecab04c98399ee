/**
 * The public factories: Spark's `ssc.textFileStream(dir)` and `ssc.fileStream(dir, ...)`, taking the
 * context first.
 */
import type { StreamingContext } from '@sluice/core';
import { resolveFileOptions, type FileStreamFormatOptions, type FileStreamOptions } from './config.js';
import type { FileDecoder } from './decoders.js';
import { FileInputDStream } from './file-input-dstream.js';

/**
 * A stream of the UTF-8 lines of every new file moved into `dir` (Spark's textFileStream). Each file
 * is read once, entirely, in the batch that finds it; files that are not valid UTF-8 are reported
 * and skipped. Delivery: exactly once per file (also across restarts, through the checkpoint).
 * @throws SluiceError `INVALID_OPTION` naming a bad argument or option.
 * @example
 * ```ts
 * const ssc = new StreamingContext({ batchInterval: Seconds(10) });
 * textFileStream(ssc, '/var/log/incoming').filter((l) => l.includes('ERROR')).print();
 * await ssc.start();
 * ```
 */
export function textFileStream(ssc: StreamingContext, dir: string, opts: FileStreamOptions = {}): FileInputDStream<string> {
  return new FileInputDStream<string>(ssc, resolveFileOptions<string>('textFileStream', dir, { ...opts, format: 'text' }), 'textFileStream');
}

/**
 * A stream of the records of every new file moved into `dir`, decoded by `opts.format`: `text`
 * lines, `jsonl` (one JSON value per line), `avro` (container files), or a custom decoder; gzip
 * files of any format are decompressed first.
 * @throws SluiceError `INVALID_OPTION` naming a bad argument or option.
 */
export function fileStream(ssc: StreamingContext, dir: string, opts: FileStreamFormatOptions<string> & { format: 'text' }): FileInputDStream<string>;
export function fileStream<T = unknown>(ssc: StreamingContext, dir: string, opts: FileStreamOptions & { format: 'jsonl' | 'avro' }): FileInputDStream<T>;
export function fileStream<T>(ssc: StreamingContext, dir: string, opts: FileStreamOptions & { format: FileDecoder<T> }): FileInputDStream<T>;
export function fileStream<T>(ssc: StreamingContext, dir: string, opts: FileStreamFormatOptions<T>): FileInputDStream<T> {
  return new FileInputDStream<T>(ssc, resolveFileOptions<T>('fileStream', dir, opts), 'fileStream');
}
