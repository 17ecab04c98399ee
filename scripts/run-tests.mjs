#!/usr/bin/env node
// Runs every test file of the repo with node's own test runner, from TypeScript sources (tsx),
// resolving workspace packages to their sources (the `sluice-source` export condition).
// Usage: node scripts/run-tests.mjs [path-substring ...]
// Peers (Kafka, Flume, ...) are started by the tests that need them, through test/infra/.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = ['core/test', 'connectors', 'sinks', 'ui', 'examples/test', 'test'];
const skip = new Set(['node_modules', 'dist', '.cache', 'infra', 'target']);

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (skip.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.test\.ts$/.test(name)) out.push(relative(root, p));
  }
  return out;
}

const filters = process.argv.slice(2);
const files = [...new Set(roots.flatMap((r) => walk(join(root, r), [])))]
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}

const args = [
  '--import', 'tsx',
  '--conditions=sluice-source',
  '--test',
  '--test-concurrency=2',
  '--test-timeout=300000',
  ...files,
];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
