/**
 * Puts a checkpoint back into a rebuilt graph: input positions, each stateful operator's state as
 * of the last batch its log covers, and the batch times to re-run (pending ones, and every batch
 * time missed while the application was down, as Spark's JobGenerator.restart does).
 */
import type { DStreamGraph } from '../scheduler/dstream-graph.js';
import type { CheckpointData } from './checkpoint-file.js';
import { readStateLog } from './state-log.js';
import { readSnapshot } from './state-snapshot.js';
import { SluiceError } from '../errors.js';
import type { Duration, Time } from '../time.js';

/**
 * Restores `cp` into `graph` (started at `cp.zeroTime`); resolves with the batch times to re-run, in order.
 * @throws SluiceError CHECKPOINT_CORRUPT naming the operator and file when a state cannot be read.
 */
export async function restoreCheckpoint(graph: DStreamGraph, cp: CheckpointData, dir: string, batchInterval: Duration, restartTime: Time): Promise<Time[]> {
  for (const input of graph.inputs) {
    const state = cp.inputs[input.operatorId];
    if (state !== undefined) input.restoreCheckpointState(state);
  }
  const times = new Set<Time>(cp.pendingTimes);
  for (let t = cp.checkpointTime + batchInterval; t < restartTime; t += batchInterval) times.add(t);
  const rerun = [...times].filter((t) => t < restartTime).sort((a, b) => a - b);
  for (const s of graph.reachable().filter((x) => x.mustCheckpoint)) {
    const log = cp.stateLogs?.[s.operatorId];
    const snapshot = cp.snapshots?.[s.operatorId];
    const file = log ? log.files.map((f) => f.file).join(', ') : snapshot?.file;
    try {
      if (log) {
        const { state, slices } = await readStateLog(dir, log);
        if (state !== undefined && log.time !== null) s.restoreSnapshot(log.time, state);
        else s.stateOrigin = (rerun[0] ?? restartTime) - batchInterval;
        // Batches the state reads back that its input cannot replay (see DStreamPlan.readsBack).
        const keepFor = s.readsBack?.keepFor ?? 0;
        for (const slice of slices) if (slice.time > (log.time ?? -Infinity) - keepFor) s.restoreReadBack(slice.time, slice.partitions);
      } else if (snapshot) s.restoreSnapshot(snapshot.time, await readSnapshot(dir, snapshot.file), true);
      // No state logged yet: it starts empty (or from its initial state) at the first batch to run.
      else s.stateOrigin = (rerun[0] ?? restartTime) - batchInterval;
    } catch (e) {
      throw new SluiceError(
        'CHECKPOINT_CORRUPT',
        `Cannot restore the state of ${s.kind} '${s.operatorId}' from ${file} in ${dir}: ${(e as Error).message}. ` +
          `Restore the file from a backup, or start from an empty checkpoint directory to discard the state.`,
        { cause: e },
      );
    }
  }
  return rerun;
}
