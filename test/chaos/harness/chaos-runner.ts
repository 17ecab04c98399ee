/**
 * Kills an application with SIGKILL again and again at random moments, restarting it each time (it
 * calls getOrCreate), then lets a last run finish and stops it with SIGTERM. About half of the
 * kills come 1-3 s after the spawn, whatever the process is doing then (loading, restoring,
 * re-running); the others 0-1.5 s after it wrote a new batch. Every wait is bounded.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Run {
  child: ChildProcess;
  exited: Promise<number | null>;
  log: string[];
}

function start(app: string, args: string[]): Run {
  const log: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=sluice-source', app, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  return { child, exited: new Promise((r) => child.once('exit', (code) => r(code))), log };
}

async function batchCount(out: string): Promise<number> {
  return existsSync(out) ? (await readdir(out)).filter((d) => /^batch-\d+$/.test(d)).length : 0;
}

export interface ChaosOptions {
  app: string;
  args: string[];
  /** Where the app writes `batch-<t>` directories. */
  out: string;
  kills: number;
  /** True once the last run has processed everything. */
  done(): Promise<boolean>;
  /** How long the last run may take to get there. */
  finishMs?: number;
}

/** Resolves with how many kills came early (1-3 s after a spawn) and the last run's log. */
export async function killRepeatedly(o: ChaosOptions): Promise<{ early: number; lastLog: string }> {
  let early = 0;
  for (let i = 0; i < o.kills; i++) {
    const run = start(o.app, o.args);
    if (i % 2 === 0) {
      early++;
      await sleep(1000 + Math.random() * 2000);
    } else {
      const before = await batchCount(o.out);
      const deadline = Date.now() + 30_000;
      while ((await batchCount(o.out)) <= before && Date.now() < deadline && run.child.exitCode === null) await sleep(20);
      assert.ok((await batchCount(o.out)) > before, `run ${i} wrote a batch within 30 s; its log:\n${run.log.join('').slice(-3000)}`);
      await sleep(Math.random() * 1500);
    }
    run.child.kill('SIGKILL');
    await run.exited;
  }
  const last = start(o.app, o.args);
  const deadline = Date.now() + (o.finishMs ?? 60_000);
  while (!(await o.done()) && Date.now() < deadline && last.child.exitCode === null) await sleep(100);
  const finished = await o.done();
  last.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((r) => (timer = setTimeout(() => r('still running 30 s after SIGTERM'), 30_000)));
  const code = await Promise.race([last.exited, timeout]);
  clearTimeout(timer);
  if (typeof code === 'string') last.child.kill('SIGKILL');
  const lastLog = last.log.join('');
  assert.ok(finished, `the last run processed everything within ${(o.finishMs ?? 60_000) / 1000} s; its log:\n${lastLog.slice(-3000)}`);
  assert.equal(code, 0, `the last run stopped gracefully on SIGTERM; its log:\n${lastLog.slice(-3000)}`);
  return { early, lastLog };
}
