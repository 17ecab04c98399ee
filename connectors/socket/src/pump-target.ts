/**
 * What the socket receivers give their pumps: every record, or chunk of records kept as bytes, is
 * counted and stored through the receiver; bad records are counted and reported.
 */
import type { Receiver, SluiceError } from '@sluice/core';
import type { BadRecordReporter } from './bad-record-reporter.js';
import type { PumpTarget } from './socket-pump.js';
import type { SocketStats } from './stats.js';

export function pumpTargetOf<T>(
  receiver: Receiver<T>,
  stats: SocketStats,
  reporter: BadRecordReporter,
  decoderFailed: (source: string, error: SluiceError) => void,
): PumpTarget<T> {
  const counted = (more: boolean): boolean => {
    if (!more) stats.pauses++;
    return more;
  };
  return {
    store: (r) => {
      stats.records++;
      return counted(receiver.store(r));
    },
    storeChunk: (bytes, count) => {
      stats.records += count;
      return counted(receiver.storeBytes(bytes, count));
    },
    ready: () => receiver.ready(),
    isStopped: () => receiver.isStopped(),
    bad: (source, reason, error) => {
      stats.badRecords++;
      reporter.report(source, reason, error);
    },
    countBytes: (n) => (stats.bytesReceived += n),
    decoderFailed,
  };
}
