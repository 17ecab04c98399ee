/**
 * A reliable receiver for the chaos test: reads `<seq>` lines from a producer over TCP, stores them
 * with storeBatch (durable in the write-ahead log when it resolves), then acknowledges the highest
 * sequence number stored. The producer forgets an item only once it is acknowledged, and resends
 * everything after the last acknowledgement to a new connection.
 */
import { createConnection, type Socket } from 'node:net';
import { Receiver } from '@sluice/core';

export class AckingReceiver extends Receiver<string> {
  private socket: Socket | undefined;
  private pending: string[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly port: number) {
    super({ name: 'acking' });
  }

  onStart(): void {
    let rest = '';
    const socket = createConnection({ host: '127.0.0.1', port: this.port });
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      this.pending.push(...lines.filter((l) => l.length > 0));
    });
    socket.on('error', (e) => this.restart('producer connection failed', e, 200));
    socket.on('close', () => this.restart('producer connection closed', undefined, 200));
    this.timer = setInterval(() => this.flush(), 50);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const items = this.pending.splice(0);
    const socket = this.socket;
    this.flushing = this.flushing.then(async () => {
      try {
        await this.storeBatch(items);
        socket?.write(`ack ${items[items.length - 1]}\n`);
      } catch {
        socket?.destroy(); // not stored: the producer resends after the last acknowledgement
      }
    });
  }

  async onStop(): Promise<void> {
    clearInterval(this.timer);
    this.socket?.removeAllListeners('close');
    this.socket?.destroy();
    await this.flushing;
  }
}
