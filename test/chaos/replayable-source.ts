/**
 * A replayable input for chaos tests: batch k (counted from the zero time) holds items that depend
 * on k alone, like a log read by offset range. Recovery may recompute any batch and get the same data.
 */
import { InputDStream, type RDD } from '@sluice/core';

export function batchItems(k: number): string[] {
  return Array.from({ length: 3 + (k % 5) }, (_, i) => `k${(k * 31 + i * 7) % 11}`);
}

export class ReplayableSource extends InputDStream<string> {
  override get kind(): string {
    return 'replayable';
  }

  override compute(time: number): RDD<string> {
    const k = (time - this.ssc.graph.zeroTime!) / this.slideDuration;
    return this.ssc.parallelize(batchItems(k), 2);
  }
}
