#!/usr/bin/env node
// Runs the benchmarks in bench/ (never part of the tests). Usage: npm run bench [-- name ...]
// where name is a file under bench/ without .ts (e.g. core/engine-bench); default: every *-bench.ts.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const benchDir = join(root, 'bench');
const found = [];
const walk = (dir) => {
  for (const n of readdirSync(dir)) {
    if (n === 'node_modules' || n.startsWith('.') || n === 'target') continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (n.endsWith('-bench.ts')) found.push(relative(benchDir, p).replace(/\.ts$/, ''));
  }
};
walk(benchDir);
const wanted = process.argv.slice(2);
const run = found.filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w))).sort();
if (run.length === 0) {
  console.error(`no benchmark matches ${wanted.join(' ')}; available: ${found.join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const b of run) {
  console.log(`\n=== bench/${b}.ts`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=sluice-source', join(benchDir, `${b}.ts`)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
