/**
 * Checks the output directories of a chaos run against brute force over its own `batch-<t>`
 * directories: no batch missing, and every totals, idle-counts and window output equal to what an
 * uninterrupted run over the same batches gives. Pure functions of the files; each failure names
 * the batch, the operator and what differs.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BATCH_MS, IDLE_TIMEOUT_MS, SLIDE_MS, WINDOW_MS, keyOf } from './stateful-graph.js';

/** Every `<name>-<t>` directory under `out`: time -> its lines (sorted). @throws when one has no _SUCCESS. */
export async function readOutputs(out: string, name: string): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  if (!existsSync(out)) return found;
  for (const d of await readdir(out)) {
    const m = new RegExp(`^${name}-(\\d+)$`).exec(d);
    if (!m) continue;
    const files = await readdir(join(out, d));
    if (!files.includes('_SUCCESS')) throw new Error(`${d} has no _SUCCESS`);
    const lines: string[] = [];
    for (const f of files.filter((x) => x.startsWith('part-'))) lines.push(...(await readFile(join(out, d, f), 'utf8')).split('\n').filter((l) => l.length > 0));
    found.set(Number(m[1]), lines.sort());
  }
  return found;
}

const pairs = (m: Map<string, number>): string[] => [...m].filter(([, n]) => n !== 0).map(([k, n]) => `(${k},${n})`).sort();

function diff(what: string, want: string[], got: string[] | undefined): string | undefined {
  if (got === undefined) return `${what}: missing`;
  if (want.length === got.length && want.every((x, i) => x === got[i])) return undefined;
  const extra = got.filter((x) => !want.includes(x));
  const lacking = want.filter((x) => !got.includes(x));
  return `${what}: want ${want.length} lines, got ${got.length}; unexpected ${JSON.stringify(extra.slice(0, 5))}, missing ${JSON.stringify(lacking.slice(0, 5))}`;
}

export interface Verified {
  /** Batch times, ascending, and each batch's records. */
  batches: Array<{ time: number; records: string[] }>;
  /** Every problem found (empty: the run equals an uninterrupted one). */
  problems: string[];
}

/** Reads `out` and checks it (see the file comment). */
export async function verifyStateful(out: string): Promise<Verified> {
  const batch = await readOutputs(out, 'batch');
  const totals = await readOutputs(out, 'totals');
  const mws = await readOutputs(out, 'mws');
  const window = await readOutputs(out, 'window');
  const times = [...batch.keys()].sort((a, b) => a - b);
  const problems: string[] = [];
  if (times.length === 0) return { batches: [], problems: ['no batch output at all'] };
  const zero = times[0]! - BATCH_MS;
  const last = times[times.length - 1]!;
  for (let t = zero + BATCH_MS; t <= last; t += BATCH_MS) if (!batch.has(t)) problems.push(`batch ${t} ms: missing`);
  const running = new Map<string, number>();
  const idle = new Map<string, { count: number; at: number }>();
  const perBatch: Array<{ time: number; keys: string[] }> = [];
  for (const t of times) {
    const keys = batch.get(t)!.map(keyOf);
    perBatch.push({ time: t, keys });
    for (const k of keys) running.set(k, (running.get(k) ?? 0) + 1);
    for (const k of keys) idle.set(k, { count: (idle.get(k)?.count ?? 0) + 1, at: t });
    for (const [k, v] of idle) if (v.at <= t - IDLE_TIMEOUT_MS) idle.delete(k);
    const d1 = diff(`totals at ${t} ms`, pairs(running), totals.get(t));
    if (d1) problems.push(d1);
    const d2 = diff(`idle-counts at ${t} ms`, pairs(new Map([...idle].map(([k, v]) => [k, v.count]))), mws.get(t));
    if (d2) problems.push(d2);
    if ((t - zero) % SLIDE_MS === 0) {
      const inWindow = new Map<string, number>();
      for (const b of perBatch) if (b.time > t - WINDOW_MS) for (const k of b.keys) inWindow.set(k, (inWindow.get(k) ?? 0) + 1);
      const d3 = diff(`window at ${t} ms`, pairs(inWindow), window.get(t));
      if (d3) problems.push(d3);
    }
  }
  return { batches: times.map((time) => ({ time, records: batch.get(time)! })), problems };
}

/** Records seen more than once across batches, and records of `expected` never seen. */
export function delivery(batches: Verified['batches'], expected: readonly string[]): { duplicated: string[]; lost: string[] } {
  const seen = new Map<string, number>();
  for (const b of batches) for (const r of b.records) seen.set(r, (seen.get(r) ?? 0) + 1);
  return { duplicated: [...seen].filter(([, n]) => n > 1).map(([r]) => r), lost: expected.filter((r) => !seen.has(r)) };
}
