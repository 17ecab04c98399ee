/**
 * sluice-fakelogs: a fake Apache access log source, the book's `fakelogs.sh` without `nc`.
 *   sluice-fakelogs [--host 127.0.0.1] [--port 7777] [--rate 100] [--seconds 0]
 *   sluice-fakelogs --dir /tmp/logs [--every 1000] [--lines-per-file 100] [--seconds 0]
 */
import { numberFlag, parseFlags, runMain, untilStopped } from '../cli-args.js';
import { startFakeLogServer } from './fake-log-server.js';
import { startFakeLogFiles } from './fake-log-files.js';

const USAGE = `Usage:
  sluice-fakelogs [--host 127.0.0.1] [--port 7777] [--rate LINES_PER_S] [--seconds N] [--seed N]
      serve fake Apache log lines on a TCP port (what "nc -lk 7777" serves in the book)
  sluice-fakelogs --dir DIR [--every MS] [--lines-per-file N] [--seconds N] [--seed N]
      drop files of fake log lines into DIR atomically (for textFileStream)
--seconds 0 (default) runs until Ctrl-C.`;

async function main(): Promise<void> {
  const { values } = parseFlags(process.argv.slice(2), {
    host: { type: 'string' },
    port: { type: 'string' },
    rate: { type: 'string' },
    dir: { type: 'string' },
    every: { type: 'string' },
    'lines-per-file': { type: 'string' },
    seconds: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const seconds = numberFlag(values.seconds, 'seconds', 0);
  const seed = numberFlag(values.seed, 'seed', 42);
  if (values.dir !== undefined) {
    const files = await startFakeLogFiles({ dir: values.dir, everyMs: numberFlag(values.every, 'every', 1000, 1), linesPerFile: numberFlag(values['lines-per-file'], 'lines-per-file', 100, 1), seed });
    process.stderr.write(`sluice-fakelogs: dropping log files into ${values.dir} (Ctrl-C to stop)\n`);
    await untilStopped(seconds);
    await files.close();
    process.stderr.write(`sluice-fakelogs: wrote ${files.filesWritten} files\n`);
    return;
  }
  const server = await startFakeLogServer({ host: values.host ?? '127.0.0.1', port: numberFlag(values.port, 'port', 7777), rate: numberFlag(values.rate, 'rate', 100, 0.001), seed });
  process.stderr.write(`sluice-fakelogs: serving fake Apache logs on ${server.host}:${server.port} (Ctrl-C to stop)\n`);
  await untilStopped(seconds);
  await server.close();
  process.stderr.write(`sluice-fakelogs: sent ${server.linesSent} lines\n`);
}

runMain(main, USAGE);
