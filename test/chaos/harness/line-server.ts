/**
 * A TCP server on 127.0.0.1 that sends records `record(seq)` as lines to whoever connects, at a
 * bounded rate, up to `total`; a new connection continues after the last record written (a socket
 * cannot replay: what a killed reader had not stored is gone).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { record } from './stateful-graph.js';

export class LineServer {
  /** Records written to some connection so far (sequence numbers 0 .. sent - 1). */
  sent = 0;
  /** The first sequence number sent on each connection, in the order they came. */
  readonly connectionStarts: number[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly total: number,
    private readonly perTick = 5,
    private readonly tickMs = 20,
  ) {
    this.server = createServer((socket) => this.serve(socket));
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as { port: number }).port)));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    this.connectionStarts.push(this.sent);
    socket.on('error', () => {});
    const timer = setInterval(() => {
      if (socket.destroyed || this.sent >= this.total) return;
      let chunk = '';
      for (let i = 0; i < this.perTick && this.sent < this.total; i++) chunk += `${record(this.sent++)}\n`;
      socket.write(chunk);
    }, this.tickMs);
    socket.once('close', () => {
      clearInterval(timer);
      this.sockets.delete(socket);
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
