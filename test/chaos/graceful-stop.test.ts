/**
 * SIGTERM with data in flight: the application (stopGracefullyOnShutdown) stops its receiver,
 * processes everything it stored, and exits 0; every item the producer got acknowledged is in the
 * output, without any restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckedProducer } from './acked-producer.js';

const app = new URL('./chaos-app.ts', import.meta.url).pathname;

test('graceful stop on SIGTERM processes everything received before exiting', { timeout: 60_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-graceful-'));
  const producer = new AckedProducer(1_000_000, 50, 10);
  const port = await producer.listen();
  try {
    const out = join(root, 'out');
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=sluice-source', app, join(root, 'cp'), out, '500', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    const deadline = Date.now() + 30_000;
    while (producer.acked < 2000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(producer.acked >= 2000, `the receiver acknowledged items; log:\n${log}`);
    child.kill('SIGTERM'); // while the producer keeps sending
    assert.equal(await exited, 0, log);
    const acked = producer.acked;
    const seen = new Set<number>();
    for (const d of (await readdir(out)).filter((n) => n.startsWith('recv-'))) {
      for (const f of (await readdir(join(out, d))).filter((f) => f.startsWith('part-'))) {
        for (const l of (await readFile(join(out, d, f), 'utf8')).split('\n')) if (l) seen.add(Number(l));
      }
    }
    const missing = Array.from({ length: acked }, (_, i) => i + 1).filter((n) => !seen.has(n));
    assert.equal(missing.length, 0, `${missing.length} of ${acked} acknowledged items missing, e.g. ${missing.slice(0, 5).join(', ')}`);
  } finally {
    await producer.close();
    await rm(root, { recursive: true, force: true });
  }
});
