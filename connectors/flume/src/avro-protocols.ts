/**
 * The two Avro protocols Flume speaks with Spark, with the exact names, namespaces and request
 * field names of the Java side (Java reads each request record by field name: `event`, `events`,
 * `n`, `sequenceNumber`), and avsc services parsed the way the Java peers need.
 */
import avro from 'avsc';

/** Flume's AvroSourceProtocol (flume-ng-sdk): what Flume's avro sink calls, and an avro source serves. */
export const FLUME_AVRO_SOURCE_PROTOCOL = `@namespace("org.apache.flume.source.avro")
protocol AvroSourceProtocol {
  enum Status { OK, FAILED, UNKNOWN }
  record AvroFlumeEvent {
    map<string> headers;
    bytes body;
  }
  Status append(AvroFlumeEvent event);
  Status appendBatch(array<AvroFlumeEvent> events);
}
`;

/**
 * Spark's SparkFlumeProtocol (spark-streaming-flume-sink). Parse it with `ackVoidMessages: true`
 * (as {@link sparkFlumeService} does), or ack/nack become one-way and the Java responder rejects
 * them.
 */
export const SPARK_FLUME_PROTOCOL = `@namespace("org.apache.spark.streaming.flume.sink")
protocol SparkFlumeProtocol {
  record SparkSinkEvent {
    map<string> headers;
    bytes body;
  }
  record EventBatch {
    string errorMsg = "";
    string sequenceNumber;
    array<SparkSinkEvent> events;
  }
  EventBatch getEventBatch(int n);
  void ack(string sequenceNumber);
  void nack(string sequenceNumber);
}
`;

/** The status AvroSourceProtocol's calls answer. */
export type FlumeStatus = 'OK' | 'FAILED' | 'UNKNOWN';

/** What SparkSink's getEventBatch answers; an error batch has a non-empty errorMsg, no events and sequenceNumber "". */
export interface SparkEventBatch {
  errorMsg: string;
  sequenceNumber: string;
  events: { headers: Record<string, string>; body: Buffer }[];
}

/** `readProtocol` option making IDL `void` messages two-way (avsc's typings omit it). */
const ACK_VOID_MESSAGES = { ackVoidMessages: true } as unknown as Parameters<typeof avro.readProtocol>[1];

/**
 * avsc Service for AvroSourceProtocol (a client injects into a Flume avro source with it; tests
 * use it to talk to createFlumeStream's server).
 */
export function flumeAvroSourceService(): avro.Service {
  return avro.Service.forProtocol(avro.readProtocol(FLUME_AVRO_SOURCE_PROTOCOL, ACK_VOID_MESSAGES));
}

/** avsc Service for SparkFlumeProtocol, with ack/nack two-way (ackVoidMessages: true). */
export function sparkFlumeService(): avro.Service {
  return avro.Service.forProtocol(avro.readProtocol(SPARK_FLUME_PROTOCOL, ACK_VOID_MESSAGES));
}

/** The server side of AvroSourceProtocol as the push server announces it in handshakes. */
export interface ServerProtocol {
  /** The protocol's JSON text (sent to clients whose handshake did not match ours). */
  readonly text: string;
  /** MD5 of `text`: our serverHash. */
  readonly hash: Buffer;
  /** Canonical request types of the messages we serve, to check a client's protocol against. */
  readonly requestTypes: ReadonlyMap<string, avro.Type>;
}

let serverProtocol: ServerProtocol | undefined;

/** AvroSourceProtocol as served by createFlumeStream (parsed once). */
export function avroSourceServerProtocol(): ServerProtocol {
  if (serverProtocol) return serverProtocol;
  const service = flumeAvroSourceService();
  const requestTypes = new Map<string, avro.Type>();
  for (const m of service.messages) requestTypes.set(m.name, m.requestType);
  serverProtocol = { text: JSON.stringify(service.protocol), hash: service.hash, requestTypes };
  return serverProtocol;
}

/**
 * Checks a client's protocol text (from its handshake) against what we serve: every message we
 * serve that the client declares must have the same request schema. Returns undefined when
 * compatible, else why not. Never throws.
 */
export function checkClientProtocol(text: string): string | undefined {
  let client: avro.Service;
  try {
    client = avro.Service.forProtocol(JSON.parse(text));
  } catch (e) {
    return `client protocol does not parse: ${(e as Error).message}`;
  }
  for (const [name, ours] of avroSourceServerProtocol().requestTypes) {
    const theirs = client.message(name) as { requestType: avro.Type } | undefined;
    if (theirs && !theirs.requestType.equals(ours)) {
      return `message ${name} has request ${JSON.stringify(theirs.requestType.schema())}, expected ${JSON.stringify(ours.schema())}`;
    }
  }
  return undefined;
}
