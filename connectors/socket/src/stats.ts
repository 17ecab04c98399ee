/** Counters of a socket receiver, readable at any time through `stream.stats`. */
export interface SocketStats {
  /** Connections established (client) or accepted (server) since the context started. */
  connections: number;
  /** Connections open now. */
  openConnections: number;
  /** Bytes read from all connections. */
  bytesReceived: number;
  /** Records handed to `store()`. */
  records: number;
  /** Malformed records skipped (over-long lines or frames, invalid UTF-8). */
  badRecords: number;
  /** Times the receiver paused its sockets because `store()` asked it to (back-pressure). */
  pauses: number;
}

export function emptyStats(): SocketStats {
  return { connections: 0, openConnections: 0, bytesReceived: 0, records: 0, badRecords: 0, pauses: 0 };
}
