// End to end as in "Learning Spark" chapter 10: a real `nc -lk` (Debian's netcat) serves log lines,
// and the ported StreamingLogInput example, run as its own process, prints exactly the lines that
// contain "error", in Spark's print format. nc is installed first if missing (see infra/netcat.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startNetcatServer, type NetcatServer } from './infra/netcat.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const DASHES = '-'.repeat(43);
let nc: NetcatServer;

before(async () => {
  nc = await startNetcatServer();
});

after(async () => {
  await nc?.stop();
});

function logLine(i: number, endpoint: string, code: number): string {
  return `10.0.0.${i % 8} - - [21/Jul/2014:09:55:${String(i % 60).padStart(2, '0')} -0800] "GET ${endpoint} HTTP/1.1" ${code} ${1000 + i}`;
}

/** Runs the example to completion (bounded); resolves with its exit code, stdout and stderr. */
function runExample(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=sluice-source', 'examples/src/streaming-log-input.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('StreamingLogInput prints exactly the error lines that nc -lk serves, in Spark\'s format', async () => {
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) lines.push(i % 6 === 3 ? logLine(i, '/error.html', 404) : logLine(i, '/index.html', 200));
  lines.push('Error in capitals does not match', 'but a line with errors in it does');
  const expected = lines.filter((l) => l.includes('error'));
  assert.equal(expected.length, 8);
  await nc.write(lines.join('\n') + '\n'); // nc sends it once the example connects

  const res = await runExample(['127.0.0.1', String(nc.port), '--seconds', '4'], 60_000);
  assert.equal(res.code, 0, `the example failed:\n${res.stderr}`);

  // stdout is nothing but print blocks: dashes, "Time: <ms> ms", dashes, the elements, an empty line.
  const block = new RegExp(`^${DASHES}\\nTime: (\\d+) ms\\n${DASHES}\\n((?:.+\\n)*)\\n`);
  let rest = res.stdout;
  const times: number[] = [];
  const printed: string[] = [];
  while (rest.length > 0) {
    const m = block.exec(rest);
    assert.ok(m, `unexpected output at: ${JSON.stringify(rest.slice(0, 200))}`);
    times.push(Number(m[1]));
    printed.push(...m[2]!.split('\n').filter((l) => l !== ''));
    rest = rest.slice(m[0].length);
  }
  assert.deepEqual(printed, expected);
  assert.ok(times.length >= 2, `expected several 1 s batches, got ${times.length}`);
  for (let i = 1; i < times.length; i++) assert.equal(times[i]! - times[i - 1]!, 1000);
  assert.equal(times[0]! % 1000, 0);
});
