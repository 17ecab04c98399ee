/**
 * The reliable Kafka receiver (Spark's `ReliableKafkaReceiver`): a kafkajs consumer group inside a
 * Receiver. Each fetched batch of one partition becomes one block through `storeBatch`; only once
 * that resolves (with the write-ahead log on: once the block is durable) is the batch's offset
 * committed. Auto-commit is never used, so killing the process at any moment loses nothing:
 * uncommitted records are read again (at least once).
 *
 * Rebalances: heartbeats go on while a batch waits to be stored; once a rebalance is under way no
 * further batch is stored, the batch being stored finishes and is committed (Kafka accepts commits
 * while the group prepares to rebalance), then the consumer rejoins. A batch of a partition that is
 * no longer assigned is dropped unstored (its new owner reads it from the committed offset).
 */
import type { Consumer, EachBatchPayload, Producer } from 'kafkajs';
import { Receiver, type Logger } from '@sluice/core';
import { BadRecordHandler } from './bad-records.js';
import { bounded, connectAdmin, connectDeadLetterProducer, createKafkaClient } from './client.js';
import { decodeMessages, type KafkaRecord, type RawMessage } from './decoders.js';
import { errorMessage, kafkaError, unreachable } from './errors.js';
import type { ResolvedReceiverOptions } from './receiver-config.js';

const REBALANCING = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION']);
const isRebalancing = (e: unknown): boolean => REBALANCING.has(String((e as { type?: unknown } | undefined)?.type));

export class KafkaReceiver<K = string, V = string> extends Receiver<KafkaRecord<K, V>> {
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  /** Incremented by every onStart and onStop: callbacks of an older consumer see a different value and do nothing. */
  private session = 0;
  private assignment = new Map<string, ReadonlySet<number>>();
  /** kafkajs announced a rejoin: store nothing until the group is joined again. */
  private rejoining = false;
  /** A heartbeat failed because the group rebalances: finish the current batch, then rethrow this. */
  private rebalance: unknown;
  private joins = 0;
  private readonly badRecords: BadRecordHandler;

  constructor(
    private readonly opts: ResolvedReceiverOptions<K, V>,
    private readonly logger: Logger,
  ) {
    super({ name: opts.name });
    this.badRecords = new BadRecordHandler({
      brokers: opts.brokers,
      deadLetterTopic: opts.deadLetterTopic,
      producer: () => this.producer,
      logger,
      sink: (source, reason, error) => {
        this.logger.warn(`Bad record skipped from ${source}: ${reason}`);
        this.reportBadRecord(reason, error, source);
      },
    });
  }

  /** Times this receiver's consumer joined its group (1 after the first join; +1 per rebalance). */
  get groupJoins(): number {
    return this.joins;
  }

  /** Partitions assigned to this receiver now, by topic. */
  get assignedPartitions(): ReadonlyMap<string, ReadonlySet<number>> {
    return this.assignment;
  }

  /** Records skipped (or dead-lettered) because a decoder rejected them. */
  get badRecordCount(): number {
    return this.badRecords.count;
  }

  /**
   * Connects, checks that the topics exist, subscribes and starts consuming in the background.
   * @throws SluiceError KAFKA_BROKER_UNREACHABLE or KAFKA_TOPIC_NOT_FOUND (naming brokers and
   *   topics): the supervisor reports it and restarts the receiver with backoff.
   */
  async onStart(): Promise<void> {
    const session = ++this.session;
    const { groupId, topics, brokers } = this.opts;
    const kafka = createKafkaClient(this.opts, this.logger);
    const admin = await connectAdmin(kafka, this.opts);
    await bounded(() => admin.disconnect(), 5000);
    this.producer = await connectDeadLetterProducer(kafka, this.opts);
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: this.opts.sessionTimeout,
      heartbeatInterval: this.opts.heartbeatInterval,
      rebalanceTimeout: this.opts.rebalanceTimeout,
      maxBytesPerPartition: this.opts.maxBytesPerPartition,
      maxWaitTimeInMs: this.opts.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      retry: { ...this.opts.retry, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    this.assignment = new Map();
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (session !== this.session) return;
      this.assignment = new Map(Object.entries(payload.memberAssignment).map(([t, ps]) => [t, new Set(ps)]));
      this.rejoining = false;
      this.rebalance = undefined;
      this.joins++;
      const parts = [...this.assignment].map(([t, ps]) => `${t}[${[...ps].join(',')}]`).join(' ');
      this.logger.info(`Kafka receiver ${this.name} joined group ${groupId} (generation ${this.joins}): ${parts || 'no partitions'}`);
    });
    consumer.on(consumer.events.REBALANCING, () => {
      if (session === this.session) this.rejoining = true;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (session !== this.session || this.isStopped()) return;
      const error = kafkaError('KAFKA_CONSUMER_FAILED', `The consumer of group ${groupId} (topics ${topics.join(', ')}) at ${brokers.join(', ')} failed: ${errorMessage(payload.error)}`, payload.error);
      this.restart('The Kafka consumer failed', error);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: this.opts.fromBeginning });
    } catch (e) {
      await bounded(() => consumer.disconnect(), 5000);
      throw unreachable(brokers, topics, `subscribe group ${groupId}`, e);
    }
    consumer
      .run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.onBatch(session, payload),
      })
      .catch((e: unknown) => {
        if (session === this.session && !this.isStopped()) this.restart('The Kafka consumer could not start', e);
      });
  }

  /** Leaves the group and closes the connections (bounded by the rebalance timeout). */
  async onStop(): Promise<void> {
    this.session++;
    const consumer = this.consumer;
    const producer = this.producer;
    this.consumer = undefined;
    this.producer = undefined;
    if (consumer) await bounded(() => consumer.disconnect(), this.opts.rebalanceTimeout);
    if (producer) await bounded(() => producer.disconnect(), 10_000);
  }

  private mayStore(session: number, topic: string, partition: number): boolean {
    return session === this.session && !this.isStopped() && !this.rejoining && (this.assignment.get(topic)?.has(partition) ?? false);
  }

  /** One fetched batch of one partition: decode, store as one block, then commit. */
  private async onBatch(session: number, payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    if (this.rebalance !== undefined && session === this.session) throw this.rebalance;
    if (!this.mayStore(session, topic, partition) || !isRunning() || isStale()) return;
    const lastOffset = batch.lastOffset();
    const next = Number(lastOffset) + 1;
    // kafkajs types headers for producing too (string values); consumed header values are Buffers.
    const messages = batch.messages as unknown as readonly RawMessage[];
    const { records, rejected } = decodeMessages(topic, partition, messages, this.opts.keyDecoder, this.opts.valueDecoder);
    try {
      await this.withHeartbeats(heartbeat, async () => {
        await this.badRecords.handle(rejected);
        const first = records[0];
        if (first !== undefined) await this.storeBatch(records, { topic, partition, fromOffset: first.offset, untilOffset: next });
      });
    } catch (e) {
      // Stopping (STOPPED): leave the offsets uncommitted; the records come again after a restart.
      if (this.isStopped() || session !== this.session) return;
      this.restart(`Could not store records of ${topic}/${partition} from offset ${batch.firstOffset()}`, e);
      return;
    }
    resolveOffset(lastOffset);
    try {
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: String(next) }] }] });
    } catch (e) {
      if (isRebalancing(e)) throw e;
      this.logger.warn(`Kafka receiver ${this.name}: could not commit ${topic}/${partition}@${next} (a later commit covers it): ${errorMessage(e)}`);
    }
    if (this.rebalance !== undefined) throw this.rebalance;
  }

  /** Runs `fn` while heartbeating, so a long wait in storeBatch never costs the group membership. */
  private async withHeartbeats<T>(heartbeat: () => Promise<void>, fn: () => Promise<T>): Promise<T> {
    const beat = (): void => {
      heartbeat().catch((e: unknown) => {
        if (isRebalancing(e)) this.rebalance ??= e;
        else this.logger.debug(`Kafka receiver ${this.name}: heartbeat failed: ${errorMessage(e)}`);
      });
    };
    const timer = setInterval(beat, Math.max(100, Math.floor(this.opts.heartbeatInterval / 2)));
    try {
      return await fn();
    } finally {
      clearInterval(timer);
    }
  }
}
