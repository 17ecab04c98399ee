/** window(windowDuration, slideDuration): every RDD of the parent within the window, as one RDD. */
import type { DStream } from './dstream.js';
import type { DStreamPlan } from './plan.js';
import type { Duration } from '../time.js';

export function windowedPlan<T>(parent: DStream<T>, windowDuration: Duration, slideDuration: Duration): DStreamPlan<T> {
  const parentSlide = parent.slideDuration;
  return {
    kind: 'window',
    parents: [parent as DStream<unknown>],
    slideDuration,
    parentRememberExtra: windowDuration,
    compute(time, self) {
      // The window (time - windowDuration, time] holds the parent's batches time-w+ps .. time.
      const rdds = parent.slice(time - windowDuration + parentSlide, time);
      return self.ssc.unionRDDs(rdds);
    },
  };
}
