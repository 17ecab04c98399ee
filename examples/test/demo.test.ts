// `npm run demo` end to end, shortened: the LogAnalyzer on the embedded generator prints every
// batch's results, writes its output directory and stops by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('the demo runs with no setup, prints each batch and writes its outputs', async () => {
  const out = await mkdtemp(join(tmpdir(), 'sluice-demo-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=sluice-source', 'examples/src/log-analyzer-demo.ts', '--seconds', '5', '--batch', '1', '--window', '2', '--slide', '1', '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    assert.equal(code, 0, stderr);
    for (const title of ['requests per IP (this batch)', '(requests, bytes) per IP (this batch, join)', 'requests per IP (last 2 s, reduceByKeyAndWindow)', 'requests per IP (last 2 s, countByValueAndWindow)', 'requests (last 2 s, countByWindow)', 'requests per response code (running total, updateStateByKey)', 'top 5 endpoints (this batch, transform)']) {
      assert.ok(stdout.includes(`== ${title} ==`), `prints "${title}"`);
    }
    assert.match(stdout, /-{43}\nTime: \d+ ms\n-{43}\n\(10\.0\.0\.\d,\d+\)/);
    assert.match(stderr, /Results written to /);
    const saved = (await readdir(out)).filter((n) => n.startsWith('ipAddressRequestCount-'));
    assert.ok(saved.length >= 2, `window outputs: ${saved.join(', ')}`);
    assert.ok(existsSync(join(out, saved[0]!, '_SUCCESS')));
    const codes = JSON.parse(await readFile(join(out, 'response-codes.json'), 'utf8')) as { totals: Record<string, number> };
    assert.ok((codes.totals['200'] ?? 0) > 0);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
