/**
 * @sluice/file: directory input streams for Sluice. {@link textFileStream} and {@link fileStream}
 * read every new file moved into a directory exactly once (also across restarts, through the
 * stream's checkpoint state), in text, JSON-lines, Avro or a custom format, gzip or not.
 */
export { textFileStream, fileStream } from './file-streams.js';
export { FileInputDStream, type FileStreamStats } from './file-input-dstream.js';
export type { FileStreamOptions, FileStreamFormatOptions } from './config.js';
export { decodeText, decodeJsonLines, decodeAvro, isGzip, type FileDecoder, type FileInfo, type BuiltinFormat, type Compression } from './decoders.js';
export { isIgnoredName, type FileFilter } from './file-rules.js';
export type { FileStreamCheckpoint, FileRef } from './file-tracker.js';
export { ProgressBar, type ProgressOutput } from './progress-bar.js';
export { FileErrorCodes, type FileErrorCode } from './errors.js';
