/**
 * The public factories, Spark's `ssc.socketTextStream(host, port)` and friends, taking the context
 * first (`KafkaUtils.createStream(ssc, ...)` style).
 */
import { SluiceError, type StreamingContext } from '@sluice/core';
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_RECONNECT_DELAY_MS,
  SERVER_KEYS,
  checkHost,
  checkKeys,
  checkName,
  checkOptionsObject,
  resolveClient,
  wholeNumber,
  type RawSocketStreamOptions,
  type SocketClientOptions,
  type SocketServerStreamOptions,
  type SocketTextStreamOptions,
} from './config.js';
import type { SocketConverter } from './decoder.js';
import { lineConverter } from './line-decoder.js';
import { lengthPrefixedConverter } from './length-prefixed-decoder.js';
import { SocketReceiver } from './socket-receiver.js';
import { SocketServerReceiver } from './socket-server-receiver.js';
import { SocketInputDStream, SocketServerInputDStream } from './socket-input-dstream.js';

const MAX_RECORD_BYTES = 1024 * 1024 * 1024;

/**
 * A stream of the UTF-8 lines read from a TCP server at host:port, each without its line
 * terminator (`\n` or `\r\n`). Reconnects with backoff when the connection is refused or lost.
 * Lines longer than `maxLineBytes`, or not valid UTF-8, are counted, reported and skipped.
 * Delivery: at most once.
 * @throws SluiceError `INVALID_OPTION` naming a bad argument or option.
 * @example
 * ```ts
 * const ssc = new StreamingContext({ batchInterval: Seconds(1) });
 * socketTextStream(ssc, 'localhost', 7777).filter((l) => l.includes('error')).print();
 * await ssc.start();
 * ```
 */
export function socketTextStream(ssc: StreamingContext, host: string, port: number, opts?: SocketTextStreamOptions): SocketInputDStream<string> {
  const where = 'socketTextStream';
  const { o, client, ...addr } = resolveClient(where, host, port, opts, ['maxLineBytes']);
  const maxLineBytes = wholeNumber(where, 'maxLineBytes', o['maxLineBytes'], 1, MAX_RECORD_BYTES, DEFAULT_MAX_LINE_BYTES);
  const receiver = new SocketReceiver(addr.host, addr.port, lineConverter(maxLineBytes), client, ssc.logger);
  return new SocketInputDStream(ssc, receiver, 'socketTextStream');
}

/**
 * A stream of the records that `converter` decodes from the bytes of a TCP server at host:port
 * (one fresh decoder per connection). Reconnects like {@link socketTextStream}.
 * @throws SluiceError `INVALID_OPTION` naming a bad argument or option.
 */
export function socketStream<T>(ssc: StreamingContext, host: string, port: number, converter: SocketConverter<T>, opts?: SocketClientOptions): SocketInputDStream<T> {
  const where = 'socketStream';
  if (typeof converter !== 'function') throw new SluiceError('INVALID_OPTION', `${where}: converter must be a function returning a FrameDecoder ({ push, end })`);
  const { client, ...addr } = resolveClient(where, host, port, opts, []);
  const receiver = new SocketReceiver(addr.host, addr.port, converter, client, ssc.logger);
  return new SocketInputDStream(ssc, receiver, 'socketStream');
}

/**
 * A stream of length-prefixed frames from a TCP server at host:port: each frame is a 4-byte
 * big-endian length and that many bytes, and becomes one Buffer record. Frames longer than
 * `maxFrameBytes` are skipped (their bytes are read and dropped, never buffered).
 * @throws SluiceError `INVALID_OPTION` naming a bad argument or option.
 */
export function rawSocketStream(ssc: StreamingContext, host: string, port: number, opts?: RawSocketStreamOptions): SocketInputDStream<Buffer> {
  const where = 'rawSocketStream';
  const { o, client, ...addr } = resolveClient(where, host, port, opts, ['maxFrameBytes']);
  const maxFrameBytes = wholeNumber(where, 'maxFrameBytes', o['maxFrameBytes'], 0, MAX_RECORD_BYTES, DEFAULT_MAX_FRAME_BYTES);
  const receiver = new SocketReceiver(addr.host, addr.port, lengthPrefixedConverter(maxFrameBytes), client, ssc.logger);
  return new SocketInputDStream(ssc, receiver, 'rawSocketStream');
}

/**
 * A TCP server (127.0.0.1 by default) that accepts many senders at once and stores what each
 * sends: UTF-8 lines by default, or the records of `opts.converter`. Use `port: 0` and
 * `await stream.listening()` for a free port.
 * @throws SluiceError `INVALID_OPTION` naming a bad option.
 * @example
 * ```ts
 * const lines = socketServerStream(ssc, { port: 7777 }); // then: nc 127.0.0.1 7777 < app.log
 * lines.count().print();
 * ```
 */
export function socketServerStream(ssc: StreamingContext, opts: SocketServerStreamOptions<string> & { converter?: undefined }): SocketServerInputDStream<string>;
export function socketServerStream<T>(ssc: StreamingContext, opts: SocketServerStreamOptions<T> & { converter: SocketConverter<T> }): SocketServerInputDStream<T>;
export function socketServerStream<T>(ssc: StreamingContext, opts: SocketServerStreamOptions<T>): SocketServerInputDStream<T | string> {
  const where = 'socketServerStream';
  const o = checkOptionsObject(where, opts);
  checkKeys(where, o, SERVER_KEYS);
  if (o['port'] === undefined) throw new SluiceError('INVALID_OPTION', `${where}: option port is required (a whole number from 0 to 65535; 0 picks a free port)`);
  if (o['converter'] !== undefined && typeof o['converter'] !== 'function') throw new SluiceError('INVALID_OPTION', `${where}: option converter must be a function returning a FrameDecoder`);
  if (o['converter'] !== undefined && o['maxLineBytes'] !== undefined) throw new SluiceError('INVALID_OPTION', `${where}: option maxLineBytes applies to the line framing only; remove it when giving a converter`);
  const maxLineBytes = wholeNumber(where, 'maxLineBytes', o['maxLineBytes'], 1, MAX_RECORD_BYTES, DEFAULT_MAX_LINE_BYTES);
  const receiver = new SocketServerReceiver<T | string>(
    {
      host: o['host'] === undefined ? '127.0.0.1' : checkHost(where, o['host']),
      port: wholeNumber(where, 'port', o['port'], 0, 65535, 0),
      converter: (o['converter'] as SocketConverter<T> | undefined) ?? lineConverter(maxLineBytes),
      maxConnections: wholeNumber(where, 'maxConnections', o['maxConnections'], 1, 1_000_000, DEFAULT_MAX_CONNECTIONS),
      name: checkName(where, o['name']),
      restartDelayMs: wholeNumber(where, 'restartDelayMs', o['restartDelayMs'], 0, 3_600_000, DEFAULT_RECONNECT_DELAY_MS),
    },
    ssc.logger,
  );
  return new SocketServerInputDStream(ssc, receiver);
}
