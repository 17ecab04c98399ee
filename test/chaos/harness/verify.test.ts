/**
 * The chaos checks bite: over hand-made output directories, an uninterrupted run passes, and a
 * missing batch, a total gone backwards, an idle key that did not expire and a window that kept a
 * leaving batch are each named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyStateful } from './verify.js';
import { BATCH_MS, record } from './stateful-graph.js';
import { uninterrupted, writeOutputs } from './fake-run.js';

test('verifyStateful passes an uninterrupted run and names each defect', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-verify-'));
  try {
    const batches = Array.from({ length: 12 }, (_, i) => (i === 4 ? [] : [record(i * 2), record(i * 3 + 1)]));
    const good = join(root, 'good');
    await writeOutputs(good, uninterrupted(batches));
    assert.deepEqual((await verifyStateful(good)).problems, []);

    const bad = uninterrupted(batches);
    bad.batch.delete(6 * BATCH_MS);
    bad.totals.set(8 * BATCH_MS, bad.totals.get(4 * BATCH_MS)!); // went backwards
    bad.mws.set(10 * BATCH_MS, [...bad.mws.get(10 * BATCH_MS)!, '(w99,1)']); // a key that should have expired
    bad.window.set(12 * BATCH_MS, bad.window.get(8 * BATCH_MS)!); // kept leaving batches
    const out = join(root, 'bad');
    await writeOutputs(out, bad);
    const problems = (await verifyStateful(out)).problems.join('\n');
    for (const want of [`batch ${6 * BATCH_MS} ms: missing`, `totals at ${8 * BATCH_MS} ms`, `idle-counts at ${10 * BATCH_MS} ms`, `window at ${12 * BATCH_MS} ms`]) {
      assert.ok(problems.includes(want), `names "${want}":\n${problems}`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
