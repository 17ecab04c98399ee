/**
 * `npm run demo`: the LogAnalyzer on the embedded fake log generator, with no other setup. The
 * generator serves fake Apache access logs on a free port of 127.0.0.1 (as `nc -lk` does in the
 * book); the analyzer reads them with socketTextStream, prints every batch's results, and writes
 * output/log-analyzer/. Stops by itself after --seconds (default 35, enough for three 10 s window
 * slides), or on Ctrl-C.
 *
 *   npm run demo -- [--seconds 35] [--rate 200] [--out DIR] [--batch 2] [--window 30] [--slide 10]
 */
import { numberFlag, parseFlags, runMain } from './cli-args.js';
import { startFakeLogServer } from './fakelogs/fake-log-server.js';
import { ANALYZER_FLAGS, analyzerOptions, runLogAnalyzer } from './log-analyzer-app.js';

const USAGE = 'Usage: npm run demo -- [--seconds 35] [--rate LINES_PER_S] [--out DIR] [--batch S] [--window S] [--slide S] [--checkpoint DIR]';

async function main(): Promise<void> {
  const { values } = parseFlags(process.argv.slice(2), { ...ANALYZER_FLAGS, rate: { type: 'string' } });
  const options = analyzerOptions(values);
  const seconds = numberFlag(values.seconds, 'seconds', 35);
  const generator = await startFakeLogServer({ port: 0, rate: numberFlag(values.rate, 'rate', 200, 0.001) });
  process.stderr.write(
    `Fake Apache logs on ${generator.host}:${generator.port}; LogAnalyzer: ${options.batchSeconds} s batches, ` +
      `${options.windowSeconds} s window sliding every ${options.slideSeconds} s, for ${seconds > 0 ? `${seconds} s` : 'ever'} (Ctrl-C stops).\n`,
  );
  try {
    await runLogAnalyzer({ source: { socket: { host: generator.host, port: generator.port } }, ...options }, seconds);
  } finally {
    await generator.close();
  }
  process.stderr.write(`The generator sent ${generator.linesSent} lines.\n`);
}

runMain(main, USAGE);
