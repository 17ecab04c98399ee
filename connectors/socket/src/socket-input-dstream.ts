/**
 * The input streams returned by the socket factories: receiver streams that also expose their
 * receiver's counters (and, for the server, its address).
 */
import type { AddressInfo } from 'node:net';
import { ReceiverInputDStream, type Receiver, type StreamingContext } from '@sluice/core';
import type { SocketStats } from './stats.js';
import type { SocketReceiver } from './socket-receiver.js';
import type { SocketServerReceiver } from './socket-server-receiver.js';

/** A stream fed by a TCP client receiver (socketTextStream, socketStream, rawSocketStream). */
export class SocketInputDStream<T> extends ReceiverInputDStream<T> {
  constructor(
    ssc: StreamingContext,
    private readonly receiver: SocketReceiver<T>,
    private readonly kindName: string,
  ) {
    super(ssc);
  }

  override get kind(): string {
    return this.kindName;
  }

  getReceiver(): Receiver<T> {
    return this.receiver;
  }

  /** The receiver's counters: connections, bytes, records, bad records, pauses. */
  get stats(): Readonly<SocketStats> {
    return this.receiver.stats;
  }
}

/** A stream fed by a listening TCP server (socketServerStream). */
export class SocketServerInputDStream<T> extends ReceiverInputDStream<T> {
  constructor(
    ssc: StreamingContext,
    private readonly receiver: SocketServerReceiver<T>,
  ) {
    super(ssc);
  }

  override get kind(): string {
    return 'socketServerStream';
  }

  getReceiver(): Receiver<T> {
    return this.receiver;
  }

  get stats(): Readonly<SocketStats> {
    return this.receiver.stats;
  }

  /** The bound address once the server has listened (after `ssc.start()`), else undefined. */
  address(): AddressInfo | undefined {
    return this.receiver.address();
  }

  /**
   * Resolves with the bound address once the server listens; rejects after `timeoutMs` (default
   * 10 s). Useful with `port: 0`.
   */
  async listening(timeoutMs = 10_000): Promise<AddressInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socketServerStream did not listen within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.receiver.listening(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
