/**
 * mapWithState: an internal stream whose RDD holds, per partition, one record of the partition's
 * state map and the values mapped in this batch. The mapped stream and the state snapshots are
 * both read from it. Keys with a timeout are scanned every batch.
 */
import type { DStream } from './dstream.js';
import type { DStreamPlan } from './plan.js';
import type { RDD } from '../rdd/rdd.js';
import type { Partitioner } from '../rdd/partitioner.js';
import { KeyMap } from '../rdd/keys.js';
import { State, type StateSpec } from './state-spec.js';
import { zipPartitions } from './state.js';
import type { Time } from '../time.js';

/** One partition of mapWithState's internal stream. */
export interface MapWithStateRecord<K, S, E> {
  /** key -> [state, time of the last update]. */
  readonly state: KeyMap<K, [S, Time]>;
  readonly mapped: E[];
}

function toStateMap<K, S>(entries: Array<[K, [S, Time]]>): KeyMap<K, [S, Time]> {
  const state = new KeyMap<K, [S, Time]>();
  for (const [k, v] of entries) state.set(k, v);
  return state;
}

export function mapWithStatePlan<K, V, S, E>(
  parent: DStream<[K, V]>,
  spec: StateSpec<K, V, S, E>,
  partitioner: Partitioner,
  initial: RDD<[K, S]> | undefined,
): DStreamPlan<MapWithStateRecord<K, S, E>> {
  const slide = parent.slideDuration;
  const fn = spec.fn;
  const timeout = spec.timeoutMs;
  return {
    kind: 'mapWithState',
    parents: [parent as DStream<unknown>],
    slideDuration: slide,
    mustCheckpoint: true,
    materialize: true,
    partitioner,
    stateCodec: {
      // A partition holds one record; its state map is logged as entries. The mapped values of a
      // batch are output, not state.
      encode: (records) => records.flatMap((r) => Array.from(r.state)),
      decode: (entries) => [{ state: toStateMap(entries as Array<[K, [S, Time]]>), mapped: [] as E[] }],
      // Format-1 snapshots held a list of records' entries per partition.
      decodeFormat1: (data) => (data as Array<Array<[K, [S, Time]]>>).map((entries) => ({ state: toStateMap(entries), mapped: [] as E[] })),
    },
    compute(time, self) {
      const prev = self.getOrCompute(time - slide);
      const ssc = self.ssc;
      const prevRecords: RDD<MapWithStateRecord<K, S, E>> =
        prev ??
        (initial ?? (ssc.emptyRDD() as RDD<[K, S]>))
          .partitionBy(partitioner)
          .mapPartitions((pairs) => {
            const state = new KeyMap<K, [S, Time]>();
            for (const [k, s] of pairs) state.set(k, [s, time]);
            return [{ state, mapped: [] as E[] }];
          }, true);
      const data = (parent.getOrCompute(time) ?? (ssc.emptyRDD() as RDD<[K, V]>)).partitionBy(partitioner);
      return zipPartitions('mapWithState', prevRecords, data, ([previous], pairs, p) => {
        const state = new KeyMap<K, [S, Time]>();
        for (const [k, v] of previous!.state) state.set(k, v);
        const mapped: E[] = [];
        const handle = new State<S>();
        const touched = new KeyMap<K, true>();
        for (const [k, v] of pairs) {
          const cur = state.get(k);
          handle.wrap(cur !== undefined, cur?.[0], false);
          mapped.push(fn(k, v, handle, time));
          touched.set(k, true);
          if (handle.wasRemoved) state.delete(k);
          else if (handle.wasUpdated || (timeout !== undefined && handle.exists())) state.set(k, [handle.get(), time]);
        }
        const removes: K[] = [];
        if (timeout !== undefined) {
          for (const [k, [, updatedAt]] of state) if (updatedAt <= time - timeout) removes.push(k);
          for (const k of removes) {
            handle.wrap(true, state.get(k)![0], true);
            mapped.push(fn(k, undefined, handle, time));
            state.delete(k);
            touched.delete(k);
          }
        }
        // The state log records the final entry of every key a record touched, and the keys gone.
        const upserts: Array<[K, [S, Time]]> = [];
        for (const [k] of touched) {
          const entry = state.get(k);
          if (entry === undefined) removes.push(k);
          else upserts.push([k, entry]);
        }
        self.recordStateChange(time, p, { upserts, removes });
        return [{ state, mapped }];
      });
    },
  };
}
