/**
 * The application the stateful chaos tests kill: one input of the given kind into the shared
 * stateful graph (harness/stateful-graph.ts), restarted with getOrCreate every time. Options are
 * the defaults but for the batch interval, the write-ahead log where the kind says so, and what
 * the input itself needs (where to connect).
 * Usage: stateful-app.ts <kind> <checkpointDir> <outputDir> [input args...]
 *   queue <items>             queueStream of <items> deterministic items (create queues them again)
 *   file <dir>                textFileStream
 *   socket|socket-wal <port>  socketTextStream, without / with the write-ahead log
 *   kafka-direct|kafka-receiver <bootstrap> <topic>
 *   flume-pull <host:port>    createFlumePollingStream (with the write-ahead log)
 *   flume-push <port>         createFlumeStream (with the write-ahead log)
 */
import { StreamingContext, type DStream } from '@sluice/core';
import { textFileStream } from '@sluice/file';
import { socketTextStream } from '@sluice/socket';
import { createDirectKafkaStream, createKafkaStream } from '@sluice/kafka';
import { bodyToString, createFlumePollingStream, createFlumeStream } from '@sluice/flume';
import { BATCH_MS, statefulGraph } from './harness/stateful-graph.js';
import { queueItem } from './harness/queue-items.js';

const [kind, dir, out, a, b] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const wal = ['socket-wal', 'kafka-receiver', 'flume-pull', 'flume-push'].includes(kind);

function input(ssc: StreamingContext): DStream<string> {
  switch (kind) {
    case 'queue':
      return ssc.queueStream(Array.from({ length: Number(a) }, (_, k) => queueItem(k))).name('input');
    case 'file':
      return textFileStream(ssc, a).name('input');
    case 'socket':
    case 'socket-wal':
      return socketTextStream(ssc, '127.0.0.1', Number(a)).name('input');
    case 'kafka-direct':
      return createDirectKafkaStream(ssc, { brokers: [a], topics: [b!], startingOffsets: 'earliest' }).name('input').map((r) => r.value!);
    case 'kafka-receiver':
      // A short session lets the group hand the partitions to the restarted app quickly; it does
      // not change what is stored or acknowledged.
      return createKafkaStream(ssc, { brokers: [a], topics: [b!], groupId: `${b}-group`, fromBeginning: true, sessionTimeout: 3000, heartbeatInterval: 500 })
        .name('input')
        .map((r) => r.value!);
    case 'flume-pull':
      return createFlumePollingStream(ssc, [a]).name('input').map(bodyToString);
    case 'flume-push':
      return createFlumeStream(ssc, '127.0.0.1', Number(a)).name('input').map(bodyToString);
    default:
      throw new Error(`unknown input kind ${kind}`);
  }
}

const ssc = await StreamingContext.getOrCreate(dir, () => {
  const created = new StreamingContext({ batchInterval: BATCH_MS, stopGracefullyOnShutdown: true, writeAheadLog: wal });
  statefulGraph(input(created), out);
  return created;
});
process.stderr.write(`stateful-app ${kind}: started (recovering: ${ssc.isRecovering})\n`);
await ssc.start();
await ssc.awaitTermination();
