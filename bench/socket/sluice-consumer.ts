/**
 * Sluice: socketTextStream -> filter -> count. `default`: a 200 ms batch interval and every other
 * setting at its default (64 MiB receiver buffer, 200 ms blocks); `tuned`: 100 ms batches, 50 ms
 * blocks, a 512 MiB receiver buffer, so the buffer bound does not throttle the receiver. Prints
 * `RESULT <lines> <matches> <seconds>`, from the first byte received to the batch that brought the
 * count of matching lines to the expected total (so it includes up to one batch interval of wait).
 */
import { StreamingContext } from '@sluice/core';
import { socketTextStream } from '@sluice/socket';
import { PATTERN } from './workload.js';

const port = Number(process.argv[2]);
const expectedLines = Number(process.argv[3]);
const expectedMatches = Number(process.argv[4]);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const tuned = process.argv[5] === 'tuned';
const ssc = new StreamingContext(tuned ? { batchInterval: 100, blockInterval: 50, receiverBufferBytes: 512 * 1024 * 1024, logger: quiet } : { batchInterval: 200, logger: quiet });
const lines = socketTextStream(ssc, '127.0.0.1', port, { reconnectDelayMs: 60_000 });
let matches = 0;
let first = 0;
const sampler = setInterval(() => {
  if (first === 0 && lines.stats.bytesReceived > 0) first = performance.now();
}, 1);
lines
  .filter((l) => l.includes(PATTERN))
  .count()
  .foreachRDD(async (rdd) => {
    for (const n of await rdd.collect()) matches += n;
    if (matches >= expectedMatches && lines.stats.records >= expectedLines) {
      const seconds = (performance.now() - first) / 1000;
      clearInterval(sampler);
      process.stdout.write(`RESULT ${lines.stats.records} ${matches} ${seconds}\n`);
      void ssc.stop().then(() => process.exit(0));
    }
  });
await ssc.start();
