/**
 * Reads exactly one offset range of one partition with Fetch requests to the partition's leader
 * (see kafkajs-internals.ts for why not a group consumer). Stateless between calls, so any number
 * of tasks may read at once through one cluster connection, and a retried task simply reads again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RawMessage } from './decoders.js';
import { errorMessage, isTransient, isUnknownTopic, kafkaError } from './errors.js';
import { READ_COMMITTED, filterAbortedMessages, type FetchedPartitionData, type InternalCluster } from './kafkajs-internals.js';
import { formatRange, type OffsetRange } from './offset-range.js';

export interface RangeReaderOptions {
  /** For messages: the bootstrap brokers. */
  readonly brokers: readonly string[];
  /** Bytes per Fetch request for the partition (the broker sends at least one record batch). */
  readonly maxBytesPerPartition: number;
  /** How long the broker may hold a Fetch when it has nothing yet, ms. */
  readonly maxWaitMs: number;
  /** How long one read may take in all, broker restarts and leader moves included, ms. */
  readonly readTimeoutMs: number;
}

interface Step {
  readonly messages: readonly RawMessage[];
  /** The offset to fetch next; equal to the fetch offset when the broker had nothing there. */
  readonly next: number;
}

const isOutOfRange = (e: unknown): boolean => (e as { type?: unknown } | undefined)?.type === 'OFFSET_OUT_OF_RANGE';

export class RangeReader {
  constructor(
    private readonly cluster: InternalCluster,
    private readonly opts: RangeReaderOptions,
  ) {}

  /**
   * The records of `range` in offset order (control records and aborted transactions left out, so
   * there may be fewer than `until - from`). Network failures, broker restarts and leader changes
   * are retried with backoff for up to `readTimeoutMs`.
   * @throws SluiceError KAFKA_OFFSET_OUT_OF_RANGE when the broker no longer (or not yet) has
   *   `from` (e.g. deleted by retention); KAFKA_FETCH_FAILED (retriable) when the range could not
   *   be read completely in time.
   */
  async read(range: OffsetRange): Promise<RawMessage[]> {
    const out: RawMessage[] = [];
    const { untilOffset } = range;
    const deadline = Date.now() + this.opts.readTimeoutMs;
    let offset = range.fromOffset;
    let delay = 100;
    while (offset < untilOffset) {
      let step: Step;
      try {
        step = await this.fetchOnce(range.topic, range.partition, offset);
      } catch (e) {
        if (isOutOfRange(e)) {
          throw kafkaError(
            'KAFKA_OFFSET_OUT_OF_RANGE',
            `Cannot read ${formatRange(range)} from ${this.opts.brokers.join(', ')}: offset ${offset} is out of range (deleted by retention, or the log was truncated)`,
            e,
          );
        }
        if (!isTransient(e) && !isUnknownTopic(e)) throw this.failed(range, offset, e);
        if (Date.now() + delay > deadline) throw this.failed(range, offset, e);
        await this.refreshMetadata(deadline);
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
        continue;
      }
      for (const m of step.messages) {
        if (Number(m.offset) >= untilOffset) break;
        out.push(m);
      }
      if (step.next > offset) {
        offset = step.next;
        delay = 100;
      } else if (Date.now() > deadline) {
        throw this.failed(range, offset, new Error(`the broker returned no records at offset ${offset} (high watermark below the range's end)`));
      }
    }
    return out;
  }

  private failed(range: OffsetRange, offset: number, cause: unknown): Error {
    return kafkaError(
      'KAFKA_FETCH_FAILED',
      `Could not read ${formatRange(range)} from ${this.opts.brokers.join(', ')} within ${this.opts.readTimeoutMs} ms (stopped at offset ${offset}): ${errorMessage(cause)}`,
      cause,
    );
  }

  /** Refreshes cluster metadata (leaders may have moved), giving up at `deadline`. Never rejects. */
  private async refreshMetadata(deadline: number): Promise<void> {
    const refresh = this.cluster.refreshMetadata().catch(() => undefined);
    const wait = Math.max(0, deadline - Date.now());
    await Promise.race([refresh, sleep(wait, undefined, { ref: false })]);
  }

  private async fetchOnce(topic: string, partition: number, offset: number): Promise<Step> {
    await this.cluster.refreshMetadataIfNecessary();
    const nodeId = Object.keys(this.cluster.findLeaderForPartitions(topic, [partition]))[0];
    if (nodeId === undefined) throw kafkaError('KAFKA_FETCH_FAILED', `no leader is known for ${topic}/${partition}`);
    const broker = await this.cluster.findBroker({ nodeId });
    const fetchOffset = String(offset);
    const { responses } = await broker.fetch({
      maxWaitTime: this.opts.maxWaitMs,
      minBytes: 1,
      maxBytes: this.opts.maxBytesPerPartition,
      isolationLevel: READ_COMMITTED,
      topics: [{ topic, partitions: [{ partition, fetchOffset, maxBytes: this.opts.maxBytesPerPartition }] }],
    });
    const data = responses.find((r) => r.topicName === topic)?.partitions.find((p) => p.partition === partition);
    return data === undefined ? { messages: [], next: offset } : filterFetched(offset, data);
  }
}

/**
 * The readable records of one fetched partition, and the offset to fetch next (what kafkajs's
 * `Batch` does): records before the fetch offset (a compressed record batch starts before it) are
 * dropped, then records of aborted transactions and control records. `next` is past every record
 * returned, control and aborted ones included; a response whose records all lie before the fetch
 * offset (compaction) moves on by one.
 */
export function filterFetched(offset: number, data: FetchedPartitionData): Step {
  const raw = data.messages;
  let start = 0;
  while (start < raw.length && Number(raw[start]!.offset) < offset) start++;
  const within = start === 0 ? raw : raw.slice(start);
  const next = within.length > 0 ? Number(within[within.length - 1]!.offset) + 1 : raw.length > 0 ? offset + 1 : offset;
  let messages = within;
  if (data.abortedTransactions.length > 0) messages = filterAbortedMessages()({ messages, abortedTransactions: data.abortedTransactions });
  if (messages.some((m) => m.isControlRecord === true)) messages = messages.filter((m) => m.isControlRecord !== true);
  return { messages, next };
}
