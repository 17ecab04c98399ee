/**
 * The floor: a bare Node process that reads the socket and counts the lines containing the
 * pattern. It splits on bytes and decodes each line to a string the way @sluice/socket does (the
 * ASCII fast path when a chunk is all ASCII), so the ratio measures the engine, not the decoding.
 * Prints `RESULT <lines> <matches> <seconds>` from the first byte to the end of the stream.
 */
import { isAscii } from 'node:buffer';
import { connect } from 'node:net';
import { PATTERN } from './workload.js';

const port = Number(process.argv[2]);
let lines = 0;
let matches = 0;
let first = 0;
let rest: Buffer | undefined;

const socket = connect({ host: '127.0.0.1', port });
socket.on('data', (chunk: Buffer) => {
  if (first === 0) first = performance.now();
  const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
  const raw = buf as unknown as { latin1Slice(s: number, e: number): string };
  const ascii = isAscii(buf);
  let start = 0;
  for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
    lines++;
    const line = ascii ? raw.latin1Slice(start, nl) : buf.toString('utf8', start, nl);
    if (line.includes(PATTERN)) matches++;
    start = nl + 1;
  }
  rest = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
});
socket.on('end', () => {
  const seconds = (performance.now() - first) / 1000;
  process.stdout.write(`RESULT ${lines} ${matches} ${seconds}\n`);
  process.exit(0);
});
