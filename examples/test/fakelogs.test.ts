// The fake log generator: the TCP server's rate and line format, atomic file drops that
// textFileStream reads, and the sluice-fakelogs command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamingContext } from '@sluice/core';
import { textFileStream } from '@sluice/file';
import { startFakeLogFiles, startFakeLogServer, tryParseLogLine } from '@sluice/examples';
import { collect, waitUntil } from '../../test/conformance/index.js';

test('the server sends parseable lines to every client at about the rate asked', async () => {
  const server = await startFakeLogServer({ port: 0, rate: 500 });
  const received: string[] = [];
  const other: string[] = [];
  const a = connect({ host: '127.0.0.1', port: server.port });
  const b = connect({ host: '127.0.0.1', port: server.port });
  a.on('data', (c: Buffer) => received.push(...c.toString().split('\n').filter(Boolean)));
  b.on('data', (c: Buffer) => other.push(...c.toString().split('\n').filter(Boolean)));
  try {
    await waitUntil(() => server.clients === 2, 5000, 'two clients');
    const start = Date.now();
    await waitUntil(() => received.length >= 500 && other.length >= 500, 10_000, '500 lines each');
    const seconds = (Date.now() - start) / 1000;
    assert.ok(seconds > 0.6 && seconds < 5, `500 lines at 500/s took ${seconds} s`);
    assert.ok(received.every((l) => tryParseLogLine(l) !== undefined), 'every line parses');
  } finally {
    a.destroy();
    b.destroy();
    await server.close();
  }
});

test('files are dropped atomically and textFileStream reads every line of them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-fakelogs-'));
  const ssc = new StreamingContext({ batchInterval: 100, logger: { debug() {}, info() {}, warn() {}, error() {} } });
  const lines = collect(textFileStream(ssc, dir, { settleMs: 0 }));
  await ssc.start();
  const files = await startFakeLogFiles({ dir, everyMs: 50, linesPerFile: 20 });
  try {
    await waitUntil(() => files.filesWritten >= 5, 10_000, 'five files');
    await files.close();
    const n = files.filesWritten;
    await waitUntil(() => lines.length >= n * 20, 10_000, `${n * 20} lines`);
    assert.equal(lines.length, n * 20);
    assert.ok(lines.every((l) => tryParseLogLine(l) !== undefined));
    assert.ok((await readdir(dir)).every((f) => /^access-\d+-\d{6}\.log$/.test(f)), 'no temporary files left');
  } finally {
    await files.close();
    await ssc.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('sluice-fakelogs serves on the port asked and stops after --seconds', async () => {
  const bin = fileURLToPath(new URL('../bin/sluice-fakelogs.mjs', import.meta.url));
  const child = spawn(process.execPath, [bin, '--port', '0', '--rate', '50', '--seconds', '1.5'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /serving fake Apache logs on 127\.0\.0\.1:\d+/);
  assert.match(stderr, /sent \d+ lines/);
});
