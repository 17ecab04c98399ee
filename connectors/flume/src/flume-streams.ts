/**
 * The public factories, Spark's `FlumeUtils.createStream(ssc, host, port)` and
 * `FlumeUtils.createPollingStream(ssc, addresses, ...)`, taking the context first.
 */
import type { StreamingContext } from '@sluice/core';
import { resolvePollingOptions, resolvePushOptions, type FlumePollingStreamOptions, type FlumeSinkAddress, type FlumeStreamOptions } from './config.js';
import { FlumeInputDStream, FlumePollingInputDStream } from './flume-input-dstream.js';
import { FlumePollingReceiver } from './polling-receiver.js';
import { FlumePushReceiver } from './push-receiver.js';

/**
 * Push: a stream of the events Flume avro sinks send to an Avro RPC server on host:port
 * (Flume's AvroSourceProtocol; point the sink's `hostname`/`port` here, and start this before the
 * agent). Binds exactly `host` (use `127.0.0.1` unless other machines must connect); port 0 picks
 * a free port, see `stream.listening()`.
 *
 * A batch is answered `OK` only once it is stored (with `writeAheadLog: true`: durable on disk),
 * `FAILED` otherwise, so Flume's transaction rolls back and the events come again: at least once,
 * no loss with the write-ahead log. Requests larger than `maxRequestBytes` or batches of more than
 * `maxBatchSize` events are refused before they are buffered; a connection sending bad input is
 * reported and closed without affecting others.
 * @throws SluiceError `INVALID_OPTION` naming a bad argument or option.
 * @example
 * ```ts
 * import { Seconds, StreamingContext } from '@sluice/core';
 * import { bodyToString, createFlumeStream } from '@sluice/flume';
 * const ssc = new StreamingContext({ batchInterval: Seconds(1), checkpointDir: '/tmp/cp', writeAheadLog: true });
 * createFlumeStream(ssc, '127.0.0.1', 41414).map(bodyToString).count().print();
 * await ssc.start();
 * ```
 */
export function createFlumeStream(ssc: StreamingContext, host: string, port: number, opts?: FlumeStreamOptions): FlumeInputDStream {
  const resolved = resolvePushOptions(host, port, opts);
  return new FlumeInputDStream(ssc, new FlumePushReceiver(resolved, ssc.logger));
}

/**
 * Pull: a stream of the events polled from Spark's SparkSink in one or more Flume agents
 * (`"host:port"` or `{ host, port }` each). Per sink, one transaction at a time:
 * `getEventBatch(maxBatchSize)`, `storeBatch`, then `ack`, or `nack` when storing failed; error
 * batches are never acked; a sink that goes away is reconnected with backoff.
 *
 * Events leave the agent's channel only once Sluice has stored them: with `writeAheadLog: true`
 * no loss across Sluice crashes, and no duplicates from a crash between storing and acking as long
 * as Sluice restarts (getOrCreate) within the sink's `timeout`.
 * @throws SluiceError `INVALID_OPTION` naming a bad argument or option.
 * @example
 * ```ts
 * import { Seconds, StreamingContext } from '@sluice/core';
 * import { bodyToString, createFlumePollingStream } from '@sluice/flume';
 * const ssc = await StreamingContext.getOrCreate('/tmp/cp', () => {
 *   const ssc = new StreamingContext({ batchInterval: Seconds(2), writeAheadLog: true });
 *   createFlumePollingStream(ssc, ['127.0.0.1:9999'], { maxBatchSize: 500 }).map(bodyToString).saveAsTextFiles('/tmp/out/events');
 *   return ssc;
 * });
 * await ssc.start();
 * ```
 */
export function createFlumePollingStream(ssc: StreamingContext, addresses: readonly FlumeSinkAddress[], opts?: FlumePollingStreamOptions): FlumePollingInputDStream {
  const resolved = resolvePollingOptions(addresses, opts);
  return new FlumePollingInputDStream(ssc, new FlumePollingReceiver(resolved));
}
