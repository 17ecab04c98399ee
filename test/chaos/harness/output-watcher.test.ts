/**
 * Why: the re-run check (output-watcher.ts) must see a batch that a re-run rewrote differently, and
 * must let through a re-run that wrote the same, or (for a socket without the WAL) lost records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputWatcher, type RerunRule } from './output-watcher.js';
import { writeDir } from './fake-run.js';

/** A re-run replaces `batch-400` with `rerun` the way saveAsTextFiles does (a new directory renamed in). */
async function rerunCheck(rerun: string[], rule: RerunRule): Promise<Awaited<ReturnType<OutputWatcher['finish']>>> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-watcher-'));
  try {
    const out = join(root, 'out');
    await writeDir(join(out, 'batch-200'), ['w1#1']);
    await writeDir(join(out, 'batch-400'), ['w2#2', 'w3#3']);
    await writeDir(join(out, 'totals-400'), ['(w2,1)']);
    const watcher = new OutputWatcher(out, 10, 10_000);
    const deadline = Date.now() + 10_000;
    while (watcher.seen < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(watcher.seen, 3, 'the watcher saw the three directories within 10 s');
    await writeDir(join(root, 'tmp'), rerun);
    await rename(join(out, 'batch-400'), join(root, 'old'));
    await rename(join(root, 'tmp'), join(out, 'batch-400'));
    return await watcher.finish(rule);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('a re-run that writes the same batch passes and is counted', async () => {
  assert.deepEqual(await rerunCheck(['w3#3', 'w2#2'], 'same'), { seen: 3, rewritten: 1, dropped: 0, problems: [] });
});

test('a re-run that writes a batch differently is named', async () => {
  const { problems } = await rerunCheck(['w2#2'], 'same');
  assert.deepEqual(problems, ['batch-400: a re-run wrote 1 lines where a killed run had written 2; only in the re-run [], only in the first ["w3#3"]']);
  assert.match((await rerunCheck(['w2#2', 'w3#3', 'w4#4'], 'subset')).problems.join(), /batch-400: .*only in the re-run \["w4#4"\]/);
});

test('without replay a re-run may lose records but not add any', async () => {
  const { dropped, problems } = await rerunCheck([], 'subset');
  assert.deepEqual({ dropped, problems }, { dropped: 2, problems: [] });
});
