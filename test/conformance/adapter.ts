/**
 * What a connector gives the conformance suite: how to start its peer, how to build its stream,
 * and which delivery guarantee it promises.
 */
import type { DStream, StreamingContext, StreamingContextOptions } from '@sluice/core';

export type DeliveryGuarantee = 'at-most-once' | 'at-least-once' | 'exactly-once';

/** The other side of the connector (a server, a sender, a directory), driven by the suite. */
export interface ConformancePeer {
  /**
   * Makes `records` (strings without line breaks) available to the connector, in order: written to
   * the connected socket, moved into the directory as a file. Resolves once handed off. Unless
   * `wait` is false it may wait (bounded, then rejects) for the connector to be connected; with
   * `wait: false` it never waits and never rejects (used after the connector stopped).
   */
  send(records: readonly string[], opts?: { wait?: boolean }): Promise<void>;
  /** Sends input the connector must count, report and skip; resolves with how many bad records it sent. */
  sendBad(): Promise<number>;
  /** The peer goes away (server stops, sender disconnects, directory disappears). */
  goAway(): Promise<void>;
  /** The peer comes back at the same address; `send` works again (after the connector reconnects). */
  comeBack(): Promise<void>;
  /** Connections the connector holds to the peer now, where the peer can tell (sockets). */
  consumers?(): number;
  /** Releases everything the peer holds. */
  close(): Promise<void>;
}

export interface ConnectorAdapter<S extends DStream<string> = DStream<string>, P extends ConformancePeer = ConformancePeer> {
  /** Shown in test names. */
  name: string;
  guarantee: DeliveryGuarantee;
  startPeer(): Promise<P>;
  /** Builds the stream under test on `ssc`, reading from `peer`; its records are the strings sent. */
  createStream(ssc: StreamingContext, peer: P): S;
  /** After `ssc.start()`: resolves once the connector can receive (connected, listening, watching). */
  ready?(peer: P, stream: S): Promise<void>;
  /** Records in the parallel-load test (default 20000). */
  loadRecords?: number;
  /** Context options; defaults: batchInterval 200 ms, blockInterval 50 ms, a silent logger. */
  contextOptions?: Partial<StreamingContextOptions>;
  /**
   * True when the peer's `send` keeps the order of records across calls (one socket); the suite
   * then checks order too. False for connectors that read concurrently sent data in any order.
   */
  ordered?: boolean;
}
