/**
 * What happens to records a decoder rejects: each is counted and reported with its topic, partition
 * and offset (throttled, so a flood of bad input cannot flood the listeners), then skipped, or
 * first written to the dead-letter topic when one is set. The caller acknowledges the batch only
 * after {@link BadRecordHandler.handle} resolved, so a dead letter is never lost.
 */
import type { Producer, IHeaders } from 'kafkajs';
import { SluiceError, type Logger } from '@sluice/core';
import type { RejectedRecord } from './decoders.js';
import { errorMessage, kafkaError } from './errors.js';

/** Receives each (unthrottled) report; `source` is `kafka <topic>/<partition>@<offset>`. */
export type BadRecordSink = (source: string, reason: string, error: SluiceError) => void;

export interface BadRecordHandlerOptions {
  readonly brokers: readonly string[];
  readonly deadLetterTopic: string | undefined;
  /** The connected dead-letter producer (asked at each call: it may be replaced on restart). */
  readonly producer: () => Producer | undefined;
  readonly sink: BadRecordSink;
  readonly logger: Logger;
  /** Reports per second before the rest are only counted (and summed up in the next report). Default 100. */
  readonly maxReportsPerSecond?: number;
}

export class BadRecordHandler {
  private total = 0;
  private windowStart = -1;
  private inWindow = 0;
  private suppressed = 0;

  constructor(private readonly opts: BadRecordHandlerOptions) {}

  /** Bad records seen so far. */
  get count(): number {
    return this.total;
  }

  /**
   * Reports `rejected` and, with a dead-letter topic, writes them there (acks from all in-sync
   * replicas) before resolving. Resolves at once for an empty list.
   * @throws SluiceError KAFKA_DEAD_LETTER_FAILED (retriable) when the dead letters could not be
   *   written: do not acknowledge the batch, so the records come again.
   */
  async handle(rejected: readonly RejectedRecord[]): Promise<void> {
    if (rejected.length === 0) return;
    const dlq = this.opts.deadLetterTopic;
    for (const r of rejected) {
      const reason = `the ${r.field} was rejected by its decoder: ${errorMessage(r.error)}${dlq ? ` (sent to dead-letter topic ${dlq})` : ''}`;
      const error = new SluiceError('KAFKA_DECODE_FAILED', `Could not decode the ${r.field} of kafka ${r.topic}/${r.partition}@${r.offset}: ${errorMessage(r.error)}`, { cause: r.error });
      this.report(`kafka ${r.topic}/${r.partition}@${r.offset}`, reason, error);
    }
    if (dlq !== undefined) await this.deadLetter(dlq, rejected);
  }

  private report(source: string, reason: string, error: SluiceError): void {
    this.total++;
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= (this.opts.maxReportsPerSecond ?? 100)) {
      this.suppressed++;
      return;
    }
    this.inWindow++;
    const more = this.suppressed > 0 ? ` (and ${this.suppressed} more bad records without a report)` : '';
    this.suppressed = 0;
    try {
      this.opts.sink(source, `${reason}${more}`, error);
    } catch (e) {
      this.opts.logger.warn(`Could not report a bad record from ${source}: ${errorMessage(e)}`);
    }
  }

  private async deadLetter(topic: string, rejected: readonly RejectedRecord[]): Promise<void> {
    const producer = this.opts.producer();
    const fail = (cause: unknown): SluiceError =>
      kafkaError('KAFKA_DEAD_LETTER_FAILED', `Could not write ${rejected.length} bad record(s) to dead-letter topic ${topic} at ${this.opts.brokers.join(', ')}: ${errorMessage(cause)}`, cause);
    if (producer === undefined) throw fail(new Error('the dead-letter producer is not connected'));
    const messages = rejected.map((r) => {
      const headers: IHeaders = {};
      for (const [k, v] of Object.entries(r.message.headers ?? {})) if (v !== undefined) headers[k] = v;
      headers['sluice-error'] = `${r.field}: ${errorMessage(r.error)}`;
      headers['sluice-topic'] = r.topic;
      headers['sluice-partition'] = String(r.partition);
      headers['sluice-offset'] = String(r.offset);
      return { key: r.message.key, value: r.message.value, headers, timestamp: r.message.timestamp };
    });
    try {
      await producer.send({ topic, messages, acks: -1 });
    } catch (e) {
      throw fail(e);
    }
  }
}
