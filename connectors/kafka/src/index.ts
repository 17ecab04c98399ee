/**
 * @sluice/kafka: Kafka input streams for Sluice, with both of Spark's approaches.
 * - {@link createKafkaStream}: a receiver running a kafkajs consumer group; offsets are committed
 *   only after the records are stored (at least once; no loss with the write-ahead log).
 * - {@link createDirectKafkaStream}: no receiver; each batch reads an exact offset range per
 *   partition, saved in the checkpoint (exactly once with idempotent or transactional outputs).
 */
export { createKafkaStream, KafkaInputDStream } from './kafka-input-dstream.js';
export { KafkaReceiver } from './receiver.js';
export { createDirectKafkaStream, commitOffsets, DirectKafkaInputDStream } from './direct-input-dstream.js';
export { offsetRanges, type OffsetRange } from './offset-range.js';
export type { KafkaRecord, KafkaHeaders, Decoder, RecordPosition } from './decoders.js';
export type { KafkaCommonOptions, KafkaLogLevel } from './config.js';
export type { KafkaStreamOptions } from './receiver-config.js';
export type { DirectKafkaStreamOptions, StartingOffsets, PartitionOffsets } from './direct-config.js';
export { KafkaErrorCodes, type KafkaErrorCode } from './errors.js';
