/**
 * What one batch changed in one partition of a stateful stream's state, and how a recovery folds a
 * full state and the changes after it back into the state of the last logged batch.
 *
 * A partition's state is written as entries `[key, value]` (a stateful plan's encoded form, see
 * `StateCodec`); a change names the keys whose value is new (`upserts`, their final value after the
 * batch) and the keys that left (`removes`). Keys are matched by value, as everywhere ({@link KeyMap}).
 */
import { KeyMap } from '../rdd/keys.js';

/** The change of one partition's state in one batch. */
export interface StateChange {
  readonly upserts: ReadonlyArray<readonly [unknown, unknown]>;
  readonly removes: readonly unknown[];
}

/** A logged state record: every partition's whole state, or every partition's change. */
export type StateRecord = { readonly kind: 'full'; readonly partitions: unknown[] } | { readonly kind: 'change'; readonly partitions: StateChange[] };

/**
 * Folds records (oldest first) into every partition's entries. A `full` record replaces the state;
 * a `change` applies to the state before it (so the first record must be `full`).
 * @throws Error when a change comes before any full state, or its partition count differs.
 */
export function foldStateRecords(records: Iterable<StateRecord>): unknown[] {
  let maps: Array<KeyMap<unknown, unknown>> | undefined;
  for (const record of records) {
    if (record.kind === 'full') {
      maps = (record.partitions as Array<Array<[unknown, unknown]>>).map((entries) => {
        const m = new KeyMap<unknown, unknown>();
        for (const [k, v] of entries) m.set(k, v);
        return m;
      });
      continue;
    }
    if (maps === undefined) throw new Error('a state change comes before any full state');
    if (record.partitions.length !== maps.length) throw new Error(`a state change has ${record.partitions.length} partitions, the state ${maps.length}`);
    record.partitions.forEach((change, p) => {
      const m = maps![p]!;
      for (const k of change.removes) m.delete(k);
      for (const [k, v] of change.upserts) m.set(k, v);
    });
  }
  if (maps === undefined) throw new Error('the state log holds no full state');
  return maps.map((m) => {
    const entries: Array<[unknown, unknown]> = [];
    m.appendEntriesTo(entries);
    return entries;
  });
}
