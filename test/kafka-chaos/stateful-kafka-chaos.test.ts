/**
 * Zero data loss with DEFAULT options against a real Kafka broker: the stateful chaos app
 * (test/chaos/stateful-app.ts) over a direct stream and over a receiver stream with the
 * write-ahead log is SIGKILLed 10 times (half 1-3 s after a start) while records arrive, and
 * restarted with getOrCreate. Every state and window output equals brute force over the batches
 * the runs produced, no batch is missing, and the direct stream delivers each record exactly once,
 * the receiver at least once.
 */
import { after, before, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTopic, startKafka, type KafkaBroker } from '../infra/kafka.js';
import { produce, sleep, uniqueTopic } from '../../connectors/kafka/test/helpers.js';
import { killRepeatedly } from '../chaos/harness/chaos-runner.js';
import { delivery, verifyStateful } from '../chaos/harness/verify.js';
import { checkRun } from '../chaos/harness/check-run.js';
import { OutputWatcher, assertReruns } from '../chaos/harness/output-watcher.js';
import { record } from '../chaos/harness/stateful-graph.js';

const app = new URL('../chaos/stateful-app.ts', import.meta.url).pathname;
const KILLS = 10;
let broker: KafkaBroker;
let root: string;

before(async () => {
  broker = await startKafka({ version: process.env['SLUICE_KAFKA_VERSION'], serverProperties: { 'group.min.session.timeout.ms': 1000 } });
  root = await mkdtemp(join(tmpdir(), 'sluice-stateful-kafka-'));
});
after(async () => {
  await broker?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

for (const kind of ['kafka-direct', 'kafka-receiver'] as const) {
  test(`${kind === 'kafka-direct' ? 'direct stream' : 'receiver stream with the write-ahead log'}: SIGKILL x10 while records arrive, default options: every output as uninterrupted, each record ${kind === 'kafka-direct' ? 'exactly' : 'at least'} once`, { timeout: 300_000 }, async () => {
    const topic = uniqueTopic(`stateful-${kind}`);
    await createTopic(broker, topic, 2);
    const out = join(root, `${kind}-out`);
    const produced: string[] = [];
    let producing = true;
    const producer = (async () => {
      for (let i = 0; i < 200 && producing; i++) {
        const chunk = Array.from({ length: 25 }, (_, j) => record(i * 25 + j));
        await produce(broker, topic, chunk.map((value) => ({ value })));
        produced.push(...chunk);
        await sleep(100);
      }
      producing = false;
    })();
    const watcher = new OutputWatcher(out);
    try {
      const { early } = await killRepeatedly({
        app,
        args: [kind, join(root, `${kind}-cp`), out, broker.bootstrap, topic],
        out,
        kills: KILLS,
        done: async () => !producing && delivery((await verifyStateful(out)).batches, produced).lost.length === 0,
        finishMs: 120_000,
      });
      // Every input here re-forms a pending batch from the same offsets or WAL blocks.
      await assertReruns(kind, watcher, 'same');
      await checkRun(kind, out, produced, kind === 'kafka-direct' ? 'exactly-once' : 'at-least-once', `${KILLS} kills (${early} early)`);
    } finally {
      await watcher.stop();
      producing = false;
      await producer;
    }
  });
}
