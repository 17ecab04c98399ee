/**
 * The direct (receiver-less) Kafka stream, Spark's `DirectKafkaInputDStream`: before each batch it
 * decides one offset range per partition (from where the last batch ended to the latest offset,
 * capped by `maxRatePerPartition` and backpressure), and the batch's job reads exactly those ranges,
 * one RDD partition per Kafka partition. The ranges go into the checkpoint, so a batch re-run after
 * a crash reads the same records: with an idempotent or transactional output, exactly once.
 */
import { InputDStream, RDD, SluiceError, StreamingContext, type StreamInputInfo, type StreamingListener, type Time } from '@sluice/core';
import { BadRecordHandler } from './bad-records.js';
import { bounded, connectAdmin, connectDeadLetterProducer, createKafkaClient } from './client.js';
import { decodeDirectState, encodeDirectState, type Position } from './direct-checkpoint.js';
import { resolveDirectOptions, type DirectKafkaStreamOptions, type ResolvedDirectOptions } from './direct-config.js';
import { KafkaOffsets, partitionKey, type PartitionKey, type PartitionOffsets } from './direct-offsets.js';
import { DirectRateController } from './direct-rate.js';
import { decodeMessages, type KafkaRecord } from './decoders.js';
import { errorMessage, isTransient, unreachable } from './errors.js';
import { createFetchCluster, type InternalCluster } from './kafkajs-internals.js';
import { attachOffsetRanges, formatRange, rangeCount, type OffsetRange } from './offset-range.js';
import { planRanges } from './plan-ranges.js';
import { RangeReader } from './range-reader.js';
import type { Admin, Producer } from 'kafkajs';

interface Connection {
  admin: Admin;
  cluster: InternalCluster;
  producer: Producer | undefined;
  offsets: KafkaOffsets;
  reader: RangeReader;
}

export class DirectKafkaInputDStream<K = string, V = string> extends InputDStream<KafkaRecord<K, V>> {
  private readonly opts: ResolvedDirectOptions<K, V>;
  private readonly batches = new Map<Time, OffsetRange[]>();
  private next = new Map<PartitionKey, Position>();
  private restored = false;
  private conn: Connection | undefined;
  private readonly rate: DirectRateController;
  private readonly badRecords: BadRecordHandler;
  private readonly committed = new Map<PartitionKey, number>();
  private commitChain: Promise<void> = Promise.resolve();
  private lastCompleted = -Infinity;
  private outageSince: number | undefined;
  private readonly listener: StreamingListener = {
    onBatchCompleted: ({ batchInfo }) => {
      this.rate.onBatchCompleted(batchInfo);
      this.lastCompleted = Math.max(this.lastCompleted, batchInfo.batchTime);
      const keep = Math.max(this.rememberDuration, this.slideDuration);
      for (const t of this.batches.keys()) if (t <= this.lastCompleted - keep) this.batches.delete(t);
    },
  };

  /** Use {@link createDirectKafkaStream} (it validates the options). */
  constructor(ssc: StreamingContext, opts: ResolvedDirectOptions<K, V>) {
    super(ssc);
    this.opts = opts;
    this.rate = new DirectRateController(ssc, this.id);
    this.badRecords = new BadRecordHandler({
      brokers: this.opts.brokers,
      deadLetterTopic: this.opts.deadLetterTopic,
      producer: () => this.conn?.producer,
      logger: ssc.logger,
      sink: (source, reason, error) => {
        ssc.logger.warn(`Bad record skipped from ${source}: ${reason}`);
        this.reportBadRecord(source, reason, error);
      },
    });
  }

  override get kind(): string {
    return 'kafkaDirect';
  }

  /** Records skipped (or dead-lettered) because a decoder rejected them. */
  get badRecordCount(): number {
    return this.badRecords.count;
  }

  /**
   * Called once by `ssc.start()`: connects, checks the topics, and (unless restored from a
   * checkpoint) decides where every partition starts.
   * @throws SluiceError KAFKA_BROKER_UNREACHABLE naming the brokers and topics, KAFKA_TOPIC_NOT_FOUND
   *   naming the missing topics; `ssc.start()` rejects with it.
   */
  override async start(): Promise<void> {
    const kafka = createKafkaClient(this.opts, this.ssc.logger);
    const admin = await connectAdmin(kafka, this.opts);
    let cluster: InternalCluster | undefined;
    let producer: Producer | undefined;
    try {
      cluster = createFetchCluster(kafka);
      await cluster.connect().catch((e: unknown) => Promise.reject(unreachable(this.opts.brokers, this.opts.topics, 'connect the fetch client', e)));
      await cluster.addMultipleTargetTopics(this.opts.topics);
      producer = await connectDeadLetterProducer(kafka, this.opts);
      const offsets = new KafkaOffsets(admin, cluster, this.opts);
      const reader = new RangeReader(cluster, { brokers: this.opts.brokers, maxBytesPerPartition: this.opts.maxBytesPerPartition, maxWaitMs: this.opts.fetchMaxWaitMs, readTimeoutMs: this.opts.readTimeoutMs });
      this.conn = { admin, cluster, producer, offsets, reader };
      await this.initPositions(offsets);
    } catch (e) {
      this.conn = undefined;
      await Promise.all([admin.disconnect(), cluster?.disconnect(), producer?.disconnect()].map((p) => bounded(async () => p, 5000)));
      throw e;
    }
    this.ssc.addStreamingListener(this.listener);
    const at = [...this.next.values()].map((p) => `${p.topic}/${p.partition}@${p.offset}`).join(', ');
    this.ssc.logger.info(`Direct Kafka stream ${this.operatorId} ${this.restored ? 'resumes from the checkpoint' : 'starts'} at ${at}`);
  }

  private async initPositions(offsets: KafkaOffsets): Promise<void> {
    const current = await offsets.fetch();
    const knownTopics = new Set([...this.next.values()].map((p) => p.topic));
    // Partitions of topics the checkpoint knows but it did not have were added since: read them from the start.
    const fresh: PartitionOffsets[] = [];
    for (const [key, p] of current) {
      if (this.next.has(key)) continue;
      if (knownTopics.has(p.topic)) this.next.set(key, { topic: p.topic, partition: p.partition, offset: p.earliest });
      else fresh.push(p);
    }
    for (const [key, offset] of await offsets.starting(fresh)) {
      const p = current.get(key)!;
      this.next.set(key, { topic: p.topic, partition: p.partition, offset });
    }
  }

  /** Called by the engine before generating batch `time`: decides its ranges (kept if restored). */
  override async prepareBatch(time: Time): Promise<void> {
    if (this.batches.has(time)) return;
    const conn = this.connection();
    const latest = await this.latestOffsets(conn, time);
    if (this.batches.has(time)) return;
    for (const [key, p] of latest ?? []) {
      if (this.next.has(key)) continue;
      this.next.set(key, { topic: p.topic, partition: p.partition, offset: p.earliest });
      this.ssc.logger.info(`Direct Kafka stream ${this.operatorId}: new partition ${p.topic}/${p.partition}, read from offset ${p.earliest}`);
    }
    const positions = [...this.next]
      .filter(([, p]) => this.opts.topics.includes(p.topic))
      .map(([key, p]) => {
        const end = latest?.get(key)?.latest ?? p.offset;
        if (end < p.offset) this.ssc.logger.warn(`Direct Kafka stream ${this.operatorId}: ${p.topic}/${p.partition} ends at ${end}, before ${p.offset} (log truncated?)`);
        return { topic: p.topic, partition: p.partition, from: p.offset, latest: end };
      });
    const ranges = planRanges(positions, { batchMs: this.slideDuration, maxRatePerPartition: this.opts.maxRatePerPartition, backpressureRate: this.rate.rate });
    this.batches.set(time, ranges);
    for (const r of ranges) this.next.set(partitionKey(r.topic, r.partition), { topic: r.topic, partition: r.partition, offset: r.untilOffset });
  }

  /** Latest offsets, or undefined while no broker answers (then the batch gets empty ranges). */
  private async latestOffsets(conn: Connection, time: Time): Promise<Map<PartitionKey, PartitionOffsets> | undefined> {
    try {
      const latest = await conn.offsets.fetch();
      if (this.outageSince !== undefined) this.ssc.logger.info(`Direct Kafka stream ${this.operatorId}: brokers answer again`);
      this.outageSince = undefined;
      return latest;
    } catch (e) {
      if (!isTransient(e)) throw e;
      const now = Date.now();
      const first = this.outageSince === undefined;
      this.outageSince ??= now;
      if (now - this.outageSince >= this.opts.brokerUnavailableTimeoutMs) {
        throw unreachable(this.opts.brokers, this.opts.topics, `fetch offsets for ${this.opts.brokerUnavailableTimeoutMs} ms (brokerUnavailableTimeoutMs)`, e);
      }
      if (first) this.ssc.logger.warn(`Direct Kafka stream ${this.operatorId}: ${errorMessage(e)}; batches get no new records until a broker answers (batch ${time} ms)`);
      return undefined;
    }
  }

  /** The batch's RDD: partition `i` reads range `i` (see {@link offsetRanges}). */
  override compute(time: Time): RDD<KafkaRecord<K, V>> {
    const ranges = this.batches.get(time) ?? [];
    const rdd = RDD.fromSource<KafkaRecord<K, V>>(this.ssc.rddContext, ranges.length, (p) => this.readRange(ranges[p]!), 'KafkaRDD');
    attachOffsetRanges(rdd as RDD<unknown>, ranges);
    return rdd;
  }

  private async readRange(range: OffsetRange): Promise<KafkaRecord<K, V>[]> {
    if (range.untilOffset <= range.fromOffset) return [];
    const conn = this.connection();
    const raw = await conn.reader.read(range);
    const { records, rejected } = decodeMessages(range.topic, range.partition, raw, this.opts.keyDecoder, this.opts.valueDecoder);
    await this.badRecords.handle(rejected);
    return records;
  }

  override inputInfo(time: Time): StreamInputInfo | undefined {
    const ranges = this.batches.get(time);
    if (ranges === undefined) return undefined;
    const nonEmpty = ranges.filter((r) => rangeCount(r) > 0);
    return {
      streamId: this.id,
      numRecords: ranges.reduce((n, r) => n + rangeCount(r), 0),
      metadata: { offsets: ranges.map((r) => ({ ...r })), Description: nonEmpty.map(formatRange).join('\n') },
    };
  }

  override checkpointState(): unknown {
    return encodeDirectState({ batches: this.batches, next: this.next });
  }

  override restoreCheckpointState(state: unknown): void {
    const restored = decodeDirectState(state, this.operatorId);
    this.batches.clear();
    for (const [t, ranges] of restored.batches) this.batches.set(t, ranges);
    this.next = restored.next;
    this.restored = true;
  }

  /**
   * Commits the end of `ranges` to the consumer group `groupId` (Spark's `commitAsync`), after your
   * output for them succeeded. Commits run one at a time, in call order; a partition is never moved
   * back. Resolves once Kafka has the offsets.
   * @throws SluiceError INVALID_OPTION without a `groupId`; INVALID_STATE when the stream is not
   *   running; KAFKA_COMMIT_FAILED (retriable).
   */
  commitOffsets(ranges: readonly OffsetRange[]): Promise<void> {
    const groupId = this.opts.groupId;
    if (groupId === undefined) return Promise.reject(new SluiceError('INVALID_OPTION', 'commitOffsets: the direct Kafka stream has no groupId option to commit to'));
    const run = async (): Promise<void> => {
      const fresh = ranges.filter((r) => r.untilOffset > (this.committed.get(partitionKey(r.topic, r.partition)) ?? -1));
      if (fresh.length === 0) return;
      await this.connection().offsets.commit(groupId, fresh);
      for (const r of fresh) {
        const key = partitionKey(r.topic, r.partition);
        this.committed.set(key, Math.max(this.committed.get(key) ?? -1, r.untilOffset));
      }
    };
    const result = this.commitChain.then(run);
    this.commitChain = result.catch(() => undefined);
    return result;
  }

  /** Called once when the context stops: closes the connections (bounded, never rejects). */
  override async stop(): Promise<void> {
    this.ssc.removeStreamingListener(this.listener);
    const conn = this.conn;
    this.conn = undefined;
    if (!conn) return;
    await this.commitChain;
    await Promise.all([bounded(() => conn.admin.disconnect(), 10_000), bounded(() => conn.cluster.disconnect(), 10_000), bounded(async () => conn.producer?.disconnect(), 10_000)]);
  }

  private connection(): Connection {
    if (this.conn === undefined) throw new SluiceError('INVALID_STATE', `The direct Kafka stream ${this.operatorId} is not running (not started yet, or stopped)`);
    return this.conn;
  }
}

/**
 * A direct Kafka stream (Spark's `KafkaUtils.createDirectStream`): no receiver; each batch reads an
 * exact offset range per partition, decided before the batch and saved in the checkpoint.
 * @throws SluiceError INVALID_OPTION naming the first bad option.
 * @example
 * ```ts
 * import { Seconds, StreamingContext } from '@sluice/core';
 * import { createDirectKafkaStream } from '@sluice/kafka';
 * const ssc = new StreamingContext({ batchInterval: Seconds(1) });
 * createDirectKafkaStream(ssc, { brokers: ['localhost:9092'], topics: ['logs'], startingOffsets: 'earliest' })
 *   .map((r) => r.value).saveAsTextFiles('/tmp/logs');
 * await ssc.start();
 * ```
 */
export function createDirectKafkaStream<K = string, V = string>(ssc: StreamingContext, opts: DirectKafkaStreamOptions<K, V>): DirectKafkaInputDStream<K, V> {
  if (!(ssc instanceof StreamingContext)) throw new SluiceError('INVALID_OPTION', 'createDirectKafkaStream(ssc, opts): ssc must be a StreamingContext');
  return new DirectKafkaInputDStream<K, V>(ssc, resolveDirectOptions(opts));
}

/**
 * Commits the end of `ranges` to the stream's consumer group after your output succeeded (Spark's
 * `stream.asInstanceOf[CanCommitOffsets].commitAsync(ranges)`); see
 * {@link DirectKafkaInputDStream.commitOffsets}.
 */
export function commitOffsets<K, V>(stream: DirectKafkaInputDStream<K, V>, ranges: readonly OffsetRange[]): Promise<void> {
  return stream.commitOffsets(ranges);
}
