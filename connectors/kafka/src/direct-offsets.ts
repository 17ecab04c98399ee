/**
 * The direct stream's view of offsets on the cluster, through a kafkajs admin client: the earliest
 * and latest offset of every partition of the subscribed topics (a metadata refresh each time, so
 * partitions added to a topic show up), the starting positions, and commits to the consumer group.
 */
import type { Admin } from 'kafkajs';
import type { InternalCluster } from './kafkajs-internals.js';
import type { ResolvedDirectOptions } from './direct-config.js';
import { errorMessage, isTransient, isUnknownTopic, kafkaError, topicNotFound, unreachable } from './errors.js';
import type { OffsetRange } from './offset-range.js';

/** `topic:partition` (topic names cannot contain ':'). */
export type PartitionKey = string;

/** Attempts and backoff (x attempt) when a partition's leader is moving. */
const LEADER_RETRIES = 5;
const LEADER_BACKOFF_MS = 200;

/** True when `e` or an error it wraps (kafkajs gives up with a non-retriable wrapper) may pass. */
function transientWithin(e: unknown): boolean {
  let cur: unknown = e;
  for (let i = 0; i < 3 && cur instanceof Error; i++) {
    if (isTransient(cur)) return true;
    cur = (cur as { originalError?: unknown }).originalError ?? (cur as { cause?: unknown }).cause;
  }
  return false;
}

export const partitionKey = (topic: string, partition: number): PartitionKey => `${topic}:${partition}`;

export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  /** The first offset still in the log. */
  readonly earliest: number;
  /** The next offset to be written (the last stable offset: read_committed). */
  readonly latest: number;
}

function toOffset(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw kafkaError('KAFKA_OFFSET_OUT_OF_RANGE', `${what}: offset ${s} is beyond 2^53, which Sluice cannot represent exactly`);
  return n;
}

export class KafkaOffsets {
  constructor(
    private readonly admin: Admin,
    private readonly cluster: InternalCluster,
    private readonly opts: ResolvedDirectOptions<unknown, unknown>,
  ) {}

  /**
   * Earliest and latest offsets of every partition of every subscribed topic, keyed by
   * {@link partitionKey}.
   * @throws SluiceError KAFKA_TOPIC_NOT_FOUND when a topic is gone; KAFKA_BROKER_UNREACHABLE (retriable) otherwise.
   */
  async fetch(): Promise<Map<PartitionKey, PartitionOffsets>> {
    const out = new Map<PartitionKey, PartitionOffsets>();
    // One topic at a time: parallel admin requests on a connection that is not open yet would each
    // open a socket (a kafkajs race; see kafkajs-internals.ts).
    for (const topic of this.opts.topics) {
      let parts: Array<{ partition: number; high: string; low: string }> | undefined;
      // A leader that moved (a broker restarting) answers NOT_LEADER for a moment: like Spark's
      // spark.streaming.kafka.maxRetries with refresh.leader.backoff.ms, ask again a few times.
      for (let attempt = 1; parts === undefined; attempt++) {
        try {
          parts = await this.admin.fetchTopicOffsets(topic);
        } catch (e) {
          if (isUnknownTopic(e)) throw topicNotFound([topic], this.opts.brokers);
          if (attempt >= LEADER_RETRIES || !transientWithin(e)) throw unreachable(this.opts.brokers, [topic], 'fetch the latest offsets', e);
          await new Promise((r) => setTimeout(r, LEADER_BACKOFF_MS * attempt));
        }
      }
      for (const p of parts) {
        const what = `${topic}/${p.partition}`;
        out.set(partitionKey(topic, p.partition), { topic, partition: p.partition, earliest: toOffset(p.low, what), latest: toOffset(p.high, what) });
      }
    }
    return out;
  }

  /**
   * Where each partition starts when the stream starts fresh, per `startingOffsets` and `offsetReset`.
   * @throws SluiceError KAFKA_BROKER_UNREACHABLE when the committed offsets cannot be read.
   */
  async starting(partitions: Iterable<PartitionOffsets>): Promise<Map<PartitionKey, number>> {
    const { startingOffsets, offsetReset, groupId } = this.opts;
    const reset = (p: PartitionOffsets): number => (offsetReset === 'earliest' ? p.earliest : p.latest);
    const out = new Map<PartitionKey, number>();
    let committed = new Map<PartitionKey, number>();
    if (startingOffsets === 'committed' && groupId !== undefined) committed = await this.committed(groupId);
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition);
      let start: number;
      if (startingOffsets === 'earliest') start = p.earliest;
      else if (startingOffsets === 'latest') start = p.latest;
      else if (startingOffsets === 'committed') start = committed.get(key) ?? reset(p);
      else start = startingOffsets[p.topic]?.[p.partition] ?? reset(p);
      out.set(key, start);
    }
    return out;
  }

  private async committed(groupId: string): Promise<Map<PartitionKey, number>> {
    const out = new Map<PartitionKey, number>();
    let answer: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
    try {
      answer = await this.admin.fetchOffsets({ groupId, topics: this.opts.topics });
    } catch (e) {
      throw unreachable(this.opts.brokers, this.opts.topics, `read the committed offsets of group ${groupId}`, e);
    }
    for (const { topic, partitions } of answer) {
      for (const { partition, offset } of partitions) {
        const n = Number(offset);
        if (n >= 0) out.set(partitionKey(topic, partition), toOffset(offset, `${topic}/${partition}`));
      }
    }
    return out;
  }

  /**
   * Commits the end of `ranges` (the highest `untilOffset` per partition) to `groupId`, as a
   * standalone commit (generation -1, no member id): Kafka accepts it while the group has no members.
   * @throws SluiceError KAFKA_COMMIT_FAILED (retriable) naming the group, brokers and error.
   */
  async commit(groupId: string, ranges: readonly OffsetRange[]): Promise<void> {
    const byTopic = new Map<string, Map<number, number>>();
    for (const r of ranges) {
      const parts = byTopic.get(r.topic) ?? new Map<number, number>();
      parts.set(r.partition, Math.max(parts.get(r.partition) ?? -1, r.untilOffset));
      byTopic.set(r.topic, parts);
    }
    const topics = [...byTopic].map(([topic, parts]) => ({ topic, partitions: [...parts].map(([partition, offset]) => ({ partition, offset: String(offset) })) }));
    try {
      const coordinator = await this.cluster.findGroupCoordinator({ groupId });
      await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', retentionTime: -1, topics });
    } catch (e) {
      throw kafkaError(
        'KAFKA_COMMIT_FAILED',
        `Could not commit offsets of ${[...byTopic.keys()].join(', ')} to group ${groupId} at ${this.opts.brokers.join(', ')}: ${errorMessage(e)} (the group must have no active members: do not share it with a consumer)`,
        e,
      );
    }
  }
}
