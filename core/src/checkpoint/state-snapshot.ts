/**
 * Reads the state snapshots of checkpoint format 1 (before state logs): the partitions of a
 * stateful stream's RDD at one batch time, in `<dir>/state/<operator>-<ms>.snap`: a header line
 * `SLUICE-STATE 1 <crc32 hex> <bytes>` then the partitions serialized with node:v8.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { crc32 } from '../storage/crc32.js';

const MAGIC = 'SLUICE-STATE';

/** Reads a format-1 snapshot. @throws Error naming the file when it is missing, truncated or corrupt. */
export async function readSnapshot(dir: string, file: string): Promise<unknown[]> {
  const path = join(dir, file);
  const buf = await readFile(path);
  const nl = buf.indexOf(0x0a);
  const [magic, , crc, len] = buf.subarray(0, Math.max(nl, 0)).toString('utf8').split(' ');
  const body = buf.subarray(nl + 1);
  if (nl < 0 || magic !== MAGIC || body.length !== Number(len) || crc32(body).toString(16).padStart(8, '0') !== crc) {
    throw new Error(`State snapshot ${path} is truncated or corrupt`);
  }
  return deserialize(body) as unknown[];
}
