#!/usr/bin/env node
// Runs the fake log generator: from the build (dist/) when present, else from the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

const built = new URL('../dist/fakelogs/cli.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/fakelogs/cli.ts', import.meta.url).href);
}
