/**
 * @sluice/flume: Apache Flume input streams for Sluice, Spark's two Flume approaches.
 * - {@link createFlumeStream}: push. An Avro RPC server (AvroSourceProtocol) that Flume's avro sink
 *   sends to; batches are answered OK only once stored.
 * - {@link createFlumePollingStream}: pull. Transactional polling of Spark's SparkSink
 *   (SparkFlumeProtocol): getEventBatch, store, ack.
 * Also exported: the protocol texts and avsc services, and the Netty codec (with the fix for
 * avsc's 16-bit request ids), for tools and tests that talk to Flume agents.
 */
export { createFlumeStream, createFlumePollingStream } from './flume-streams.js';
export { FlumeInputDStream, FlumePollingInputDStream } from './flume-input-dstream.js';
export type { FlumeStreamOptions, FlumePollingStreamOptions, FlumeSinkAddress } from './config.js';
export { bodyToString, type FlumeEvent } from './event.js';
export type { FlumeBlockMeta } from './sink-poller.js';
export type { PushStats, PollingStats } from './stats.js';
export { FlumeErrorCodes, type FlumeErrorCode } from './errors.js';
export {
  FLUME_AVRO_SOURCE_PROTOCOL,
  SPARK_FLUME_PROTOCOL,
  flumeAvroSourceService,
  sparkFlumeService,
  type FlumeStatus,
  type SparkEventBatch,
} from './avro-protocols.js';
export { NettyPackDecoder, encodeNettyPack, DEFAULT_NETTY_LIMITS, type NettyPack, type NettyLimits } from './netty-codec.js';
export { avscNettyTransport, type AvscNettyMessage } from './avsc-netty-transport.js';
