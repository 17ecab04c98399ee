/**
 * Runs the receivers of receiver input streams, each under its own supervisor, and tracks the
 * blocks they store: unallocated blocks wait in a queue per stream until the next batch takes them
 * all; after the batch completes, their memory is released to the supervisor (which un-pauses a
 * receiver held back by its buffer bound).
 */
import type { ReceiverInputDStream } from '../dstream/receiver-input-dstream.js';
import type { StreamInputInfo } from '../dstream/input-dstream.js';
import type { ReceivedBlock, BlockMeta } from '../receiver/received-block.js';
import { ReceiverSupervisor } from '../receiver/receiver-supervisor.js';
import type { ReceiverEvents } from '../receiver/receiver-info.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Time } from '../time.js';

/** A block allocated to a batch. `read()` gives its records (from memory, or from the write-ahead log after recovery). */
export interface TrackedBlock<T = unknown> {
  readonly streamId: number;
  readonly blockId: string;
  readonly numRecords: number;
  readonly bytes: number;
  readonly meta?: BlockMeta | undefined;
  /** True when `read()` may return EncodedRecords entries for the stream's receiver to decode. */
  readonly encoded?: boolean | undefined;
  read(): T[] | Promise<T[]>;
}

/** Where blocks go before they are tracked: the write-ahead log when it is on. Resolves once durable. */
export type BlockPersister = (block: ReceivedBlock<unknown>) => Promise<TrackedBlock>;

export interface ReceiverTrackerOptions {
  clock: Clock;
  logger: Logger;
  blockIntervalMs: number;
  maxRate: number;
  bufferBytes: number;
  events: ReceiverEvents;
  /** Records/s each receiver starts at (backpressure's initialRate). */
  initialRate?: number | undefined;
  /** Makes a block durable before it counts as stored (the write-ahead log). */
  persist?: BlockPersister | undefined;
  /** Logs an allocation durably before the batch uses it (the write-ahead log). */
  logAllocation?: ((time: Time, batch: Map<number, TrackedBlock[]>) => Promise<void>) | undefined;
}

export class ReceiverTracker {
  private readonly supervisors = new Map<number, ReceiverSupervisor<unknown>>();
  private readonly unallocated = new Map<number, TrackedBlock[]>();
  private readonly allocated = new Map<Time, Map<number, TrackedBlock[]>>();
  private lastAllocatedTime: Time | undefined;
  private readonly recovered = new Map<number, TrackedBlock[]>();
  /** Batches whose allocation came back from the write-ahead log at this start. */
  private readonly restoredTimes = new Set<Time>();

  constructor(
    private readonly streams: readonly ReceiverInputDStream<unknown>[],
    private readonly opts: ReceiverTrackerOptions,
  ) {}

  /** Starts every receiver (a receiver that fails to start is restarted by its supervisor, never thrown). */
  async start(): Promise<void> {
    for (const stream of this.streams) {
      this.unallocated.set(stream.id, this.unallocated.get(stream.id) ?? []);
      const supervisor = new ReceiverSupervisor<unknown>(stream.activeReceiver, {
        streamId: stream.id,
        clock: this.opts.clock,
        blockIntervalMs: this.opts.blockIntervalMs,
        maxRate: this.opts.maxRate,
        bufferBytes: this.opts.bufferBytes,
        ...(this.opts.initialRate !== undefined && Number.isFinite(this.opts.initialRate) ? { initialRate: this.opts.initialRate } : {}),
        pushBlock: (block) => this.addBlock(block),
        events: this.opts.events,
        logger: this.opts.logger,
      });
      this.supervisors.set(stream.id, supervisor);
    }
    await Promise.all([...this.supervisors.values()].map((s) => s.start()));
  }

  private async addBlock(block: ReceivedBlock<unknown>): Promise<void> {
    const tracked: TrackedBlock = this.opts.persist
      ? await this.opts.persist(block)
      : { streamId: block.streamId, blockId: block.blockId, numRecords: block.numRecords, bytes: block.bytes, meta: block.meta, encoded: block.encoded, read: () => block.items };
    this.enqueue(tracked);
  }

  /** @internal Puts a block in its stream's unallocated queue (also used by WAL recovery). */
  enqueue(block: TrackedBlock): void {
    const q = this.unallocated.get(block.streamId);
    if (q) q.push(block);
    else this.unallocated.set(block.streamId, [block]);
  }

  /** True while some stored block has not been allocated to a batch yet. */
  hasUnallocatedBlocks(): boolean {
    for (const q of this.unallocated.values()) if (q.length > 0) return true;
    return false;
  }

  /**
   * Gives every unallocated block to the batch at `time` (once: a time already allocated, e.g.
   * recovered from the log, keeps its blocks). Returns each receiver stream's input info.
   */
  async allocateBlocksToBatch(time: Time): Promise<Record<number, StreamInputInfo>> {
    if (!this.allocated.has(time) && (this.lastAllocatedTime === undefined || time > this.lastAllocatedTime)) {
      const batch = new Map<number, TrackedBlock[]>();
      for (const [streamId, q] of this.unallocated) batch.set(streamId, q.splice(0));
      // Logged before use, so a recovered context re-forms this batch from the same blocks.
      if (this.opts.logAllocation) {
        try {
          await this.opts.logAllocation(time, batch);
        } catch (e) {
          for (const [streamId, blocks] of batch) this.unallocated.get(streamId)!.unshift(...blocks);
          throw e;
        }
      }
      this.allocated.set(time, batch);
      this.lastAllocatedTime = time;
    }
    const infos: Record<number, StreamInputInfo> = {};
    for (const [streamId, blocks] of this.allocated.get(time) ?? []) {
      infos[streamId] = { streamId, numRecords: blocks.reduce((n, b) => n + b.numRecords, 0) };
    }
    return infos;
  }

  /** @internal Notes blocks the write-ahead log gave back at this start (see recoveredBlocksOf). */
  markRecovered(blocks: Iterable<TrackedBlock>): void {
    for (const b of blocks) {
      const list = this.recovered.get(b.streamId) ?? [];
      list.push(b);
      this.recovered.set(b.streamId, list);
    }
  }

  /** The blocks of `streamId` that the write-ahead log gave back when this context restored. */
  recoveredBlocksOf(streamId: number): readonly TrackedBlock[] {
    return this.recovered.get(streamId) ?? [];
  }

  /** @internal Restores an allocation read back from the write-ahead log. */
  restoreAllocation(time: Time, blocks: Map<number, TrackedBlock[]>): void {
    this.allocated.set(time, blocks);
    this.restoredTimes.add(time);
    if (this.lastAllocatedTime === undefined || time > this.lastAllocatedTime) this.lastAllocatedTime = time;
  }

  blocksOfBatch(time: Time, streamId: number): TrackedBlock[] {
    return this.allocated.get(time)?.get(streamId) ?? [];
  }

  /**
   * Forgets the blocks of batches up to `time` (batches restored from the write-ahead log: up to
   * `restoredTime`) and gives their memory back to the receivers.
   */
  cleanupBatch(time: Time, restoredTime: Time = time): void {
    for (const [t, batch] of this.allocated) {
      if (t > (this.restoredTimes.has(t) ? restoredTime : time)) continue;
      this.restoredTimes.delete(t);
      for (const [streamId, blocks] of batch) {
        const bytes = blocks.reduce((n, b) => n + b.bytes, 0);
        if (bytes > 0) this.supervisors.get(streamId)?.releaseBlocks(bytes);
      }
      this.allocated.delete(t);
    }
  }

  updateRateLimit(streamId: number, recordsPerSecond: number): void {
    this.supervisors.get(streamId)?.updateRateLimit(recordsPerSecond);
  }

  /** Stops every receiver; blocks they had cut are stored before this resolves. Idempotent. */
  async stop(message = 'Stopped by the StreamingContext'): Promise<void> {
    await Promise.all([...this.supervisors.values()].map((s) => s.stop(message)));
  }
}
