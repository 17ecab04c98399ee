// offsetRanges(rdd): the ranges of the Kafka RDDs in an RDD's lineage; a clear error otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceError, StreamingContext } from '@sluice/core';
import { offsetRanges } from '@sluice/kafka';
import { attachOffsetRanges } from '../src/offset-range.js';

test('own ranges, through narrow transformations and unions, in lineage order', () => {
  const ssc = new StreamingContext({ batchInterval: 1000 });
  const a = ssc.parallelize([1, 2], 2);
  const b = ssc.parallelize([3], 1);
  const ra = [{ topic: 't', partition: 0, fromOffset: 0, untilOffset: 1 }, { topic: 't', partition: 1, fromOffset: 4, untilOffset: 5 }];
  const rb = [{ topic: 'u', partition: 0, fromOffset: 9, untilOffset: 10 }];
  attachOffsetRanges(a, ra);
  attachOffsetRanges(b, rb);
  assert.deepEqual(offsetRanges(a), ra);
  assert.deepEqual(offsetRanges(a.map((x) => x * 2).filter((x) => x > 2)), ra);
  assert.deepEqual(offsetRanges(a.union(b)), [...ra, ...rb]);
  const empty = ssc.parallelize([], 1);
  attachOffsetRanges(empty, []);
  assert.deepEqual(offsetRanges(empty.map((x) => x)), []);
  assert.throws(
    () => offsetRanges(ssc.parallelize([1])),
    (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && /was not computed from a direct Kafka stream/.test(e.message),
  );
});
