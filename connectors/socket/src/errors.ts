/**
 * Error codes of @sluice/socket. Every error this package raises or reports is a `SluiceError`
 * whose `code` is one of these (or a core code such as `INVALID_OPTION`); match on the code,
 * never on the message.
 */
import { SluiceError } from '@sluice/core';

export const SocketErrorCodes = [
  /** A line longer than `maxLineBytes`: skipped, the connection goes on. */
  'SOCKET_LINE_TOO_LONG',
  /** A line that is not valid UTF-8: skipped, the connection goes on. */
  'SOCKET_INVALID_UTF8',
  /** A length-prefixed frame longer than `maxFrameBytes`: its bytes are skipped, the connection goes on. */
  'SOCKET_FRAME_TOO_LARGE',
  /** A converter threw: the connection is dropped and the receiver restarts. */
  'SOCKET_DECODER_FAILED',
  /** Connecting failed or timed out (retriable: the receiver reconnects with backoff). */
  'SOCKET_CONNECT_FAILED',
  /** The connection was lost or closed by the peer (retriable). */
  'SOCKET_CONNECTION_LOST',
  /** The server stream could not listen on its address (retriable). */
  'SOCKET_LISTEN_FAILED',
] as const;

export type SocketErrorCode = (typeof SocketErrorCodes)[number];

/** A `SluiceError` with a socket code; connection problems are `retriable`, bad input is not. */
export function socketError(code: SocketErrorCode, message: string, cause?: unknown): SluiceError {
  const retriable = code === 'SOCKET_CONNECT_FAILED' || code === 'SOCKET_CONNECTION_LOST' || code === 'SOCKET_LISTEN_FAILED';
  return new SluiceError(code, message, { cause, retriable });
}
