/** Decides which partition of a shuffled RDD a key goes to. */
import { hashKey } from './keys.js';
import { SluiceError } from '../errors.js';

export interface Partitioner {
  readonly numPartitions: number;
  /** The partition, in `[0, numPartitions)`, that `key` belongs to. Deterministic across runs. */
  getPartition(key: unknown): number;
  /** True when two partitioners place every key identically (so no re-shuffle is needed). */
  equals(other: Partitioner | undefined): boolean;
}

/** Spark's HashPartitioner: `nonNegativeMod(hash(key), numPartitions)`. */
export class HashPartitioner implements Partitioner {
  constructor(readonly numPartitions: number) {
    if (!Number.isInteger(numPartitions) || numPartitions < 1) {
      throw new SluiceError('INVALID_OPTION', `numPartitions must be a whole number >= 1, got ${String(numPartitions)}`);
    }
  }

  getPartition(key: unknown): number {
    if (this.numPartitions === 1) return 0;
    const m = hashKey(key) % this.numPartitions;
    return m < 0 ? m + this.numPartitions : m + 0; // + 0 turns -0 (a negative multiple of n) into 0
  }

  equals(other: Partitioner | undefined): boolean {
    return other instanceof HashPartitioner && other.numPartitions === this.numPartitions;
  }
}
