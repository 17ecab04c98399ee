/**
 * Benchmark: lines/s through socketTextStream -> filter -> count, against a bare Node process that
 * reads the same socket and counts the matching lines (the floor). Each consumer runs in its own
 * process against its own sender process; every run checks the counts.
 *
 *   node --import tsx --conditions=sluice-source bench/socket/run.ts [--lines 2000000] [--runs 3] [--json FILE]
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { plan } from './workload.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const NODE_ARGS = ['--import', 'tsx', '--conditions=sluice-source'];
const TIMEOUT_S = 300;

const { values } = parseArgs({ options: { lines: { type: 'string', default: '2000000' }, runs: { type: 'string', default: '3' }, json: { type: 'string' } } });
const work = plan(Number(values.lines));
const runs = Number(values.runs);

function spawnNode(script: string, args: string[]): ReturnType<typeof spawn> {
  const child = spawn(process.execPath, [...NODE_ARGS, `${here}${script}`, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  setTimeout(() => child.kill('SIGKILL'), TIMEOUT_S * 1000).unref();
  return child;
}

function firstLine(child: ReturnType<typeof spawn>, prefix: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith(prefix));
      if (line) resolve(line.slice(prefix.length).trim().split(' '));
    });
    child.on('exit', (code) => reject(new Error(`${prefix.trim()} not printed (exit ${code})`)));
  });
}

type Consumer = 'floor' | 'sluice' | 'sluiceTuned';

async function once(consumer: Consumer): Promise<number> {
  const sender = spawnNode('sender.ts', [String(work.blocks), String(TIMEOUT_S)]);
  const [port] = await firstLine(sender, 'PORT ');
  const args = consumer === 'floor' ? [port!] : [port!, String(work.lines), String(work.matches), consumer === 'sluice' ? 'default' : 'tuned'];
  const child = spawnNode(consumer === 'floor' ? 'floor-consumer.ts' : 'sluice-consumer.ts', args);
  const [lines, matches, seconds] = (await firstLine(child, 'RESULT ')).map(Number);
  sender.kill();
  child.kill();
  if (lines !== work.lines || matches !== work.matches) throw new Error(`${consumer}: counted ${lines} lines / ${matches} matches, expected ${work.lines} / ${work.matches}`);
  return work.lines / seconds!;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<Consumer, number[]> = { floor: [], sluice: [], sluiceTuned: [] };
for (let r = 0; r < runs; r++) {
  for (const c of ['floor', 'sluice', 'sluiceTuned'] as const) results[c].push(await once(c));
}
const floor = median(results.floor);
const sluice = median(results.sluice);
const tuned = median(results.sluiceTuned);
const fmt = (x: number): string => `${(x / 1e6).toFixed(2)} M lines/s`;
const report = {
  workload: { lines: work.lines, bytes: work.bytes, matches: work.matches },
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  runs,
  linesPerSecond: results,
  median: { floor, sluice, sluiceTuned: tuned },
  ratio: { sluice: sluice / floor, sluiceTuned: tuned / floor },
};
process.stdout.write(
  `socketTextStream -> filter -> count, ${work.lines} lines (${(work.bytes / 1e6).toFixed(0)} MB), ${runs} runs, medians:\n` +
    `  bare Node floor:            ${fmt(floor)}\n` +
    `  Sluice, defaults:           ${fmt(sluice)}  ratio ${(sluice / floor).toFixed(2)}\n` +
    `  Sluice, tuned (see README): ${fmt(tuned)}  ratio ${(tuned / floor).toFixed(2)}\n`,
);
if (values.json) await writeFile(values.json, JSON.stringify(report, null, 2) + '\n');
