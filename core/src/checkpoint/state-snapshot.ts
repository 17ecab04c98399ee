/**
 * State snapshots: the partitions of a stateful stream's RDD at one batch time, in
 * `<dir>/state/<operator>-<ms>.snap`: a header line `SLUICE-STATE 1 <crc32 hex> <bytes>` then the
 * partitions serialized with node:v8 (keeps Map, BigInt, Buffer, Date). Written atomically.
 */
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { crc32 } from '../storage/crc32.js';
import { writeFileAtomic } from '../util/durable-fs.js';

const MAGIC = 'SLUICE-STATE';

function fileStem(operatorId: string): string {
  return encodeURIComponent(operatorId).replace(/%/g, '_');
}

/** Writes a snapshot; resolves with its file name (relative to `dir`). */
export async function writeSnapshot(dir: string, operatorId: string, time: number, partitions: unknown[]): Promise<string> {
  const stateDir = join(dir, 'state');
  await mkdir(stateDir, { recursive: true });
  const body = serialize(partitions);
  const header = Buffer.from(`${MAGIC} 1 ${crc32(body).toString(16).padStart(8, '0')} ${body.length}\n`);
  const name = `${fileStem(operatorId)}-${time}.snap`;
  await writeFileAtomic(join(stateDir, name), stateDir, Buffer.concat([header, body]));
  return `state/${name}`;
}

/** Reads a snapshot. @throws Error naming the file when it is missing, truncated or corrupt. */
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

/** Deletes snapshots of `operatorId` older than `keepFrom`, except those in `keep`. */
export async function pruneSnapshots(dir: string, operatorId: string, keepFrom: number, keep: ReadonlySet<string>): Promise<void> {
  const stateDir = join(dir, 'state');
  const prefix = `${fileStem(operatorId)}-`;
  let names: string[];
  try {
    names = await readdir(stateDir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith('.snap') || keep.has(`state/${n}`)) continue;
    const t = Number(n.slice(prefix.length, -'.snap'.length));
    if (Number.isFinite(t) && t < keepFrom) await rm(join(stateDir, n), { force: true });
  }
}
