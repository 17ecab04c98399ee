/**
 * Error codes of @sluice/flume. Every error this package raises or reports is a `SluiceError` whose
 * `code` is one of these (or a core code such as `INVALID_OPTION`); match on the code, never on
 * the message. Connection problems are `retriable`; bad input is not.
 */
import { SluiceError } from '@sluice/core';

export const FlumeErrorCodes = [
  /** Push: bytes that are not Netty-framed Avro IPC (bad header, truncated pack): the connection is closed. */
  'FLUME_BAD_FRAME',
  /** Push: a pack, or one request, larger than `maxRequestBytes`: rejected before it is buffered; the connection is closed. */
  'FLUME_FRAME_TOO_LARGE',
  /** Push: an Avro IPC handshake that cannot be decoded, or a client protocol that cannot be parsed. */
  'FLUME_BAD_HANDSHAKE',
  /** Push: a well-framed request that does not decode as AvroSourceProtocol (unknown message, bad Avro). */
  'FLUME_BAD_REQUEST',
  /** Push: an appendBatch of more events than `maxBatchSize`: answered with an error before decoding. */
  'FLUME_BATCH_TOO_LARGE',
  /** Push: the client's protocol declares append/appendBatch with other schemas than Flume's. */
  'FLUME_INCOMPATIBLE_PROTOCOL',
  /** Push: TLS handshake or zlib stream of a connection failed. */
  'FLUME_TRANSPORT_ERROR',
  /** Push: more than `maxConnections` connections at once: the new one was closed. */
  'FLUME_TOO_MANY_CONNECTIONS',
  /** Push: the server cannot listen on its address (retriable: the receiver restarts with backoff). */
  'FLUME_LISTEN_FAILED',
  /** Storing a batch failed: push answered FAILED, pull sent nack; Flume delivers the events again. */
  'FLUME_STORE_FAILED',
  /** Pull: connecting to a SparkSink failed or timed out (retriable, reconnects with backoff). */
  'FLUME_CONNECT_FAILED',
  /** Pull: the connection to a SparkSink was lost or a call on it failed (retriable). */
  'FLUME_CONNECTION_LOST',
  /** Pull: SparkSink answered an error batch (errorMsg set); nothing is acked, the poller backs off. */
  'FLUME_ERROR_BATCH',
  /** Pull: ack or nack did not complete; the sink rolls back after its timeout and the events come again. */
  'FLUME_ACK_FAILED',
] as const;

export type FlumeErrorCode = (typeof FlumeErrorCodes)[number];

const RETRIABLE: ReadonlySet<FlumeErrorCode> = new Set<FlumeErrorCode>([
  'FLUME_LISTEN_FAILED',
  'FLUME_STORE_FAILED',
  'FLUME_CONNECT_FAILED',
  'FLUME_CONNECTION_LOST',
  'FLUME_ERROR_BATCH',
  'FLUME_ACK_FAILED',
]);

/** A `SluiceError` with a Flume code; `retriable` follows the code. */
export function flumeError(code: FlumeErrorCode, message: string, cause?: unknown): SluiceError {
  return new SluiceError(code, message, { cause, retriable: RETRIABLE.has(code) });
}

/** True for errors that mean the peer sent bad input (as opposed to a connection problem). */
export function isBadInput(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    code === 'FLUME_BAD_FRAME' ||
    code === 'FLUME_FRAME_TOO_LARGE' ||
    code === 'FLUME_BAD_HANDSHAKE' ||
    code === 'FLUME_BAD_REQUEST' ||
    code === 'FLUME_BATCH_TOO_LARGE' ||
    code === 'FLUME_INCOMPATIBLE_PROTOCOL' ||
    code === 'FLUME_TRANSPORT_ERROR'
  );
}
