/**
 * saveAsTextFiles: one directory per batch, `prefix-<ms>[.suffix]`, with `part-NNNNN` per partition
 * and `_SUCCESS`, appearing atomically. Readers polling the output directory, in this process
 * (between the writer's I/O callbacks) and in another process, never see half a batch.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatches } from '@sluice/core/testing';
import { SluiceError } from '@sluice/core';
import { quietLogger } from './helpers.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-save-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const partName = (p: number): string => `part-${String(p).padStart(5, '0')}`;

describe('saveAsTextFiles', () => {
  test('writes prefix-<ms>.suffix/part-NNNNN and _SUCCESS, elements formatted as print does', async () => {
    const dir = join(root, 'layout');
    await runBatches({ input: [['a', 'b', 'c'], [], ['d']], numPartitions: 2 }, (s) => {
      s.map((w) => [w, w.length] as [string, number]).saveAsTextFiles(join(dir, 'out'), 'txt');
      s.saveAsTextFiles(join(dir, 'plain'));
      return s;
    });
    assert.deepStrictEqual((await readdir(dir)).sort(), [
      'out-1000.txt', 'out-2000.txt', 'out-3000.txt', 'plain-1000', 'plain-2000', 'plain-3000',
    ]);
    const batch1 = join(dir, 'out-1000.txt');
    assert.deepStrictEqual((await readdir(batch1)).sort(), ['_SUCCESS', 'part-00000', 'part-00001']);
    assert.equal(await readFile(join(batch1, 'part-00000'), 'utf8'), '(a,1)\n');
    assert.equal(await readFile(join(batch1, 'part-00001'), 'utf8'), '(b,1)\n(c,1)\n');
    assert.equal(await readFile(join(batch1, '_SUCCESS'), 'utf8'), '');
    // An empty batch still gets its directory, with empty parts.
    assert.deepStrictEqual((await readdir(join(dir, 'plain-2000'))).sort(), ['_SUCCESS', 'part-00000', 'part-00001']);
    assert.equal(await readFile(join(dir, 'plain-2000', 'part-00000'), 'utf8'), '');
    assert.equal(await readFile(join(dir, 'plain-3000', 'part-00001'), 'utf8'), 'd\n');
  });

  test('re-running a batch replaces its directory (no stale parts, no leftovers)', async () => {
    const dir = join(root, 'rerun');
    const prefix = join(dir, 'out');
    await runBatches({ input: [['x1', 'x2', 'x3']], numPartitions: 3 }, (s) => (s.saveAsTextFiles(prefix), s));
    assert.deepStrictEqual((await readdir(join(dir, 'out-1000'))).sort(), ['_SUCCESS', 'part-00000', 'part-00001', 'part-00002']);
    await runBatches({ input: [['y1', 'y2']], numPartitions: 2 }, (s) => (s.saveAsTextFiles(prefix), s));
    assert.deepStrictEqual(await readdir(dir), ['out-1000']);
    assert.deepStrictEqual((await readdir(join(dir, 'out-1000'))).sort(), ['_SUCCESS', 'part-00000', 'part-00001']);
    assert.equal(await readFile(join(dir, 'out-1000', 'part-00000'), 'utf8'), 'y1\n');
    assert.equal(await readFile(join(dir, 'out-1000', 'part-00001'), 'utf8'), 'y2\n');
  });

  test('a batch whose write fails leaves neither its directory nor a temporary one', async () => {
    const dir = join(root, 'failing');
    await assert.rejects(
      runBatches({ input: [[1, 2]], numPartitions: 2, contextOptions: { maxTaskFailures: 1, logger: quietLogger() } }, (s) => {
        s.map((x) => {
          if (x === 2) throw new Error('cannot format');
          return x;
        }).saveAsTextFiles(join(dir, 'out'));
        return s;
      }),
      (e: unknown) => e instanceof SluiceError && e.code === 'JOB_FAILED',
    );
    assert.deepStrictEqual(existsSync(dir) ? await readdir(dir) : [], []);
  });

  test('rejects an empty prefix', async () => {
    await runBatches({ input: [[1]] }, (s) => {
      assert.throws(() => s.saveAsTextFiles(''), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION');
      return s;
    });
  });
});

// ------------------------------------------------------------------ atomicity under concurrent readers

const BATCHES = 12;
const PARTS = 4;
const LINES = 3000;
const atomicInput = Array.from({ length: BATCHES }, (_, b) => Array.from({ length: LINES }, (_, i) => `batch ${b} line ${i} ${'x'.repeat(40)}`));

/**
 * Checks every visible (not dot-prefixed) batch directory under `dir`: it must hold `_SUCCESS` and
 * exactly PARTS parts whose lines are the whole batch. The same function runs in a child process
 * (as source text), so it uses only its arguments and node:fs.
 */
function checkVisibleBatches(dir: string, parts: number, lines: number, fs: { readdirSync: typeof readdirSync; readFileSync: typeof readFileSync }): { seen: number; problems: string[] } {
  const problems: string[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return { seen: 0, problems };
  }
  let seen = 0;
  for (const name of names) {
    if (name.startsWith('.')) continue;
    seen++;
    try {
      const entries = fs.readdirSync(dir + '/' + name).sort();
      const expected = ['_SUCCESS', ...Array.from({ length: parts }, (_, p) => 'part-' + String(p).padStart(5, '0'))];
      if (entries.join(',') !== expected.join(',')) problems.push(name + ' holds ' + entries.join(','));
      let total = 0;
      for (const e of entries) if (e.startsWith('part-')) total += fs.readFileSync(dir + '/' + name + '/' + e, 'utf8').split('\n').filter((l: string) => l.length > 0).length;
      if (total !== lines) problems.push(name + ' has ' + total + ' lines');
    } catch (e) {
      problems.push(name + ': ' + String(e));
    }
  }
  return { seen, problems };
}

describe('saveAsTextFiles atomicity', () => {
  test('a reader polling in this process never sees a partial batch', async () => {
    const dir = join(root, 'atomic-in-process');
    let polls = 0;
    let running = true;
    const problems: string[] = [];
    const seenCounts = new Set<number>();
    const poll = (): void => {
      if (!running) return;
      polls++;
      const r = checkVisibleBatches(dir, PARTS, LINES, { readdirSync, readFileSync });
      problems.push(...r.problems);
      seenCounts.add(r.seen);
      setImmediate(poll);
    };
    setImmediate(poll);
    try {
      await runBatches({ input: atomicInput, numPartitions: PARTS }, (s) => (s.saveAsTextFiles(join(dir, 'out')), s));
    } finally {
      running = false;
    }
    const final = checkVisibleBatches(dir, PARTS, LINES, { readdirSync, readFileSync });
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(final, { seen: BATCHES, problems: [] });
    assert.ok(polls > BATCHES, `the reader polled ${polls} times`);
    assert.ok(seenCounts.size > 2, `the reader saw the directory at several stages: ${[...seenCounts].join(',')}`);
  });

  test('a reader polling from another process never sees a partial batch', async () => {
    const dir = join(root, 'atomic-child');
    const stopFile = join(root, 'atomic-child.stop');
    const script = `
      const fs = require('node:fs');
      const check = ${checkVisibleBatches.toString()};
      const [dir, stopFile, parts, lines] = process.argv.slice(1);
      let polls = 0; const problems = []; const seen = new Set();
      process.stdout.write('ready\\n');
      for (;;) {
        const stop = fs.existsSync(stopFile);
        const r = check(dir, Number(parts), Number(lines), fs);
        polls++; problems.push(...r.problems); seen.add(r.seen);
        if (stop) break;
      }
      process.stdout.write(JSON.stringify({ polls, problems, seen: [...seen] }) + '\\n');
    `;
    const child = spawn(process.execPath, ['-e', script, dir, stopFile, String(PARTS), String(LINES)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('ready\n')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await ready;
      await runBatches({ input: atomicInput, numPartitions: PARTS }, (s) => (s.saveAsTextFiles(join(dir, 'out')), s));
    } finally {
      await writeFile(stopFile, '');
    }
    assert.equal(await exited, 0);
    const report = JSON.parse(stdout.split('\n').filter((l) => l.startsWith('{')).at(-1)!) as { polls: number; problems: string[]; seen: number[] };
    assert.deepStrictEqual(report.problems, []);
    assert.ok(report.seen.includes(BATCHES), `the reader saw every batch in the end: ${report.seen.join(',')}`);
    assert.ok(report.polls > 1, `the reader polled ${report.polls} times`);
  });
});
