/**
 * Entries `[key, value]` laid out as two columns before node:v8 serializes them: a column of
 * numbers becomes one Float64Array and a column of strings one string plus a Uint32Array of
 * lengths, which v8 copies as blocks instead of walking a million small arrays (a state log's full
 * state of 1M keys reads back several times faster). Any other column is kept as it is.
 */

export type Column =
  | { readonly t: 'f64'; readonly data: Float64Array }
  | { readonly t: 'str'; readonly lengths: Uint32Array; readonly text: string }
  | { readonly t: 'any'; readonly data: unknown[] };

/** Packs `n` values read by `at(i)` into the tightest column that holds them all. */
export function toColumn(n: number, at: (i: number) => unknown): Column {
  let numbers = true;
  let strings = true;
  for (let i = 0; i < n && (numbers || strings); i++) {
    const x = at(i);
    if (typeof x !== 'number') numbers = false;
    if (typeof x !== 'string') strings = false;
  }
  if (numbers && n > 0) {
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = at(i) as number;
    return { t: 'f64', data };
  }
  if (strings && n > 0) {
    const lengths = new Uint32Array(n);
    const parts = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const s = at(i) as string;
      lengths[i] = s.length;
      parts[i] = s;
    }
    return { t: 'str', lengths, text: parts.join('') };
  }
  const data = new Array<unknown>(n);
  for (let i = 0; i < n; i++) data[i] = at(i);
  return { t: 'any', data };
}

/** The values of a column, in order. */
export function fromColumn(c: Column): unknown[] {
  if (c.t === 'any') return c.data;
  if (c.t === 'f64') return Array.from(c.data);
  const out = new Array<string>(c.lengths.length);
  let at = 0;
  for (let i = 0; i < c.lengths.length; i++) {
    const end = at + c.lengths[i]!;
    out[i] = c.text.slice(at, end);
    at = end;
  }
  return out;
}

/** Entries as a key column and a value column. */
export function entriesToColumns(entries: ReadonlyArray<readonly [unknown, unknown]>): { k: Column; v: Column } {
  return { k: toColumn(entries.length, (i) => entries[i]![0]), v: toColumn(entries.length, (i) => entries[i]![1]) };
}

/** Entries back from {@link entriesToColumns}. */
export function columnsToEntries(c: { k: Column; v: Column }): Array<[unknown, unknown]> {
  const keys = fromColumn(c.k);
  const values = fromColumn(c.v);
  const out = new Array<[unknown, unknown]>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = [keys[i], values[i]];
  return out;
}
