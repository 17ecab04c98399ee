/**
 * The input streams the Flume factories return: receiver streams that also expose their receiver's
 * counters (and, for push, the server's address).
 */
import type { AddressInfo } from 'node:net';
import { ReceiverInputDStream, type Receiver, type StreamingContext } from '@sluice/core';
import type { FlumeEvent } from './event.js';
import type { FlumePollingReceiver } from './polling-receiver.js';
import type { FlumePushReceiver } from './push-receiver.js';
import type { PollingStats, PushStats } from './stats.js';

/** A stream of the events Flume avro sinks push to our server (createFlumeStream). */
export class FlumeInputDStream extends ReceiverInputDStream<FlumeEvent> {
  constructor(
    ssc: StreamingContext,
    private readonly receiver: FlumePushReceiver,
  ) {
    super(ssc);
  }

  override get kind(): string {
    return 'flumeStream';
  }

  getReceiver(): Receiver<FlumeEvent> {
    return this.receiver;
  }

  /** The server's counters: connections, requests, events, OK/FAILED answers, bad inputs. */
  get stats(): Readonly<PushStats> {
    return this.receiver.stats;
  }

  /** The bound address once the server has listened (after `ssc.start()`), else undefined. */
  address(): AddressInfo | undefined {
    return this.receiver.address();
  }

  /**
   * Resolves with the bound address once the server listens; rejects after `timeoutMs` (default
   * 10 s). With port 0, start the Flume agent (whose sink needs the port) after this.
   */
  async listening(timeoutMs = 10_000): Promise<AddressInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`createFlumeStream did not listen within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.receiver.listening(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A stream of the events polled from SparkSinks (createFlumePollingStream). */
export class FlumePollingInputDStream extends ReceiverInputDStream<FlumeEvent> {
  constructor(
    ssc: StreamingContext,
    private readonly receiver: FlumePollingReceiver,
  ) {
    super(ssc);
  }

  override get kind(): string {
    return 'flumePollingStream';
  }

  getReceiver(): Receiver<FlumeEvent> {
    return this.receiver;
  }

  /** The pollers' counters: batches, events, acks, nacks, error batches, reconnects. */
  get stats(): Readonly<PollingStats> {
    return this.receiver.stats;
  }

  /**
   * Called by the context before receivers start. When restoring with the write-ahead log, hands
   * the sequence numbers of the recovered blocks to the receiver, which acks them before polling.
   */
  override start(): void {
    this.receiver.ackRecovered(this.recoveredBlocks().flatMap((b) => (b.meta === undefined ? [] : [b.meta])));
  }
}
