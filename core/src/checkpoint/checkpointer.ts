/**
 * Writes the metadata checkpoint after each batch is generated and after it completes. When a
 * batch completes, what it changed in every stateful stream's state is taken (in memory), then
 * appended to that stream's state log (fsynced; the whole state only on its first batch) and only
 * then the checkpoint that says the batch completed is written: a checkpoint always has the state
 * of its completed batches behind it, so a recovery restores the state of the last completed batch
 * without recomputing anything. The writes run in order on one chain while the next batch runs;
 * every checkpoint interval a worker thread compacts each log into one full state.
 *
 * A failed metadata write is logged and the next one tries again (an older checkpoint stays
 * consistent: its pending batches re-run). A failed state log append stops the context instead,
 * and no later checkpoint is written, since one would lose that batch's effect on the state.
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
  /** Called when a state log cannot be written: the context must stop (no later checkpoint is written). */
  onFatal(error: Error): void;
}

interface LoggedState {
  log: StateLog;
  /** True once a full state is taken for the log (it may still be queued). */
  hasState: boolean;
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
  private failed = false;

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
        hasState: ref?.time != null,
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
   * After every job of `time` succeeded: takes what every batch up to `time` with no older batch
   * still pending changed in each state (in memory), and queues its appends to the state logs and
   * then the checkpoint. Resolves once that is taken: the writes go on while the next batch runs,
   * and a checkpoint is the commit point, so a crash before it only makes the batch run again.
   * @throws SluiceError JOB_FAILED when a state cannot be computed. A failed append stops the
   *   context through `onFatal`.
   */
  async afterComplete(time: Time, pendingTimes: Time[]): Promise<void> {
    if (this.lastCompleted === null || time > this.lastCompleted) this.lastCompleted = time;
    const stillPending = pendingTimes.filter((t) => t !== time);
    const horizon = Math.min(time, ...stillPending.map((t) => t - 1));
    const appends: Array<() => Promise<void>> = [];
    for (const [stream, state] of this.states) await this.takeState(stream, state, horizon, appends);
    void this.enqueue(time, stillPending, appends);
  }

  /** Takes the state of each batch time of `stream` after `state.upTo`, up to `horizon`, as appends to run in order. */
  private async takeState(stream: DStream<unknown>, state: LoggedState, horizon: Time, appends: Array<() => Promise<void>>): Promise<void> {
    const zero = this.deps.graph.zeroTime!;
    const { log, slices } = state;
    const failed = (what: string, e: unknown): SluiceError =>
      new SluiceError('JOB_FAILED', `Could not log ${what} of ${stream.kind} '${stream.operatorId}': ${(e as Error).message}`, { cause: e });
    if (slices) {
      const every = slices.stream.slideDuration;
      for (let t = zero + (Math.floor((slices.upTo - zero) / every) + 1) * every; t <= horizon; t += every) {
        const partitions = await slices.stream.snapshotAt(t).catch((e: unknown) => Promise.reject(failed(`the batch at ${t} ms read back`, e)));
        if (partitions !== undefined) appends.push(() => log.append(t, { kind: 'slice', partitions }));
        slices.upTo = t;
      }
    }
    const slide = stream.slideDuration;
    for (let t = zero + (Math.floor((state.upTo - zero) / slide) + 1) * slide; t <= horizon; t += slide) {
      try {
        const changes = state.hasState ? await stream.stateChangesAt(t) : undefined;
        if (changes) {
          const compact = stream.snapshotDue(t);
          appends.push(async () => {
            await log.append(t, { kind: 'change', partitions: changes });
            if (compact) this.compact(stream, state);
          });
        } else {
          const partitions = await stream.snapshotAt(t);
          if (partitions !== undefined) {
            state.hasState = true;
            appends.push(async () => {
              await log.append(t, { kind: 'full', partitions });
              state.legacy = undefined;
              this.pruneDue = true;
            });
          }
        }
      } catch (e) {
        throw failed(`the state for the batch at ${t} ms`, e);
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

  /**
   * Queues `appends`, then the checkpoint of `time`: everything in it but the state logs is as of
   * now; the state logs' refs are read when its turn comes, after the appends queued before it.
   */
  private enqueue(time: Time, pendingTimes: Time[], appends: Array<() => Promise<void>> = [], stoppedGracefully = false): Promise<void> {
    this.latestTime = Math.max(this.latestTime, time);
    const data = this.build(pendingTimes, stoppedGracefully);
    const next = this.chain.then(async () => {
      if (this.failed) return;
      try {
        for (const append of appends) await append();
      } catch (e) {
        this.failed = true; // no later checkpoint may claim a batch whose state is not logged
        this.deps.onFatal(new SluiceError('JOB_FAILED', `Could not append to a state log in ${this.deps.dir}: ${(e as Error).message}`, { cause: e }));
        return;
      }
      Object.assign(data, this.stateRefs());
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

  /** The checkpoint of now, but for the state logs (see {@link stateRefs}). */
  private build(pendingTimes: Time[], stoppedGracefully = false): CheckpointData {
    const { graph, appName, batchInterval } = this.deps;
    const inputs: Record<string, unknown> = {};
    for (const input of graph.inputs) {
      const state = input.checkpointState();
      if (state !== undefined) inputs[input.operatorId] = state;
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
      ...(stoppedGracefully ? { stoppedGracefully } : {}),
      writtenAt: Date.now(),
    };
  }

  /** Where each state is in its log now (and the format-1 snapshots not yet replaced). */
  private stateRefs(): Pick<CheckpointData, 'stateLogs' | 'snapshots'> {
    const stateLogs: Record<string, StateLogRef> = {};
    const snapshots: Record<string, SnapshotRef> = {};
    for (const [stream, state] of this.states) {
      const ref = state.log.ref;
      if (ref) stateLogs[stream.operatorId] = ref;
      if (state.legacy && ref?.time == null) snapshots[stream.operatorId] = state.legacy;
    }
    return { stateLogs, ...(Object.keys(snapshots).length > 0 ? { snapshots } : {}) };
  }

  /**
   * After a graceful stop processed everything: a last checkpoint that says nothing is pending, so
   * a restart continues from here without re-running anything. Then closes the state logs.
   */
  async stopGracefully(): Promise<void> {
    await this.chain;
    for (const { compacting } of this.states.values()) await compacting; // the last checkpoint then names the compacted state
    await this.enqueue(this.latestTime, [], [], true);
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
