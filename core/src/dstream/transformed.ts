/**
 * Stateless streams: every batch's RDD is a function of the parents' RDDs of the same batch. map,
 * filter, reduceByKey, join, transform, ... are all this one kind, named after the operation.
 */
import type { DStream } from './dstream.js';
import type { DStreamPlan } from './plan.js';
import { RDD } from '../rdd/rdd.js';
import type { Time } from '../time.js';
import { SluiceError } from '../errors.js';
import { formatDuration } from '../time.js';

/** What a user's transform function returned, checked: a null or non-RDD fails the batch naming the operation. */
function checked<U>(kind: string, time: Time, result: RDD<U>): RDD<U> {
  if (result instanceof RDD) return result;
  throw new SluiceError('INVALID_OPTION', `${kind}: the function must return an RDD, got ${result === null ? 'null' : typeof result} for the batch at ${time} ms`);
}

/** One parent: `f(rdd, time)` for each batch the parent has an RDD for. */
export function transformedPlan<T, U>(kind: string, parent: DStream<T>, f: (rdd: RDD<T>, time: Time) => RDD<U>): DStreamPlan<U> {
  return {
    kind,
    parents: [parent as DStream<unknown>],
    slideDuration: parent.slideDuration,
    compute(time) {
      const rdd = parent.getOrCompute(time);
      return rdd === undefined ? undefined : checked(kind, time, f(rdd, time));
    },
  };
}

/**
 * Several parents with the same slide: `f(rdds, time)` where a parent without an RDD for the
 * batch contributes an empty RDD (Spark's TransformedDStream throws instead: in Sluice an input
 * without an RDD for a batch means it had no data).
 */
export function multiTransformedPlan<U>(
  kind: string,
  parents: readonly DStream<unknown>[],
  f: (rdds: RDD<unknown>[], time: Time) => RDD<U>,
): DStreamPlan<U> {
  if (parents.length === 0) throw new SluiceError('INVALID_OPTION', `${kind} needs at least one stream`);
  const slide = parents[0]!.slideDuration;
  for (const p of parents) {
    if (p.slideDuration !== slide) {
      throw new SluiceError(
        'INVALID_DURATION',
        `${kind}: all streams must have the same slide duration, got ${formatDuration(slide)} and ${formatDuration(p.slideDuration)}`,
      );
    }
    if (p.ssc !== parents[0]!.ssc) throw new SluiceError('INVALID_OPTION', `${kind}: streams belong to different StreamingContexts`);
  }
  return {
    kind,
    parents,
    slideDuration: slide,
    compute(time) {
      const rdds = parents.map((p) => p.getOrCompute(time) ?? p.ssc.emptyRDD());
      return checked(kind, time, f(rdds, time));
    },
  };
}
