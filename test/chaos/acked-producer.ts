/**
 * The producer side of the chaos test: serves items 1..total as `<seq>` lines to one connection at
 * a time, at a bounded rate, forgetting an item only when the receiver acknowledges it (`ack <seq>`).
 * A new connection gets everything after the last acknowledgement again.
 */
import { createServer, type Server, type Socket } from 'node:net';

export class AckedProducer {
  acked = 0;
  private server: Server;
  private current: Socket | undefined;

  constructor(
    private readonly total: number,
    private readonly perTick = 20,
    private readonly tickMs = 20,
  ) {
    this.server = createServer((socket) => this.serve(socket));
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as { port: number }).port)));
  }

  private serve(socket: Socket): void {
    this.current?.destroy();
    this.current = socket;
    let next = this.acked + 1;
    let rest = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const l of lines) {
        const m = /^ack (\d+)$/.exec(l);
        if (m) this.acked = Math.max(this.acked, Number(m[1]));
      }
    });
    socket.on('error', () => {});
    const timer = setInterval(() => {
      if (socket.destroyed) return clearInterval(timer);
      let chunk = '';
      for (let i = 0; i < this.perTick && next <= this.total; i++) chunk += `${next++}\n`;
      if (chunk) socket.write(chunk);
    }, this.tickMs);
    socket.once('close', () => clearInterval(timer));
  }

  close(): Promise<void> {
    this.current?.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
