import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = new URL('../../core/src/cli/main.ts', import.meta.url).pathname;
const flaky = new URL('./flaky-app.ts', import.meta.url).pathname;
const chaosApp = new URL('../chaos/chaos-app.ts', import.meta.url).pathname;
const NODE_ARGS = ['--import', 'tsx', '--conditions=sluice-source'];

function sluice(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, cli, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sluice ${args.join(' ')} timed out; stderr:\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('sluice run --supervise restarts a crashing application with backoff until it succeeds', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
  try {
    const counter = join(dir, 'runs');
    const r = await sluice(['run', '--supervise', '--backoff-ms', '50', flaky, counter, '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(counter, 'utf8'), '3');
    const restarts = r.stderr.split('\n').filter((l) => l.includes('restarting in'));
    assert.equal(restarts.length, 2, r.stderr);
    assert.match(restarts[0]!, /exited with code 1 .* restarting in 0\.1 s/);
    assert.match(restarts[1]!, /restarting in 0\.1 s|restarting in 0\.2 s/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sluice run --supervise gives up after repeated quick failures, with the exit code', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
  try {
    const r = await sluice(['run', '--supervise', '--backoff-ms', '20', '--max-quick-failures', '3', flaky, join(dir, 'runs'), '99']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /giving up after 3 quick failures in a row/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sluice run without --supervise does not restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
  try {
    const r = await sluice(['run', flaky, join(dir, 'runs'), '1']);
    assert.equal(r.code, 1);
    assert.equal(await readFile(join(dir, 'runs'), 'utf8'), '1');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sluice check-checkpoint says whether an application can restore, without starting it', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
  const dir = join(root, 'cp');
  const out = join(root, 'out');
  try {
    const none = await sluice(['check-checkpoint', dir, chaosApp, dir, out, '100']);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /would start fresh/);
    // Make a checkpoint: run the application briefly, then stop it with SIGTERM.
    const app = spawn(process.execPath, [...NODE_ARGS, chaosApp, dir, out, '100'], { stdio: 'ignore' });
    const exited = new Promise((r) => app.once('exit', r));
    await new Promise((r) => setTimeout(r, 2500));
    app.kill('SIGTERM');
    await exited;
    const ok = await sluice(['check-checkpoint', dir, chaosApp, dir, out, '100']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /OK: the application can restore/);
    assert.match(ok.stdout, /format 2/);
    assert.match(ok.stdout, /State of 'running-count': as of batch \d+ ms, in state\/running-count-\d+\.log \(\d+ bytes\)/);
    const bad = await sluice(['check-checkpoint', dir, chaosApp, dir, out, '100'], { CHAOS_STATE_NAME: 'renamed-count' });
    assert.equal(bad.code, 2, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /CANNOT RESTORE/);
    assert.match(bad.stdout, /'running-count'/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
