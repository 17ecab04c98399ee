/**
 * The bytes of a state log: a sequence of records, each a 17-byte header (payload length u32,
 * CRC-32 of everything after the CRC field u32, batch time f64, kind u8: 0 full, 1 change, 2 slice) and the
 * payload (the record's partitions, their entries as columns (entry-columns.ts), serialized with
 * node:v8, which keeps Map, BigInt, Buffer, Date).
 * Big-endian. A checkpoint names how many bytes of a log it covers, so a record torn by a crash
 * after that point is never read.
 */
import { deserialize, serialize } from 'node:v8';
import { crc32 } from '../storage/crc32.js';
import type { StateRecord } from './state-changes.js';
import { columnsToEntries, entriesToColumns, fromColumn, toColumn, type Column } from './entry-columns.js';

const HEADER = 17;
const KINDS = ['full', 'change', 'slice'] as const;

export interface TimedStateRecord {
  readonly time: number;
  readonly record: StateRecord;
}

/** A record's partitions with their entries as columns (see entry-columns.ts). */
function pack(record: StateRecord): unknown[] {
  if (record.kind !== 'change') return (record.partitions as Array<Array<[unknown, unknown]>>).map(entriesToColumns);
  return record.partitions.map((c) => ({ ...entriesToColumns(c.upserts), r: toColumn(c.removes.length, (i) => c.removes[i]) }));
}

function unpack(kind: StateRecord['kind'], packed: unknown[]): unknown[] {
  if (kind !== 'change') return (packed as Array<{ k: Column; v: Column }>).map(columnsToEntries);
  return (packed as Array<{ k: Column; v: Column; r: Column }>).map((c) => ({ upserts: columnsToEntries(c), removes: fromColumn(c.r) }));
}

export function encodeStateRecord(time: number, record: StateRecord): Buffer {
  const payload = serialize(pack(record));
  const buf = Buffer.allocUnsafe(HEADER + payload.length);
  buf.writeUInt32BE(payload.length, 0);
  buf.writeDoubleBE(time, 8);
  buf.writeUInt8(KINDS.indexOf(record.kind), 16);
  payload.copy(buf, HEADER);
  buf.writeUInt32BE(crc32(buf.subarray(8)), 4);
  return buf;
}

/**
 * The records in `bytes` (a log's first N bytes, as a checkpoint names them).
 * @throws Error saying where and what is wrong when a record is cut short or fails its checksum.
 */
export function decodeStateRecords(bytes: Buffer): TimedStateRecord[] {
  const out: TimedStateRecord[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (bytes.length - at < HEADER) throw new Error(`record at byte ${at} is cut short (${bytes.length - at} header bytes)`);
    const length = bytes.readUInt32BE(at);
    const end = at + HEADER + length;
    if (end > bytes.length) throw new Error(`record at byte ${at} is cut short (${bytes.length - at - HEADER} of ${length} payload bytes)`);
    if (crc32(bytes.subarray(at + 8, end)) !== bytes.readUInt32BE(at + 4)) throw new Error(`record at byte ${at} fails its checksum`);
    const kind = KINDS[bytes.readUInt8(at + 16)];
    if (kind === undefined) throw new Error(`record at byte ${at} has an unknown kind ${bytes.readUInt8(at + 16)}`);
    const partitions = unpack(kind, deserialize(bytes.subarray(at + HEADER, end)) as unknown[]) as never[];
    out.push({ time: bytes.readDoubleBE(at + 8), record: { kind, partitions } as StateRecord });
    at = end;
  }
  return out;
}
