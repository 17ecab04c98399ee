// Offset ranges per batch (Spark's maxMessagesPerPartition + clamp), table-driven, plus a property
// test against a brute-force twin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planRanges, type PartitionPosition } from '../src/plan-ranges.js';

const p = (partition: number, from: number, latest: number, topic = 't'): PartitionPosition => ({ topic, partition, from, latest });
const ends = (positions: PartitionPosition[], limits: Parameters<typeof planRanges>[1]): number[] => planRanges(positions, limits).map((r) => r.untilOffset);

test('table: no limit, maxRatePerPartition, backpressure split by lag, floor of one record', () => {
  const pos = [p(0, 0, 1000), p(1, 100, 400), p(2, 50, 50)];
  const cases: [Parameters<typeof planRanges>[1], number[], string][] = [
    [{ batchMs: 1000, maxRatePerPartition: Infinity }, [1000, 400, 50], 'no limit: up to the latest offset'],
    [{ batchMs: 2000, maxRatePerPartition: 100 }, [200, 300, 50], 'maxRate * batch seconds per partition'],
    [{ batchMs: 500, maxRatePerPartition: 100 }, [50, 150, 50], 'half-second batches'],
    // lags 1000 and 300 (total 1300): 130 records/s split 100 + 30
    [{ batchMs: 1000, maxRatePerPartition: Infinity, backpressureRate: 130 }, [100, 130, 50], 'backpressure in proportion to lag'],
    [{ batchMs: 1000, maxRatePerPartition: 50, backpressureRate: 130 }, [50, 130, 50], 'backpressure share capped by maxRatePerPartition'],
    [{ batchMs: 1000, maxRatePerPartition: Infinity, backpressureRate: 1 }, [1, 101, 50], 'at least one record for a lagging partition'],
    [{ batchMs: 1000, maxRatePerPartition: 200, backpressureRate: 0 }, [200, 300, 50], 'a zero estimate means no backpressure'],
  ];
  for (const [limits, expected, what] of cases) assert.deepEqual(ends(pos, limits), expected, what);
});

test('ranges are ordered by topic then partition and start where the previous batch ended', () => {
  const ranges = planRanges([p(1, 5, 9, 'b'), p(0, 3, 3, 'b'), p(2, 0, 4, 'a')], { batchMs: 1000, maxRatePerPartition: Infinity });
  assert.deepEqual(ranges, [
    { topic: 'a', partition: 2, fromOffset: 0, untilOffset: 4 },
    { topic: 'b', partition: 0, fromOffset: 3, untilOffset: 3 },
    { topic: 'b', partition: 1, fromOffset: 5, untilOffset: 9 },
  ]);
});

test('a truncated log (latest below from) gives an empty range at from', () => {
  assert.deepEqual(planRanges([p(0, 50, 10)], { batchMs: 1000, maxRatePerPartition: 10 }), [{ topic: 't', partition: 0, fromOffset: 50, untilOffset: 50 }]);
});

test('property: matches a brute-force twin of Spark\'s formula', () => {
  const position = fc.record({ partition: fc.nat(50), from: fc.nat(10_000), lag: fc.integer({ min: -5, max: 10_000 }) });
  fc.assert(
    fc.property(
      fc.uniqueArray(position, { selector: (x) => x.partition, minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 5000 }),
      fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
      fc.option(fc.integer({ min: 1, max: 50_000 }), { nil: undefined }),
      (parts, batchMs, maxRate, bp) => {
        const positions = parts.map((x) => p(x.partition, x.from, x.from + x.lag));
        const ranges = planRanges(positions, { batchMs, maxRatePerPartition: maxRate ?? Infinity, backpressureRate: bp });
        const totalLag = positions.reduce((n, q) => n + Math.max(0, q.latest - q.from), 0);
        for (const q of positions) {
          const r = ranges.find((x) => x.partition === q.partition)!;
          const lag = Math.max(0, q.latest - q.from);
          let rate: number | undefined;
          if (bp !== undefined) rate = Math.min(totalLag === 0 ? 0 : (lag / totalLag) * bp, maxRate ?? Infinity);
          else if (maxRate !== undefined) rate = maxRate;
          const cap = rate === undefined ? Infinity : Math.max(Math.floor((batchMs / 1000) * rate), 1);
          assert.equal(r.fromOffset, q.from);
          assert.equal(r.untilOffset, Math.max(q.from, Math.min(q.latest, q.from + cap)));
        }
      },
    ),
    { numRuns: 300 },
  );
});
