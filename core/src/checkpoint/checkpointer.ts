/**
 * Writes the metadata checkpoint after each batch is generated and after it completes. Before the
 * completion checkpoint, every stateful stream's state of that batch goes to its state log: the
 * change the batch made (the whole state only on its first batch), fsynced; every checkpoint
 * interval a worker thread compacts the log into one full state. So the checkpoint that says a batch completed always has that batch's state behind it,
 * and a recovery restores the state of the last completed batch without recomputing anything.
 *
 * Metadata writes are serialized; a failed one is logged and the next one tries again (an older
 * checkpoint stays consistent: its pending batches re-run). A failed state log write fails the
 * batch instead, since a checkpoint past it would lose that batch's effect on the state.
 */
import type { DStream } from '../dstream/dstream.js';
import type { DStreamGraph } from '../scheduler/dstream-graph.js';
import type { Logger } from '../util/logger.js';
import { SluiceError } from '../errors.js';
import { writeCheckpoint, CHECKPOINT_FORMAT, type CheckpointData, type SnapshotRef } from './checkpoint-file.js';
import { StateLog, compactedFileName, pruneStateFiles, type StateLogRef } from './state-log.js';
import { compactInWorker } from './compaction.js';
import { removeTempFiles } from '../util/durable-fs.js';
import { describeOperators } from './operators.js';
import type { Duration, Time } from '../time.js';

/** How many checkpoint files are kept (the newest); state files they name are kept too. */
const RETAIN = 10;

export interface CheckpointerDeps {
  dir: string;
  appName: string;
  batchInterval: Duration;
  graph: DStreamGraph;
  logger: Logger;
}

interface LoggedState {
  log: StateLog;
  /** The latest batch time whose state is in the log (or that had no state to log). */
  upTo: Time;
  /** A format-1 snapshot this state was restored from, named until the log has a state of its own. */
  legacy?: SnapshotRef | undefined;
  /** The compaction running on a worker thread, if any. */
  compacting?: Promise<void> | undefined;
  /** What the state reads back that its input cannot replay, logged as slices (see DStreamPlan.readsBack). */
  slices?: { stream: DStream<unknown>; keepFor: number; upTo: Time } | undefined;
}

export class Checkpointer {
  private chain: Promise<void> = Promise.resolve();
  private lastCompleted: Time | null;
  private latestTime = -Infinity;
  private readonly states = new Map<DStream<unknown>, LoggedState>();
  /** The state files each of the last RETAIN checkpoints written names. */
  private readonly recentFiles: Array<Set<string>> = [];
  private pruneDue = false;

  private constructor(
    private readonly deps: CheckpointerDeps,
    restored: CheckpointData | undefined,
  ) {
    this.lastCompleted = restored?.lastCompletedTime ?? null;
  }

  /**
   * A checkpointer for a started graph; with `restored`, each stateful stream's log continues from
   * what that checkpoint names (the streams' states must already be restored from it).
   */
  static async open(deps: CheckpointerDeps, restored?: CheckpointData): Promise<Checkpointer> {
    const cp = new Checkpointer(deps, restored);
    await removeTempFiles(deps.dir);
    const zero = deps.graph.zeroTime!;
    for (const s of deps.graph.reachable().filter((x) => x.mustCheckpoint)) {
      const ref = restored?.stateLogs?.[s.operatorId];
      const legacy = restored?.snapshots?.[s.operatorId];
      const upTo = ref?.time ?? s.stateOrigin ?? zero;
      const readsBack = s.readsBack;
      cp.states.set(s, {
        log: ref ? await StateLog.resume(deps.dir, s.operatorId, ref) : StateLog.empty(deps.dir, s.operatorId),
        upTo,
        legacy: ref ? undefined : legacy,
        slices: readsBack && !readsBack.stream.replayable ? { ...readsBack, upTo: ref?.slicesUpTo ?? upTo } : undefined,
      });
    }
    return cp;
  }

  /** After the jobs of `time` were submitted. */
  afterGenerate(time: Time, pendingTimes: Time[]): Promise<void> {
    return this.enqueue(time, pendingTimes);
  }

  /**
   * After every job of `time` succeeded: the state of every batch up to `time` with no older batch
   * still pending goes to the state logs, then the checkpoint.
   * @throws SluiceError JOB_FAILED when a state cannot be computed or logged.
   */
  async afterComplete(time: Time, pendingTimes: Time[]): Promise<void> {
    if (this.lastCompleted === null || time > this.lastCompleted) this.lastCompleted = time;
    const stillPending = pendingTimes.filter((t) => t !== time);
    const horizon = Math.min(time, ...stillPending.map((t) => t - 1));
    for (const [stream, state] of this.states) await this.logState(stream, state, horizon);
    await this.enqueue(time, stillPending);
  }

  /** Logs the state of each batch time of `stream` after `state.upTo`, up to `horizon`. */
  private async logState(stream: DStream<unknown>, state: LoggedState, horizon: Time): Promise<void> {
    const zero = this.deps.graph.zeroTime!;
    const slices = state.slices;
    if (slices) {
      const every = slices.stream.slideDuration;
      for (let t = zero + (Math.floor((slices.upTo - zero) / every) + 1) * every; t <= horizon; t += every) {
        try {
          const partitions = await slices.stream.snapshotAt(t);
          if (partitions !== undefined) await state.log.append(t, { kind: 'slice', partitions });
        } catch (e) {
          throw new SluiceError('JOB_FAILED', `Could not log the batch at ${t} ms that ${stream.kind} '${stream.operatorId}' reads back: ${(e as Error).message}`, { cause: e });
        }
        slices.upTo = t;
      }
    }
    const slide = stream.slideDuration;
    for (let t = zero + (Math.floor((state.upTo - zero) / slide) + 1) * slide; t <= horizon; t += slide) {
      try {
        const changes = state.log.hasState ? await stream.stateChangesAt(t) : undefined;
        if (changes) {
          await state.log.append(t, { kind: 'change', partitions: changes });
          if (stream.snapshotDue(t)) this.compact(stream, state);
        } else {
          const partitions = await stream.snapshotAt(t);
          if (partitions !== undefined) {
            await state.log.append(t, { kind: 'full', partitions });
            state.legacy = undefined;
            this.pruneDue = true;
          }
        }
      } catch (e) {
        throw new SluiceError('JOB_FAILED', `Could not log the state of ${stream.kind} '${stream.operatorId}' for the batch at ${t} ms: ${(e as Error).message}`, { cause: e });
      }
      state.upTo = t;
    }
  }

  /**
   * Every checkpoint interval: the log goes on in a new file while a worker folds the files before
   * it into one full state, which then replaces them (a recovery reads one full state plus at most
   * an interval of changes). A failed compaction is logged and changes nothing.
   */
  private compact(stream: DStream<unknown>, state: LoggedState): void {
    if (state.compacting) return; // the previous one is still running: the next interval folds both
    const input = state.log.rotate();
    if (input === undefined || input.time === null || (input.files.length === 1 && input.files[0]!.file === compactedFileName(stream.operatorId, input))) return;
    const keepSlicesAfter = state.slices ? input.time - state.slices.keepFor : Infinity;
    state.compacting = compactInWorker(this.deps.dir, stream.operatorId, input, keepSlicesAfter)
      .then((file) => {
        if (state.log.adopt(input, file)) this.pruneDue = true;
      })
      .catch((e: unknown) => this.deps.logger.warn(`Could not compact the state log of '${stream.operatorId}' (it stays as it is): ${(e as Error).message}`))
      .finally(() => (state.compacting = undefined));
  }

  private enqueue(time: Time, pendingTimes: Time[]): Promise<void> {
    this.latestTime = Math.max(this.latestTime, time);
    const data = this.build(pendingTimes);
    return this.write(data);
  }

  private write(data: CheckpointData): Promise<void> {
    const next = this.chain.then(async () => {
      try {
        await writeCheckpoint(this.deps.dir, data, RETAIN);
        await this.pruneStateFiles(data);
      } catch (e) {
        this.deps.logger.error(`Could not write the checkpoint for ${data.checkpointTime} ms to ${this.deps.dir}: ${(e as Error).message}`);
      }
    });
    this.chain = next;
    return next;
  }

  /** Deletes state files no retained checkpoint names, once every retained checkpoint is one of ours. */
  private async pruneStateFiles(written: CheckpointData): Promise<void> {
    const files = new Set<string>();
    for (const ref of Object.values(written.stateLogs ?? {})) for (const f of ref.files) files.add(f.file);
    for (const ref of Object.values(written.snapshots ?? {})) files.add(ref.file);
    this.recentFiles.push(files);
    if (this.recentFiles.length > RETAIN) this.recentFiles.shift();
    if (!this.pruneDue || this.recentFiles.length < RETAIN) return;
    // Also the files the logs write to now: a checkpoint naming them may still be queued.
    const keep = new Set<string>();
    for (const set of this.recentFiles) for (const f of set) keep.add(f);
    for (const { log } of this.states.values()) for (const f of log.ref?.files ?? []) keep.add(f.file);
    for (const stream of this.states.keys()) await pruneStateFiles(this.deps.dir, stream.operatorId, keep);
    // Done once the retained checkpoints name only the newest files.
    this.pruneDue = this.recentFiles.some((set) => [...set].some((f) => !files.has(f)));
  }

  private build(pendingTimes: Time[], stoppedGracefully = false): CheckpointData {
    const { graph, appName, batchInterval } = this.deps;
    const inputs: Record<string, unknown> = {};
    for (const input of graph.inputs) {
      const state = input.checkpointState();
      if (state !== undefined) inputs[input.operatorId] = state;
    }
    const stateLogs: Record<string, StateLogRef> = {};
    const snapshots: Record<string, SnapshotRef> = {};
    for (const [stream, state] of this.states) {
      const ref = state.log.ref;
      if (ref) stateLogs[stream.operatorId] = ref;
      else if (state.legacy) snapshots[stream.operatorId] = state.legacy;
    }
    return {
      format: CHECKPOINT_FORMAT,
      appName,
      batchInterval,
      zeroTime: graph.zeroTime!,
      checkpointTime: this.latestTime,
      pendingTimes: [...pendingTimes].sort((a, b) => a - b),
      lastCompletedTime: this.lastCompleted,
      operators: describeOperators(graph),
      inputs,
      stateLogs,
      ...(Object.keys(snapshots).length > 0 ? { snapshots } : {}),
      ...(stoppedGracefully ? { stoppedGracefully } : {}),
      writtenAt: Date.now(),
    };
  }

  /**
   * After a graceful stop processed everything: a last checkpoint that says nothing is pending, so
   * a restart continues from here without re-running anything. Then closes the state logs.
   */
  async stopGracefully(): Promise<void> {
    for (const { compacting } of this.states.values()) await compacting; // the last checkpoint then names the compacted state
    await this.write(this.build([], true));
    await this.close();
  }

  /** Waits for queued writes and running compactions, and closes the state logs. */
  async close(): Promise<void> {
    await this.chain;
    for (const { log, compacting } of this.states.values()) {
      await compacting;
      await log.close();
    }
  }
}
