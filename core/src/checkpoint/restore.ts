/**
 * Puts a checkpoint back into a rebuilt graph: input positions, the newest state snapshot of each
 * stateful operator, and the batch times to re-run (pending ones, and every batch time missed
 * while the application was down, as Spark's JobGenerator.restart does).
 */
import type { DStreamGraph } from '../scheduler/dstream-graph.js';
import type { CheckpointData } from './checkpoint-file.js';
import { readSnapshot } from './state-snapshot.js';
import type { Duration, Time } from '../time.js';

/** Restores `cp` into `graph` (started at `cp.zeroTime`); resolves with the batch times to re-run, in order. */
export async function restoreCheckpoint(graph: DStreamGraph, cp: CheckpointData, dir: string, batchInterval: Duration, restartTime: Time): Promise<Time[]> {
  for (const input of graph.inputs) {
    const state = cp.inputs[input.operatorId];
    if (state !== undefined) input.restoreCheckpointState(state);
  }
  const byId = new Map(graph.reachable().map((s) => [s.operatorId, s]));
  for (const [id, ref] of Object.entries(cp.snapshots)) {
    byId.get(id)?.restoreSnapshot(ref.time, await readSnapshot(dir, ref.file));
  }
  const times = new Set<Time>(cp.pendingTimes);
  for (let t = cp.checkpointTime + batchInterval; t < restartTime; t += batchInterval) times.add(t);
  return [...times].filter((t) => t < restartTime).sort((a, b) => a - b);
}
