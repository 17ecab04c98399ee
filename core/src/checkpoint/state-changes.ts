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

/**
 * A logged state record: every partition's whole state, or every partition's change; or a `slice`:
 * the partitions of one batch of a stream the state reads back later (the per-batch reduces of an
 * inverse window), logged when the input cannot replay that batch after a restart.
 */
export type StateRecord =
  | { readonly kind: 'full'; readonly partitions: unknown[] }
  | { readonly kind: 'change'; readonly partitions: StateChange[] }
  | { readonly kind: 'slice'; readonly partitions: unknown[] };

/** Marks a key a change removed (the value of a removed key in the merged changes). */
const REMOVED = Symbol('removed');

/**
 * Folds records (oldest first) into every partition's entries: the last `full` record's state with
 * every `change` after it applied in order (slices are no part of the state). The changes are merged first (the last word on a key
 * wins), then the full state is read once: its keys are never put in a map.
 * @throws Error when there is no full record, or a change's partition count differs from it.
 */
export function foldStateRecords(all: readonly StateRecord[]): unknown[] {
  const records = all.filter((r) => r.kind !== 'slice');
  let lastFull = -1;
  for (let i = records.length - 1; i >= 0 && lastFull < 0; i--) if (records[i]!.kind === 'full') lastFull = i;
  if (lastFull < 0) throw new Error(records.length === 0 ? 'the state log holds no full state' : 'a state change comes before any full state');
  const base = records[lastFull]!.partitions as Array<Array<[unknown, unknown]>>;
  if (lastFull === records.length - 1) return base;
  const merged = base.map(() => new KeyMap<unknown, unknown>());
  for (const record of records.slice(lastFull + 1) as Array<Extract<StateRecord, { kind: 'change' }>>) {
    if (record.partitions.length !== base.length) throw new Error(`a state change has ${record.partitions.length} partitions, the state ${base.length}`);
    record.partitions.forEach((change, p) => {
      const m = merged[p]!;
      for (const k of change.removes) m.set(k, REMOVED);
      for (const [k, v] of change.upserts) m.set(k, v);
    });
  }
  return base.map((entries, p) => {
    const m = merged[p]!;
    const out: Array<[unknown, unknown]> = [];
    for (const entry of entries) {
      const v = m.get(entry[0]);
      if (v === undefined && !m.has(entry[0])) out.push(entry);
      else {
        m.delete(entry[0]);
        if (v !== REMOVED) out.push([entry[0], v]);
      }
    }
    for (const [k, v] of m) if (v !== REMOVED) out.push([k, v]);
    return out;
  });
}
