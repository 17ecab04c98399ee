/**
 * Counts bad input and reports each one to listeners (`onBadRecord`, through
 * `Receiver.reportBadRecord`), while the log gets at most `maxLogsPerSecond` lines a second: what
 * is held back is summarised in the next line, or by a summary within a second.
 */
import type { Logger } from '@sluice/core';

export interface BadRecordSink {
  reportBadRecord(reason: string, error?: unknown, source?: string): void;
}

export class BadInputReporter {
  private total = 0;
  private windowStart = -1;
  private inWindow = 0;
  private held = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: BadRecordSink,
    private readonly logger: Logger,
    private readonly maxLogsPerSecond = 100,
  ) {}

  /** Bad inputs counted so far. */
  get count(): number {
    return this.total;
  }

  /** Counts one bad input from `source`, reports it to listeners, logs it unless throttled. Never throws. */
  report(source: string, error: Error): void {
    this.total++;
    try {
      this.sink.reportBadRecord(error.message, error, source);
    } catch {
      // Reporting must never break a connection (e.g. the receiver stopped meanwhile).
    }
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.maxLogsPerSecond) {
      this.held++;
      this.timer ??= setTimeout(() => this.flush(), 1000).unref();
      return;
    }
    this.inWindow++;
    const more = this.held > 0 ? ` (and ${this.held} more not logged)` : '';
    this.held = 0;
    this.logger.warn(`Bad record from ${source}: ${error.message}${more}`);
  }

  /** Logs how many were held back, if any. Called by a timer and on stop. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held === 0) return;
    this.logger.warn(`Bad record: ${this.held} more rejected and reported to listeners, not logged`);
    this.held = 0;
  }
}
