/**
 * `sluice run [--supervise] app.js`: runs an application as a child process. With --supervise, a
 * crashed application is restarted with exponential backoff (like `spark-submit --supervise`);
 * each restart is logged, and after `maxQuickFailures` failures in a row that each came within
 * `quickFailureMs` of starting, it gives up with the application's exit code.
 */
import { spawn } from 'node:child_process';

export interface SuperviseOptions {
  supervise: boolean;
  /** Delay before the first restart (default 1000 ms); doubles per quick failure. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A run shorter than this counts as a quick failure (default 10 s). */
  quickFailureMs: number;
  /** Give up after this many quick failures in a row (default 5). */
  maxQuickFailures: number;
  log: (line: string) => void;
}

export const defaultSuperviseOptions: SuperviseOptions = {
  supervise: false,
  backoffMs: 1000,
  maxBackoffMs: 60_000,
  quickFailureMs: 10_000,
  maxQuickFailures: 5,
  log: (line) => process.stderr.write(`sluice run: ${line}\n`),
};

/** Runs `node [execArgv] app args...` (restarting it when supervised); resolves with the exit code to use. */
export async function runApplication(app: string, args: string[], opts: SuperviseOptions): Promise<number> {
  let stopping = false;
  let child: ReturnType<typeof spawn> | undefined;
  const forward = (signal: NodeJS.Signals) => (): void => {
    stopping = true;
    child?.kill(signal);
  };
  const onTerm = forward('SIGTERM');
  const onInt = forward('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  let quickFailures = 0;
  let delay = opts.backoffMs;
  try {
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      child = spawn(process.execPath, [...process.execArgv, app, ...args], { stdio: 'inherit' });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
        child!.once('exit', (c, s) => resolve([c, s]));
        child!.once('error', (e) => {
          opts.log(`could not start ${app}: ${e.message}`);
          resolve([127, null]);
        });
      });
      const ranMs = Date.now() - started;
      const exitCode = code ?? 1;
      if (stopping || !opts.supervise || (code === 0 && signal === null)) return exitCode;
      if (ranMs < opts.quickFailureMs) quickFailures++;
      else {
        quickFailures = 1;
        delay = opts.backoffMs;
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
      if (quickFailures >= opts.maxQuickFailures) {
        opts.log(`${app} ${how} after ${(ranMs / 1000).toFixed(1)} s; giving up after ${quickFailures} quick failures in a row`);
        return exitCode;
      }
      opts.log(`${app} ${how} after ${(ranMs / 1000).toFixed(1)} s; restarting in ${(delay / 1000).toFixed(1)} s (start #${attempt + 1})`);
      await new Promise((r) => setTimeout(r, delay));
      if (stopping) return exitCode;
      delay = Math.min(delay * 2, opts.maxBackoffMs);
    }
  } finally {
    process.removeListener('SIGTERM', onTerm);
    process.removeListener('SIGINT', onInt);
  }
}
