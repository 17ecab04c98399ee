/**
 * Why: the unit tests of the chaos checks need output directories with known content. This writes
 * what an uninterrupted run of stateful-graph.ts writes for given batches (zero time 0), computed
 * independently of verify.ts, so a test can damage one output and see the checks name it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BATCH_MS, IDLE_TIMEOUT_MS, SLIDE_MS, WINDOW_MS, keyOf } from './stateful-graph.js';

export type Outputs = Record<'batch' | 'totals' | 'mws' | 'window', Map<number, string[]>>;

const fmt = (m: Iterable<[string, number]>): string[] => [...m].filter(([, n]) => n !== 0).map(([k, n]) => `(${k},${n})`);

/** The outputs of an uninterrupted run whose batch i + 1 (time (i + 1) * BATCH_MS) holds batches[i]. */
export function uninterrupted(batches: readonly string[][]): Outputs {
  const o: Outputs = { batch: new Map(), totals: new Map(), mws: new Map(), window: new Map() };
  const totals = new Map<string, number>();
  const idle = new Map<string, { n: number; at: number }>();
  batches.forEach((records, i) => {
    const t = (i + 1) * BATCH_MS;
    o.batch.set(t, [...records]);
    for (const k of records.map(keyOf)) {
      totals.set(k, (totals.get(k) ?? 0) + 1);
      idle.set(k, { n: (idle.get(k)?.n ?? 0) + 1, at: t });
    }
    for (const [k, { at }] of idle) if (at <= t - IDLE_TIMEOUT_MS) idle.delete(k);
    o.totals.set(t, fmt(totals));
    o.mws.set(t, fmt([...idle].map(([k, { n }]) => [k, n] as [string, number])));
    if (t % SLIDE_MS === 0) {
      const w = new Map<string, number>();
      for (let j = 0; j <= i; j++) if ((j + 1) * BATCH_MS > t - WINDOW_MS) for (const k of batches[j]!.map(keyOf)) w.set(k, (w.get(k) ?? 0) + 1);
      o.window.set(t, fmt(w));
    }
  });
  return o;
}

/** Writes `o` under `out` as saveAsTextFiles does: `<name>-<t>/part-00000` and `_SUCCESS`. */
export async function writeOutputs(out: string, o: Partial<Outputs>): Promise<void> {
  for (const [name, byTime] of Object.entries(o)) {
    for (const [t, lines] of byTime) await writeDir(join(out, `${name}-${t}`), lines);
  }
}

/** One complete output directory holding `lines`. */
export async function writeDir(dir: string, lines: readonly string[], success = true): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'part-00000'), lines.map((l) => `${l}\n`).join(''));
  if (success) await writeFile(join(dir, '_SUCCESS'), '');
}
