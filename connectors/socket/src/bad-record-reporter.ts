/**
 * Counts skipped bad records and reports them to listeners (`onBadRecord`, through the receiver's
 * `reportBadRecord`) and the context's logger. Reports are throttled to `maxPerSecond` so a flood
 * of bad input cannot flood the listener bus: the rest are counted and summarised in the next report.
 */
import type { Logger, SluiceError } from '@sluice/core';

export interface BadRecordSink {
  reportBadRecord(reason: string, error?: unknown, source?: string): void;
}

export class BadRecordReporter {
  private total = 0;
  private windowStart = -1;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly sink: BadRecordSink,
    private readonly logger: Logger,
    private readonly maxPerSecond = 100,
  ) {}

  /** Bad records skipped so far. */
  get count(): number {
    return this.total;
  }

  /** Counts one bad record from `source` and reports it unless throttled. Never throws. */
  report(source: string, reason: string, error: SluiceError): void {
    this.total++;
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.maxPerSecond) {
      this.suppressed++;
      return;
    }
    this.inWindow++;
    const more = this.suppressed > 0 ? ` (and ${this.suppressed} more skipped without a report)` : '';
    this.suppressed = 0;
    try {
      this.logger.warn(`Bad record skipped from ${source}: ${reason}${more}`);
      this.sink.reportBadRecord(`${reason}${more}`, error, source);
    } catch {
      // Reporting must never break the connection (e.g. a receiver stopped meanwhile).
    }
  }
}
