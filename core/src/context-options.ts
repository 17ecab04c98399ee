/**
 * The options of a StreamingContext and their validation: unknown keys are rejected, and every
 * message names the option and what it accepts.
 */
import { availableParallelism } from 'node:os';
import { SluiceError } from './errors.js';
import { toDuration, type Duration, type DurationLike } from './time.js';
import { SystemClock, type Clock } from './util/clock.js';
import { defaultLogger, type Logger } from './util/logger.js';

export interface BackpressureOptions {
  /** Records/s per receiver before the first estimate (default: receiverMaxRate). */
  initialRate?: number;
  /** PID gains and floor, Spark's defaults: 1.0, 0.2, 0.0, 100. */
  proportional?: number;
  integral?: number;
  derived?: number;
  minRate?: number;
}

export interface StreamingContextOptions {
  /** Time between batches (required). */
  batchInterval: DurationLike;
  /** How often receivers cut stored records into blocks (default 200 ms). */
  blockInterval?: DurationLike;
  /** Partitions of one job computed at once (default: the number of CPU cores). */
  parallelism?: number;
  /** Output jobs run at once (default 1: in order). */
  concurrentJobs?: number;
  /** Attempts per task and per output job before the batch fails (default 4). */
  maxTaskFailures?: number;
  /** Records/s each receiver may store (default: unlimited). */
  receiverMaxRate?: number;
  /** Bytes of received-but-unprocessed data per receiver before store() returns false (default 256 MiB). */
  receiverBufferBytes?: number;
  /** Adapt each receiver's rate to what the pipeline processes (Spark's PID estimator). */
  backpressure?: boolean | BackpressureOptions;
  /** Keep every stream's RDDs at least this long (e.g. to query them from outside). */
  rememberDuration?: DurationLike;
  /** Checkpoint directory (same as ssc.checkpoint(dir)). */
  checkpointDir?: string;
  /** Log received blocks durably before they are acknowledged (needs a checkpoint directory). */
  writeAheadLog?: boolean;
  /** Stop gracefully on SIGTERM/SIGINT (default false). */
  stopGracefullyOnShutdown?: boolean;
  /** Longest a graceful stop waits for received data to be processed (default 10 batch intervals). */
  gracefulStopTimeout?: DurationLike;
  /** Time source (default: the system clock; ManualClock in tests). */
  clock?: Clock;
  logger?: Logger;
  /** Where print() writes (default: process.stdout). */
  printSink?: (text: string) => void;
  /** A name for logs and the UI. */
  appName?: string;
}

export interface ResolvedOptions {
  batchInterval: Duration;
  blockInterval: Duration;
  parallelism: number;
  concurrentJobs: number;
  maxTaskFailures: number;
  receiverMaxRate: number;
  receiverBufferBytes: number;
  backpressure: Required<BackpressureOptions> | undefined;
  rememberDuration: Duration | undefined;
  checkpointDir: string | undefined;
  writeAheadLog: boolean;
  stopGracefullyOnShutdown: boolean;
  gracefulStopTimeout: Duration;
  clock: Clock;
  logger: Logger;
  printSink: (text: string) => void;
  appName: string;
}

const KNOWN = [
  'batchInterval', 'blockInterval', 'parallelism', 'concurrentJobs', 'maxTaskFailures', 'receiverMaxRate',
  'receiverBufferBytes', 'backpressure', 'rememberDuration', 'checkpointDir', 'writeAheadLog',
  'stopGracefullyOnShutdown', 'gracefulStopTimeout', 'clock', 'logger', 'printSink', 'appName',
] as const;

function bad(option: string, accepted: string, got: unknown): SluiceError {
  return new SluiceError('INVALID_OPTION', `StreamingContext option ${option} must be ${accepted}, got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`);
}

function wholeAtLeast(opts: Record<string, unknown>, key: string, min: number, dflt: number): number {
  const v = opts[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(key, `a whole number >= ${min}`, v);
  return v;
}

function positiveRate(opts: Record<string, unknown>, key: string, dflt: number): number {
  const v = opts[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || Number.isNaN(v) || v <= 0) throw bad(key, 'a number > 0 (records per second; Infinity for no limit)', v);
  return v;
}

function optionalDuration(opts: Record<string, unknown>, key: string): Duration | undefined {
  return opts[key] === undefined ? undefined : toDuration(opts[key], `StreamingContext option ${key}`);
}

/** Validates options. @throws SluiceError INVALID_OPTION naming the first bad option. */
export function resolveOptions(input: StreamingContextOptions): ResolvedOptions {
  if (typeof input !== 'object' || input === null) throw bad('options', 'an object with at least batchInterval', input);
  const opts = input as unknown as Record<string, unknown>;
  const unknown = Object.keys(opts).filter((k) => !(KNOWN as readonly string[]).includes(k));
  if (unknown.length) throw new SluiceError('INVALID_OPTION', `Unknown StreamingContext option(s): ${unknown.join(', ')}. Accepted: ${KNOWN.join(', ')}`);
  if (opts['batchInterval'] === undefined) throw bad('batchInterval', 'set (e.g. Seconds(1) or 1000)', undefined);
  const batchInterval = toDuration(opts['batchInterval'], 'StreamingContext option batchInterval');
  const blockInterval = optionalDuration(opts, 'blockInterval') ?? 200;
  const receiverMaxRate = positiveRate(opts, 'receiverMaxRate', Infinity);
  let backpressure: Required<BackpressureOptions> | undefined;
  const bp = opts['backpressure'];
  if (bp !== undefined && bp !== false) {
    if (bp !== true && (typeof bp !== 'object' || bp === null)) throw bad('backpressure', 'true, false or { initialRate?, proportional?, integral?, derived?, minRate? }', bp);
    const b = (bp === true ? {} : bp) as Record<string, unknown>;
    const extra = Object.keys(b).filter((k) => !['initialRate', 'proportional', 'integral', 'derived', 'minRate'].includes(k));
    if (extra.length) throw bad(`backpressure.${extra[0]}`, 'one of initialRate, proportional, integral, derived, minRate', extra[0]);
    const gain = (k: string, d: number): number => {
      const v = b[k] ?? d;
      if (typeof v !== 'number' || !(v >= 0)) throw bad(`backpressure.${k}`, 'a number >= 0', v);
      return v;
    };
    backpressure = {
      initialRate: positiveRate(b, 'initialRate', receiverMaxRate),
      proportional: gain('proportional', 1.0),
      integral: gain('integral', 0.2),
      derived: gain('derived', 0.0),
      minRate: positiveRate(b, 'minRate', 100),
    };
  }
  const checkpointDir = opts['checkpointDir'];
  if (checkpointDir !== undefined && (typeof checkpointDir !== 'string' || checkpointDir.length === 0)) throw bad('checkpointDir', 'a directory path', checkpointDir);
  for (const k of ['writeAheadLog', 'stopGracefullyOnShutdown'] as const) {
    if (opts[k] !== undefined && typeof opts[k] !== 'boolean') throw bad(k, 'true or false', opts[k]);
  }
  const clock = opts['clock'] ?? new SystemClock();
  if (typeof (clock as Clock).now !== 'function' || typeof (clock as Clock).waitUntil !== 'function') throw bad('clock', 'a Clock (now(), waitUntil())', clock);
  const printSink = opts['printSink'] ?? ((s: string) => void process.stdout.write(s));
  if (typeof printSink !== 'function') throw bad('printSink', 'a function (text) => void', printSink);
  return {
    batchInterval,
    blockInterval,
    parallelism: wholeAtLeast(opts, 'parallelism', 1, availableParallelism()),
    concurrentJobs: wholeAtLeast(opts, 'concurrentJobs', 1, 1),
    maxTaskFailures: wholeAtLeast(opts, 'maxTaskFailures', 1, 4),
    receiverMaxRate,
    receiverBufferBytes: wholeAtLeast(opts, 'receiverBufferBytes', 1024, 256 * 1024 * 1024),
    backpressure,
    rememberDuration: optionalDuration(opts, 'rememberDuration'),
    checkpointDir: checkpointDir as string | undefined,
    writeAheadLog: (opts['writeAheadLog'] as boolean | undefined) ?? false,
    stopGracefullyOnShutdown: (opts['stopGracefullyOnShutdown'] as boolean | undefined) ?? false,
    gracefulStopTimeout: optionalDuration(opts, 'gracefulStopTimeout') ?? 10 * batchInterval,
    clock: clock as Clock,
    logger: (opts['logger'] as Logger | undefined) ?? defaultLogger(),
    printSink: printSink as (s: string) => void,
    appName: typeof opts['appName'] === 'string' ? (opts['appName'] as string) : 'sluice',
  };
}
