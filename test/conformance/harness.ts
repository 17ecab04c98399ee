/**
 * Small helpers shared by the conformance suite and connector tests: bounded waits and output
 * collectors. Every wait has a timeout and fails with what it was waiting for.
 */
import type { DStream, StreamingContext, StreamingListener } from '@sluice/core';

/**
 * Polls `cond` every `intervalMs` until it returns true; rejects after `timeoutMs` with an error
 * naming `what` (and `detail()` if given, e.g. what was received so far).
 */
export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string, detail?: () => string, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${detail()}` : ''}`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Registers an output operation that appends every record of every batch to the returned array. */
export function collect<T>(stream: DStream<T>): T[] {
  const out: T[] = [];
  stream.foreachRDD(async (rdd) => {
    out.push(...(await rdd.collect()));
  }, 'conformance.collect');
  return out;
}

/** What listeners saw about bad input and receiver errors. */
export interface ReportLog {
  /** onBadRecord events (reason of each). */
  badRecords: string[];
  /** onReceiverError events (lastErrorMessage of each). */
  receiverErrors: string[];
  /** Bad-record reports through either channel (receivers report through receiverError until core has a bad-record call). */
  readonly badReports: number;
}

export function listenForReports(ssc: StreamingContext): ReportLog {
  const log = {
    badRecords: [] as string[],
    receiverErrors: [] as string[],
    get badReports(): number {
      return log.badRecords.length;
    },
  };
  const listener: StreamingListener = {
    onBadRecord: ({ badRecord }) => void log.badRecords.push(badRecord.reason),
    onReceiverError: ({ receiverInfo }) => void log.receiverErrors.push(receiverInfo.lastErrorMessage),
  };
  ssc.addStreamingListener(listener);
  return log;
}

/** Counts of each value. */
export function multiset<T>(items: readonly T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}
