/** Counters of the Flume receivers, exposed as `stream.stats` (live objects; read, never write). */

/** createFlumeStream's server. */
export interface PushStats {
  /** Connections accepted so far. */
  connections: number;
  /** Connections open now. */
  openConnections: number;
  /** Connections closed at once because `maxConnections` were open. */
  refusedConnections: number;
  /** Bytes read from connections (after TLS, before zlib). */
  bytesReceived: number;
  /** Requests decoded (handshake pings included). */
  requests: number;
  /** append/appendBatch calls. */
  batches: number;
  /** Events stored. */
  events: number;
  okAnswers: number;
  failedAnswers: number;
  /** Connections rejected for bad input (framing, handshake, request, TLS, zlib). */
  badInputs: number;
  /** Milliseconds spent waiting for storeBatch (summed over connections): where a batch's answer waits. */
  storeMs: number;
}

export function emptyPushStats(): PushStats {
  return { connections: 0, openConnections: 0, refusedConnections: 0, bytesReceived: 0, requests: 0, batches: 0, events: 0, okAnswers: 0, failedAnswers: 0, badInputs: 0, storeMs: 0 };
}

/** createFlumePollingStream's pollers. */
export interface PollingStats {
  /** Connections made to sinks (reconnects included). */
  connections: number;
  /** Connection attempts or connections that failed. */
  connectionFailures: number;
  /** Non-error batches received. */
  batches: number;
  /** Events stored. */
  events: number;
  acks: number;
  nacks: number;
  /** Error batches (errorMsg set), never acked. */
  errorBatches: number;
  /** Acks or nacks that did not complete. */
  ackFailures: number;
  /** Sequence numbers of write-ahead-logged blocks acked again after a restart. */
  recoveryAcks: number;
  /** Milliseconds (summed over sinks) spent in getEventBatch calls that returned events, in storeBatch, and in ack. */
  pollMs: number;
  storeMs: number;
  ackMs: number;
}

export function emptyPollingStats(): PollingStats {
  return { connections: 0, connectionFailures: 0, batches: 0, events: 0, acks: 0, nacks: 0, errorBatches: 0, ackFailures: 0, recoveryAcks: 0, pollMs: 0, storeMs: 0, ackMs: 0 };
}
