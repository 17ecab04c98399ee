/**
 * The receiver-based Kafka stream (Spark's `KafkaUtils.createStream` with the reliable receiver):
 * a {@link KafkaReceiver} feeds blocks; each batch holds the blocks stored since the last one.
 */
import { ReceiverInputDStream, SluiceError, StreamingContext } from '@sluice/core';
import type { KafkaRecord } from './decoders.js';
import { KafkaReceiver } from './receiver.js';
import { resolveReceiverOptions, type KafkaStreamOptions, type ResolvedReceiverOptions } from './receiver-config.js';

export class KafkaInputDStream<K = string, V = string> extends ReceiverInputDStream<KafkaRecord<K, V>> {
  /** The receiver the context runs for this stream. */
  readonly receiver: KafkaReceiver<K, V>;

  /** Use {@link createKafkaStream}. */
  constructor(ssc: StreamingContext, opts: ResolvedReceiverOptions<K, V>) {
    super(ssc);
    this.receiver = new KafkaReceiver<K, V>(opts, ssc.logger);
  }

  override get kind(): string {
    return 'kafka';
  }

  /** Called once by the engine when the context starts. */
  getReceiver(): KafkaReceiver<K, V> {
    return this.receiver;
  }
}

/**
 * A receiver-based Kafka stream: a kafkajs consumer group whose offsets are committed only after
 * the records are stored (with `writeAheadLog: true`, once they are durable): at least once, no
 * loss when the process dies. Prefer {@link createDirectKafkaStream} for exactly-once outputs.
 * @throws SluiceError INVALID_OPTION naming the first bad option.
 * @example
 * ```ts
 * import { Seconds, StreamingContext } from '@sluice/core';
 * import { createKafkaStream } from '@sluice/kafka';
 * const ssc = new StreamingContext({ batchInterval: Seconds(1), checkpointDir: '/tmp/cp', writeAheadLog: true });
 * createKafkaStream(ssc, { brokers: ['localhost:9092'], topics: ['logs'], groupId: 'log-counter' })
 *   .map((r) => r.value).count().print();
 * await ssc.start();
 * ```
 */
export function createKafkaStream<K = string, V = string>(ssc: StreamingContext, opts: KafkaStreamOptions<K, V>): KafkaInputDStream<K, V> {
  if (!(ssc instanceof StreamingContext)) throw new SluiceError('INVALID_OPTION', 'createKafkaStream(ssc, opts): ssc must be a StreamingContext');
  return new KafkaInputDStream<K, V>(ssc, resolveReceiverOptions(opts));
}
