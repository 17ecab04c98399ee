/**
 * The input of runBatches: batch k (from 1) yields `input[k-1]` parallelized into `numPartitions`
 * partitions, `null` yields no RDD, and batches past the input are empty (Spark's TestInputStream).
 */
import type { StreamingContext } from '../context.js';
import { InputDStream, type StreamInputInfo } from '../dstream/input-dstream.js';
import type { RDD } from '../rdd/rdd.js';
import type { Time } from '../time.js';

export class TestInputDStream<T> extends InputDStream<T> {
  constructor(
    ssc: StreamingContext,
    private readonly input: ReadonlyArray<readonly T[] | null>,
    private readonly numPartitions: number,
  ) {
    super(ssc);
  }

  override get kind(): string {
    return 'testInput';
  }

  private batchIndex(time: Time): number {
    return (time - this.ssc.graph.zeroTime!) / this.slideDuration - 1;
  }

  override compute(time: Time): RDD<T> | undefined {
    const items = this.batchIndex(time) < this.input.length ? this.input[this.batchIndex(time)] : [];
    return items === null || items === undefined ? undefined : this.ssc.parallelize(items, this.numPartitions);
  }

  override inputInfo(time: Time): StreamInputInfo {
    return { streamId: this.id, numRecords: this.input[this.batchIndex(time)]?.length ?? 0 };
  }
}
