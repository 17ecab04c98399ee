/**
 * Sums the self time of a V8 .cpuprofile (node --cpu-prof) by where it was spent: kafkajs's
 * protocol decoding, the rest of kafkajs, @sluice/kafka, @sluice/core, Node internals, garbage
 * collection and idle. Native frames (Buffer, JSON, string built-ins) count for the nearest caller
 * that has a source file, so UTF-8 decoding called from a decoder counts for the connector.
 */
import { summarizeProfile as summarize, type ProfileSummary } from '../common/cpu-profile.js';

export type { ProfileSummary };

export function kafkaArea(url: string): string {
  if (url.includes('kafkajs/src/protocol')) return 'kafkajs: protocol decoding (record batches, CRC, varints)';
  if (url.includes('kafkajs')) return 'kafkajs: network, requests, other';
  if (url.includes('connectors/kafka/src')) return '@sluice/kafka: range reads, records, decoders';
  if (url.includes('core/src')) return '@sluice/core: engine (batches, tasks, RDD stages)';
  if (url.includes('bench/kafka')) return 'benchmark: the filter and count closures';
  if (url.startsWith('node:')) return 'Node.js internals (streams, sockets, timers)';
  return 'other';
}


/** The profile at `path`, by kafka benchmark area. */
export function summarizeProfile(path: string, top = 12): ProfileSummary {
  return summarize(path, kafkaArea, top);
}
