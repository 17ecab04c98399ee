/**
 * Zero data loss with DEFAULT options against a real Flume agent: the stateful chaos app
 * (test/chaos/stateful-app.ts) polling SparkSink (pull) and serving Flume's avro sink (push), both
 * with the write-ahead log, is SIGKILLed 10 times (half 1-3 s after a start) while events arrive,
 * and restarted with getOrCreate. Every state and window output equals brute force over the
 * batches the runs produced, no batch is missing, and every event arrives at least once.
 * (SparkSink's ack timeout is 10 s here instead of 60, so events a killed app had taken come back
 * sooner: a setting of the agent, not of Sluice.)
 */
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pullAgentConfig, pushAgentConfig, sendEventsToAvroSource, startFlumeAgent } from '../infra/flume.js';
import { killRepeatedly } from '../chaos/harness/chaos-runner.js';
import { delivery, verifyStateful } from '../chaos/harness/verify.js';
import { checkRun } from '../chaos/harness/check-run.js';
import { OutputWatcher, assertReruns } from '../chaos/harness/output-watcher.js';
import { record } from '../chaos/harness/stateful-graph.js';

const app = new URL('../chaos/stateful-app.ts', import.meta.url).pathname;
const KILLS = 10;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

for (const kind of ['flume-pull', 'flume-push'] as const) {
  test(`${kind === 'flume-pull' ? 'polling SparkSink' : 'pushed by an avro sink'}, write-ahead log: SIGKILL x10 while events arrive, default options: every output as uninterrupted, every event at least once`, { timeout: 300_000 }, async () => {
    const root = await mkdtemp(join(tmpdir(), `sluice-stateful-${kind}-`));
    const sourcePort = await freePort();
    const sinkPort = await freePort();
    const conf =
      kind === 'flume-pull'
        ? pullAgentConfig({ avroSourcePort: sourcePort, sparkSinkPort: sinkPort, timeoutSec: 10 })
        : pushAgentConfig({ avroSourcePort: sourcePort, sinkHost: '127.0.0.1', sinkPort });
    const agent = await startFlumeAgent(conf, { waitPorts: kind === 'flume-pull' ? [sourcePort, sinkPort] : [sourcePort] });
    const sent: string[] = [];
    let sending = true;
    const sender = (async () => {
      for (let i = 0; i < 160 && sending; i++) {
        const chunk = Array.from({ length: 25 }, (_, j) => record(i * 25 + j));
        await sendEventsToAvroSource(sourcePort, chunk.map((body) => ({ headers: {}, body: Buffer.from(body) })));
        sent.push(...chunk);
        await sleep(100);
      }
      sending = false;
    })();
    const out = join(root, 'out');
    const watcher = new OutputWatcher(out);
    try {
      const address = kind === 'flume-pull' ? `127.0.0.1:${sinkPort}` : String(sinkPort);
      const { early } = await killRepeatedly({
        app,
        args: [kind, join(root, 'cp'), out, address],
        out,
        kills: KILLS,
        done: async () => !sending && delivery((await verifyStateful(out)).batches, sent).lost.length === 0,
        finishMs: 120_000,
      });
      // Every input here re-forms a pending batch from the same WAL blocks.
      await assertReruns(kind, watcher, 'same');
      await checkRun(kind, out, sent, 'at-least-once', `${KILLS} kills (${early} early)`);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nFlume agent log tail:\n${agent.logTail(40)}`, { cause: e });
    } finally {
      await watcher.stop();
      sending = false;
      await sender.catch(() => {});
      await agent.stop();
      await rm(root, { recursive: true, force: true });
    }
  });
}
