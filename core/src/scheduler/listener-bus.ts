/**
 * Delivers listener events asynchronously and in order, so a slow or failing listener never
 * delays a batch.
 */
import type { StreamingListener, StreamingListenerEvent } from './listener.js';
import type { Logger } from '../util/logger.js';

export class ListenerBus {
  private readonly listeners: StreamingListener[] = [];
  private queue: StreamingListenerEvent[] = [];
  private scheduled = false;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly logger: Logger) {}

  add(listener: StreamingListener): void {
    this.listeners.push(listener);
  }

  remove(listener: StreamingListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  post(event: StreamingListenerEvent): void {
    if (this.listeners.length === 0) return;
    this.queue.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.deliver());
    }
  }

  private deliver(): void {
    const events = this.queue;
    this.queue = [];
    this.scheduled = false;
    for (const event of events) {
      for (const l of this.listeners) {
        const fn = l[event.type] as ((p: unknown) => void) | undefined;
        if (!fn) continue;
        try {
          fn.call(l, event.payload);
        } catch (e) {
          this.logger.warn(`A StreamingListener threw in ${event.type}: ${(e as Error)?.stack ?? String(e)}`);
        }
      }
    }
    if (this.queue.length === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves once every event posted so far has been delivered. */
  drain(): Promise<void> {
    if (!this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }
}
