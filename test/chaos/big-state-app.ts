/**
 * The application the kill-during-compaction test kills: a queue stream whose first item loads
 * every key, then updates spread over them, into updateStateByKey with DEFAULT options; each batch
 * writes one checksum line of the whole state (saveAsTextFiles), so the test checks the state
 * without writing it all out. Usage: big-state-app.ts <checkpointDir> <outputDir> <keys> <batches>
 */
import { StreamingContext } from '@sluice/core';
import { bigStateItem, stateChecksumTerm } from './big-state.js';

const [dir, out, keys, batches] = process.argv.slice(2);

const ssc = await StreamingContext.getOrCreate(dir!, () => {
  const ssc = new StreamingContext({ batchInterval: 500, stopGracefullyOnShutdown: true });
  const queue = Array.from({ length: Number(batches) }, (_, k) => bigStateItem(k, Number(keys)));
  ssc
    .queueStream(queue)
    .name('ids')
    .map((id) => [id, 1] as [number, number])
    .updateStateByKey<number, number, number>((vs, s) => (s ?? 0) + vs.length)
    .name('counts')
    .map(([id, n]) => stateChecksumTerm(id, n))
    .reduce((a, b) => a + b)
    .saveAsTextFiles(`${out}/check`);
  return ssc;
});
process.stderr.write(`big-state-app: started (recovering: ${ssc.isRecovering})\n`);
await ssc.start();
await ssc.awaitTermination();
