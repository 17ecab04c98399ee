/**
 * The Sluice side of the comparison: one of the four jobs on the lines of the line server, read
 * with @sluice/socket's socketTextStream. Mirrors bench/spark/.../StreamingBench.java line for
 * line and prints the same JSON lines on stdout ({"type":"started"} once, then {"type":"batch"}
 * per completed batch, see there). Run by the orchestrator as its own process (bundled to plain
 * JavaScript first, so no TypeScript loader runs inside the measured process).
 * Usage: node sluice-job.mjs --job N --port P --interval-ms I --block-ms B --checkpoint DIR [--latency] [--buffer-mib N]
 */
import { parseArgs } from 'node:util';
import { StreamingContext, type DStream, type RDD } from '@sluice/core';
import { socketTextStream } from '@sluice/socket';

const { values } = parseArgs({
  options: {
    job: { type: 'string' },
    port: { type: 'string' },
    'interval-ms': { type: 'string' },
    'block-ms': { type: 'string' },
    checkpoint: { type: 'string' },
    latency: { type: 'boolean', default: false },
    'buffer-mib': { type: 'string' },
  },
});
const job = Number(values.job);
/**
 * The receiver's buffer bound: the same memory budget as the Spark side's heap (-Xmx1g). A batch's
 * blocks count against it until the batch completes (job 3: until the next 10 s slide has reduced
 * them), so Sluice's default 256 MiB caps intake near 256 MiB / (1.4 s x 150 bytes per line),
 * about 1.3 M lines/s at 1 s batches, while Spark's receiver stores until its heap is full.
 */
const BUFFER_BYTES = 1024 * 2 ** 20;
const intervalMs = Number(values['interval-ms']);
const ssc = new StreamingContext({
  batchInterval: intervalMs,
  blockInterval: Number(values['block-ms']),
  ...(job === 3 || job === 4 ? { checkpointDir: values.checkpoint! } : {}),
  appName: `sluice-compare-job${job}`,
  receiverBufferBytes: values['buffer-mib'] ? Number(values['buffer-mib']) * 2 ** 20 : BUFFER_BYTES,
});

/** Batch time -> [time the output action resolved, its result]; read by the listener. */
const outputs = new Map<number, [number, number]>();
/** Batch time -> histogram of creation times (ms -> records). */
const created = new Map<number, Map<number, number>>();
const output = async (rdd: RDD<unknown>, time: number): Promise<void> => {
  const n = await rdd.count();
  outputs.set(time, [Date.now(), n]);
};

const lines: DStream<string> = socketTextStream(ssc, '127.0.0.1', Number(values.port), { reconnectDelayMs: 200 });
const byIp = (): DStream<[string, number]> => lines.map((l) => [l.slice(0, l.indexOf(' ')), 1] as [string, number]);
switch (job) {
  case 1:
    lines.filter((l) => l.includes('error')).foreachRDD(output);
    break;
  case 2:
    lines
      .flatMap((l) => l.split(' '))
      .map((w) => [w, 1] as [string, number])
      .reduceByKey((a, b) => a + b)
      .foreachRDD(output);
    break;
  case 3:
    byIp()
      .reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 30_000, 10_000)
      // The requests in the window (the sum over IPs): checkable against the lines offered.
      .foreachRDD(async (rdd, time) => {
        const n = await rdd.values().fold(0, (a, b) => a + b);
        outputs.set(time, [Date.now(), n]);
      });
    break;
  case 4:
    byIp()
      .updateStateByKey<string, number, number>((vs, s) => (s ?? 0) + vs.length)
      .foreachRDD(output);
    break;
  default:
    throw new Error(`--job must be 1, 2, 3 or 4, got ${values.job}`);
}
if (values.latency) {
  // The same second output as the Spark side: creation times of the batch's records by ms.
  lines.foreachRDD(async (rdd, time) => {
    const parts = await rdd
      .mapPartitions((items) => {
        const h = new Map<number, number>();
        for (const l of items) {
          const ms = Number(l.slice(l.lastIndexOf(' ') + 1));
          h.set(ms, (h.get(ms) ?? 0) + 1);
        }
        return [h];
      })
      .collect();
    const all = new Map<number, number>();
    for (const h of parts) for (const [ms, n] of h) all.set(ms, (all.get(ms) ?? 0) + n);
    created.set(time, all);
  });
}

ssc.addStreamingListener({
  onBatchCompleted({ batchInfo: b }) {
    const t = b.batchTime;
    const rec: Record<string, unknown> = {
      type: 'batch',
      batchTime: t,
      records: b.numRecords,
      submissionTime: b.submissionTime,
      schedulingDelay: b.schedulingDelay,
      processingDelay: b.processingDelay,
      processingEnd: b.processingEndTime,
    };
    const out = outputs.get(t);
    if (out) {
      outputs.delete(t);
      rec['outputAt'] = out[0];
      rec['result'] = out[1];
    }
    const h = created.get(t);
    if (h) {
      created.delete(t);
      rec['created'] = [...h];
    }
    process.stdout.write(`${JSON.stringify(rec)}\n`);
  },
});

await ssc.start();
process.stdout.write(`${JSON.stringify({ type: 'started', engine: 'sluice', node: process.version, time: Date.now() })}\n`);
process.on('SIGTERM', () => process.exit(0));
await ssc.awaitTermination();
