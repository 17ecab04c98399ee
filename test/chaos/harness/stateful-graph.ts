/**
 * The graph every chaos app runs over its input, whatever the input: each batch's records as they
 * came (the truth the checks derive everything from), and the three stateful operators, each
 * named, with DEFAULT options (no .checkpoint() interval): running totals (updateStateByKey),
 * counts that expire after 1 s idle (mapWithState with a timeout) and an inverse window.
 * Records are `w<key>#<seq>`; the stateful operators count keys.
 */
import { Milliseconds, StateSpec, type DStream } from '@sluice/core';

export const BATCH_MS = 200;
export const IDLE_TIMEOUT_MS = 1000;
export const WINDOW_MS = 1000;
export const SLIDE_MS = 400;

/** The record with sequence number `seq`: 13 keys, so counts grow. */
export const record = (seq: number): string => `w${seq % 13}#${seq}`;
export const keyOf = (r: string): string => r.slice(0, r.indexOf('#'));

export function statefulGraph(records: DStream<string>, out: string): void {
  records.saveAsTextFiles(`${out}/batch`);
  const pairs = records.map((r) => [keyOf(r), 1] as [string, number]);
  pairs
    .updateStateByKey<string, number, number>((vs, total) => (total ?? 0) + vs.length)
    .name('totals')
    .saveAsTextFiles(`${out}/totals`);
  pairs
    .mapWithState(
      StateSpec.function<string, number, number, string>((key, one, state) => {
        if (state.isTimingOut()) return `${key} expired`;
        state.update((state.getOption() ?? 0) + (one ?? 0));
        return `${key}=${state.get()}`;
      }).timeout(Milliseconds(IDLE_TIMEOUT_MS)),
    )
    .name('idle-counts')
    .stateSnapshots()
    .saveAsTextFiles(`${out}/mws`);
  pairs
    .reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, WINDOW_MS, SLIDE_MS, undefined, (kv) => kv[1] !== 0)
    .name('window')
    .saveAsTextFiles(`${out}/window`);
}
