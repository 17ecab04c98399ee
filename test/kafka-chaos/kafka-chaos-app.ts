/**
 * The application the Kafka chaos test kills: a direct stream (rate-capped, from the earliest
 * offsets) or a receiver stream (write-ahead log on), each written with saveAsTextFiles and
 * restarted with getOrCreate every time.
 * Usage: kafka-chaos-app.ts <direct|receiver> <checkpointDir> <outputDir> <bootstrap> <topic> <batchMs> <maxRatePerPartition>
 */
import { StreamingContext, type Logger } from '@sluice/core';
import { createDirectKafkaStream, createKafkaStream } from '@sluice/kafka';

const [mode, dir, out, bootstrap, topic, batchMs, rate] = process.argv.slice(2);
const batchInterval = Number(batchMs);
const line = (l: string) => (m: string): void => void process.stderr.write(`${new Date().toISOString()} ${l} ${m}\n`);
const logger: Logger = { debug: () => {}, info: line('INFO'), warn: line('WARN'), error: line('ERROR') };

const ssc = await StreamingContext.getOrCreate(dir!, () => {
  const ssc = new StreamingContext({ batchInterval, stopGracefullyOnShutdown: true, writeAheadLog: mode === 'receiver', logger });
  if (mode === 'direct') {
    createDirectKafkaStream(ssc, { brokers: [bootstrap!], topics: [topic!], startingOffsets: 'earliest', maxRatePerPartition: Number(rate) })
      .name('kafka')
      .map((r) => r.value!)
      .saveAsTextFiles(`${out}/direct`);
  } else {
    createKafkaStream(ssc, { brokers: [bootstrap!], topics: [topic!], groupId: `${topic}-group`, fromBeginning: true, sessionTimeout: 2000, heartbeatInterval: 300 })
      .name('kafka')
      .map((r) => r.value!)
      .saveAsTextFiles(`${out}/recv`);
  }
  return ssc;
});
process.stderr.write(`kafka-chaos-app: started (recovering: ${ssc.isRecovering})\n`);
await ssc.start();
await ssc.awaitTermination();
