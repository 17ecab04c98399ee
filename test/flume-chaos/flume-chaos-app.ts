/**
 * The application the Flume chaos test kills: createFlumePollingStream with the write-ahead log,
 * every event body written with saveAsTextFiles (keyed by batch time, so a re-run batch replaces
 * its output). Restarted with getOrCreate every time.
 * Usage: flume-chaos-app.ts <checkpointDir> <outputDir> <sinkAddress> <maxBatchSize>
 */
import { StreamingContext } from '@sluice/core';
import { bodyToString, createFlumePollingStream } from '@sluice/flume';

const [dir, out, address, maxBatchSize] = process.argv.slice(2);

const ssc = await StreamingContext.getOrCreate(dir!, () => {
  const ssc = new StreamingContext({ batchInterval: 200, blockInterval: 50, writeAheadLog: true, stopGracefullyOnShutdown: true });
  createFlumePollingStream(ssc, [address!], { maxBatchSize: Number(maxBatchSize), reconnectDelayMs: 100 })
    .name('flume')
    .map(bodyToString)
    .saveAsTextFiles(`${out}/events`);
  return ssc;
});
process.stderr.write(`flume-chaos-app: started (recovering: ${ssc.isRecovering})\n`);
await ssc.start();
await ssc.awaitTermination();
