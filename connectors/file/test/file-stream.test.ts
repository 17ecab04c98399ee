// textFileStream / fileStream against a real directory: Spark's naming rules, atomic moves versus
// files written in place, newFilesOnly, recursion and filters, and the backlog limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '@sluice/core';
import { fileStream, textFileStream } from '@sluice/file';
import { collect, sleep, waitUntil } from '../../../test/conformance/index.js';
import { context, dirs, drop } from './helpers.js';

test('reads files moved in, once and whole; ignores ., _ and ._COPYING_ names until renamed', async () => {
  const d = await dirs();
  const ssc = context();
  const stream = textFileStream(ssc, d.dir, { settleMs: 0 });
  const out = collect(stream);
  try {
    await ssc.start();
    await drop(d, 'a.log', 'a1\na2\n');
    await drop(d, '.hidden', 'h\n');
    await drop(d, '_temporary', 't\n');
    await drop(d, 'b.log._COPYING_', 'b1\n');
    await waitUntil(() => out.length >= 2, 10_000, 'a.log');
    await sleep(300);
    assert.deepEqual(out, ['a1', 'a2']);
    await rename(join(d.dir, 'b.log._COPYING_'), join(d.dir, 'b.log'));
    await rename(join(d.dir, '.hidden'), join(d.dir, 'h.log'));
    await waitUntil(() => out.length >= 4, 10_000, 'the renamed files');
    await sleep(300);
    assert.deepEqual(out.sort(), ['a1', 'a2', 'b1', 'h']);
    assert.equal(stream.stats.filesRead, 3);
  } finally {
    await ssc.stop();
    await d.cleanup();
  }
});

test('a file written in place is left to settle and then read whole, once', async () => {
  const d = await dirs();
  const ssc = context();
  const stream = textFileStream(ssc, d.dir, { settleMs: 1500 });
  const out = collect(stream);
  try {
    await ssc.start();
    const path = join(d.dir, 'growing.log');
    await writeFile(path, '');
    for (let i = 0; i < 20; i++) {
      await appendFile(path, `line${i}\n`);
      await sleep(50); // 1 s of writing, far more often than settleMs
    }
    assert.equal(out.length, 0, 'nothing was read while the file was being written');
    await waitUntil(() => out.length >= 20, 10_000, 'the whole file');
    await sleep(500);
    assert.deepEqual(out, Array.from({ length: 20 }, (_, i) => `line${i}`));
    assert.equal(stream.stats.filesRead, 1);
  } finally {
    await ssc.stop();
    await d.cleanup();
  }
});

test('newFilesOnly (default) skips files present at start; false reads them', async () => {
  const d = await dirs();
  await drop(d, 'old.log', 'old\n');
  const ssc = context();
  const fresh = collect(textFileStream(ssc, d.dir, { settleMs: 0 }));
  const all = collect(textFileStream(ssc, d.dir, { settleMs: 0, newFilesOnly: false }));
  try {
    await ssc.start();
    await drop(d, 'new.log', 'new\n');
    await waitUntil(() => fresh.length >= 1 && all.length >= 2, 10_000, 'both streams');
    await sleep(300);
    assert.deepEqual(fresh, ['new']);
    assert.deepEqual(all.sort(), ['new', 'old']);
  } finally {
    await ssc.stop();
    await d.cleanup();
  }
});

test('recursive watching and a name filter', async () => {
  const d = await dirs();
  const ssc = context();
  const flat = collect(textFileStream(ssc, d.dir, { settleMs: 0, filter: /\.log$/ }));
  const deep = collect(textFileStream(ssc, d.dir, { settleMs: 0, recursive: true, filter: (p) => !p.endsWith('.skip') }));
  try {
    await ssc.start();
    await mkdir(join(d.dir, 'sub', 'deeper'), { recursive: true });
    await mkdir(join(d.dir, '.private'));
    await drop(d, 'top.log', 'top\n');
    await drop(d, 'top.txt', 'txt\n');
    await drop(d, 'sub/deeper/x.log', 'deep\n');
    await drop(d, 'sub/y.skip', 'skip\n');
    await drop(d, '.private/z.log', 'private\n');
    await waitUntil(() => flat.length >= 1 && deep.length >= 3, 10_000, 'both streams');
    await sleep(300);
    assert.deepEqual(flat, ['top']);
    assert.deepEqual(deep.sort(), ['deep', 'top', 'txt']);
  } finally {
    await ssc.stop();
    await d.cleanup();
  }
});

test('maxFilesPerBatch leaves a backlog that later batches take, oldest first', async () => {
  const d = await dirs();
  for (let i = 0; i < 10; i++) await drop(d, `f${i}.log`, `r${i}\n`);
  const ssc = context();
  const stream = textFileStream(ssc, d.dir, { settleMs: 0, newFilesOnly: false, maxFilesPerBatch: 3 });
  const perBatch: string[][] = [];
  stream.foreachRDD(async (rdd) => {
    const rows = await rdd.collect();
    if (rows.length > 0) perBatch.push(rows);
  });
  try {
    await ssc.start();
    await waitUntil(() => perBatch.flat().length >= 10, 10_000, 'ten files');
    assert.ok(perBatch.every((b) => b.length <= 3));
    assert.equal(perBatch.length, 4);
    assert.deepEqual(perBatch.flat(), Array.from({ length: 10 }, (_, i) => `r${i}`), 'oldest (then by name) first');
    assert.equal(stream.stats.backlog, 0);
  } finally {
    await ssc.stop();
    await d.cleanup();
  }
});

test('the directory may be missing at start and appear later', async () => {
  const d = await dirs();
  const missing = join(d.root, 'later');
  const ssc = context();
  const out = collect(textFileStream(ssc, missing, { settleMs: 0 }));
  try {
    await ssc.start();
    await sleep(250);
    await mkdir(missing);
    await sleep(250);
    await drop(d, 'x.log', 'x\n', missing);
    await waitUntil(() => out.length >= 1, 10_000, 'a file in the late directory');
    assert.deepEqual(out, ['x']);
  } finally {
    await ssc.stop();
    await d.cleanup();
  }
});

test('bad options fail at the call, naming the option', () => {
  const ssc = context();
  const bad = (f: () => unknown, name: string): void =>
    assert.throws(f, (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && e.message.includes(name));
  bad(() => textFileStream(ssc, ''), 'dir');
  bad(() => textFileStream(ssc, '/tmp', { nope: true } as never), 'nope');
  bad(() => textFileStream(ssc, '/tmp', { maxFilesPerBatch: 0 }), 'maxFilesPerBatch');
  bad(() => textFileStream(ssc, '/tmp', { settleMs: -1 }), 'settleMs');
  bad(() => textFileStream(ssc, '/tmp', { compression: 'zip' as never }), 'compression');
  bad(() => textFileStream(ssc, '/tmp', { errorDir: '/tmp' }), 'errorDir');
  bad(() => fileStream(ssc, '/tmp', { format: 'csv' } as never), 'format');
  bad(() => textFileStream(ssc, '/tmp', { filter: 'x' as never }), 'filter');
});
