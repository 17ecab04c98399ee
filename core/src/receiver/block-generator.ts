/**
 * Groups the records a receiver stores one at a time into blocks, one block per block interval,
 * and hands every block to a push callback (Spark's `BlockGenerator`). It also forms the blocks of
 * the reliable path (`storeBatch`), which never mix with buffered records.
 */
import { SluiceError } from '../errors.js';
import { toDuration } from '../time.js';
import type { Clock } from '../util/clock.js';
import type { BlockMeta, ReceivedBlock } from './received-block.js';
import { EncodedRecords } from './encoded-records.js';

/**
 * Lifecycle, named as in Spark:
 * - `Initialized`: created, not started; nothing may be added.
 * - `Active`: records and blocks may be added; a block is cut every interval.
 * - `StoppedAddingData`: `stop()` was called; adding throws, the last block is being cut.
 * - `StoppedGeneratingBlocks`: the last block is cut; waiting for pushes in flight.
 * - `StoppedAll`: every block cut has been pushed (or failed); no timer is armed.
 */
export type BlockGeneratorState =
  | 'Initialized'
  | 'Active'
  | 'StoppedAddingData'
  | 'StoppedGeneratingBlocks'
  | 'StoppedAll';

export interface BlockGeneratorOptions<T> {
  streamId: number;
  clock: Clock;
  /** Milliseconds between cuts, > 0 (Spark's `spark.streaming.blockInterval`, default 200). */
  blockIntervalMs: number;
  /**
   * Stores a block; resolves when it is stored. Called once per block, in the order blocks are
   * cut, without waiting for earlier pushes to settle (so the engine can group-commit them).
   */
  push: (block: ReceivedBlock<T>) => Promise<void>;
  /** Called when `push` rejects (for every kind of block). Must not throw. */
  onPushError?: (block: ReceivedBlock<T>, error: unknown) => void;
}

export class BlockGenerator<T> {
  private current: BlockGeneratorState = 'Initialized';
  private buffer: T[] = [];
  private bufferedBytes = 0;
  /** Records in `buffer`, counting each EncodedRecords entry as its numRecords. */
  private bufferedRecords = 0;
  private bufferHasEncoded = false;
  /** Clock time of the next cut; always on the grid of multiples of the interval. */
  private nextCut = 0;
  private batchSeq = 0;
  private readonly timer = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private stopped: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly interval: number;

  /** @throws SluiceError `INVALID_OPTION` when `blockIntervalMs` is not a whole number > 0. */
  constructor(private readonly opts: BlockGeneratorOptions<T>) {
    this.interval = toDuration(opts.blockIntervalMs, 'blockIntervalMs');
  }

  get state(): BlockGeneratorState {
    return this.current;
  }

  /** Records buffered for the next block. */
  get pendingRecords(): number {
    return this.buffer.length;
  }

  /**
   * Starts cutting blocks: the first cut is at the next multiple of the interval, then every
   * interval after it (drift-free; if the clock jumps over several intervals, one block is cut).
   * @throws SluiceError `INVALID_STATE` unless `Initialized`.
   */
  start(): void {
    if (this.current !== 'Initialized') {
      throw new SluiceError('INVALID_STATE', `Cannot start a BlockGenerator that is ${this.current}`);
    }
    this.current = 'Active';
    this.nextCut = (Math.floor(this.opts.clock.now() / this.interval) + 1) * this.interval;
    this.loop = this.cutLoop();
  }

  /**
   * Buffers one record (of estimated size `bytes`) for the next block. Synchronous, never waits.
   * @throws SluiceError `INVALID_STATE` unless `Active`.
   */
  addData(item: T, bytes: number): void {
    if (this.current !== 'Active') {
      throw new SluiceError('INVALID_STATE', `Cannot add data: the BlockGenerator is ${this.current}`);
    }
    this.buffer.push(item);
    this.bufferedBytes += bytes;
    this.bufferedRecords++;
  }

  /** Adds records kept serialized (see EncodedRecords); same rules as addData. */
  addEncoded(chunk: EncodedRecords, bytes: number): void {
    if (this.current !== 'Active') {
      throw new SluiceError('INVALID_STATE', `Cannot add data: the BlockGenerator is ${this.current}`);
    }
    this.buffer.push(chunk as unknown as T);
    this.bufferedBytes += bytes;
    this.bufferedRecords += chunk.numRecords;
    this.bufferHasEncoded = true;
  }

  /**
   * Forms one block of `items` on its own (the reliable path) and pushes it at once. Resolves when
   * the push resolves; rejects with the push's error, or with SluiceError `STOPPED` unless `Active`.
   */
  addBlock(items: T[], meta: BlockMeta | undefined, bytes: number): Promise<void> {
    if (this.current !== 'Active') {
      return Promise.reject(new SluiceError('STOPPED', `Cannot store a batch: the BlockGenerator is ${this.current}`));
    }
    const { streamId, clock } = this.opts;
    const time = clock.now();
    const block: ReceivedBlock<T> = {
      streamId,
      blockId: `input-${streamId}-${time}-${++this.batchSeq}`,
      items,
      numRecords: items.length,
      bytes,
      time,
      reliable: true,
    };
    if (meta !== undefined) block.meta = meta;
    return this.push(block);
  }

  /**
   * Stops: no more data is accepted, the buffered records are cut into a last block, and the
   * returned promise resolves once every block cut has been pushed (or its push failed). Never
   * rejects; idempotent (every call returns the same promise).
   */
  stop(): Promise<void> {
    this.stopped ??= this.stopAndDrain();
    return this.stopped;
  }

  private async stopAndDrain(): Promise<void> {
    if (this.current === 'Initialized') {
      this.current = 'StoppedAll';
      return;
    }
    this.current = 'StoppedAddingData';
    this.timer.abort();
    await this.loop;
    this.cut(this.nextCut - this.interval);
    this.current = 'StoppedGeneratingBlocks';
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    this.current = 'StoppedAll';
  }

  private async cutLoop(): Promise<void> {
    const { clock } = this.opts;
    const signal = this.timer.signal;
    while (!signal.aborted) {
      try {
        await clock.waitUntil(this.nextCut, signal);
      } catch {
        return; // aborted by stop()
      }
      if (signal.aborted) return;
      this.cut(this.nextCut - this.interval);
      const currentSlot = Math.floor(clock.now() / this.interval) * this.interval;
      this.nextCut = Math.max(this.nextCut + this.interval, currentSlot);
    }
  }

  /** Turns the buffer into a block named after `blockTime` (the interval's start), if non-empty. */
  private cut(blockTime: number): void {
    if (this.buffer.length === 0) return;
    const items = this.buffer;
    const bytes = this.bufferedBytes;
    const numRecords = this.bufferedRecords;
    const encoded = this.bufferHasEncoded;
    this.buffer = [];
    this.bufferedBytes = 0;
    this.bufferedRecords = 0;
    this.bufferHasEncoded = false;
    const { streamId, clock } = this.opts;
    const block: ReceivedBlock<T> = {
      streamId,
      blockId: `input-${streamId}-${blockTime}`,
      items,
      numRecords,
      bytes,
      time: clock.now(),
      reliable: false,
    };
    if (encoded) block.encoded = true;
    void this.push(block).catch(() => {
      // Reported through onPushError; an unreliable block has nobody waiting on it.
    });
  }

  private push(block: ReceivedBlock<T>): Promise<void> {
    const pushed = (async () => {
      await this.opts.push(block);
    })();
    const settled = pushed.then(
      () => undefined,
      (error: unknown) => {
        try {
          this.opts.onPushError?.(block, error);
        } catch {
          // onPushError must not throw; never let it break draining.
        }
      },
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return pushed;
  }
}
