/**
 * Writes the metadata checkpoint after each batch is generated and after it completes, and the
 * state snapshots of stateful streams every checkpoint interval (before the completion checkpoint
 * that refers to them). Writes are serialized; a failed write is logged and the next one tries
 * again (Spark's CheckpointWriter does the same).
 */
import type { StreamingContext } from '../context.js';
import type { DStream } from '../dstream/dstream.js';
import { writeCheckpoint, CHECKPOINT_FORMAT, type CheckpointData, type SnapshotRef } from './checkpoint-file.js';
import { pruneSnapshots, writeSnapshot } from './state-snapshot.js';
import { describeOperators } from './operators.js';
import type { Time } from '../time.js';

export class Checkpointer {
  private chain: Promise<void> = Promise.resolve();
  private snapshots: Record<string, SnapshotRef>;
  private lastCompleted: Time | null;
  private latestTime = -Infinity;

  constructor(
    private readonly ssc: StreamingContext,
    private readonly dir: string,
    restored?: CheckpointData,
  ) {
    this.snapshots = { ...(restored?.snapshots ?? {}) };
    this.lastCompleted = restored?.lastCompletedTime ?? null;
  }

  private stateful(): DStream<unknown>[] {
    return this.ssc.graph.reachable().filter((s) => s.mustCheckpoint);
  }

  /** After the jobs of `time` were submitted. */
  afterGenerate(time: Time, pendingTimes: Time[]): Promise<void> {
    return this.enqueue(time, pendingTimes);
  }

  /** After every job of `time` succeeded: snapshots due at `time`, then the checkpoint. */
  async afterComplete(time: Time, pendingTimes: Time[]): Promise<void> {
    if (this.lastCompleted === null || time > this.lastCompleted) this.lastCompleted = time;
    for (const s of this.stateful()) {
      if (!s.snapshotDue(time)) continue;
      const partitions = await s.snapshotAt(time);
      if (partitions === undefined) continue;
      try {
        const file = await writeSnapshot(this.dir, s.operatorId, time, partitions);
        const previous = this.snapshots[s.operatorId];
        this.snapshots[s.operatorId] = { time, file };
        // Keep the previous snapshot too: older retained checkpoints still refer to it.
        const keep = new Set([file, ...(previous ? [previous.file] : [])]);
        await pruneSnapshots(this.dir, s.operatorId, previous?.time ?? time, keep);
      } catch (e) {
        this.ssc.logger.error(`Could not write the state snapshot of ${s.operatorId} at ${time} ms: ${(e as Error).message}`);
      }
    }
    await this.enqueue(time, pendingTimes.filter((t) => t !== time));
  }

  private enqueue(time: Time, pendingTimes: Time[]): Promise<void> {
    this.latestTime = Math.max(this.latestTime, time);
    const data = this.build(pendingTimes);
    const next = this.chain.then(async () => {
      try {
        await writeCheckpoint(this.dir, data);
      } catch (e) {
        this.ssc.logger.error(`Could not write the checkpoint for ${data.checkpointTime} ms to ${this.dir}: ${(e as Error).message}`);
      }
    });
    this.chain = next;
    return next;
  }

  private build(pendingTimes: Time[]): CheckpointData {
    const graph = this.ssc.graph;
    const inputs: Record<string, unknown> = {};
    for (const input of graph.inputs) {
      const state = input.checkpointState();
      if (state !== undefined) inputs[input.operatorId] = state;
    }
    return {
      format: CHECKPOINT_FORMAT,
      appName: this.ssc.options.appName,
      batchInterval: this.ssc.batchInterval,
      zeroTime: graph.zeroTime!,
      checkpointTime: this.latestTime,
      pendingTimes: [...pendingTimes].sort((a, b) => a - b),
      lastCompletedTime: this.lastCompleted,
      operators: describeOperators(graph),
      inputs,
      snapshots: { ...this.snapshots },
      writtenAt: Date.now(),
    };
  }

  /** Resolves when every queued write is done. */
  flush(): Promise<void> {
    return this.chain;
  }
}
