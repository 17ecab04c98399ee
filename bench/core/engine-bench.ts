/**
 * Core engine benchmark (in-process generated input, no I/O): filter, word count, inverse
 * reduceByKeyAndWindow over windows of 1, 10 and 60 batches, updateStateByKey over 1M keys.
 * Prints records/s and the ratio of per-batch cost between the 60-batch and the 1-batch window.
 * Run: npm run bench -- core   (or node --import tsx --conditions=sluice-source bench/core/engine-bench.ts)
 */
import { benchPipeline, printResults, type BenchResult } from './harness.js';

const LINES = Number(process.env['BENCH_LINES'] ?? 200_000);
const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
let seed = 42;
const rand = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
const line = (): string => Array.from({ length: 8 }, () => words[rand(words.length)]).join(' ') + (rand(10) === 0 ? ' error' : '');
const lines = (): string[] => Array.from({ length: LINES }, line);
const ips = (n: number, keys: number) => (): string[] => Array.from({ length: n }, () => `10.${rand(keys) >> 16}.${(rand(keys) >> 8) & 255}.${rand(keys) & 255}`);

const results: BenchResult[] = [];
const sink = (_result?: unknown): void => {};

results.push(await benchPipeline('filter "error" + count', lines, (s) => s.filter((l) => l.includes('error')).count().foreachRDD(async (r) => sink(void (await r.collect()))), { batches: 10, warmup: 3 }));
results.push(
  await benchPipeline(
    'word count (reduceByKey)',
    lines,
    (s) => s.flatMap((l) => l.split(' ')).map((w) => [w, 1] as [string, number]).reduceByKey((a, b) => a + b).foreachRDD(async (r) => sink(void (await r.count()))),
    { batches: 10, warmup: 3 },
  ),
);
const windowCost: Record<number, number> = {};
for (const w of [1, 10, 60]) {
  const r = await benchPipeline(
    `reduceByKeyAndWindow inverse, window ${w} batches`,
    ips(100_000, 1 << 16),
    (s) =>
      s
        .map((ip) => [ip, 1] as [string, number])
        .reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, w * 1000, 1000)
        .foreachRDD(async (rdd) => sink(void (await rdd.count()))),
    { batches: 20, warmup: w + 2 },
  );
  windowCost[w] = r.msPerBatch;
  results.push(r);
}
let k = 0;
const stateKeys = 1_000_000;
results.push(
  await benchPipeline(
    'updateStateByKey, 1M keys of state, 100k updates/batch',
    () => {
      // The first batches fill the 1M keys; later ones update 100k of them.
      const n = k < 10 ? stateKeys / 10 : 100_000;
      const base = k < 10 ? k * n : 0;
      k++;
      return Array.from({ length: n }, (_, i) => (k <= 10 ? base + i : rand(stateKeys)));
    },
    (s) =>
      s
        .map((id) => [id, 1] as [number, number])
        .updateStateByKey<number, number, number>((vs, st) => (st ?? 0) + vs.length)
        .foreachRDD(async (rdd) => sink(void (await rdd.count()))),
    { batches: 5, warmup: 10 },
  ),
);
printResults(`Sluice core engine, ${LINES.toLocaleString('en')} lines/batch where applicable (node ${process.version})`, results);
console.log(`\nper-batch cost ratio, inverse window of 60 batches vs 1 batch: ${(windowCost[60]! / windowCost[1]!).toFixed(2)} (10 vs 1: ${(windowCost[10]! / windowCost[1]!).toFixed(2)})`);
