/**
 * ssc.queueStream: each batch takes the next RDD from a queue the caller fills (oneAtATime), or
 * all queued RDDs at once; an empty queue gives `defaultRDD`, else an empty RDD.
 */
import type { StreamingContext } from '../context.js';
import { InputDStream } from './input-dstream.js';
import { RDD } from '../rdd/rdd.js';
import type { Time } from '../time.js';

export class QueueInputDStream<T> extends InputDStream<T> {
  constructor(
    ssc: StreamingContext,
    /** The queue: push RDDs (or arrays, parallelized on use) at any time. */
    readonly queue: Array<RDD<T> | readonly T[]>,
    readonly oneAtATime = true,
    readonly defaultRDD?: RDD<T>,
  ) {
    super(ssc);
  }

  override get kind(): string {
    return 'queueStream';
  }

  private toRDD(x: RDD<T> | readonly T[]): RDD<T> {
    return x instanceof RDD ? x : this.ssc.parallelize(x);
  }

  override compute(_time: Time): RDD<T> | undefined {
    let rdd: RDD<T>;
    if (this.queue.length > 0) {
      rdd = this.oneAtATime ? this.toRDD(this.queue.shift()!) : this.ssc.unionRDDs(this.queue.splice(0).map((x) => this.toRDD(x)));
    } else {
      rdd = this.defaultRDD ?? this.ssc.emptyRDD<T>();
    }
    return rdd;
  }
}
