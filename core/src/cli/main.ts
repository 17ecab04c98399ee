#!/usr/bin/env node
/**
 * The `sluice` command.
 *   sluice run [--supervise] [--max-quick-failures N] [--backoff-ms MS] app.js [args...]
 *   sluice check-checkpoint <dir> <app.js> [args...]
 */
import { checkCheckpoint } from './check-checkpoint.js';
import { defaultSuperviseOptions, runApplication, type SuperviseOptions } from './supervise.js';

const USAGE = `usage:
  sluice run [--supervise] [--max-quick-failures N] [--quick-failure-ms MS] [--backoff-ms MS] [--max-backoff-ms MS] <app.js> [args...]
  sluice check-checkpoint <checkpoint-dir> <app.js> [args...]`;

function fail(message: string): never {
  process.stderr.write(`sluice: ${message}\n${USAGE}\n`);
  process.exit(64);
}

function parseRun(argv: string[]): { app: string; args: string[]; opts: SuperviseOptions } {
  const opts = { ...defaultSuperviseOptions };
  const numeric: Record<string, keyof SuperviseOptions> = {
    '--max-quick-failures': 'maxQuickFailures',
    '--quick-failure-ms': 'quickFailureMs',
    '--backoff-ms': 'backoffMs',
    '--max-backoff-ms': 'maxBackoffMs',
  };
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('--'); i++) {
    const flag = argv[i]!;
    if (flag === '--supervise') opts.supervise = true;
    else if (numeric[flag]) {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) fail(`${flag} takes a whole number >= 1, got ${argv[i] ?? 'nothing'}`);
      (opts as Record<string, unknown>)[numeric[flag]!] = v;
    } else fail(`unknown option ${flag}`);
  }
  const app = argv[i];
  if (!app) fail('run needs the application file');
  return { app, args: argv.slice(i + 1), opts };
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'run') {
  const { app, args, opts } = parseRun(rest);
  process.exitCode = await runApplication(app, args, opts);
} else if (command === 'check-checkpoint') {
  const [dir, app, ...args] = rest;
  if (!dir || !app) fail('check-checkpoint needs a checkpoint directory and the application file');
  process.exitCode = await checkCheckpoint(dir, app, args);
} else {
  fail(command ? `unknown command ${command}` : 'no command');
}
