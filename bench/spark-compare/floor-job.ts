/**
 * The bare-Node floor for job 1: read the socket, cut lines (as UTF-8 strings, which is what a
 * stream of lines must hand to user code), count the lines containing "error", nothing else.
 * Every interval it prints a {"type":"batch"} line in the engines' format (no scheduling: the
 * delays are 0), so the orchestrator judges it by the same intake rule.
 * Usage: node floor-job.mjs --port P --interval-ms I
 */
import { connect } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'interval-ms': { type: 'string' } } });
const interval = Number(values['interval-ms']);
let records = 0;
let errors = 0;
let carry = '';
const decoder = new StringDecoder('utf8');

const sock = connect({ host: '127.0.0.1', port: Number(values.port) });
sock.on('data', (chunk: Buffer) => {
  const text = carry + decoder.write(chunk);
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    const line = text.slice(start, nl);
    records++;
    if (line.includes('error')) errors++;
    start = nl + 1;
  }
  carry = text.slice(start);
});
sock.on('error', (e) => {
  process.stderr.write(`floor: ${e.message}\n`);
  process.exit(1);
});

let next = (Math.floor(Date.now() / interval) + 1) * interval;
const tick = (): void => {
  const now = Date.now();
  process.stdout.write(`${JSON.stringify({ type: 'batch', batchTime: next, records, submissionTime: now, schedulingDelay: 0, processingDelay: 0, processingEnd: now, outputAt: now, result: errors })}\n`);
  records = 0;
  errors = 0;
  next += interval;
  setTimeout(tick, Math.max(0, next - Date.now()));
};
setTimeout(tick, next - Date.now());
process.stdout.write(`${JSON.stringify({ type: 'started', engine: 'floor', node: process.version, time: Date.now() })}\n`);
process.on('SIGTERM', () => process.exit(0));
