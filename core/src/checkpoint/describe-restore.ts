/** The log line a restore prints: where the state comes from and what runs again. */
import type { CheckpointData } from './checkpoint-file.js';
import type { Time } from '../time.js';

export function describeRestore(cp: CheckpointData, rerun: readonly Time[]): string {
  const states = Object.entries(cp.stateLogs ?? {}).map(([id, ref]) => `'${id}' as of ${ref.time} ms`);
  const legacy = Object.entries(cp.snapshots ?? {}).map(([id, ref]) => `'${id}' from the snapshot of ${ref.time} ms`);
  const restored = [...states, ...legacy];
  const state = restored.length > 0 ? `state ${restored.join(', ')}` : 'no state';
  const pending = cp.pendingTimes.length;
  // A pending batch at or after the restart time runs at its time, as a new one would: it counts as re-run too.
  const missed = rerun.filter((t) => !cp.pendingTimes.includes(t)).length;
  const what = cp.stoppedGracefully ? 'after a graceful stop (nothing was left to process)' : `after a crash or a hard stop, with ${pending} batch(es) not completed`;
  const runs =
    pending + missed === 0
      ? 'nothing to re-run'
      : `${pending > 0 ? `re-running ${pending} unfinished batch(es)` : ''}${pending > 0 && missed > 0 ? ', then ' : ''}${missed > 0 ? `running the ${missed} batch time(s) missed while down` : ''}`;
  return `Restored ${what}: ${state}; ${runs}`;
}
