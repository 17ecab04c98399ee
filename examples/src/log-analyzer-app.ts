/**
 * The log analyzer application (the book's LogAnalyzerAppMain): reads Apache access log lines from a
 * socket (socketTextStream) or from new files in a directory (textFileStream), runs
 * {@link processAccessLogs}, prints each batch's results and writes its output directory.
 *
 *   node --import tsx --conditions=sluice-source examples/src/log-analyzer-app.ts --socket 127.0.0.1:7777
 *   node --import tsx --conditions=sluice-source examples/src/log-analyzer-app.ts --dir /tmp/logs
 * Options: --out DIR (default output/log-analyzer), --seconds N (0: until Ctrl-C), --batch S (2),
 * --window S (30), --slide S (10), --checkpoint DIR (default: OUT/checkpoint).
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Seconds, StreamingContext, type DStream } from '@sluice/core';
import { socketTextStream } from '@sluice/socket';
import { textFileStream } from '@sluice/file';
import { numberFlag, parseFlags, runMain, untilStopped, UsageError } from './cli-args.js';
import { parseAccessLogs, processAccessLogs, type LogAnalyzerStreams } from './log-analyzer.js';

export interface LogAnalyzerAppOptions {
  source: { socket: { host: string; port: number } } | { dir: string };
  outputDir: string;
  checkpointDir?: string;
  batchSeconds?: number;
  windowSeconds?: number;
  slideSeconds?: number;
}

/** Builds the context and the graph; the caller starts and stops it. */
export function createLogAnalyzer(opts: LogAnalyzerAppOptions): { ssc: StreamingContext; streams: LogAnalyzerStreams } {
  const ssc = new StreamingContext({ batchInterval: Seconds(opts.batchSeconds ?? 2), appName: 'LogAnalyzer' });
  // Checkpointing must be enabled to use updateStateByKey and the inverse window.
  ssc.checkpoint(opts.checkpointDir ?? join(opts.outputDir, 'checkpoint'));
  const lines: DStream<string> =
    'socket' in opts.source
      ? socketTextStream(ssc, opts.source.socket.host, opts.source.socket.port, { reconnectDelayMs: 500 })
      : textFileStream(ssc, opts.source.dir, { settleMs: 200 });
  const accessLogs = parseAccessLogs(lines).cache();
  const streams = processAccessLogs(accessLogs, {
    outputDir: opts.outputDir,
    windowDuration: Seconds(opts.windowSeconds ?? 30),
    slideDuration: Seconds(opts.slideSeconds ?? 10),
  });
  return { ssc, streams };
}

export const LOG_ANALYZER_USAGE = `Usage: log-analyzer-app.ts (--socket HOST:PORT | --dir DIR) [--out DIR] [--seconds N] [--batch S] [--window S] [--slide S] [--checkpoint DIR]`;

/** The flags shared by the app and the demo. */
export const ANALYZER_FLAGS = {
  out: { type: 'string' },
  seconds: { type: 'string' },
  batch: { type: 'string' },
  window: { type: 'string' },
  slide: { type: 'string' },
  checkpoint: { type: 'string' },
} as const;

/** Runs the analyzer until `seconds` pass (0: until Ctrl-C), then stops gracefully. */
export async function runLogAnalyzer(opts: LogAnalyzerAppOptions, seconds: number): Promise<void> {
  const { ssc } = createLogAnalyzer(opts);
  await ssc.start();
  const why = await Promise.race([untilStopped(seconds), ssc.awaitTermination().then(() => 'stopped' as const)]);
  process.stderr.write(`\nStopping the LogAnalyzer (${why === 'signal' ? 'signal' : why === 'timeout' ? `${seconds} s elapsed` : 'stopped'})...\n`);
  await ssc.stop({ stopGracefully: true });
  await ssc.awaitTermination();
  process.stderr.write(`Results written to ${resolve(opts.outputDir)}\n`);
}

/** Turns the shared flags into options (source excluded). */
export function analyzerOptions(values: { out?: string; batch?: string; window?: string; slide?: string; checkpoint?: string }): Omit<LogAnalyzerAppOptions, 'source'> {
  return {
    outputDir: values.out ?? join('output', 'log-analyzer'),
    ...(values.checkpoint === undefined ? {} : { checkpointDir: values.checkpoint }),
    batchSeconds: numberFlag(values.batch, 'batch', 2, 0.001),
    windowSeconds: numberFlag(values.window, 'window', 30, 0.001),
    slideSeconds: numberFlag(values.slide, 'slide', 10, 0.001),
  };
}

async function main(): Promise<void> {
  const { values } = parseFlags(process.argv.slice(2), { ...ANALYZER_FLAGS, socket: { type: 'string' }, dir: { type: 'string' } });
  let source: LogAnalyzerAppOptions['source'];
  if (values.socket !== undefined) {
    const m = /^(.+):(\d+)$/.exec(values.socket);
    if (m === null) throw new UsageError(`--socket must be HOST:PORT, got ${JSON.stringify(values.socket)}`);
    source = { socket: { host: m[1]!, port: Number(m[2]) } };
  } else if (values.dir !== undefined) {
    source = { dir: values.dir };
  } else {
    throw new UsageError('Give --socket HOST:PORT or --dir DIR');
  }
  await runLogAnalyzer({ source, ...analyzerOptions(values) }, numberFlag(values.seconds, 'seconds', 0));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runMain(main, LOG_ANALYZER_USAGE);
