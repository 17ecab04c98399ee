/**
 * Sums the self time of a V8 .cpuprofile (node --cpu-prof) by where it was spent: avsc (the pull
 * client's decoding), @sluice/flume, @sluice/core, the benchmark's closures, Node internals, GC and
 * idle. Native frames count for the nearest caller with a source file.
 */
import { summarizeProfile as summarize, type ProfileSummary } from '../common/cpu-profile.js';

export type { ProfileSummary };

export function flumeArea(url: string): string {
  if (url.includes('node_modules/avsc')) return 'avsc: Avro decoding, IPC channel (pull client)';
  if (url.includes('connectors/flume/src')) return '@sluice/flume: framing, Avro decoding (push), pollers';
  if (url.includes('core/src/storage')) return '@sluice/core: write-ahead log';
  if (url.includes('core/src')) return '@sluice/core: engine (blocks, batches, tasks)';
  if (url.includes('bench/flume')) return 'benchmark: the map, filter and count closures';
  if (url.startsWith('node:')) return 'Node.js internals (streams, sockets, fs, timers)';
  return 'other';
}


/** The profile at `path`, by flume benchmark area. */
export function summarizeProfile(path: string, top = 12): ProfileSummary {
  return summarize(path, flumeArea, top);
}
