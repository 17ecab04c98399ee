/** Small helpers over node:util parseArgs for the example programs: numbers with checks, usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;
/** What {@link parseFlags} returns for `options`. */
export type ParsedFlags<O extends FlagOptions> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>;

export class UsageError extends Error {}

/** Parses `argv` strictly (unknown flags are errors). */
export function parseFlags<O extends FlagOptions>(argv: string[], options: O): ParsedFlags<O> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A number flag, at least `min`. */
export function numberFlag(value: string | undefined, name: string, dflt: number, min = 0): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** Runs `main`, printing usage errors (exit 2) and failures (exit 1) instead of stack traces for the former. */
export function runMain(main: () => Promise<void>, usage: string): void {
  main().catch((e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n\n${usage}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  });
}

/** Resolves after `seconds` (never when 0), or at the first SIGINT/SIGTERM; says which. */
export function untilStopped(seconds: number): Promise<'timeout' | 'signal'> {
  return new Promise((resolve) => {
    const done = (why: 'timeout' | 'signal'): void => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(why);
    };
    const onSignal = (): void => done('signal');
    const timer = seconds > 0 ? setTimeout(() => done('timeout'), seconds * 1000) : undefined;
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
