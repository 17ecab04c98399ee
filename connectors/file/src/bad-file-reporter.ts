/**
 * Reports a skipped file to the context's logger and to listeners (onBadRecord).
 *
 * STOPGAP: core has no public call for an input stream to report a bad record yet, so this posts
 * on the context's listener bus, which core marks internal. Replace the body with the public call
 * (proposed: `InputDStream.reportBadRecord(source, reason, error?)`) once it exists.
 */
import type { SluiceError, StreamingContext } from '@sluice/core';

export function reportBadFile(ssc: StreamingContext, streamId: number, source: string, error: SluiceError): void {
  ssc.logger.warn(`Bad file skipped from ${source}: ${error.message}`);
  ssc.bus.post({ type: 'onBadRecord', payload: { badRecord: { streamId, source, reason: error.message, error } } });
}
