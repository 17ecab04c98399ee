/**
 * @sluice/socket: TCP input streams for Sluice. Clients that connect to a server
 * ({@link socketTextStream}, {@link socketStream}, {@link rawSocketStream}) and a server that
 * senders connect to ({@link socketServerStream}). All are receivers with at-most-once delivery
 * and TCP back-pressure.
 */
export { socketTextStream, socketStream, rawSocketStream, socketServerStream } from './socket-streams.js';
export { SocketInputDStream, SocketServerInputDStream } from './socket-input-dstream.js';
export type { SocketClientOptions, SocketTextStreamOptions, RawSocketStreamOptions, SocketServerStreamOptions } from './config.js';
export { DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_FRAME_BYTES } from './config.js';
export type { FrameDecoder, DecoderOutput, SocketConverter } from './decoder.js';
export { LineDecoder, lineConverter } from './line-decoder.js';
export { LengthPrefixedDecoder, lengthPrefixedConverter, encodeFrame } from './length-prefixed-decoder.js';
export type { SocketStats } from './stats.js';
export { SocketErrorCodes, type SocketErrorCode } from './errors.js';
