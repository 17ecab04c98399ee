/**
 * The chaos checks bite: over hand-made output directories, an uninterrupted run passes, and a
 * missing batch, a total gone backwards, an idle key that did not expire and a window that kept a
 * leaving batch are each named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyStateful } from './verify.js';
import { BATCH_MS, IDLE_TIMEOUT_MS, SLIDE_MS, WINDOW_MS, keyOf, record } from './stateful-graph.js';

type Outputs = Record<'batch' | 'totals' | 'mws' | 'window', Map<number, string[]>>;

/** What an uninterrupted run writes for `batches` (records per batch), zero time 0. */
function uninterrupted(batches: string[][]): Outputs {
  const o: Outputs = { batch: new Map(), totals: new Map(), mws: new Map(), window: new Map() };
  const totals = new Map<string, number>();
  const idle = new Map<string, [number, number]>();
  const fmt = (m: Iterable<[string, number]>): string[] => [...m].filter(([, n]) => n !== 0).map(([k, n]) => `(${k},${n})`);
  batches.forEach((records, i) => {
    const t = (i + 1) * BATCH_MS;
    o.batch.set(t, records);
    for (const r of records) totals.set(keyOf(r), (totals.get(keyOf(r)) ?? 0) + 1);
    for (const r of records) idle.set(keyOf(r), [(idle.get(keyOf(r))?.[0] ?? 0) + 1, t]);
    for (const [k, [, at]] of idle) if (at <= t - IDLE_TIMEOUT_MS) idle.delete(k);
    o.totals.set(t, fmt(totals));
    o.mws.set(t, fmt([...idle].map(([k, [n]]) => [k, n] as [string, number])));
    if (t % SLIDE_MS === 0) {
      const w = new Map<string, number>();
      batches.forEach((rs, j) => {
        if ((j + 1) * BATCH_MS > t - WINDOW_MS && (j + 1) * BATCH_MS <= t) for (const r of rs) w.set(keyOf(r), (w.get(keyOf(r)) ?? 0) + 1);
      });
      o.window.set(t, fmt(w));
    }
  });
  return o;
}

async function write(out: string, o: Outputs): Promise<void> {
  for (const [name, byTime] of Object.entries(o)) {
    for (const [t, lines] of byTime) {
      const d = join(out, `${name}-${t}`);
      await mkdir(d, { recursive: true });
      await writeFile(join(d, 'part-00000'), lines.map((l) => `${l}\n`).join(''));
      await writeFile(join(d, '_SUCCESS'), '');
    }
  }
}

test('verifyStateful passes an uninterrupted run and names each defect', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-verify-'));
  try {
    const batches = Array.from({ length: 12 }, (_, i) => (i === 4 ? [] : [record(i * 2), record(i * 3 + 1)]));
    const good = join(root, 'good');
    await write(good, uninterrupted(batches));
    assert.deepEqual((await verifyStateful(good)).problems, []);

    const bad = uninterrupted(batches);
    bad.batch.delete(6 * BATCH_MS);
    bad.totals.set(8 * BATCH_MS, bad.totals.get(4 * BATCH_MS)!); // went backwards
    bad.mws.set(10 * BATCH_MS, [...bad.mws.get(10 * BATCH_MS)!, '(w99,1)']); // a key that should have expired
    bad.window.set(12 * BATCH_MS, bad.window.get(8 * BATCH_MS)!); // kept leaving batches
    const out = join(root, 'bad');
    await write(out, bad);
    const problems = (await verifyStateful(out)).problems.join('\n');
    for (const want of [`batch ${6 * BATCH_MS} ms: missing`, `totals at ${8 * BATCH_MS} ms`, `idle-counts at ${10 * BATCH_MS} ms`, `window at ${12 * BATCH_MS} ms`]) {
      assert.ok(problems.includes(want), `names "${want}":\n${problems}`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
