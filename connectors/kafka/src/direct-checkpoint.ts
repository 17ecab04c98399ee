/**
 * What the direct stream puts into the context's checkpoint (Spark's
 * `DirectKafkaInputDStreamCheckpointData`): the offset ranges of every batch it still remembers
 * (so a re-run batch reads exactly the same records) and where the next batch starts. JSON.
 *
 * ```json
 * { "format": "sluice-kafka-direct/1",
 *   "batches": [{ "time": 1700000001000, "ranges": [["logs", 0, 120, 180], ["logs", 1, 98, 150]] }],
 *   "next": [["logs", 0, 180], ["logs", 1, 150]] }
 * ```
 */
import type { Time } from '@sluice/core';
import { kafkaError } from './errors.js';
import type { OffsetRange } from './offset-range.js';
import { partitionKey, type PartitionKey } from './direct-offsets.js';

export const DIRECT_CHECKPOINT_FORMAT = 'sluice-kafka-direct/1';

/** Where one partition's next batch starts. */
export interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface DirectCheckpointState {
  format: typeof DIRECT_CHECKPOINT_FORMAT;
  batches: Array<{ time: Time; ranges: Array<[string, number, number, number]> }>;
  next: Array<[string, number, number]>;
}

export interface DirectState {
  batches: Map<Time, OffsetRange[]>;
  next: Map<PartitionKey, Position>;
}

export function encodeDirectState(state: DirectState): DirectCheckpointState {
  return {
    format: DIRECT_CHECKPOINT_FORMAT,
    batches: [...state.batches]
      .sort(([a], [b]) => a - b)
      .map(([time, ranges]) => ({ time, ranges: ranges.map((r) => [r.topic, r.partition, r.fromOffset, r.untilOffset]) })),
    next: [...state.next.values()].map((p) => [p.topic, p.partition, p.offset]),
  };
}

const isOffset = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isTopic = (s: unknown): s is string => typeof s === 'string' && s.length > 0;

/**
 * Reads back what {@link encodeDirectState} wrote.
 * @throws SluiceError KAFKA_CHECKPOINT_INVALID saying what is wrong.
 */
export function decodeDirectState(raw: unknown, operatorId: string): DirectState {
  const bad = (why: string): Error =>
    kafkaError('KAFKA_CHECKPOINT_INVALID', `The checkpointed state of direct Kafka stream ${operatorId} is invalid (${why}); start from a new checkpoint directory`);
  const s = raw as Partial<DirectCheckpointState> | null;
  if (typeof s !== 'object' || s === null || s.format !== DIRECT_CHECKPOINT_FORMAT) throw bad(`format is not ${DIRECT_CHECKPOINT_FORMAT}`);
  if (!Array.isArray(s.batches) || !Array.isArray(s.next)) throw bad('batches and next must be arrays');
  const batches = new Map<Time, OffsetRange[]>();
  for (const b of s.batches) {
    if (typeof b !== 'object' || b === null || typeof b.time !== 'number' || !Array.isArray(b.ranges)) throw bad('a batch is not { time, ranges }');
    batches.set(
      b.time,
      b.ranges.map((r) => {
        if (!Array.isArray(r) || r.length !== 4 || !isTopic(r[0]) || !isOffset(r[1]) || !isOffset(r[2]) || !isOffset(r[3]) || r[3] < r[2]) {
          throw bad(`range ${JSON.stringify(r)} of batch ${b.time} is not [topic, partition, from, until]`);
        }
        return { topic: r[0], partition: r[1], fromOffset: r[2], untilOffset: r[3] };
      }),
    );
  }
  const next = new Map<PartitionKey, Position>();
  for (const p of s.next) {
    if (!Array.isArray(p) || p.length !== 3 || !isTopic(p[0]) || !isOffset(p[1]) || !isOffset(p[2])) throw bad(`position ${JSON.stringify(p)} is not [topic, partition, offset]`);
    next.set(partitionKey(p[0], p[1]), { topic: p[0], partition: p[1], offset: p[2] });
  }
  return { batches, next };
}
