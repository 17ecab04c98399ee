/**
 * The application the chaos test kills: a replayable source through a plain map, a running count
 * (updateStateByKey) and an inverse-window count, each written with saveAsTextFiles; with a
 * producer port, also a reliable receiver with the write-ahead log. Restarted with getOrCreate
 * every time. Usage: chaos-app.ts <checkpointDir> <outputDir> <batchMs> [producerPort]
 */
import { StreamingContext } from '@sluice/core';
import { ReplayableSource } from './replayable-source.js';
import { AckingReceiver } from './acking-receiver.js';

const [dir, out, batchMs, producerPort] = process.argv.slice(2);
const batchInterval = Number(batchMs ?? 200);

const ssc = await StreamingContext.getOrCreate(dir!, () => {
  const ssc = new StreamingContext({ batchInterval, stopGracefullyOnShutdown: true, writeAheadLog: producerPort !== undefined });
  if (producerPort !== undefined) ssc.receiverStream(new AckingReceiver(Number(producerPort))).name('acked').saveAsTextFiles(`${out}/recv`);
  const items = new ReplayableSource(ssc).name('source');
  items.map((x) => x.toUpperCase()).saveAsTextFiles(`${out}/map`);
  const pairs = items.map((x) => [x, 1] as [string, number]);
  pairs
    .updateStateByKey<string, number, number>((vs, s) => (s ?? 0) + vs.reduce((a, b) => a + b, 0))
    .name(process.env['CHAOS_STATE_NAME'] ?? 'running-count')
    .saveAsTextFiles(`${out}/state`);
  pairs
    .reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 4 * batchInterval, 2 * batchInterval, 2, (kv) => kv[1] !== 0)
    .name('window-count')
    .saveAsTextFiles(`${out}/window`);
  return ssc;
});
process.stderr.write(`chaos-app: started (recovering: ${ssc.isRecovering})\n`);
await ssc.start();
await ssc.awaitTermination();
