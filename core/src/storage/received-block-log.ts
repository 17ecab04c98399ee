/**
 * The receiver write-ahead log: every received block (its records and meta) and every allocation of
 * blocks to a batch, in one log under `<checkpointDir>/receivedData`. A block counts as stored (and
 * the receiver may acknowledge its source) only once its record is durable. After a crash, the log
 * gives back the blocks of every batch still needed and the blocks no batch took yet.
 */
import { join } from 'node:path';
import type { ReceivedBlock, BlockMeta } from '../receiver/received-block.js';
import type { TrackedBlock } from '../scheduler/receiver-tracker.js';
import { WriteAheadLog } from './write-ahead-log.js';
import { EncodedRecords } from '../receiver/encoded-records.js';
import type { Time } from '../time.js';

type LogRecord =
  | {
      type: 'block';
      streamId: number;
      blockId: string;
      numRecords: number;
      bytes: number;
      meta?: BlockMeta | undefined;
      items: unknown[];
      /** Positions in `items` of EncodedRecords (stored as their bytes and count). */
      encodedAt?: number[];
    }
  | { type: 'allocation'; batchTime: Time; blocks: Record<number, string[]> };

/** What the log held when it was opened for recovery. */
export interface RecoveredBlocks {
  /** Batch time -> stream id -> blocks, as they were allocated. */
  allocations: Map<Time, Map<number, TrackedBlock[]>>;
  /** Blocks stored but not allocated to any batch yet, in the order they were stored. */
  unallocated: TrackedBlock[];
}

type BlockRecord = Extract<LogRecord, { type: 'block' }>;

function tracked(r: BlockRecord, items = r.items): TrackedBlock {
  return { streamId: r.streamId, blockId: r.blockId, numRecords: r.numRecords, bytes: r.bytes, meta: r.meta, encoded: r.encodedAt !== undefined, read: () => items };
}

/** The log form of a block: EncodedRecords become [bytes, count] pairs, their positions noted. */
function toRecord(block: ReceivedBlock<unknown>): BlockRecord {
  const record: BlockRecord = { type: 'block', streamId: block.streamId, blockId: block.blockId, numRecords: block.numRecords, bytes: block.bytes, meta: block.meta, items: block.items };
  if (block.encoded) {
    const encodedAt: number[] = [];
    record.items = block.items.map((x, i) => {
      if (!(x instanceof EncodedRecords)) return x;
      encodedAt.push(i);
      return [x.bytes, x.numRecords];
    });
    record.encodedAt = encodedAt;
  }
  return record;
}

/** The items of a logged block as the engine reads them (EncodedRecords rebuilt). */
function itemsOf(r: BlockRecord): unknown[] {
  if (r.encodedAt === undefined) return r.items;
  const items = r.items.slice();
  for (const i of r.encodedAt) {
    const [bytes, n] = items[i] as [Uint8Array, number];
    items[i] = new EncodedRecords(bytes, n);
  }
  return items;
}

export class ReceivedBlockLog {
  private constructor(private readonly wal: WriteAheadLog<LogRecord>) {}

  /**
   * Opens the log in `<checkpointDir>/receivedData`. With `recover`, returns what it holds; without,
   * discards any earlier content (a context that is not restoring starts from nothing).
   */
  static async open(checkpointDir: string, recover: boolean, logger: { warn(m: string): void }): Promise<{ log: ReceivedBlockLog; recovered: RecoveredBlocks }> {
    const { wal, recovered } = await WriteAheadLog.open<LogRecord>(join(checkpointDir, 'receivedData'), { logger });
    const result: RecoveredBlocks = { allocations: new Map(), unallocated: [] };
    if (!recover) {
      await wal.clean(Number.POSITIVE_INFINITY);
      return { log: new ReceivedBlockLog(wal), recovered: result };
    }
    const blocks = new Map<string, TrackedBlock>();
    const allocated = new Set<string>();
    for (const { data } of recovered) {
      if (data.type === 'block') {
        blocks.set(data.blockId, tracked(data, itemsOf(data)));
      } else {
        const batch = new Map<number, TrackedBlock[]>();
        for (const [streamId, ids] of Object.entries(data.blocks)) {
          // A block whose record was cleaned away belonged to a batch no longer needed.
          const found = ids.map((id) => blocks.get(id)).filter((b): b is TrackedBlock => b !== undefined);
          for (const id of ids) allocated.add(id);
          batch.set(Number(streamId), found);
        }
        result.allocations.set(data.batchTime, batch);
      }
    }
    for (const [id, b] of blocks) if (!allocated.has(id)) result.unallocated.push(b);
    return { log: new ReceivedBlockLog(wal), recovered: result };
  }

  /** Logs a block; resolves with its tracked form once durable. */
  async persistBlock(block: ReceivedBlock<unknown>): Promise<TrackedBlock> {
    await this.wal.append({ time: block.time, data: toRecord(block) });
    return { streamId: block.streamId, blockId: block.blockId, numRecords: block.numRecords, bytes: block.bytes, meta: block.meta, encoded: block.encoded, read: () => block.items };
  }

  /** Logs which blocks the batch at `time` took; resolves once durable. */
  async logAllocation(time: Time, batch: Map<number, TrackedBlock[]>): Promise<void> {
    const blocks: Record<number, string[]> = {};
    for (const [streamId, bs] of batch) blocks[streamId] = bs.map((b) => b.blockId);
    await this.wal.append({ time, data: { type: 'allocation', batchTime: time, blocks } });
  }

  /** Deletes log segments wholly older than `threshold`. */
  clean(threshold: Time): Promise<void> {
    return this.wal.clean(threshold);
  }

  close(): Promise<void> {
    return this.wal.close();
  }
}
