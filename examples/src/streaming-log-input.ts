/**
 * "Learning Spark", chapter 10, StreamingLogInput: print the lines containing "error" that a
 * server sends on a socket, batch by batch (1 s), in Spark's print format.
 *
 *   nc -lk 7777                       # in one terminal, then type lines
 *   node --import tsx --conditions=sluice-source examples/src/streaming-log-input.ts [host] [port] [--seconds 10]
 *
 * The book waits 10 s (`ssc.awaitTermination(10000)`) and stops; so does this (`--seconds 0` runs until Ctrl-C).
 */
import { pathToFileURL } from 'node:url';
import { Seconds, StreamingContext, type DStream } from '@sluice/core';
import { socketTextStream } from '@sluice/socket';
import { numberFlag, parseFlags, runMain, untilStopped } from './cli-args.js';

/** The book's processLines: filter the lines with "error" and print them. */
export function processLines(lines: DStream<string>): DStream<string> {
  // Filter our DStream for lines with "error"
  const errorLines = lines.filter((line) => line.includes('error'));
  // Print out the lines with errors, which causes this DStream to be evaluated
  errorLines.print();
  return errorLines;
}

const USAGE = 'Usage: streaming-log-input.ts [host=localhost] [port=7777] [--seconds 10]';

async function main(): Promise<void> {
  const { values, positionals } = parseFlags(process.argv.slice(2), { seconds: { type: 'string' } });
  const host = positionals[0] ?? 'localhost';
  const port = numberFlag(positionals[1], 'port', 7777, 1);
  // Create a StreamingContext with a 1 second batch size
  const ssc = new StreamingContext({ batchInterval: Seconds(1), appName: 'StreamingLogInput' });
  // Create a DStream from all the input on the port
  const lines = socketTextStream(ssc, host, port, { reconnectDelayMs: 500 });
  processLines(lines);
  // start our streaming context and wait for it to "finish"
  await ssc.start();
  // Wait for 10 seconds then exit (Ctrl-C stops too). To run forever pass --seconds 0
  await untilStopped(numberFlag(values.seconds, 'seconds', 10));
  await ssc.stop({ stopGracefully: true });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runMain(main, USAGE);
